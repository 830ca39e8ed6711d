// Waiter: see waiter.h.
#include "ch-fetch/waiter.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/signals.h"

namespace ch {

namespace {

constexpr double kSliceSeconds = 0.1;

}  // namespace

double SystemWaiter::Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool SystemWaiter::Sleep(double seconds) {
  const double deadline = Now() + seconds;
  for (;;) {
    if (StopRequested()) return false;
    const double remaining = deadline - Now();
    if (remaining <= 0) return true;
    const double slice = std::min(remaining, kSliceSeconds);
    struct timespec ts;
    ts.tv_sec = static_cast<time_t>(slice);
    ts.tv_nsec = static_cast<long>((slice - std::floor(slice)) * 1e9);
    nanosleep(&ts, nullptr);  // EINTR is fine: the loop looks at the flag
  }
}

}  // namespace ch
