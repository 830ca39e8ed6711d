// BackgroundCheckpointer: see background_checkpointer.h.
#include "ch-store/background_checkpointer.h"

#include <utility>

#include "ch-store/wal_write_coalescer.h"
#include "common/log.h"
#include "common/signals.h"

namespace ch {

namespace {

// How long a RESTART checkpoint waits for the write lock and for readers,
// and how long the hook stays PASSIVE after one that could not finish.
constexpr int kRestartWaitMs = 50;
constexpr std::chrono::seconds kRestartBackoff{1};

}  // namespace

StatusOr<std::unique_ptr<BackgroundCheckpointer>> BackgroundCheckpointer::Start(
    const std::string& path, SqliteDb* writer, Options options) {
  // No busy wait: a passive checkpoint that finds the lock taken (the
  // writer's own inline checkpoint) just tries again after the next commit.
  StatusOr<SqliteDb> connection =
      SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, 0, WalWriteCoalescerSecondVfs());
  if (!connection.ok()) return connection.status().Annotate("open checkpointer connection");
  // A new connection knows the journal mode only once it has read the
  // database: until then a checkpoint does nothing.
  StatusOr<Statement> mode = connection->Prepare("PRAGMA journal_mode");
  if (!mode.ok()) return mode.status().Annotate("read journal mode");
  StatusOr<bool> row = mode->Step();
  if (!row.ok()) return row.status().Annotate("read journal mode");
  if (!*row || mode->ColumnText(0) != "wal")
    return Status::Internal("the database is not in WAL mode");
  std::unique_ptr<BackgroundCheckpointer> c(
      new BackgroundCheckpointer(std::move(connection).value(), writer, options));
  sqlite3_wal_hook(writer->get(), &BackgroundCheckpointer::WalHook, c.get());
  return c;
}

BackgroundCheckpointer::BackgroundCheckpointer(SqliteDb connection, SqliteDb* writer,
                                               Options options)
    : connection_(std::move(connection)),
      writer_(writer),
      options_(options),
      thread_([this] { Run(); }) {}

BackgroundCheckpointer::~BackgroundCheckpointer() {
  sqlite3_wal_hook(writer_->get(), nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  // A checkpoint under way stops at its next page instead of copying and
  // syncing the rest: ch-store is stopping, and the WAL keeps every frame
  // until a checkpoint completes (SQLite advances the copied mark only
  // then), so the next writer's checkpoint copies them. Without this a
  // replay's exit waited for a checkpoint of up to 600 MB.
  sqlite3_interrupt(connection_.get());
  wake_.notify_one();
  thread_.join();
  (void)connection_.Close();
}

int BackgroundCheckpointer::background_checkpoints() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return background_checkpoints_;
}

int BackgroundCheckpointer::inline_checkpoints() const { return inline_checkpoints_; }

// Runs on the writer's thread after each commit, the write lock released.
int BackgroundCheckpointer::WalHook(void* self, sqlite3* db, const char* name, int frames) {
  auto* c = static_cast<BackgroundCheckpointer*>(self);
  if (frames >= c->options_.inline_frames) {
    ++c->inline_checkpoints_;
    c->CopyThenReset(db, name, SQLITE_CHECKPOINT_RESTART);
  } else if (frames >= c->options_.start_frames) {
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(c->mutex_);
      wake = !c->pending_;
      c->pending_ = true;
    }
    if (wake) c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void BackgroundCheckpointer::CopyThenReset(sqlite3* db, const char* name, int reset_mode) {
  // PASSIVE first, without the write lock: it copies all it can while the
  // other writers go on, so that the reset after it holds the lock only for
  // the frames committed meanwhile.
  (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  const auto now = std::chrono::steady_clock::now();
  if (!options_.restore_busy_handler || now < restart_after_) return;
  sqlite3_busy_timeout(db, kRestartWaitMs);
  const int rc = sqlite3_wal_checkpoint_v2(db, name, reset_mode, nullptr, nullptr);
  options_.restore_busy_handler(db);
  if (rc == SQLITE_BUSY) restart_after_ = now + kRestartBackoff;
}

void BackgroundCheckpointer::CheckpointWhileIdle() {
  // Nothing at all while a reader is waited out: the input may resume.
  if (!options_.restore_busy_handler || std::chrono::steady_clock::now() < restart_after_) return;
  CopyThenReset(writer_->get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE);
}

void BackgroundCheckpointer::Run() {
  // Stop signals are for the main thread, which applies and commits.
  BlockStopSignalsInThisThread();
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    pending_ = false;
    lock.unlock();
    // A passive checkpoint returns SQLITE_OK also when it copied only part
    // of the WAL (the writer's open transaction still reads the frames after
    // its snapshot): only one that copied every frame counts as completed.
    int wal_frames = -1;
    int copied_frames = -1;
    const int rc = sqlite3_wal_checkpoint_v2(connection_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &wal_frames, &copied_frames);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_INTERRUPT && !warned_) {
      // Not fatal: the writer checkpoints inline once the WAL is too big.
      warned_ = true;
      LogWarn("background checkpoint failed", {{"error", sqlite3_errstr(rc)}});
    }
    lock.lock();
    if (rc == SQLITE_OK && copied_frames == wal_frames) ++background_checkpoints_;
  }
}

}  // namespace ch
