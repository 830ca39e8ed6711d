#include "ch-fetch/waiter.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "common/signals.h"

namespace ch {
namespace {

TEST(WaiterTest, SleepsAboutAsLongAsAsked) {
  ResetStopForTest();
  SystemWaiter waiter;
  const double start = waiter.Now();
  EXPECT_TRUE(waiter.Sleep(0.15));
  const double slept = waiter.Now() - start;
  EXPECT_GE(slept, 0.15);
  EXPECT_LT(slept, 1.0);
}

TEST(WaiterTest, AStopRequestEndsALongSleepPromptly) {
  ResetStopForTest();
  SystemWaiter waiter;
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    RequestStop(SIGTERM);
  });
  const double start = waiter.Now();
  EXPECT_FALSE(waiter.Sleep(30));
  EXPECT_LT(waiter.Now() - start, 1.0);
  stopper.join();
  ResetStopForTest();
}

}  // namespace
}  // namespace ch
