#include "ch-store/record_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace ch {
namespace {

// A pipe: lines written to `in`, read through a LineReader.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  ~Pipe() {
    CloseWriter();
    close(read_fd_);
  }
  void Write(const std::string& text) {
    EXPECT_EQ(write(write_fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void CloseWriter() {
    if (write_fd_ >= 0) close(write_fd_);
    write_fd_ = -1;
  }
  int read_fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

std::string Reject(int i) { return "not json " + std::to_string(i) + "\n"; }

// Drains a source: the raw bytes of each record, then how it ended.
std::vector<std::string> Drain(RecordSource* source, RecordSource::Event* last) {
  std::vector<std::string> raws;
  for (;;) {
    const Record* record = nullptr;
    const RecordSource::Event e = source->Next(&record, 1000);
    if (e != RecordSource::Event::kRecord) {
      *last = e;
      return raws;
    }
    raws.emplace_back(record->reject.raw);
  }
}

TEST(RecordSourceTest, ThreadedSourceKeepsOrderAcrossManyMoreRecordsThanSlots) {
  Pipe pipe;
  std::string input;
  for (int i = 0; i < ThreadedRecordSource::kSlots * 5; ++i)
    input += Reject(i) + (i % 7 == 0 ? "\n" : "");
  std::thread writer([&] {
    pipe.Write(input);
    pipe.CloseWriter();
  });
  LineReader reader(pipe.read_fd());
  ThreadedRecordSource source(&reader, "companies");
  RecordSource::Event last;
  const std::vector<std::string> raws = Drain(&source, &last);
  writer.join();
  EXPECT_EQ(last, RecordSource::Event::kEnd);
  ASSERT_EQ(raws.size(),
            static_cast<size_t>(ThreadedRecordSource::kSlots * 5));  // blank lines skipped
  for (size_t i = 0; i < raws.size(); ++i) EXPECT_EQ(raws[i], "not json " + std::to_string(i));
  const Record* record = nullptr;
  EXPECT_EQ(source.Next(&record, 0), RecordSource::Event::kEnd);  // and stays ended
}

// The bounds made small (CH_TEST_LIMITS): every slot count and wake batch,
// fewer slots than the batch included, still hands over every record once,
// in order, whether the input comes at once or in trickles.
TEST(RecordSourceTest, ThreadedSourceKeepsOrderWithSmallBounds) {
  for (const int slots : {1, 2, 3, 5}) {
    for (const size_t wake_batch : {size_t{1}, size_t{2}, size_t{16}}) {
      SCOPED_TRACE("slots " + std::to_string(slots) + ", wake batch " + std::to_string(wake_batch));
      Pipe pipe;
      std::thread writer([&] {
        for (int i = 0; i < 300; ++i) {
          pipe.Write(Reject(i) + (i % 11 == 0 ? "\n" : ""));
          if (i % 37 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        pipe.CloseWriter();
      });
      LineReader reader(pipe.read_fd());
      ThreadedRecordSource source(&reader, "companies", slots, wake_batch);
      RecordSource::Event last;
      const std::vector<std::string> raws = Drain(&source, &last);
      writer.join();
      EXPECT_EQ(last, RecordSource::Event::kEnd);
      ASSERT_EQ(raws.size(), 300u);
      for (size_t i = 0; i < raws.size(); ++i) EXPECT_EQ(raws[i], "not json " + std::to_string(i));
    }
  }
}

TEST(RecordSourceTest, BothSourcesSayIdleWhenNothingArrives) {
  Pipe pipe;
  pipe.Write(Reject(1));
  LineReader reader(pipe.read_fd());
  ThreadedRecordSource source(&reader, "companies");
  const Record* record = nullptr;
  EXPECT_EQ(source.Next(&record, 1000), RecordSource::Event::kRecord);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(source.Next(&record, 30), RecordSource::Event::kIdle);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(25));

  Pipe other;
  other.Write(Reject(2));
  LineReader inline_reader(other.read_fd());
  InlineRecordSource inline_source(&inline_reader, "companies");
  EXPECT_EQ(inline_source.Next(&record, 1000), RecordSource::Event::kRecord);
  EXPECT_EQ(record->reject.raw, "not json 2");
  EXPECT_EQ(inline_source.Next(&record, 10), RecordSource::Event::kIdle);
  other.CloseWriter();
  EXPECT_EQ(inline_source.Next(&record, 10), RecordSource::Event::kEnd);
}

TEST(RecordSourceTest, OversizedLinesBecomeRejects) {
  Pipe pipe;
  LineReader::Options options;
  options.max_line_bytes = 100;
  options.keep_prefix_bytes = 10;
  std::thread writer([&] {
    pipe.Write(std::string(1000, 'x') + "\n" + Reject(3));
    pipe.CloseWriter();
  });
  LineReader reader(pipe.read_fd(), options);
  ThreadedRecordSource source(&reader, "companies");
  RecordSource::Event last;
  const std::vector<std::string> raws = Drain(&source, &last);
  writer.join();
  ASSERT_EQ(raws.size(), 2u);
  EXPECT_EQ(raws[0], std::string(10, 'x'));
  EXPECT_EQ(raws[1], "not json 3");
}

TEST(RecordSourceTest, StopsPromptlyWhileTheInputStaysOpen) {
  Pipe pipe;
  LineReader reader(pipe.read_fd());
  const auto start = std::chrono::steady_clock::now();
  {
    ThreadedRecordSource source(&reader, "companies");
    const Record* record = nullptr;
    EXPECT_EQ(source.Next(&record, 10), RecordSource::Event::kIdle);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace ch
