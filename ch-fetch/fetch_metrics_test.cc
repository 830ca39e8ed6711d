#include "ch-fetch/fetch_metrics.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ch {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FetchMetricsTest, WritesEveryNamedMetric) {
  char dir[] = "/tmp/ch_fetch_metrics_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  FetchMetrics m(dir);
  m.SetConnected(true);
  m.CountReconnect("stall");
  m.CountReconnect("stall");
  m.CountReconnect("clean-end");
  m.AddEvents(3);
  m.AddBytes(4096);
  m.SetLastEventTimepoint(68805561);
  m.SetBreaker(true, 5);
  m.CountGap("started-live");
  m.CountOversizedLine();
  m.CountPartialLineDropped();
  m.SetLastAttempt("stall", 200);
  m.SetLastAttempt("rate-limited", 429);
  ASSERT_TRUE(m.Write(2.5, 7).ok());
  const std::string path = std::string(dir) + "/ch-fetch.prom";
  const std::string text = ReadFile(path);
  for (const char* expected :
       {"chstream_connected{program=\"ch-fetch\",stream=\"companies\"} 1",
        "chstream_reconnects_total{program=\"ch-fetch\",stream=\"companies\",reason=\"stall\"} 2",
        "chstream_reconnects_total{program=\"ch-fetch\",stream=\"companies\",reason=\"clean-end\"} "
        "1",
        "chstream_events_total{program=\"ch-fetch\",stream=\"companies\"} 3",
        "chstream_bytes_total{program=\"ch-fetch\",stream=\"companies\"} 4096",
        "chstream_last_event_timepoint{program=\"ch-fetch\",stream=\"companies\"} 68805561",
        "chstream_last_byte_age_seconds{program=\"ch-fetch\",stream=\"companies\"} 2.5",
        "chstream_disconnected_seconds{program=\"ch-fetch\",stream=\"companies\"} 7",
        "chstream_last_attempt{program=\"ch-fetch\",stream=\"companies\",reason=\"rate-limited\"} "
        "1",
        "chstream_last_http_status{program=\"ch-fetch\",stream=\"companies\"} 429",
        "chstream_breaker_open{program=\"ch-fetch\",stream=\"companies\"} 1",
        "chstream_consecutive_failures{program=\"ch-fetch\",stream=\"companies\"} 5",
        "chstream_gaps_total{program=\"ch-fetch\",stream=\"companies\",reason=\"started-live\"} 1",
        "chstream_oversized_lines_total{program=\"ch-fetch\",stream=\"companies\"} 1",
        "chstream_partial_lines_dropped_total{program=\"ch-fetch\",stream=\"companies\"} 1"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  // Only the last attempt's reason is there.
  EXPECT_EQ(
      text.find(
          "chstream_last_attempt{program=\"ch-fetch\",stream=\"companies\",reason=\"stall\"}"),
      std::string::npos)
      << text;
  unlink(path.c_str());
  rmdir(dir);
}

TEST(FetchMetricsTest, WithoutADirectoryNothingIsWritten) {
  FetchMetrics m("");
  m.AddEvents(1);
  EXPECT_TRUE(m.Write(0, 0).ok());
  EXPECT_TRUE(m.MaybeWrite(0, 0).ok());
}

}  // namespace
}  // namespace ch
