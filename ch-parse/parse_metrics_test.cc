#include "ch-parse/parse_metrics.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ch-parse/resource_extractors.h"

namespace ch {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ParseMetricsTest, WritesEveryCounterWithItsLabels) {
  char dir_template[] = "/tmp/parse_metrics_test.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  ASSERT_NE(dir, nullptr);
  ParseMetrics metrics(dir);
  metrics.CountLine();
  metrics.CountLine();
  metrics.CountRecord();
  metrics.CountResourceRecord(&kFilingsTable);
  metrics.CountResourceRecord(&kFilingsTable);
  metrics.CountResourceRecord(nullptr);
  metrics.CountReject(RejectClass::kTimepoint);
  metrics.CountReject(RejectClass::kTimepoint);
  metrics.CountReject(RejectClass::kLineTooLong);
  metrics.CountControlLine();
  metrics.CountUnknownStatus();
  metrics.CountBulkRow();
  metrics.SetInputBytes(1234);
  EXPECT_EQ(metrics.rejects(), 3u);
  EXPECT_EQ(metrics.records(), 4u);
  EXPECT_EQ(metrics.resource_records(&kFilingsTable), 2u);
  EXPECT_EQ(metrics.resource_records(nullptr), 1u);
  ASSERT_TRUE(metrics.Write().ok());
  const std::string path = std::string(dir) + "/ch-parse.prom";
  const std::string text = ReadFile(path);
  for (const char* line :
       {"chstream_lines_total{program=\"ch-parse\",stream=\"companies\"} 2\n",
        "chstream_records_total{program=\"ch-parse\",stream=\"companies\"} 4\n",
        "chstream_resource_records_total{program=\"ch-parse\",stream=\"companies\",table="
        "\"filings\"} 2\n",
        "chstream_resource_records_total{program=\"ch-parse\",stream=\"companies\",table="
        "\"officers\"} 0\n",
        "chstream_resource_records_total{program=\"ch-parse\",stream=\"companies\",table=\"none\"} "
        "1\n",
        "chstream_unknown_values_total{program=\"ch-parse\",stream=\"companies\",field=\"resource_"
        "kind\"} 1\n",
        "chstream_rejects_total{program=\"ch-parse\",stream=\"companies\",reason=\"timepoint\"} "
        "2\n",
        "chstream_rejects_total{program=\"ch-parse\",stream=\"companies\",reason=\"line_too_long\"}"
        " 1\n",
        "chstream_rejects_total{program=\"ch-parse\",stream=\"companies\",reason=\"invalid_json\"} "
        "0\n",
        "chstream_control_lines_total{program=\"ch-parse\",stream=\"companies\"} 1\n",
        "chstream_unknown_values_total{program=\"ch-parse\",stream=\"companies\",field=\"company_"
        "status\"} 1\n",
        "chstream_bulk_rows_total{program=\"ch-parse\",stream=\"companies\"} 1\n",
        "chstream_input_bytes_total{program=\"ch-parse\",stream=\"companies\"} 1234\n",
        "# TYPE chstream_rejects_total counter\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
  unlink(path.c_str());
  rmdir(dir);
}

TEST(ParseMetricsTest, MaybeWriteWaitsForTheInterval) {
  char dir_template[] = "/tmp/parse_metrics_test.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  ASSERT_NE(dir, nullptr);
  ParseMetrics metrics(dir, "companies", std::chrono::hours(1));
  const std::string path = std::string(dir) + "/ch-parse.prom";
  ASSERT_TRUE(metrics.MaybeWrite().ok());  // the first one writes
  metrics.CountLine();
  ASSERT_TRUE(metrics.MaybeWrite().ok());  // too soon: the file keeps 0
  EXPECT_NE(
      ReadFile(path).find("chstream_lines_total{program=\"ch-parse\",stream=\"companies\"} 0\n"),
      std::string::npos);
  unlink(path.c_str());
  rmdir(dir);
}

TEST(ParseMetricsTest, DisabledWithoutADirectory) {
  ParseMetrics metrics("");
  metrics.CountLine();
  EXPECT_TRUE(metrics.Write().ok());
  EXPECT_EQ(metrics.lines(), 1u);
}

}  // namespace
}  // namespace ch
