#include "common/line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace ch {
namespace {

// A pipe whose write end the test feeds.
class Pipe {
 public:
  Pipe() { EXPECT_EQ(pipe(fds_), 0); }
  ~Pipe() {
    CloseWrite();
    close(fds_[0]);
  }
  int read_fd() const { return fds_[0]; }
  void Write(const std::string& s) {
    ASSERT_EQ(write(fds_[1], s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  void CloseWrite() {
    if (fds_[1] >= 0) close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

std::vector<std::string> ReadAll(LineReader* reader) {
  std::vector<std::string> lines;
  LineReader::Line line;
  for (;;) {
    auto r = reader->Next(&line, -1);
    if (r == LineReader::Result::kEof) break;
    if (r == LineReader::Result::kLine) lines.emplace_back(line.bytes);
    if (r == LineReader::Result::kOversized)
      lines.push_back("OVERSIZED:" + std::to_string(line.full_length));
    if (r == LineReader::Result::kError) break;
  }
  return lines;
}

TEST(LineReaderTest, JoinsLinesSplitAcrossWrites) {
  Pipe p;
  std::thread writer([&] {
    p.Write("ab");
    p.Write("c\nde");
    p.Write("f\n\nlast");
    p.CloseWrite();
  });
  LineReader reader(p.read_fd());
  auto lines = ReadAll(&reader);
  writer.join();
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "def", "", "last"}));
}

TEST(LineReaderTest, ReportsWouldBlockWhenNoCompleteLine) {
  Pipe p;
  p.Write("partial");
  LineReader reader(p.read_fd());
  LineReader::Line line;
  EXPECT_EQ(reader.Next(&line, 0), LineReader::Result::kWouldBlock);
  p.Write(" line\n");
  EXPECT_EQ(reader.Next(&line, 0), LineReader::Result::kLine);
  EXPECT_EQ(line.bytes, "partial line");
  EXPECT_EQ(reader.Next(&line, 10), LineReader::Result::kWouldBlock);
}

TEST(LineReaderTest, OversizedLineKeepsPrefixAndDiscardsTheRest) {
  Pipe p;
  LineReader::Options options;
  options.max_line_bytes = 1000;
  options.keep_prefix_bytes = 10;
  options.initial_buffer_bytes = 64;
  std::thread writer([&] {
    p.Write("short\n");
    p.Write(std::string(5000, 'x') + "\n");
    p.Write(std::string(1000, 'y') + "\nafter\n");
    p.Write(std::string(3000, 'z'));
    p.CloseWrite();
  });
  LineReader reader(p.read_fd(), options);
  std::vector<std::string> lines;
  LineReader::Line line;
  for (;;) {
    auto r = reader.Next(&line, -1);
    if (r == LineReader::Result::kEof) break;
    ASSERT_NE(r, LineReader::Result::kError);
    if (r == LineReader::Result::kOversized) {
      lines.push_back(std::string(line.bytes) + ":" + std::to_string(line.full_length) +
                      (line.terminated ? "" : ":unterminated"));
    } else {
      lines.push_back(std::string(line.bytes.substr(0, 20)) + ":" +
                      std::to_string(line.full_length));
    }
  }
  writer.join();
  EXPECT_EQ(lines,
            (std::vector<std::string>{"short:5", "xxxxxxxxxx:5000", "yyyyyyyyyyyyyyyyyyyy:1000",
                                      "after:5", "zzzzzzzzzz:3000:unterminated"}));
}

}  // namespace
}  // namespace ch
