// FetchMetrics: see fetch_metrics.h.
#include "ch-fetch/fetch_metrics.h"

#include <chrono>

namespace ch {

namespace {

std::string Labelled(const char* name, std::string_view reason) {
  return std::string(name) + "{reason=\"" + std::string(reason) + "\"}";
}

}  // namespace

FetchMetrics::FetchMetrics(std::string dir, int interval_ms, std::string stream)
    : metrics_(std::move(dir), "ch-fetch", std::move(stream),
               std::chrono::milliseconds(interval_ms)) {
  // Present from the first write, so dashboards see zeros, not absences.
  SetConnected(false);
  AddEvents(0);
  AddBytes(0);
  SetBreaker(false, 0);
  SetOutputBlocked(0);
}

void FetchMetrics::SetOutputBlocked(double seconds) {
  metrics_.Set(
      "output_blocked_seconds", seconds,
      "seconds the current write to stdout has waited for the next stage to read (0: not blocked)");
}

void FetchMetrics::SetConnected(bool connected) {
  metrics_.Set("connected", connected ? 1 : 0, "1 while a 200 stream is open");
}

void FetchMetrics::CountReconnect(std::string_view reason) {
  metrics_.Add(Labelled("reconnects_total", reason), 1, "connections ended, by reason");
}

void FetchMetrics::AddEvents(uint64_t n) {
  metrics_.Add("events_total", static_cast<double>(n), "event lines written to stdout");
}

void FetchMetrics::AddBytes(uint64_t n) {
  metrics_.Add("bytes_total", static_cast<double>(n),
               "bytes received from the server (any answer)");
}

void FetchMetrics::SetLastEventTimepoint(int64_t timepoint) {
  metrics_.Set("last_event_timepoint", static_cast<double>(timepoint),
               "timepoint of the last event line written and flushed");
}

void FetchMetrics::SetBreaker(bool open, int consecutive_failures) {
  metrics_.Set("breaker_open", open ? 1 : 0, "1 while the circuit breaker is open");
  metrics_.Set("consecutive_failures", consecutive_failures, "connections in a row without a 200");
}

void FetchMetrics::CountGap(std::string_view reason) {
  metrics_.Add(Labelled("gaps_total", reason), 1, "gap lines written");
}

void FetchMetrics::CountOversizedLine() {
  metrics_.Add("oversized_lines_total", 1,
               "lines longer than --max-line-bytes (passed on for ch-parse to reject)");
}

void FetchMetrics::CountImplausibleTimepoint() {
  metrics_.Add("implausible_timepoints_total", 1,
               "events passed on whose timepoint was more than 2^32 past the resume point");
}

void FetchMetrics::CountPartialLineDropped() {
  metrics_.Add("partial_lines_dropped_total", 1, "lines cut off by a disconnect, never written");
}

void FetchMetrics::SetLastAttempt(std::string_view reason, long http_status,
                                  std::string_view detail) {
  // One series at a time: the previous reason's sample goes.
  if (!last_attempt_sample_.empty()) metrics_.Remove(last_attempt_sample_);
  last_attempt_sample_ = Labelled("last_attempt", reason);
  if (!detail.empty()) {
    last_attempt_sample_.insert(last_attempt_sample_.size() - 1,
                                ",detail=\"" + std::string(detail) + "\"");
  }
  metrics_.Set(last_attempt_sample_, 1, "1, labelled with how the last connection attempt ended");
  metrics_.Set("last_http_status", static_cast<double>(http_status),
               "HTTP status of the last connection attempt (0: none)");
}

void FetchMetrics::ClearLastAttempt() {
  if (!last_attempt_sample_.empty()) metrics_.Remove(last_attempt_sample_);
  last_attempt_sample_.clear();
  metrics_.Remove("last_http_status");
}

void FetchMetrics::SetAges(double last_byte_age, double disconnected_for) {
  metrics_.Set("last_byte_age_seconds", last_byte_age,
               "seconds since the last byte of a 200 stream (heartbeats included)");
  metrics_.Set("disconnected_seconds", disconnected_for,
               "0 while a 200 stream is open, else seconds since one was");
}

Status FetchMetrics::MaybeWrite(double last_byte_age, double disconnected_for) {
  if (!metrics_.enabled()) return Status::Ok();
  SetAges(last_byte_age, disconnected_for);
  return metrics_.MaybeWrite();
}

Status FetchMetrics::Write(double last_byte_age, double disconnected_for) {
  if (!metrics_.enabled()) return Status::Ok();
  SetAges(last_byte_age, disconnected_for);
  return metrics_.Write();
}

}  // namespace ch
