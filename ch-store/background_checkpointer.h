// BackgroundCheckpointer: copies the write-ahead log into the database on a
// thread and connection of its own, so that the applying thread never stops
// for a checkpoint.
//
// In WAL mode a commit only appends to the -wal file; a checkpoint later
// copies those pages into the database and fsyncs both files. SQLite's
// automatic checkpoint runs inside the commit that crosses the threshold, on
// the writer's thread: on a 100,000-event replay that was a stall of about
// 75 ms (most of it waiting for fsync) every 128 MB of WAL, and the final
// checkpoint when ch-store closed was bigger still, because the WAL was full.
//
// Here the writer's connection gets a WAL hook instead of the automatic
// checkpoint. After each commit the hook looks at the WAL's size: past
// Options::start_frames it wakes the thread, which runs a PASSIVE checkpoint on its
// own connection (a passive checkpoint takes no write lock: the writer goes
// on committing while pages are copied, and SQLite starts the WAL afresh at
// the writer's next transaction once everything was copied). Should the WAL
// still grow past Options::inline_frames (the thread cannot keep up, or failed), the
// hook checkpoints on the writer's connection itself, as SQLite would have,
// with RESTART: with several writers (one ch-store per stream) one of them
// is nearly always inside a transaction, which a PASSIVE checkpoint cannot
// copy past, so the WAL never started afresh (three streams' backlogs: a
// 2.4 GB WAL). So after a PASSIVE pass (which copies what it can without
// the write lock), a RESTART holds the write lock while it copies the rest and
// waits for readers to leave the WAL, so the next transaction starts it
// from the beginning. It waits at most kRestartWaitMs (a short busy wait
// borrowed from the writer's own busy handler), and after a wait that
// failed (a reader holding a transaction open) the hook goes back to
// PASSIVE for kRestartBackoff: the WAL stays bounded whatever happens, and
// a reader does not stall the writer at every commit.
//
// The thread's connection uses the second instance of the WAL write
// coalescer (its checkpoint reads the WAL ahead and writes the database in
// large pieces too), whose buffers are the thread's own. Durability is SQLite's own:
// a checkpoint never copies an uncommitted page, and the WAL is synced
// before the database is written (synchronous=NORMAL).
#ifndef CH_STORE_BACKGROUND_CHECKPOINTER_H_
#define CH_STORE_BACKGROUND_CHECKPOINTER_H_

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

class BackgroundCheckpointer {
 public:
  struct Options {
    /// WAL frames (pages) after which the thread checkpoints: 48,000, about
    /// 200 MB. Each checkpoint copies every page the WAL holds, so fewer,
    /// larger ones copy a hot page fewer times: 100,000-event pipeline, 6
    /// alternating runs, 32,000: 832 ms, 40,000: 797, 48,000: 781, 64,000:
    /// 871 (measured when the writer's close still checkpointed the rest).
    int start_frames = 48000;
    /// WAL frames after which the writer checkpoints itself: ~600 MB.
    int inline_frames = 144000;
    /// Puts the writer connection's own busy handler back (the writer
    /// queue's, or SQLite's busy timeout) after the hook borrowed it for a
    /// RESTART checkpoint. Unset: the writer checkpoints PASSIVE only.
    std::function<void(sqlite3*)> restore_busy_handler;
  };

  // Opens a second connection to `path` and installs the hook on `writer`
  // (an open connection to the same database in WAL mode, outliving this).
  static StatusOr<std::unique_ptr<BackgroundCheckpointer>> Start(const std::string& path,
                                                                 SqliteDb* writer, Options options);
  BackgroundCheckpointer(const BackgroundCheckpointer&) = delete;
  BackgroundCheckpointer& operator=(const BackgroundCheckpointer&) = delete;
  // Interrupts a checkpoint in progress (it stops at its next page, or after
  // the fsync it is in), stops the thread, closes its connection and
  // removes the hook. The frames it did not finish stay in the WAL for the
  // next writer's checkpoints (the writer is about to close and leaves the
  // WAL: LeaveWalAtClose in store_db.h).
  ~BackgroundCheckpointer();

  // Checkpoints the thread completed (each copied every frame the WAL held
  // when it started: the database file alone then holds every transaction
  // committed before), and those the writer had to run.
  int background_checkpoints() const;
  int inline_checkpoints() const;

  // On the writer's thread, outside a transaction, while its input is idle
  // and the WAL has gone unreset too long (WalWatch::in_trouble()): copies
  // what it can and resets the WAL (TRUNCATE), waiting kRestartWaitMs at
  // most; after a wait that failed (a reader still there), not again for
  // kRestartBackoff. Why: only a commit's hook checkpoints, so after a
  // reader let go of a large WAL, streams with nothing to commit left it
  // there, and status unhealthy, until their next event (found by an
  // independent run: over 4 minutes, 676 MB).
  void CheckpointWhileIdle();

 private:
  BackgroundCheckpointer(SqliteDb connection, SqliteDb* writer, Options options);
  static int WalHook(void* self, sqlite3* db, const char* name, int frames);
  // On the writer's connection `db`: a PASSIVE checkpoint, then, unless a
  // reader was found there within kRestartBackoff, `reset_mode` (RESTART
  // or TRUNCATE) waiting kRestartWaitMs at most with the busy handler
  // borrowed; a wait that failed starts kRestartBackoff.
  void CopyThenReset(sqlite3* db, const char* name, int reset_mode);
  void Run();

  SqliteDb connection_;  // the thread's
  SqliteDb* writer_;
  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;            // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  int background_checkpoints_ = 0;  // guarded by mutex_
  int inline_checkpoints_ = 0;      // writer's thread only
  // No RESTART before then: the last one found a reader (writer's thread).
  std::chrono::steady_clock::time_point restart_after_{};
  bool warned_ = false;  // the thread's only
  std::thread thread_;
};

}  // namespace ch

#endif  // CH_STORE_BACKGROUND_CHECKPOINTER_H_
