// ReconnectPolicy: how long to wait before the next connection, given how
// the last one went. It is pure arithmetic over a random source, with no
// clock or I/O, so its rules can be tested exactly:
//
// - A connection that streamed healthily (moved the resume point: an event
//   newer than any before; or stayed up kHealthySeconds) resets the backoff; if the server then
//   ended the body cleanly (its nightly close) the next connection starts at once, else after the
//   first backoff step.
// - Anything else backs off exponentially with full jitter: the ceiling is
//   min(max, initial * 2^n) for the n-th unhealthy attempt in a row, and the
//   delay is uniform in [initial/2, ceiling] (the floor keeps a flapping
//   server from being hammered; the jitter spreads a fleet of clients).
// - A 429 waits exactly the given time (Retry-After or the 429 default),
//   not capped here by the maximum: the server said how long; but never
//   less than `initial`. (The fetch
//   loop has already capped a bogus Retry-After: see retry_after.h.)
// - Circuit breaker: after `breaker_threshold` consecutive failed
//   connections (no 200: network errors, timeouts, 429, 5xx, other statuses)
//   the breaker opens and every wait is the maximum, until a connection gets
//   its 200 again. A 429 keeps its own wait even then.
#ifndef CH_FETCH_RECONNECT_POLICY_H_
#define CH_FETCH_RECONNECT_POLICY_H_

#include <functional>

namespace ch {

// A connection counts as healthy once it has been up this long, even on a
// quiet stream that delivered nothing but heartbeats.
inline constexpr double kHealthySeconds = 30;

struct AttemptOutcome {
  enum class Result {
    kStreamed,     ///< got 200: the stream started (however it ended)
    kRateLimited,  ///< got 429
    kFailed,       ///< no stream: network error, timeout, 5xx, other status
  };
  Result result = Result::kFailed;
  /// kStreamed: moved the resume point, or stayed up kHealthySeconds.
  bool healthy = false;
  /// kStreamed: the server ended the body cleanly.
  bool clean_end = false;
  /// kRateLimited: the wait the server asked for (or the 429 default).
  double rate_limit_wait = 0;
};

class ReconnectPolicy {
 public:
  // `uniform01` returns numbers in [0, 1); tests pass a fixed sequence.
  // REQUIRES: 0 < initial <= max, breaker_threshold >= 1
  ReconnectPolicy(double initial, double max, int breaker_threshold,
                  std::function<double()> uniform01);
  // The same with a randomly seeded generator.
  ReconnectPolicy(double initial, double max, int breaker_threshold);

  // A connection got its 200: the breaker closes at once, not only when
  // that connection ends (which may be a day later).
  void StreamStarted() { consecutive_failures_ = 0; }

  // Records how the last connection went; returns seconds to wait before
  // the next one.
  double NextDelay(const AttemptOutcome& outcome);

  bool breaker_open() const { return consecutive_failures_ >= breaker_threshold_; }
  int consecutive_failures() const { return consecutive_failures_; }

 private:
  double Jittered();

  double initial_;
  double max_;
  int breaker_threshold_;
  std::function<double()> uniform01_;
  int consecutive_failures_ = 0;  // connections in a row without a 200
  int unhealthy_streak_ = 0;      // backoff exponent
};

}  // namespace ch

#endif  // CH_FETCH_RECONNECT_POLICY_H_
