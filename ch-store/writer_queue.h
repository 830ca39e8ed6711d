// WriterQueue: makes several ch-store processes writing one database (one
// per stream) take turns fairly.
//
// SQLite serialises writers (BEGIN IMMEDIATE takes the one write lock) but
// keeps no queue: a writer that finds the lock taken sleeps in its busy
// handler (the default one with a growing back-off: 1, 2, 5 ... 100 ms) and
// tries again. A writer replaying a backlog commits and begins its next
// transaction within microseconds, so a waiting writer almost never finds
// the lock free when it wakes: a trickle on one stream would wait seconds
// behind a backlog on another.
//
// So a writer that waits says so, and the writer that holds the lock makes
// way:
//  * while its BEGIN IMMEDIATE is blocked, a writer holds a shared flock on
//    a side file `<db>-writers`, and polls for the lock every millisecond
//    (its busy handler), up to the busy timeout;
//  * the writer holding the lock asks every few dozen records, with a
//    non-blocking exclusive flock on the same file, whether anyone waits;
//    when someone does, it commits what it has at once, and before its next
//    BEGIN waits until the waiters have got in (their shared locks are gone:
//    each drops its own as soon as its BEGIN succeeded), at most `yield_cap`;
//  * a waiter that does not get in within yield_cap (stuck, or waiting on
//    another database behind a link) is ignored for `quiet_after_cap`, so
//    that it cannot stall the writer again and again.
//
// The flock is advisory and only between ch-store writers of the same
// database file path; nothing else needs to know about it. A process that
// dies holding it loses it with its file descriptor.
#ifndef CH_STORE_WRITER_QUEUE_H_
#define CH_STORE_WRITER_QUEUE_H_

#include <chrono>
#include <memory>
#include <string>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

class WriterQueue {
 public:
  struct Options {
    /// How long a blocked BEGIN waits in all (CH_BUSY_TIMEOUT).
    int busy_timeout_ms = 5000;
    /// The busy handler's poll interval.
    std::chrono::microseconds poll{1000};
    /// How long a writer that made way waits for the waiters to get in.
    std::chrono::milliseconds yield_cap{100};
    /// After a wait that reached the cap, waiters are ignored this long.
    std::chrono::milliseconds quiet_after_cap{1000};
  };

  // Opens (creating, mode 0644) `side_path` and installs the busy handler
  // on `db`, which must outlive the queue.
  static StatusOr<std::unique_ptr<WriterQueue>> Open(const std::string& side_path, SqliteDb* db,
                                                     Options options);
  WriterQueue(const WriterQueue&) = delete;
  WriterQueue& operator=(const WriterQueue&) = delete;
  // Installs the queue's busy handler on the database again (after
  // something borrowed the connection's busy handler).
  void InstallBusyHandler();
  // Puts SQLite's own busy timeout back and closes the side file.
  ~WriterQueue();

  // Around BEGIN IMMEDIATE: between the two, a blocked BEGIN announces this
  // writer as waiting; EndBegin() withdraws it.
  void StartBegin();
  void EndBegin();

  // True when another writer waits for the write lock. Cheap (two system
  // calls); meant to be asked every few dozen records.
  bool OthersWaiting();
  // After a commit made because others wait: returns once they have got in,
  // or after yield_cap.
  void LetOthersIn();

  // True when this writer made way within the last `window`: the
  // database is shared right now, and short transactions keep the wait of
  // the next writer short (it waits for the commit in progress).
  bool SharedWithin(std::chrono::milliseconds window) const {
    return yields_ > 0 && std::chrono::steady_clock::now() - last_yield_ < window;
  }

  // Times this writer made way, and waits that reached the cap.
  int yields() const { return yields_; }
  int capped_yields() const { return capped_yields_; }

 private:
  WriterQueue(int fd, SqliteDb* db, Options options) : fd_(fd), db_(db), options_(options) {}
  static int BusyHandler(void* self, int count);
  bool Probe();  // someone holds a shared lock

  int fd_;
  SqliteDb* db_;
  Options options_;
  bool in_begin_ = false;
  bool announced_ = false;
  std::chrono::steady_clock::time_point wait_started_{};
  std::chrono::steady_clock::time_point quiet_until_{};
  std::chrono::steady_clock::time_point last_yield_{};
  int yields_ = 0;
  int capped_yields_ = 0;
};

}  // namespace ch

#endif  // CH_STORE_WRITER_QUEUE_H_
