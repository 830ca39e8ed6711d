#include "common/metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
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

TEST(MetricsTest, WritesTextfileFormatWithProgramLabelAndTypes) {
  char dir[] = "/tmp/metrics_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  Metrics m(dir, "ch-test");
  m.Set("connected", 1, "1 when connected");
  m.Add("reconnects_total{reason=\"stall\"}", 2);
  ASSERT_TRUE(m.Write().ok());
  const std::string text = ReadFile(std::string(dir) + "/ch-test.prom");
  EXPECT_NE(text.find("# HELP chstream_connected 1 when connected\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE chstream_connected gauge\n"), std::string::npos);
  EXPECT_NE(text.find("chstream_connected{program=\"ch-test\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE chstream_reconnects_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("chstream_reconnects_total{program=\"ch-test\",reason=\"stall\"} 2\n"),
            std::string::npos);
  std::system((std::string("rm -rf ") + dir).c_str());
}

// A Unix timestamp with a fraction must keep every second: "%.6g" printed
// 1795500000.25 as 1.7955e+09, off by hours in any alert built on it.
TEST(MetricsTest, TimestampsWithFractionsKeepFullPrecision) {
  char dir[] = "/tmp/metrics_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  Metrics m(dir, "ch-test");
  m.Set("last_commit_timestamp_seconds", 1795512345.25);
  ASSERT_TRUE(m.Write().ok());
  const std::string text = ReadFile(std::string(dir) + "/ch-test.prom");
  EXPECT_NE(text.find("} 1795512345.25\n"), std::string::npos) << text;
  std::system((std::string("rm -rf ") + dir).c_str());
}

TEST(MetricsTest, ARemovedSampleIsNoLongerWritten) {
  char dir[] = "/tmp/metrics_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  Metrics m(dir, "ch-test");
  m.Set("last_attempt{reason=\"stall\"}", 1);
  m.Remove("last_attempt{reason=\"stall\"}");
  m.Set("last_attempt{reason=\"clean-end\"}", 1);
  ASSERT_TRUE(m.Write().ok());
  const std::string text = ReadFile(std::string(dir) + "/ch-test.prom");
  EXPECT_EQ(text.find("stall"), std::string::npos) << text;
  EXPECT_NE(text.find("reason=\"clean-end\"} 1"), std::string::npos) << text;
  std::system((std::string("rm -rf ") + dir).c_str());
}

TEST(MetricsTest, DisabledWithoutDirectory) {
  Metrics m("", "ch-test");
  EXPECT_FALSE(m.enabled());
  EXPECT_TRUE(m.MaybeWrite().ok());
}

}  // namespace
}  // namespace ch
