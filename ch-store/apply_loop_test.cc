#include "ch-store/apply_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "ch-store/store_db.h"
#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"
#include "ch-store/writer_queue.h"
#include "common/signals.h"

namespace ch {
namespace {

using testing_records::RejectLine;
using testing_records::Stream;
using testing_records::TempDir;

// A database file, a pipe feeding the loop, and the loop's parts.
class LoopFixture {
 public:
  explicit LoopFixture(bool emit = false, bool queued = false) {
    path_ = dir_.File("loop.db");
    StatusOr<SqliteDb> db = OpenStoreForWriting(path_, 1000);
    EXPECT_TRUE(db.ok());
    db_ = std::move(db).value();
    EXPECT_TRUE(MigrateUp(&db_, std::move(Migrator::Embedded()).value()).ok());
    RecordApplier::Options options;
    options.collect_changes = emit;
    if (queued) {
      queue_ =
          std::move(WriterQueue::Open(path_ + "-writers", &db_, WriterQueue::Options())).value();
      options.writer_queue = queue_.get();
    }
    applier_ = std::move(RecordApplier::Create(&db_, options)).value();
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    changes_path_ = dir_.File("changes");
    changes_file_ = std::fopen(changes_path_.c_str(), "w+");
  }
  ~LoopFixture() {
    CloseInput();
    close(read_fd_);
    std::fclose(changes_file_);
  }

  void Write(const std::string& line) {
    const std::string text = line + "\n";
    EXPECT_EQ(write(write_fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void CloseInput() {
    if (write_fd_ >= 0) close(write_fd_);
    write_fd_ = -1;
  }

  // Runs the loop on a threaded source (as ch-store does) or an inline one.
  Status Run(ApplyLoop::Options options, bool emit = false, uint64_t* commits = nullptr,
             bool threaded = true) {
    LineReader reader(read_fd_);
    OutputWriter out(fileno(changes_file_));
    Metrics metrics("", "ch-store");
    std::unique_ptr<RecordSource> source;
    if (threaded) {
      source = std::make_unique<ThreadedRecordSource>(&reader, "companies");
    } else {
      source = std::make_unique<InlineRecordSource>(&reader, "companies");
    }
    ApplyLoop loop(source.get(), applier_.get(), emit ? &out : nullptr, &metrics, options);
    Status s = loop.Run();
    if (commits != nullptr) *commits = loop.commits();
    return s;
  }

  // A second connection, as another process would see the database.
  std::string Query(const std::string& sql) {
    StatusOr<SqliteDb> reader = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
    if (!reader.ok()) return "<error>";
    StatusOr<std::optional<int64_t>> v = reader->QueryInt64(sql);
    if (!v.ok() || !v->has_value()) return "<none>";
    return std::to_string(**v);
  }

  std::string Changes() {
    std::fflush(changes_file_);
    std::ifstream in(changes_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  SqliteDb& db() { return db_; }
  const std::string& path() const { return path_; }

 private:
  TempDir dir_;
  std::string path_;
  std::string changes_path_;
  FILE* changes_file_ = nullptr;
  SqliteDb db_;
  std::unique_ptr<WriterQueue> queue_;
  std::unique_ptr<RecordApplier> applier_;
  int read_fd_ = -1;
  int write_fd_ = -1;
};

std::string Line(int64_t timepoint) {
  return Stream(timepoint, "2024-01-02T00:00:00Z", "0000" + std::to_string(1000 + timepoint))
      .Line();
}

TEST(ApplyLoopTest, CommitsEverythingAtEndOfInput) {
  LoopFixture f;
  for (int tp = 1; tp <= 3; ++tp) f.Write(Line(tp));
  f.Write("");  // a blank line is nothing
  f.CloseInput();
  uint64_t commits = 0;
  ASSERT_TRUE(f.Run(ApplyLoop::Options(), false, &commits).ok());
  EXPECT_EQ(commits, 1u);
  EXPECT_EQ(f.Query("SELECT count(*) FROM companies"), "3");
  EXPECT_EQ(f.Query("SELECT timepoint FROM stream_state"), "3");
}

TEST(ApplyLoopTest, CommitsAtTheBatchLimit) {
  for (const bool threaded : {true, false}) {
    LoopFixture f;
    for (int tp = 1; tp <= 10; ++tp) f.Write(Line(tp));
    f.CloseInput();
    ApplyLoop::Options options;
    options.stream_batch_records = 3;
    options.idle_grace_ms = 1000;  // the threaded source may lag: only the limit commits
    uint64_t commits = 0;
    ASSERT_TRUE(f.Run(options, false, &commits, threaded).ok());
    EXPECT_EQ(commits, 4u);  // 3 + 3 + 3 + 1
    EXPECT_EQ(f.Query("SELECT count(*) FROM companies"), "10");
  }
}

TEST(ApplyLoopTest, CommitsAsSoonAsTheInputGoesIdle) {
  LoopFixture f;
  std::string seen;
  std::thread feeder([&f, &seen] {
    f.Write(Line(1));
    f.Write(Line(2));
    // The loop must commit without more input and without end of input.
    for (int i = 0; i < 200 && seen != "2"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      seen = f.Query("SELECT timepoint FROM stream_state");
    }
    f.CloseInput();
  });
  ApplyLoop::Options options;
  options.stream_batch_age = std::chrono::milliseconds(60000);
  ASSERT_TRUE(f.Run(options).ok());
  feeder.join();
  EXPECT_EQ(seen, "2");
}

TEST(ApplyLoopTest, StopRequestEndsTheLoopWithWhatWasAppliedCommitted) {
  LoopFixture f;
  f.Write(Line(1));
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    RequestStop(15);
  });
  ApplyLoop::Options options;
  options.idle_poll_ms = 20;
  Status s = f.Run(options);
  stopper.join();
  ResetStopForTest();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(f.Query("SELECT timepoint FROM stream_state"), "1");
}

TEST(ApplyLoopTest, EmitsCommittedChangesAsNdjson) {
  LoopFixture f(/*emit=*/true);
  f.Write(Stream(1, "2024-01-02T00:00:00Z", "00000001").Line());
  f.Write(Stream(2, "2024-01-03T00:00:00Z", "00000001", "dissolved").Line());
  f.Write(Stream(3, "2024-01-04T00:00:00Z", "00000001", "dissolved").Line());  // no change
  f.CloseInput();
  ASSERT_TRUE(f.Run(ApplyLoop::Options(), /*emit=*/true).ok());
  const std::string out = f.Changes();
  // Two status changes, then the signal of the second (a dissolution).
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);
  EXPECT_EQ(out.rfind("{\"id\":1,\"company_number\":\"00000001\",\"timepoint\":1,", 0), 0u);
  EXPECT_NE(out.find("}\n{\"signal_id\":1,\"signal\":\"dissolved\",\"stream\":\"companies\","
                     "\"company_number\":\"00000001\",\"company_name\":\"ACME LTD\","
                     "\"occurred_on\":\"2024-01-03\",\"published_at\":\"2024-01-03T00:00:00Z\","
                     "\"detail\":\"dissolved\",\"resource_uri\":\"/company/00000001\","
                     "\"timepoint\":2}\n"),
            std::string::npos)
      << out;
  EXPECT_NE(
      out.find("{\"id\":2,\"company_number\":\"00000001\",\"timepoint\":2,\"published_at\":"
               "\"2024-01-03T00:00:00Z\",\"old_status\":\"active\",\"old_status_detail\":null,"
               "\"new_status\":\"dissolved\",\"new_status_detail\":null,\"source\":\"stream\","
               "\"company_name\":\"ACME LTD\"}\n"),
      std::string::npos);
}

TEST(ApplyLoopTest, EmitsEachNewSignalOnceAfterItsCommit) {
  LoopFixture f(/*emit=*/true);
  const std::string ds01 =
      testing_records::Filing(5, "2024-05-02T10:00:00Z", "01234567", "T1", "DS01", "2024-05-01")
          .Line();
  f.Write(ds01);
  // Re-published: the same signal, not emitted again.
  f.Write(testing_records::Filing(6, "2024-05-03T10:00:00Z", "01234567", "T1", "DS01", "2024-05-01")
              .Line());
  f.CloseInput();
  ASSERT_TRUE(f.Run(ApplyLoop::Options(), /*emit=*/true).ok());
  EXPECT_EQ(f.Changes(),
            "{\"signal_id\":1,\"signal\":\"strike-off-applied\",\"stream\":\"filings\","
            "\"company_number\":\"01234567\",\"company_name\":null,\"occurred_on\":\"2024-05-01\","
            "\"published_at\":\"2024-05-02T10:00:00Z\",\"detail\":\"DS01\","
            "\"resource_uri\":\"/company/01234567/filing-history/T1\",\"timepoint\":5}\n");
}

// Another writer of the same database (another stream's ch-store): `asks`
// times, 20 ms apart, it waits in BEGIN IMMEDIATE through its own writer
// queue, as ApplyTransaction does, while the loop applies a backlog. Keeps
// when it first got in (after `start`) and its longest wait.
class OtherWriter {
 public:
  OtherWriter(const std::string& path, std::chrono::steady_clock::time_point start, int asks)
      : thread_([this, path, start, asks] {
          SqliteDb db = std::move(SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate)).value();
          WriterQueue::Options options;
          options.busy_timeout_ms = 10000;
          std::unique_ptr<WriterQueue> queue =
              std::move(WriterQueue::Open(path + "-writers", &db, options)).value();
          ok_ = true;
          for (int i = 0; i < asks && ok_; ++i) {
            if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const auto asked = std::chrono::steady_clock::now();
            queue->StartBegin();
            Status begun = db.Exec("BEGIN IMMEDIATE");
            queue->EndBegin();
            ok_ = begun.ok();
            if (!ok_) error_ = "BEGIN IMMEDIATE: " + begun.ToString();
            const auto now = std::chrono::steady_clock::now();
            if (i == 0) first_in_ = now - start;
            longest_wait_ = std::max(longest_wait_, now - asked);
            if (ok_) {
              Status committed = db.Exec("COMMIT");
              ok_ = committed.ok();
              if (!ok_) error_ = "COMMIT: " + committed.ToString();
            }
          }
          done_ = true;
        }) {}
  ~OtherWriter() { thread_.join(); }
  bool done() const { return done_; }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::chrono::steady_clock::duration first_in() const { return first_in_; }
  std::chrono::steady_clock::duration longest_wait() const { return longest_wait_; }

 private:
  std::atomic<bool> done_{false};
  bool ok_ = false;
  std::string error_;
  std::chrono::steady_clock::duration first_in_{};
  std::chrono::steady_clock::duration longest_wait_{};
  std::thread thread_;
};

// Feeds records, `pause` apart, until `other` got in and `more` records after
// that, then ends the input. A record a millisecond never leaves the loop
// idle, and is too few to fill the page cache (which would end the
// transaction early); without a pause the loop begins its next transaction
// right after each commit, as with a real backlog.
void FeedBacklogPast(LoopFixture* f, const OtherWriter& other, int more,
                     std::chrono::microseconds pause) {
  int tp = 1;
  for (int after = 0; after < more; after += other.done() ? 1 : 0) {
    f->Write(Line(++tp));
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  f->CloseInput();
}

// Writers replaying backlogs on several streams wait for one another all the
// time: giving way at the first sign of a waiter made turns of a few dozen
// records, each starting with an empty page cache (SQLite drops it when
// another connection wrote), and the ten-day catch-up of every stream took
// 2-3 times the CPU of the same streams replayed one by one. A writer
// keeps its turn for min_turn.
TEST(ApplyLoopTest, AWaitingWriterGetsInOnlyOnceTheTurnLastedMinTurn) {
  LoopFixture f(false, true);
  ApplyLoop::Options options;
  options.min_turn = std::chrono::milliseconds(300);
  options.stream_batch_age = std::chrono::milliseconds(60000);
  options.stream_batch_records = 1000000;
  options.idle_grace_ms = 1000;
  f.Write(Line(1));  // the loop's transaction is open before the other writer asks
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<OtherWriter> other;
  std::thread feeder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    other = std::make_unique<OtherWriter>(f.path(), start, 1);
    FeedBacklogPast(&f, *other, 100, std::chrono::milliseconds(1));
  });
  ASSERT_TRUE(f.Run(options).ok());
  feeder.join();
  ASSERT_TRUE(other->ok()) << other->error();
  EXPECT_GE(other->first_in(), std::chrono::milliseconds(300));
  EXPECT_LT(other->first_in(), std::chrono::seconds(5));
}

// A transaction that commits because it is due (its age or size) lets a
// waiting writer in first whatever min_turn says: else a backlog committing
// and beginning again at once would keep the lock turn after turn (a trickle
// on another stream waited 100-350 ms in 38_store_fair_writers).
TEST(ApplyLoopTest, ACommitThatIsDueLetsAWaitingWriterIn) {
  LoopFixture f(false, true);
  ApplyLoop::Options options;
  options.min_turn = std::chrono::milliseconds(60000);
  options.stream_batch_records = 2000;  // about 20 ms of records here
  options.idle_grace_ms = 1000;
  f.Write(Line(1));
  std::unique_ptr<OtherWriter> other;
  std::thread feeder([&] {
    other = std::make_unique<OtherWriter>(f.path(), std::chrono::steady_clock::now(), 8);
    FeedBacklogPast(&f, *other, 100, std::chrono::microseconds(0));
  });
  ASSERT_TRUE(f.Run(options).ok());
  feeder.join();
  ASSERT_TRUE(other->ok()) << other->error();
  // Each wait ends at the loop's next commit; without giving way there, the
  // other writer got in only when a poll of its busy handler happened to
  // fall between a COMMIT and the next BEGIN (the longest of 8 waits: 0.75-2.4 s; with it 9-24 ms).
  EXPECT_LT(other->longest_wait(), std::chrono::milliseconds(300));
}

TEST(ApplyLoopTest, ErrorRollsBackTheOpenTransaction) {
  LoopFixture f;
  ASSERT_TRUE(f.db().Exec("DROP TABLE rejects").ok());
  f.Write(Line(1));
  f.Write(RejectLine("bad"));
  f.CloseInput();
  Status s = f.Run(ApplyLoop::Options());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(f.Query("SELECT count(*) FROM companies"), "0");
  EXPECT_EQ(f.Query("SELECT timepoint FROM stream_state"), "<none>");
}

}  // namespace
}  // namespace ch
