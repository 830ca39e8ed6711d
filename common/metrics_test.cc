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
  EXPECT_NE(text.find("chstream_connected{program=\"ch-test\",stream=\"companies\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE chstream_reconnects_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("chstream_reconnects_total{program=\"ch-test\",stream=\"companies\",reason="
                      "\"stall\"} 2\n"),
            std::string::npos);
  std::system((std::string("rm -rf ") + dir).c_str());
}

// Several streams share one metrics directory: each stream's file is its
// own (companies keeps the name it had before), and each sample names its
// stream, so node_exporter never sees two series with the same labels.
TEST(MetricsTest, AStreamOtherThanCompaniesGetsItsOwnFileAndLabel) {
  EXPECT_EQ(MetricsFileName("ch-fetch", "companies"), "ch-fetch.prom");
  EXPECT_EQ(MetricsFileName("ch-fetch", "insolvency-cases"), "ch-fetch-insolvency-cases.prom");
  char dir[] = "/tmp/metrics_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  Metrics companies(dir, "ch-test");
  Metrics filings(dir, "ch-test", "filings");
  companies.Set("events_total", 1);
  filings.Set("events_total", 2);
  filings.Add("reconnects_total{reason=\"stall\"}", 3);
  ASSERT_TRUE(companies.Write().ok());
  ASSERT_TRUE(filings.Write().ok());
  EXPECT_NE(ReadFile(std::string(dir) + "/ch-test.prom")
                .find("chstream_events_total{program=\"ch-test\",stream=\"companies\"} 1\n"),
            std::string::npos);
  const std::string text = ReadFile(std::string(dir) + "/ch-test-filings.prom");
  EXPECT_NE(text.find("chstream_events_total{program=\"ch-test\",stream=\"filings\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chstream_reconnects_total{program=\"ch-test\",stream=\"filings\",reason="
                      "\"stall\"} 3\n"),
            std::string::npos)
      << text;
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
