// Waiter: the fetch loop's clock and its way of sleeping between
// connections. Sleeping ends early when a stop signal arrives (handlers are
// installed without SA_RESTART, so nanosleep returns EINTR; slices of at most
// 100 ms bound the rare race of a signal landing just before the call).
// Behind an interface so unit tests run the reconnect policy on a fake clock
// instead of waiting out real backoffs.
#ifndef CH_FETCH_WAITER_H_
#define CH_FETCH_WAITER_H_

namespace ch {

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Monotonic seconds from an arbitrary origin.
  virtual double Now() = 0;
  // Sleeps up to `seconds`; returns false if it stopped early because a
  // stop was requested.
  virtual bool Sleep(double seconds) = 0;
};

class SystemWaiter : public Waiter {
 public:
  double Now() override;
  bool Sleep(double seconds) override;
};

}  // namespace ch

#endif  // CH_FETCH_WAITER_H_
