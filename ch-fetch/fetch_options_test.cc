#include "ch-fetch/fetch_options.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <limits>
#include <string>
#include <vector>

namespace ch {
namespace {

class FetchOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"CH_STREAM_URL", "CH_STREAM", "CH_TIMEPOINT", "CH_IDLE_TIMEOUT", "CH_FIRST_BYTE_TIMEOUT",
          "CH_CONNECT_TIMEOUT", "CH_BACKOFF_INITIAL", "CH_BACKOFF_MAX", "CH_RETRY_429",
          "CH_BREAKER_THRESHOLD", "CH_MAX_LINE_BYTES", "CH_CACERT", "CH_ON_GAP", "CH_LOG_LEVEL",
          "CH_METRICS_DIR", "CH_KEY_FILE_WAIT"}) {
      unsetenv(name);
    }
  }
  void TearDown() override { SetUp(); }

  // Parses `args` (without the program name); returns the exit code, or -1
  // for "carry on".
  int Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "ch-fetch");
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    auto exit = ParseFetchOptions(static_cast<int>(args.size()), argv.data(), &options);
    return exit ? *exit : -1;
  }

  FetchOptions options;
};

TEST_F(FetchOptionsTest, DefaultsMatchTheDesign) {
  ASSERT_EQ(Parse({}), -1);
  EXPECT_EQ(options.url, "https://stream.companieshouse.gov.uk");
  EXPECT_EQ(options.stream, "companies");
  EXPECT_FALSE(options.timepoint.has_value());
  EXPECT_EQ(options.idle_timeout, 90);
  EXPECT_EQ(options.backoff_initial, 1);
  EXPECT_EQ(options.backoff_max, 300);
  EXPECT_EQ(options.retry_429, 60);
  EXPECT_EQ(options.on_gap, OnGap::kContinue);
  EXPECT_FALSE(options.key_file_wait);
  EXPECT_FALSE(options.check_config);
  EXPECT_TRUE(ValidateFetchOptions(options).ok());
}

TEST_F(FetchOptionsTest, CheckConfigIsAFlag) {
  ASSERT_EQ(Parse({"--check-config"}), -1);
  EXPECT_TRUE(options.check_config);
}

TEST_F(FetchOptionsTest, WaitingForTheKeyFileIsSetByItsVariable) {
  setenv("CH_KEY_FILE_WAIT", "1", 1);
  ASSERT_EQ(Parse({}), -1);
  EXPECT_TRUE(options.key_file_wait);
  options = FetchOptions();
  setenv("CH_KEY_FILE_WAIT", "maybe", 1);
  EXPECT_EQ(Parse({}), 78);
}

TEST_F(FetchOptionsTest, FlagsWinOverTheEnvironment) {
  setenv("CH_STREAM_URL", "http://127.0.0.1:1", 1);
  setenv("CH_TIMEPOINT", "5", 1);
  setenv("CH_BACKOFF_INITIAL", "0.25", 1);
  ASSERT_EQ(Parse({"--timepoint", "68805562", "--on-gap", "exit"}), -1);
  EXPECT_EQ(options.url, "http://127.0.0.1:1");
  EXPECT_EQ(options.timepoint, 68805562);
  EXPECT_EQ(options.backoff_initial, 0.25);
  EXPECT_EQ(options.on_gap, OnGap::kExit);
}

TEST_F(FetchOptionsTest, AnEmptyTimepointVariableMeansLive) {
  setenv("CH_TIMEPOINT", "", 1);
  ASSERT_EQ(Parse({}), -1);
  EXPECT_FALSE(options.timepoint.has_value());
}

TEST_F(FetchOptionsTest, BadValuesAreConfigErrorsAndUnknownFlagsUsageErrors) {
  EXPECT_EQ(Parse({"--timepoint=-3"}), 78);
  EXPECT_EQ(Parse({"--timepoint", "12x"}), 78);
  EXPECT_EQ(Parse({"--idle-timeout", "soon"}), 78);
  EXPECT_EQ(Parse({"--on-gap", "ignore"}), 78);
  EXPECT_EQ(Parse({"--no-such-flag"}), 64);
  EXPECT_EQ(Parse({"--url"}), 64);
  // A stray word ("ch-fetch filings") was ignored: the companies stream was
  // fetched instead.
  EXPECT_EQ(Parse({"filings"}), 64);
}

TEST_F(FetchOptionsTest, TheKeyCannotBeGivenAsAFlag) {
  EXPECT_EQ(Parse({"--key", "abc"}), 64);
  EXPECT_EQ(Parse({"--stream-key", "abc"}), 64);
}

Status ValidateWith(void (*change)(FetchOptions*)) {
  FetchOptions o;
  change(&o);
  return ValidateFetchOptions(o);
}

void ExpectNamed(const Status& s, const std::string& name) {
  EXPECT_EQ(s.code(), StatusCode::kConfig) << s.ToString();
  EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
}

TEST_F(FetchOptionsTest, ValidationNamesTheFlagAndVariable) {
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->idle_timeout = -1; }),
              "--idle-timeout/CH_IDLE_TIMEOUT");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->idle_timeout = 0; }), "CH_IDLE_TIMEOUT");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->backoff_initial = 10, o->backoff_max = 5; }),
              "CH_BACKOFF_INITIAL");
  ExpectNamed(ValidateWith([](FetchOptions* o) {
                o->backoff_max = std::numeric_limits<double>::quiet_NaN();
              }),
              "CH_BACKOFF_MAX");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->url = "ftp://x"; }), "CH_STREAM_URL");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->stream = "a/b"; }), "CH_STREAM");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->retry_429 = -1; }), "CH_RETRY_429");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->breaker_threshold = 0; }),
              "CH_BREAKER_THRESHOLD");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->max_line_bytes = 0; }), "CH_MAX_LINE_BYTES");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->cacert = "/nonexistent/ca.pem"; }),
              "CH_CACERT");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->first_byte_timeout = -2; }),
              "CH_FIRST_BYTE_TIMEOUT");
  ExpectNamed(ValidateWith([](FetchOptions* o) { o->connect_timeout = 0; }), "CH_CONNECT_TIMEOUT");
}

TEST_F(FetchOptionsTest, FractionalBackoffIsAllowed) {
  ASSERT_EQ(Parse({"--backoff-initial", "0.1", "--backoff-max", "0.5"}), -1);
  EXPECT_TRUE(ValidateFetchOptions(options).ok());
}

}  // namespace
}  // namespace ch
