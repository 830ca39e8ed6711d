// Fetcher: see fetcher.h.
#include "ch-fetch/fetcher.h"

#include <poll.h>

#include <algorithm>
#include <ctime>

#include "ch-fetch/event_timepoint.h"
#include "ch-fetch/gap_line.h"
#include "ch-fetch/redact.h"
#include "ch-fetch/retry_after.h"
#include "common/log.h"
#include "common/signals.h"
#include "common/timepoint_jump.h"

namespace ch {

namespace {

// How often a long backoff wakes up to refresh metrics and check stdout.
constexpr double kWaitSliceSeconds = 0.5;
// Waiting for a key file: how often it is read (reading a small local file
// costs nothing, and ingestion resumes within this of the file's return),
// and how often an unchanged reason is logged again.
constexpr double kKeyRetrySeconds = 1;
constexpr double kKeyLogEverySeconds = 60;

// The label under which a finished connection is counted and logged.
std::string ReasonOf(const ConnectionResult& r) {
  if (r.end != ConnectionResult::End::kHttpStatus) return EndName(r.end);
  if (r.http_status == 429) return "rate-limited";
  if (r.http_status == 416) return "timepoint-out-of-range";
  if (r.http_status == 401 || r.http_status == 403) return "key-rejected";
  if (r.http_status == 404) return "no-such-stream";
  if (r.http_status >= 500 && r.http_status <= 599) return "server-error";
  return "http-error";
}

}  // namespace

Fetcher::Fetcher(const FetchOptions& options, const KeySource& key_source, std::string key,
                 Connector* connector, ReconnectPolicy* policy, Waiter* waiter, OutputWriter* out,
                 int out_fd, FetchMetrics* metrics)
    : options_(options),
      key_source_(key_source),
      key_(std::move(key)),
      connector_(connector),
      policy_(policy),
      waiter_(waiter),
      out_(out),
      out_fd_(out_fd),
      metrics_(metrics),
      initial_timepoint_(options.timepoint),
      started_live_gap_owed_(!options.timepoint.has_value()) {}

std::optional<int64_t> Fetcher::NextRequestTimepoint() const {
  if (last_flushed_) return *last_flushed_ + 1;
  return initial_timepoint_;
}

Status Fetcher::Run() {
  StatusOr<StreamUrl> url = ParseStreamUrl(options_.url, "--url/CH_STREAM_URL");
  if (!url.ok()) return url.status();
  url_ = std::move(url.value());
  if (url_.scheme == "http" && !url_.loopback) {
    LogWarn("plain http to a host that is not loopback: the key and the data travel unencrypted",
            {{"url", url_.base}});
  }
  start_time_ = waiter_->Now();

  while (!StopRequested()) {
    if (!key_.empty()) {
      RefreshKey();
    } else if (!WaitForKey()) {
      if (!output_status_.ok()) return output_status_;
      break;
    }
    const std::optional<int64_t> asked = NextRequestTimepoint();
    asking_live_ = !asked.has_value();
    ConnectionRequest request;
    request.url = RequestUrl(url_, options_.stream, asked);
    // Logs never echo a URL's query: the timepoint asked is a field of its own.
    const std::string logged_url = RequestUrl(url_, options_.stream, std::nullopt);
    request.key = key_;
    request.cacert = options_.cacert;
    request.no_proxy = url_.loopback;
    request.connect_timeout = options_.connect_timeout;
    request.first_byte_timeout = std::max(options_.first_byte_timeout, options_.idle_timeout);
    request.idle_timeout = options_.idle_timeout;
    request.max_line_bytes = static_cast<size_t>(options_.max_line_bytes);
    connection_events_ = 0;

    const ConnectionResult r = connector_->Connect(request, this);
    metrics_->SetConnected(false);
    if (stream_open_) {
      stream_open_ = false;
      last_open_time_ = waiter_->Now();
    }
    // Complete lines are flushed whatever happened; only then is the
    // resume point moved past them.
    if (output_status_.ok()) output_status_ = FlushOutput();
    if (r.dropped_partial_bytes > 0) {
      metrics_->CountPartialLineDropped();
      LogWarn("dropped a line cut off by the end of the connection",
              {{"bytes", r.dropped_partial_bytes}, {"url", logged_url}});
    }

    const Next next = Decide(r, asked);
    const std::string reason = ReasonOf(r);
    const bool reconnect =
        next.fatal.ok() && r.end != ConnectionResult::End::kStopped && next.delay >= 0;
    if (reconnect) metrics_->CountReconnect(reason);
    if (r.end != ConnectionResult::End::kStopped) {
      metrics_->SetLastAttempt(reason, r.http_status, r.tls_problem);
    }
    // State changes reach the metrics file at once; only the counters of a
    // long connection wait for the periodic write.
    WriteMetrics(true);
    // A certificate failure is never transient noise: someone must act.
    const bool tls = r.end == ConnectionResult::End::kTlsCertificate ||
                     r.end == ConnectionResult::End::kTlsError;
    LogAttempt(next.fatal.ok() && !tls ? LogLevel::kInfo : LogLevel::kError, logged_url, asked, r,
               reason, next.delay);

    if (!next.fatal.ok()) return next.fatal;
    if (!reconnect) break;
    if (!Wait(next.delay)) {
      if (!output_status_.ok()) return output_status_;
      break;
    }
  }
  Status s = FlushOutput();
  WriteMetrics(true);
  return s;
}

Fetcher::Next Fetcher::Decide(const ConnectionResult& r, std::optional<int64_t> asked) {
  Next next;
  if (!output_status_.ok() || r.end == ConnectionResult::End::kSinkFailed) {
    next.fatal = output_status_.ok() ? Status::IoError("stdout failed") : output_status_;
    return next;
  }
  if (r.end == ConnectionResult::End::kStopped) return next;
  if (r.end == ConnectionResult::End::kHttpStatus &&
      (r.http_status == 401 || r.http_status == 403)) {
    const std::string used_key = key_;
    RefreshKey();
    if (key_ != used_key && !auth_retried_with_new_key_) {
      // The key file was rotated between our read and the server's answer:
      // one more try with the new key is not a retry loop.
      auth_retried_with_new_key_ = true;
      next.delay = 0;
      return next;
    }
    next.fatal =
        Status::Config("the server rejected the stream key (HTTP " + std::to_string(r.http_status) +
                       ") read from " + key_source_.Describe() +
                       ": set a valid stream key in CH_STREAM_KEY or CH_STREAM_KEY_FILE");
    return next;
  }
  if (r.end == ConnectionResult::End::kHttpStatus && r.http_status == 404) {
    // DESIGN.md "Starting points": the service has no such stream. Waiting
    // does not create one; pipeline.sh stops this stream alone.
    next.fatal = Status::Config("the service has no stream " + options_.stream + " (HTTP 404 for " +
                                "its path): check CH_STREAM or CH_STREAMS");
    return next;
  }
  if (r.end == ConnectionResult::End::kHttpStatus && r.http_status == 416 && asked.has_value()) {
    return AfterTimepointGone(*asked);
  }

  AttemptOutcome outcome;
  if (r.end == ConnectionResult::End::kHttpStatus && r.http_status == 429) {
    outcome.result = AttemptOutcome::Result::kRateLimited;
    std::optional<std::string_view> header;
    if (r.retry_after) header = *r.retry_after;
    const RateLimitWait wait =
        RetryAfterWait(header, std::time(nullptr), options_.retry_429,
                       RetryAfterCap(options_.backoff_max, options_.retry_429));
    if (wait.capped) {
      LogWarn("Retry-After capped: waiting the longer of --backoff-max and --retry-429 instead",
              {{"retry_after", RedactCredentials(*r.retry_after, key_)},  // server text
               {"requested_s", *wait.requested},
               {"wait_s", wait.seconds}});
    }
    outcome.rate_limit_wait = wait.seconds;
  } else if (r.stream_started) {
    outcome.result = AttemptOutcome::Result::kStreamed;
    outcome.clean_end = r.end == ConnectionResult::End::kCleanEnd;
    // Healthy only if it moved the resume point (an event newer than any
    // before) or stayed up: a 200 that gives an HTML page, an event seen
    // already or nothing, then ends cleanly, must not be asked again at
    // once (an independent run counted 7,848 connections in 6 s).
    outcome.healthy = NextRequestTimepoint() != asked || r.duration >= kHealthySeconds;
  } else {
    // Network errors, timeouts, 5xx, other statuses (and a 416 for a live
    // request, which no server should send).
    outcome.result = AttemptOutcome::Result::kFailed;
  }
  const bool was_open = policy_->breaker_open();
  next.delay = policy_->NextDelay(outcome);
  if (policy_->breaker_open() && !was_open) {
    LogWarn(
        "circuit breaker open: waiting the maximum between attempts until a connection succeeds",
        {{"consecutive_failures", policy_->consecutive_failures()}, {"wait_s", next.delay}});
  } else if (!policy_->breaker_open() && was_open) {
    LogInfo("circuit breaker closed");
  }
  metrics_->SetBreaker(policy_->breaker_open(), policy_->consecutive_failures());
  return next;
}

Fetcher::Next Fetcher::AfterTimepointGone(int64_t asked) {
  Next next;
  const int64_t after = asked - 1;
  next.fatal = WriteGap(after, kGapTimepointOutOfRange);
  if (!next.fatal.ok()) return next;
  LogWarn("timepoint no longer available (HTTP 416): gap line written",
          {{"after_timepoint", after},
           {"on_gap", options_.on_gap == OnGap::kExit ? "exit" : "continue"}});
  // The gap stays open until the next event; a live stream from here on
  // owes no second (started-live) gap line.
  initial_timepoint_.reset();
  last_flushed_.reset();
  last_written_.reset();
  started_live_gap_owed_ = false;
  if (options_.on_gap == OnGap::kExit) {
    next.fatal =
        Status::DataError("timepoint " + std::to_string(asked) +
                          " is no longer available (HTTP 416); gap line written; exiting as "
                          "--on-gap=exit asks");
  } else {
    next.delay = 0;
  }
  return next;
}

void Fetcher::LogAttempt(LogLevel level, const std::string& url, std::optional<int64_t> asked,
                         const ConnectionResult& r, const std::string& reason, double delay) {
  // LogField has no null, so a live request says "live": true instead of a
  // timepoint.
  const LogField timepoint = asked ? LogField("timepoint", *asked) : LogField("live", true);
  Log(level, "connection",
      {{"url", url},
       timepoint,
       {"status", static_cast<int64_t>(r.http_status)},
       {"bytes", r.bytes},
       {"events", connection_events_},
       {"heartbeats", r.heartbeats},
       {"duration_s", r.duration},
       {"end", reason},
       {"next_delay_s", delay},
       {"breaker", policy_->breaker_open() ? "open" : "closed"},
       {"consecutive_failures", policy_->consecutive_failures()},
       {"error", r.error},
       {"body", r.body_excerpt}});
}

bool Fetcher::OnStreamStart() {
  if (policy_->breaker_open()) LogInfo("circuit breaker closed");
  policy_->StreamStarted();
  stream_open_ = true;
  last_stream_byte_time_ = waiter_->Now();
  metrics_->SetBreaker(false, 0);
  metrics_->SetConnected(true);
  WriteMetrics(true);
  if (asking_live_ && started_live_gap_owed_) {
    // Whatever happened before now is not in this stream.
    started_live_gap_owed_ = false;
    output_status_ = WriteGap(std::nullopt, kGapStartedLive);
    if (!output_status_.ok()) return false;
    LogWarn("started live without a timepoint: gap recorded", {{"stream", options_.stream}});
  }
  return true;
}

bool Fetcher::OnEventLine(std::string_view line) {
  output_status_ = out_->WriteLine(line);
  if (!output_status_.ok()) return false;
  ++connection_events_;
  metrics_->AddEvents(1);
  if (std::optional<int64_t> tp = ScanEventTimepoint(line)) {
    // The resume point moves only to a timepoint it can trust: one far
    // ahead (common/timepoint_jump.h) would make the next connection ask
    // for events after it, and every real one would be skipped (ch-store
    // stores the line as a reject).
    const std::optional<int64_t> asked = NextRequestTimepoint();
    const int64_t from = last_written_ ? *last_written_ : asked ? *asked - 1 : 0;
    if (!WithinTimepointJump(*tp, from)) {
      metrics_->CountImplausibleTimepoint();
      LogWarn("an event's timepoint is more than 2^32 past the resume point: not resuming after it",
              {{"timepoint", *tp}, {"resume_from", from}});
    } else if (*tp > from) {
      // Never back: an event older than the timepoint asked for (the
      // server re-sending one) leaves the resume point where it is.
      last_written_ = tp;
    }
  }
  return true;
}

// A line longer than --max-line-bytes goes on as it comes, never held
// whole: ch-parse (the same cap) stores it as a reject with its first bytes
// and its length (DESIGN.md: bad input is never lost). It moves no resume
// point: its timepoint is not read.
bool Fetcher::OnOversizedPiece(std::string_view bytes) {
  output_status_ = out_->WriteRaw(bytes);
  return output_status_.ok();
}

bool Fetcher::OnOversizedLine(uint64_t length) {
  output_status_ = out_->WriteRaw("\n");
  if (!output_status_.ok()) return false;
  metrics_->CountOversizedLine();
  LogWarn("passed on a line longer than --max-line-bytes (ch-parse makes it a reject)",
          {{"bytes", length}, {"max_line_bytes", options_.max_line_bytes}});
  return true;
}

bool Fetcher::OnDrained() {
  output_status_ = FlushOutput();
  if (!output_status_.ok()) return false;
  WriteMetrics(false);
  return true;
}

void Fetcher::OnBytes(uint64_t n) {
  metrics_->AddBytes(n);
  // Only a stream's bytes prove it alive: the bytes of a 429 or 503 answer
  // once kept health "healthy" through an outage.
  if (stream_open_) last_stream_byte_time_ = waiter_->Now();
}

bool Fetcher::OnTick() {
  WriteMetrics(false);
  return OutputAlive();
}

Status Fetcher::FlushOutput() {
  Status s = out_->Flush();
  if (!s.ok()) return s;
  if (last_written_ && (!last_flushed_ || *last_written_ > *last_flushed_)) {
    last_flushed_ = last_written_;
    metrics_->SetLastEventTimepoint(*last_flushed_);
  }
  return Status::Ok();
}

Status Fetcher::WriteGap(std::optional<int64_t> after_timepoint, std::string_view reason) {
  Status s = out_->WriteLine(GapLine(options_.stream, after_timepoint, reason));
  if (s.ok()) s = FlushOutput();
  if (s.ok()) metrics_->CountGap(reason);
  return s;
}

void Fetcher::RefreshKey() {
  if (!key_source_.from_file()) return;
  StatusOr<std::string> key = LoadStreamKey(key_source_);
  if (!key.ok()) {
    // A rotation that replaces the file non-atomically can leave it briefly
    // missing or empty; the key we have is still the best guess.
    LogWarn("cannot re-read the stream key file; keeping the previous key",
            {{"error", key.status().message()}});
    return;
  }
  if (key.value() != key_) {
    LogInfo("stream key file changed; using the new key", {{"file", key_source_.file}});
    key_ = std::move(key.value());
  }
}

bool Fetcher::WaitForKey() {
  const double since = waiter_->Now();
  double next_log = since;
  std::string logged_reason;
  metrics_->SetLastAttempt("key-file-unreadable", 0);
  WriteMetrics(true);
  for (;;) {
    StatusOr<std::string> key = LoadStreamKey(key_source_);
    if (key.ok()) {
      key_ = std::move(key.value());
      metrics_->ClearLastAttempt();
      LogInfo("the stream key file yields a key again; connecting",
              {{"file", key_source_.file}, {"waited_s", waiter_->Now() - since}});
      return true;
    }
    const std::string& reason = key.status().message();
    if (reason != logged_reason || waiter_->Now() >= next_log) {
      LogWarn("no stream key: waiting for CH_STREAM_KEY_FILE (CH_KEY_FILE_WAIT)",
              {{"error", reason}, {"waited_s", waiter_->Now() - since}});
      logged_reason = reason;
      next_log = waiter_->Now() + kKeyLogEverySeconds;
    }
    if (!Wait(kKeyRetrySeconds)) return false;
  }
}

bool Fetcher::Wait(double seconds) {
  const double deadline = waiter_->Now() + seconds;
  for (;;) {
    if (StopRequested()) return false;
    if (!OutputAlive()) return false;
    WriteMetrics(false);
    const double remaining = deadline - waiter_->Now();
    if (remaining <= 0) return true;
    if (!waiter_->Sleep(std::min(remaining, kWaitSliceSeconds))) return false;
  }
}

bool Fetcher::OutputAlive() {
  struct pollfd p = {out_fd_, 0, 0};
  if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0) {
    // The read end of our pipe is closed: downstream has gone.
    output_status_ = Status::IoError("write stdout: the reader has gone (broken pipe)");
    return false;
  }
  return true;
}

double Fetcher::LastByteAge() {
  return waiter_->Now() - last_stream_byte_time_.value_or(start_time_);
}

double Fetcher::DisconnectedFor() {
  if (stream_open_) return 0;
  return waiter_->Now() - last_open_time_.value_or(start_time_);
}

void Fetcher::OnOutputBlocked(double seconds) {
  metrics_->SetOutputBlocked(seconds);
  WriteMetrics(true);
}

void Fetcher::WriteMetrics(bool now) {
  // Metrics are a side channel: failing to write them must not stop the
  // data, so a failure is logged and forgotten.
  Status s = now ? metrics_->Write(LastByteAge(), DisconnectedFor())
                 : metrics_->MaybeWrite(LastByteAge(), DisconnectedFor());
  if (!s.ok() && !metrics_warned_) {
    metrics_warned_ = true;
    LogWarn("cannot write metrics (further failures are not logged)", {{"error", s.message()}});
  }
}

}  // namespace ch
