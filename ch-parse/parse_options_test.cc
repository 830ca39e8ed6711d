#include "ch-parse/parse_options.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

namespace ch {
namespace {

class ParseOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"CH_STREAM", "CH_FORMAT", "CH_AS_OF", "CH_MAX_LINE_BYTES",
                             "CH_PROGRESS", "CH_PARSE_NICE"})
      unsetenv(name);
  }
  void TearDown() override { SetUp(); }
  // Runs the parser on these arguments; returns the exit code or -1 (carry on).
  int Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "ch-parse");
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    options_ = ParseOptions();
    auto exit = ParseParseOptions(static_cast<int>(args.size()), argv.data(), &options_);
    return exit ? *exit : -1;
  }
  ParseOptions options_;
};

TEST_F(ParseOptionsTest, Defaults) {
  EXPECT_EQ(Parse({}), -1);
  EXPECT_EQ(options_.stream, "companies");
  EXPECT_EQ(options_.format, InputFormat::kStream);
  EXPECT_FALSE(options_.as_of);
  EXPECT_EQ(options_.max_line_bytes, 8 << 20);
  EXPECT_FALSE(options_.progress);
  EXPECT_EQ(options_.nice, 10);
}

TEST_F(ParseOptionsTest, BulkNeedsAValidAsOf) {
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of", "2025-08-01"}), -1);
  EXPECT_EQ(options_.format, InputFormat::kBulkCsv);
  EXPECT_EQ(options_.as_of->view(), "2025-08-01");
  EXPECT_EQ(Parse({"--format", "bulk-csv"}), 78);
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of", "2025-02-30"}), 78);
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of", "01/08/2025"}), 78);
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of"}), 64);
}

// The company bulk file is the companies register. Filed under another
// stream (a CH_STREAM left set in a cron job), its snapshot_end healed that
// stream's gaps and hid that stream's next snapshot as "not newer".
TEST_F(ParseOptionsTest, BulkIsTheCompaniesStreamOnly) {
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of", "2025-08-01", "--stream", "companies"}), -1);
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of", "2025-08-01", "--stream", "filings"}), 78);
  setenv("CH_STREAM", "persons-with-significant-control", 1);
  EXPECT_EQ(Parse({"--format", "bulk-csv", "--as-of", "2025-08-01"}), 78);
  // The PSC snapshot files each line under its kind's stream, whatever
  // CH_STREAM says; a stream's events are any stream's.
  EXPECT_EQ(Parse({"--format", "psc-snapshot", "--as-of", "2026-12-05"}), -1);
  EXPECT_EQ(Parse({}), -1);
}

TEST_F(ParseOptionsTest, PscSnapshotNeedsAValidAsOf) {
  EXPECT_EQ(Parse({"--format", "psc-snapshot", "--as-of", "2026-12-05"}), -1);
  EXPECT_EQ(options_.format, InputFormat::kPscSnapshot);
  EXPECT_EQ(options_.as_of->view(), "2026-12-05");
  EXPECT_EQ(Parse({"--format", "psc-snapshot"}), 78);
  EXPECT_EQ(Parse({"--format", "psc-snapshot", "--as-of", "2026-12-32"}), 78);
  EXPECT_EQ(Parse({"--format", "psc"}), 78);
}

TEST_F(ParseOptionsTest, EnvironmentVariablesAndFlagsWin) {
  setenv("CH_FORMAT", "psc-snapshot", 1);
  setenv("CH_AS_OF", "2025-08-01", 1);
  setenv("CH_STREAM", "test", 1);
  setenv("CH_MAX_LINE_BYTES", "1000", 1);
  setenv("CH_PROGRESS", "1", 1);
  setenv("CH_PARSE_NICE", "0", 1);
  EXPECT_EQ(Parse({}), -1);
  EXPECT_EQ(options_.nice, 0);
  EXPECT_EQ(options_.format, InputFormat::kPscSnapshot);
  EXPECT_EQ(options_.stream, "test");
  EXPECT_EQ(options_.max_line_bytes, 1000);
  EXPECT_TRUE(options_.progress);
  EXPECT_EQ(Parse({"--stream", "companies", "--format", "bulk-csv"}), -1);
  EXPECT_EQ(options_.stream, "companies");
  EXPECT_EQ(options_.format, InputFormat::kBulkCsv);
}

TEST_F(ParseOptionsTest, InvalidValuesAreConfigErrors) {
  EXPECT_EQ(Parse({"--format", "xml"}), 78);
  EXPECT_EQ(Parse({"--stream", ""}), 78);
  EXPECT_EQ(Parse({"--stream", "a/b"}), 78);
  EXPECT_EQ(Parse({"--max-line-bytes", "0"}), 78);
  EXPECT_EQ(Parse({"--max-line-bytes", "abc"}), 78);
  EXPECT_EQ(Parse({"--nice", "-1"}), 78);
  EXPECT_EQ(Parse({"--nice", "20"}), 78);
  EXPECT_EQ(Parse({"--nice", "low"}), 78);
  EXPECT_EQ(Parse({"--nice", "19"}), -1);
  setenv("CH_AS_OF", "yesterday", 1);
  EXPECT_EQ(Parse({}), 78);
}

TEST_F(ParseOptionsTest, UsageErrorsAndHelp) {
  EXPECT_EQ(Parse({"--bogus"}), 64);
  // A word where none is taken ("ch-parse filings" for --stream filings)
  // was ignored: the records went under companies and moved its checkpoint.
  EXPECT_EQ(Parse({"filings"}), 64);
  EXPECT_EQ(Parse({"--stream", "filings", "extra"}), 64);
  EXPECT_EQ(Parse({"--help"}), 0);
  EXPECT_EQ(Parse({"--progress"}), -1);
  EXPECT_TRUE(options_.progress);
}

TEST(ValidateParseOptionsTest, MessagesNameTheFlagAndVariable) {
  ParseOptions options;
  Status s = ValidateParseOptions("bulk-csv", "", &options);
  EXPECT_EQ(s.code(), StatusCode::kConfig);
  EXPECT_NE(s.message().find("--as-of/CH_AS_OF"), std::string::npos);
  s = ValidateParseOptions("csv", "", &options);
  EXPECT_NE(s.message().find("--format/CH_FORMAT"), std::string::npos);
}

}  // namespace
}  // namespace ch
