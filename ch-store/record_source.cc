// RecordSource: see record_source.h.
#include "ch-store/record_source.h"

#include <chrono>

#include "common/signals.h"

namespace ch {

namespace {

// A slot keeps its line buffer for the next line only up to this capacity
// (ordinary records are 2-5 KB): 128 slots each holding the longest line
// they ever met would make the memory of a long run grow with its input.
constexpr size_t kKeepLineCapacity = RecordDecoder::kKeepBufferBytes;
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

ThreadedRecordSource::ThreadedRecordSource(LineReader* reader, const std::string& default_stream,
                                           int slots, size_t wake_batch)
    : reader_(reader),
      wake_batch_(wake_batch < 1 ? 1 : wake_batch),
      resume_slots_(slots < 2 ? 1 : static_cast<size_t>(slots) * 3 / 4) {
  if (slots < 1) slots = 1;
  for (int i = 0; i < slots; ++i) {
    slots_.push_back(std::make_unique<Slot>(default_stream));
    free_local_.push_back(i);
  }
  const auto n = static_cast<size_t>(slots);
  ready_.reserve(n + 1);
  free_.reserve(n);
  produced_.reserve(n + 1);
  released_.reserve(n);
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
  if (free_local_.empty()) {
    // The consumer must have everything decoded before we wait for it.
    Publish();
    std::unique_lock<std::mutex> lock(mutex_);
    reader_waiting_ = true;
    free_changed_.wait(lock, [this] { return stopping_ || free_.size() >= resume_slots_; });
    reader_waiting_ = false;
    if (stopping_) return -1;
    free_local_.swap(free_);
  }
  const int slot = free_local_.back();
  free_local_.pop_back();
  return slot;
}

void ThreadedRecordSource::Publish() {
  if (produced_.empty()) return;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ready_.insert(ready_.end(), produced_.begin(), produced_.end());
    wake = consumer_waiting_;
  }
  produced_.clear();
  if (wake) ready_changed_.notify_one();
}

void ThreadedRecordSource::ReturnSlots() {
  if (released_.empty()) return;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.insert(free_.end(), released_.begin(), released_.end());
    wake = reader_waiting_ && free_.size() >= resume_slots_;
  }
  released_.clear();
  if (wake) free_changed_.notify_one();
}

void ThreadedRecordSource::Run() {
  // Stop signals are for the main thread, which applies and commits.
  BlockStopSignalsInThisThread();
  while (!stopping_.load(std::memory_order_relaxed)) {
    LineReader::Line line;
    LineReader::Result result = reader_->Next(&line, 0);
    if (result == LineReader::Result::kWouldBlock) {
      // The input pauses: hand over what is decoded before waiting for more.
      Publish();
      result = reader_->Next(&line, kReaderPollMs);
    }
    if (result == LineReader::Result::kWouldBlock || result == LineReader::Result::kInterrupted)
      continue;
    if (result == LineReader::Result::kEof) {
      produced_.push_back(kEndMarker);
      Publish();
      return;
    }
    if (result == LineReader::Result::kError) {
      status_ = reader_->status();
      produced_.push_back(kErrorMarker);
      Publish();
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
      free_local_.push_back(index);
      continue;
    }
    produced_.push_back(index);
    if (produced_.size() >= wake_batch_) Publish();
  }
}

RecordSource::Event ThreadedRecordSource::Next(const Record** record, int timeout_ms) {
  if (in_use_ >= 0) {
    Slot& done = *slots_[in_use_];
    if (done.line.capacity() > kKeepLineCapacity) std::string().swap(done.line);
    done.decoder.ReleaseScratch();
    released_.push_back(in_use_);
    in_use_ = -1;
    if (released_.size() >= wake_batch_) ReturnSlots();
  }
  if (taken_.empty()) {
    // The reader may be waiting for these before it can decode more.
    ReturnSlots();
    std::unique_lock<std::mutex> lock(mutex_);
    if (ready_.empty() && timeout_ms > 0) {
      consumer_waiting_ = true;
      ready_changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                              [this] { return !ready_.empty(); });
      consumer_waiting_ = false;
    }
    taken_.insert(taken_.end(), ready_.begin(), ready_.end());
    ready_.clear();
  }
  if (taken_.empty()) return Event::kIdle;
  const int entry = taken_.front();
  if (entry == kEndMarker) return Event::kEnd;  // stays queued: every later call says so
  if (entry == kErrorMarker) return Event::kError;
  taken_.pop_front();
  in_use_ = entry;
  *record = slots_[entry]->record;
  return Event::kRecord;
}

}  // namespace ch
