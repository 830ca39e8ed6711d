// WriterQueue: see writer_queue.h.
#include "ch-store/writer_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "common/signals.h"

namespace ch {

StatusOr<std::unique_ptr<WriterQueue>> WriterQueue::Open(const std::string& side_path, SqliteDb* db,
                                                         Options options) {
  const int fd = open(side_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError("open " + side_path + ": " + std::strerror(errno));
  }
  std::unique_ptr<WriterQueue> queue(new WriterQueue(fd, db, options));
  queue->InstallBusyHandler();
  return queue;
}

void WriterQueue::InstallBusyHandler() {
  sqlite3_busy_handler(db_->get(), &WriterQueue::BusyHandler, this);
}

WriterQueue::~WriterQueue() {
  if (db_->is_open()) sqlite3_busy_timeout(db_->get(), options_.busy_timeout_ms);
  close(fd_);  // drops any lock still held
}

int WriterQueue::BusyHandler(void* self, int count) {
  auto* q = static_cast<WriterQueue*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) q->wait_started_ = now;
  if (now - q->wait_started_ >= std::chrono::milliseconds(q->options_.busy_timeout_ms)) return 0;
  // A stop while waiting to begin is prompt (nothing is open yet: the apply
  // loop then finishes cleanly), not a wait of up to the busy timeout.
  if (q->in_begin_ && StopRequested()) return 0;
  // Only a blocked BEGIN queues (another statement finding the database
  // busy is not waiting for a turn). A shared lock is refused only for the
  // instant another writer probes: the next poll tries again.
  if (q->in_begin_ && !q->announced_) q->announced_ = flock(q->fd_, LOCK_SH | LOCK_NB) == 0;
  std::this_thread::sleep_for(q->options_.poll);
  return 1;
}

void WriterQueue::StartBegin() { in_begin_ = true; }

void WriterQueue::EndBegin() {
  in_begin_ = false;
  if (announced_) (void)flock(fd_, LOCK_UN);
  announced_ = false;
}

bool WriterQueue::Probe() {
  if (flock(fd_, LOCK_EX | LOCK_NB) == 0) {
    (void)flock(fd_, LOCK_UN);
    return false;
  }
  return errno == EWOULDBLOCK;
}

bool WriterQueue::OthersWaiting() {
  if (std::chrono::steady_clock::now() < quiet_until_) return false;
  return Probe();
}

void WriterQueue::LetOthersIn() {
  ++yields_;
  const auto start = std::chrono::steady_clock::now();
  last_yield_ = start;
  while (Probe()) {
    const auto now = std::chrono::steady_clock::now();
    if (now - start >= options_.yield_cap) {
      ++capped_yields_;
      quiet_until_ = now + options_.quiet_after_cap;
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace ch
