// RecordSource: see record_source.h.
#include "ch-store/record_source.h"

#include <signal.h>

#include <chrono>

namespace ch {

namespace {

// A line this long keeps its slot's buffer for the next line only up to here.
constexpr size_t kKeepLineCapacity = 1u << 20;
// How often the reading thread looks at the stop flag while input is idle.
constexpr int kReaderPollMs = 100;

}  // namespace

RecordSource::Event InlineRecordSource::Next(const Record** record, int timeout_ms) {
  for (;;) {
    LineReader::Line line;
    switch (reader_->Next(&line, timeout_ms)) {
      case LineReader::Result::kLine:
        *record = &decoder_.Decode(line.bytes);
        if ((*record)->kind == RecordKind::kBlank) continue;
        return Event::kRecord;
      case LineReader::Result::kOversized:
        *record = &decoder_.DecodeOversized(line.bytes, line.full_length);
        return Event::kRecord;
      case LineReader::Result::kWouldBlock:
      case LineReader::Result::kInterrupted:
        return Event::kIdle;
      case LineReader::Result::kEof:
        return Event::kEnd;
      case LineReader::Result::kError:
        return Event::kError;
    }
  }
}

ThreadedRecordSource::ThreadedRecordSource(LineReader* reader, const std::string& default_stream)
    : reader_(reader) {
  for (int i = 0; i < kSlots; ++i) {
    slots_.push_back(std::make_unique<Slot>(default_stream));
    free_.push_back(i);
  }
  thread_ = std::thread([this] { Run(); });
}

ThreadedRecordSource::~ThreadedRecordSource() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  free_changed_.notify_all();
  thread_.join();
}

int ThreadedRecordSource::AcquireSlot() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (free_.empty() && !stopping_) {
    // The consumer is behind: make sure it has all there is, then sleep
    // until a batch of slots is free again.
    if (consumer_waiting_) ready_changed_.notify_one();
    reader_waiting_ = true;
    free_changed_.wait(lock, [this] { return stopping_ || free_.size() >= kWakeBatch; });
    reader_waiting_ = false;
  }
  if (stopping_) return -1;
  const int slot = free_.back();
  free_.pop_back();
  return slot;
}

void ThreadedRecordSource::Push(int entry, bool wake) {
  std::lock_guard<std::mutex> lock(mutex_);
  ready_.push_back(entry);
  if (consumer_waiting_ && (wake || ready_.size() >= kWakeBatch)) ready_changed_.notify_one();
}

void ThreadedRecordSource::WakeConsumer() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (consumer_waiting_ && !ready_.empty()) ready_changed_.notify_one();
}

void ThreadedRecordSource::Run() {
  // Stop signals are for the main thread, which applies and commits.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    LineReader::Line line;
    LineReader::Result result = reader_->Next(&line, 0);
    if (result == LineReader::Result::kWouldBlock) {
      // The input pauses: hand over what is queued before waiting for more.
      WakeConsumer();
      result = reader_->Next(&line, kReaderPollMs);
    }
    if (result == LineReader::Result::kWouldBlock || result == LineReader::Result::kInterrupted)
      continue;
    if (result == LineReader::Result::kEof) {
      Push(kEndMarker, /*wake=*/true);
      return;
    }
    if (result == LineReader::Result::kError) {
      status_ = reader_->status();
      Push(kErrorMarker, /*wake=*/true);
      return;
    }
    const int index = AcquireSlot();
    if (index < 0) return;
    Slot& slot = *slots_[index];
    slot.line.assign(line.bytes);
    slot.record = result == LineReader::Result::kLine
                      ? &slot.decoder.Decode(slot.line)
                      : &slot.decoder.DecodeOversized(slot.line, line.full_length);
    if (slot.record->kind == RecordKind::kBlank) {
      std::lock_guard<std::mutex> lock(mutex_);
      free_.push_back(index);
      continue;
    }
    Push(index, /*wake=*/false);
  }
}

RecordSource::Event ThreadedRecordSource::Next(const Record** record, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (in_use_ >= 0) {
    Slot& done = *slots_[in_use_];
    if (done.line.capacity() > kKeepLineCapacity) std::string().swap(done.line);
    free_.push_back(in_use_);
    in_use_ = -1;
    if (reader_waiting_ && free_.size() >= kWakeBatch) free_changed_.notify_one();
  }
  if (ready_.empty() && timeout_ms > 0) {
    consumer_waiting_ = true;
    ready_changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [this] { return !ready_.empty(); });
    consumer_waiting_ = false;
  }
  if (ready_.empty()) return Event::kIdle;
  const int entry = ready_.front();
  if (entry == kEndMarker) return Event::kEnd;  // stays queued: every later call says so
  if (entry == kErrorMarker) return Event::kError;
  ready_.pop_front();
  in_use_ = entry;
  *record = slots_[entry]->record;
  return Event::kRecord;
}

}  // namespace ch
