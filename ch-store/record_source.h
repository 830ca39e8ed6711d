// RecordSource: where the apply loop takes its records from. Reading and
// decoding a line costs about as much CPU as storing it, so ch-store does it
// on a second thread (ThreadedRecordSource) while the main thread applies:
// a replay then uses the second core that ch-parse leaves idle half the time.
// InlineRecordSource does the same work on the calling thread (tests, and
// anything that wants no thread).
//
// Either way the contract is the same: records come in input order, each
// valid until the next call; kIdle means nothing arrived within the timeout,
// which is what makes the apply loop commit.
#ifndef CH_STORE_RECORD_SOURCE_H_
#define CH_STORE_RECORD_SOURCE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ch-store/record_decoder.h"
#include "common/line_reader.h"
#include "common/status.h"

namespace ch {

class RecordSource {
 public:
  enum class Event {
    kRecord,  // *record is the next record (never a blank line)
    kIdle,    // nothing within the timeout
    kEnd,     // end of input
    kError,   // reading failed: see status()
  };

  virtual ~RecordSource() = default;

  // The next event, waiting at most `timeout_ms` (0: do not wait) for a
  // record. *record stays valid until the next call.
  virtual Event Next(const Record** record, int timeout_ms) = 0;
  virtual const Status& status() const = 0;
};

// Reads and decodes on the caller's thread.
class InlineRecordSource : public RecordSource {
 public:
  // Does not own `reader`.
  InlineRecordSource(LineReader* reader, std::string default_stream)
      : reader_(reader), decoder_(std::move(default_stream)) {}

  Event Next(const Record** record, int timeout_ms) override;
  const Status& status() const override { return reader_->status(); }

 private:
  LineReader* reader_;
  RecordDecoder decoder_;
};

// Reads and decodes on its own thread, up to `slots` records ahead.
//
// Records cross between the threads in batches: each side collects up to
// `wake_batch` slot indices on its own and takes the shared lock once per
// batch (the reader also whenever its input pauses, so a trickle is handed
// over at once). Taking the lock per record made the two threads contend
// for it, and a contended lock sleeps in the kernel: thousands of context
// switches in a 100,000-record replay.
class ThreadedRecordSource : public RecordSource {
 public:
  // The defaults; tests make them small (CH_TEST_LIMITS: write_path_limits.h).
  static constexpr int kSlots = 128;
  static constexpr size_t kWakeBatch = 16;

  // Starts the thread. Does not own `reader`, which only that thread uses.
  // REQUIRES: slots >= 1, wake_batch >= 1.
  ThreadedRecordSource(LineReader* reader, const std::string& default_stream, int slots = kSlots,
                       size_t wake_batch = kWakeBatch);
  ThreadedRecordSource(const ThreadedRecordSource&) = delete;
  ThreadedRecordSource& operator=(const ThreadedRecordSource&) = delete;
  // Stops the thread (within about 100 ms even if the input never ends).
  ~ThreadedRecordSource() override;

  Event Next(const Record** record, int timeout_ms) override;
  const Status& status() const override { return status_; }

 private:
  struct Slot {
    explicit Slot(const std::string& stream) : decoder(stream) {}
    std::string line;
    RecordDecoder decoder;
    const Record* record = nullptr;
  };
  // An entry of the ready queue: a slot index, or an end marker.
  static constexpr int kEndMarker = -1;
  static constexpr int kErrorMarker = -2;

  void Run();
  // The reader's side: a free slot, waiting for one; -1 once stopping.
  int AcquireSlot();
  // The reader's side: hands the entries decoded so far to the consumer.
  void Publish();
  // The consumer's side: gives the slots it is done with back to the reader.
  void ReturnSlots();

  LineReader* reader_;
  const size_t wake_batch_;
  // A reader that ran out of slots sleeps until this many are free again
  // (three quarters of them): waking it for every batch of 16 cost the
  // applying thread a system call each time.
  const size_t resume_slots_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex mutex_;
  std::condition_variable ready_changed_;
  std::condition_variable free_changed_;
  std::vector<int> ready_;  // guarded by mutex_: published, not yet taken
  std::vector<int> free_;   // guarded by mutex_: returned, not yet reused
  std::atomic<bool> stopping_{false};
  // Who sleeps on a condition variable (guarded by mutex_): the other side
  // notifies only then.
  bool reader_waiting_ = false;
  bool consumer_waiting_ = false;
  // The reader thread's own.
  std::vector<int> produced_;    // decoded, not yet published
  std::vector<int> free_local_;  // slots it may fill
  // The consumer's own.
  std::deque<int> taken_;      // taken from ready_, not yet handed out
  std::vector<int> released_;  // handed out and done with, not yet returned
  int in_use_ = -1;            // the slot handed out by the last Next()
  Status status_;              // set by the thread before it queues kErrorMarker
  std::thread thread_;
};

}  // namespace ch

#endif  // CH_STORE_RECORD_SOURCE_H_
