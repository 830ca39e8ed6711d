// ReconnectPolicy: see reconnect_policy.h.
#include "ch-fetch/reconnect_policy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ch {

namespace {

// 2^40 times any sane initial delay is far beyond any maximum.
constexpr int kMaxExponent = 40;

}  // namespace

ReconnectPolicy::ReconnectPolicy(double initial, double max, int breaker_threshold,
                                 std::function<double()> uniform01)
    : initial_(initial),
      max_(max),
      breaker_threshold_(breaker_threshold),
      uniform01_(std::move(uniform01)) {}

ReconnectPolicy::ReconnectPolicy(double initial, double max, int breaker_threshold)
    : ReconnectPolicy(initial, max, breaker_threshold,
                      [engine = std::mt19937_64(std::random_device{}())]() mutable {
                        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
                      }) {}

double ReconnectPolicy::Jittered() {
  const double ceiling =
      std::min(max_, std::ldexp(initial_, std::min(unhealthy_streak_, kMaxExponent)));
  const double floor = initial_ / 2;
  ++unhealthy_streak_;
  return floor + uniform01_() * (ceiling - floor);
}

double ReconnectPolicy::NextDelay(const AttemptOutcome& outcome) {
  switch (outcome.result) {
    case AttemptOutcome::Result::kStreamed:
      consecutive_failures_ = 0;
      if (outcome.healthy) {
        unhealthy_streak_ = 0;
        if (outcome.clean_end) return 0;
      }
      return Jittered();
    case AttemptOutcome::Result::kRateLimited:
      ++consecutive_failures_;
      ++unhealthy_streak_;
      // Never less than the first backoff step (the server's word "0", or
      // a date its clock thinks past, would be a retry storm).
      return std::max(initial_, outcome.rate_limit_wait);
    case AttemptOutcome::Result::kFailed:
      ++consecutive_failures_;
      if (breaker_open()) {
        ++unhealthy_streak_;
        return max_;
      }
      return Jittered();
  }
  return max_;
}

}  // namespace ch
