// FetchMetricsReader: see fetch_metrics_reader.h.
#include "ch-store/fetch_metrics_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "common/metrics.h"

namespace ch {

namespace {

// A file younger than this is worth waiting on for a second reading.
constexpr double kFreshForRateSeconds = 5;
// ch-fetch also writes at once on a connection's start and end: two writes
// closer than this make too short a window for a rate.
constexpr double kMinRateWindowSeconds = 1;
constexpr auto kRatePollInterval = std::chrono::milliseconds(50);

double UnixNow() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double MtimeOf(const struct stat& st) {
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits "name{labels} value [timestamp]" into the name and the value text.
// Label values may hold spaces and braces inside quotes.
bool SplitSample(std::string_view line, std::string_view* name, std::string_view* value) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ' && line[i] != '\t') ++i;
  *name = line.substr(0, i);
  if (name->empty()) return false;
  if (i < line.size() && line[i] == '{') {
    bool quoted = false;
    for (++i; i < line.size(); ++i) {
      if (quoted && line[i] == '\\') {
        ++i;  // an escaped character inside a label value
      } else if (line[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && line[i] == '}') {
        break;
      }
    }
    if (i >= line.size()) return false;
    ++i;
  }
  std::string_view rest = Trim(line.substr(i));
  const size_t space = rest.find_first_of(" \t");
  *value = rest.substr(0, space);
  return !value->empty();
}

std::optional<double> Find(const std::map<std::string, double>& samples, const char* name) {
  auto it = samples.find(name);
  if (it == samples.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::optional<std::string> FindPromLabel(std::string_view text, std::string_view metric,
                                         std::string_view label) {
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.size() <= metric.size() || line.substr(0, metric.size()) != metric ||
        line[metric.size()] != '{') {
      continue;
    }
    // name="value" pairs up to the closing brace; values may hold escapes.
    size_t i = metric.size() + 1;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') break;
      const std::string_view name = Trim(line.substr(i, eq - i));
      std::string value;
      size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) ++j;
        value.push_back(line[j]);
      }
      if (j >= line.size()) break;
      if (name == label) return value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
  }
  return std::nullopt;
}

std::map<std::string, double> ParsePromSamples(std::string_view text) {
  std::map<std::string, double> samples;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string_view name;
    std::string_view value_text;
    if (!SplitSample(line, &name, &value_text)) continue;
    const std::string value_string(value_text);
    char* end = nullptr;
    const double value = std::strtod(value_string.c_str(), &end);
    if (end == value_string.c_str() || *end != '\0') continue;
    samples[std::string(name)] += value;
  }
  return samples;
}

FetchMetricsReading InterpretFetchMetrics(std::string_view text, double written_at, double now) {
  const std::map<std::string, double> samples = ParsePromSamples(text);
  FetchMetricsReading r;
  r.written_at = written_at;
  // A clock step or a file from the future must not make ages negative.
  r.file_age_seconds = std::max(0.0, now - written_at);
  if (auto v = Find(samples, "chstream_connected")) r.connected = *v != 0;
  if (auto v = Find(samples, "chstream_breaker_open")) r.breaker_open = *v != 0;
  if (auto v = Find(samples, "chstream_consecutive_failures")) {
    r.consecutive_failures = static_cast<int64_t>(*v);
  }
  if (auto v = Find(samples, "chstream_last_byte_age_seconds"); v && std::isfinite(*v)) {
    r.last_byte_age_seconds = r.file_age_seconds + std::max(0.0, *v);
  }
  if (auto v = Find(samples, "chstream_disconnected_seconds"); v && std::isfinite(*v)) {
    r.disconnected_seconds = r.file_age_seconds + std::max(0.0, *v);
  }
  r.last_attempt = FindPromLabel(text, "chstream_last_attempt", "reason");
  r.last_attempt_detail = FindPromLabel(text, "chstream_last_attempt", "detail");
  if (auto v = Find(samples, "chstream_last_http_status")) {
    r.last_http_status = static_cast<int64_t>(*v);
  }
  if (auto v = Find(samples, "chstream_events_total")) r.events_total = *v;
  if (auto v = Find(samples, "chstream_last_event_timepoint")) {
    r.last_event_timepoint = static_cast<int64_t>(std::llround(*v));
  }
  return r;
}

StatusOr<std::optional<FetchMetricsReading>> ReadFetchMetrics(const std::string& dir,
                                                              const std::string& stream) {
  const std::string path = dir + "/" + MetricsFileName("ch-fetch", stream);
  // open + fstat, so that the mtime and the text belong to the same file
  // even when ch-fetch replaces it in between.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<FetchMetricsReading>();
    return Status::FromErrno("open " + path, errno);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return Status::FromErrno("stat " + path, err);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return Status::FromErrno("read " + path, err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return std::optional<FetchMetricsReading>(InterpretFetchMetrics(text, MtimeOf(st), UnixNow()));
}

StageReading InterpretStageMetrics(std::string_view text, double written_at, double now) {
  StageReading r;
  r.file_age_seconds = std::max(0.0, now - written_at);
  const std::map<std::string, double> samples = ParsePromSamples(text);
  const auto it = samples.find("chstream_output_blocked_seconds");
  if (it != samples.end()) {
    r.output_blocked_seconds = it->second > 0 ? it->second + r.file_age_seconds : 0.0;
  }
  return r;
}

std::optional<StageReading> ReadStageMetrics(const std::string& dir, const std::string& program,
                                             const std::string& stream) {
  const std::string path = dir + "/" + MetricsFileName(program, stream);
  // open + fstat: the mtime and the text of the same file (see above).
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string text;
  bool ok = fstat(fd, &st) == 0;
  char buf[4096];
  while (ok) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!ok) return std::nullopt;
  return InterpretStageMetrics(text, MtimeOf(st), UnixNow());
}

std::optional<double> EventsPerMinute(const FetchMetricsReading& earlier,
                                      const FetchMetricsReading& later) {
  if (!earlier.events_total || !later.events_total) return std::nullopt;
  const double seconds = later.written_at - earlier.written_at;
  const double events = *later.events_total - *earlier.events_total;
  if (!(seconds > 0) || events < 0) return std::nullopt;
  return events / seconds * 60.0;
}

StatusOr<std::optional<FetchMetricsReading>> ReadFetchMetricsWithRate(
    const std::string& dir, const std::string& stream, double max_wait_seconds,
    std::optional<double>* events_per_minute) {
  events_per_minute->reset();
  StatusOr<std::optional<FetchMetricsReading>> first = ReadFetchMetrics(dir, stream);
  if (!first.ok() || !first->has_value() || (*first)->file_age_seconds > kFreshForRateSeconds)
    return first;
  const std::string path = dir + "/" + MetricsFileName("ch-fetch", stream);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(max_wait_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kRatePollInterval);
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || MtimeOf(st) - (*first)->written_at < kMinRateWindowSeconds)
      continue;
    StatusOr<std::optional<FetchMetricsReading>> second = ReadFetchMetrics(dir, stream);
    if (!second.ok() || !second->has_value()) return first;
    *events_per_minute = EventsPerMinute(**first, **second);
    return second;
  }
  return first;
}

}  // namespace ch
