#include "ch-store/fetch_metrics_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <time.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::TempDir;

// What ch-fetch writes (common/metrics.cc), abridged.
constexpr const char* kFetchProm =
    "# HELP chstream_breaker_open 1 while the circuit breaker is open\n"
    "# TYPE chstream_breaker_open gauge\n"
    "chstream_breaker_open{program=\"ch-fetch\",stream=\"companies\"} 0\n"
    "chstream_connected{program=\"ch-fetch\",stream=\"companies\"} 1\n"
    "chstream_consecutive_failures{program=\"ch-fetch\",stream=\"companies\"} 0\n"
    "chstream_events_total{program=\"ch-fetch\",stream=\"companies\"} 7495\n"
    "chstream_last_byte_age_seconds{program=\"ch-fetch\",stream=\"companies\"} 0.25\n"
    "chstream_last_event_timepoint{program=\"ch-fetch\",stream=\"companies\"} 68917765\n"
    "chstream_reconnects_total{program=\"ch-fetch\",stream=\"companies\",reason=\"stall\"} 2\n"
    "chstream_reconnects_total{program=\"ch-fetch\",stream=\"companies\",reason=\"clean-end\"} 1\n";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

void SetMtime(const std::string& path, double seconds_ago) {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  struct timespec times[2];
  times[0] = now;
  times[1].tv_sec = now.tv_sec - static_cast<time_t>(seconds_ago);
  times[1].tv_nsec = now.tv_nsec;
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(FetchMetricsReaderTest, ParsesSamplesByNameWithoutLabels) {
  const auto samples = ParsePromSamples(kFetchProm);
  EXPECT_EQ(samples.at("chstream_connected"), 1);
  EXPECT_EQ(samples.at("chstream_events_total"), 7495);
  EXPECT_DOUBLE_EQ(samples.at("chstream_last_byte_age_seconds"), 0.25);
  // Labelled samples of one family are summed.
  EXPECT_EQ(samples.at("chstream_reconnects_total"), 3);
  EXPECT_EQ(samples.count("# HELP chstream_breaker_open"), 0u);
}

TEST(FetchMetricsReaderTest, SkipsMalformedLinesAndKeepsQuotedLabels) {
  const auto samples = ParsePromSamples(
      "no_value\n"
      "bad_value{a=\"b\"} twelve\n"
      "unterminated{a=\"b 1\n"
      "spaced{a=\"x } y\",b=\"q\\\"z\"} 4 1700000000000\n"
      "\n"
      "plain 2.5e3\r\n");
  EXPECT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples.at("spaced"), 4);
  EXPECT_EQ(samples.at("plain"), 2500);
}

TEST(FetchMetricsReaderTest, LastByteAgeAddsTheFileAgeToTheAgeInside) {
  const FetchMetricsReading r = InterpretFetchMetrics(kFetchProm, 1000.0, 1010.0);
  EXPECT_DOUBLE_EQ(r.file_age_seconds, 10);
  ASSERT_TRUE(r.last_byte_age_seconds.has_value());
  EXPECT_DOUBLE_EQ(*r.last_byte_age_seconds, 10.25);
  EXPECT_EQ(r.connected, std::optional<bool>(true));
  EXPECT_EQ(r.breaker_open, std::optional<bool>(false));
  EXPECT_EQ(r.consecutive_failures, std::optional<int64_t>(0));
  EXPECT_EQ(r.events_total, std::optional<double>(7495));
  EXPECT_EQ(r.last_event_timepoint, std::optional<int64_t>(68917765));
}

TEST(FetchMetricsReaderTest, ReadsHowLongTheStreamHasBeenDownAndWhy) {
  const std::string text =
      std::string(kFetchProm) +
      "chstream_disconnected_seconds{program=\"ch-fetch\",stream=\"companies\"} 40.5\n"
      "chstream_last_attempt{program=\"ch-fetch\",stream=\"companies\",reason=\"rate-limited\"} 1\n"
      "chstream_last_http_status{program=\"ch-fetch\",stream=\"companies\"} 429\n";
  const FetchMetricsReading r = InterpretFetchMetrics(text, 1000.0, 1002.0);
  EXPECT_EQ(r.disconnected_seconds, std::optional<double>(42.5));
  EXPECT_EQ(r.last_attempt, std::optional<std::string>("rate-limited"));
  EXPECT_EQ(r.last_http_status, std::optional<int64_t>(429));
  const FetchMetricsReading old = InterpretFetchMetrics(kFetchProm, 1000.0, 1002.0);
  EXPECT_FALSE(old.disconnected_seconds.has_value());
  EXPECT_FALSE(old.last_attempt.has_value());
}

TEST(FetchMetricsReaderTest, FindsALabelOfASample) {
  const std::string text =
      "chstream_last_attempt_total{reason=\"no\"} 1\n"
      "chstream_last_attempt{program=\"ch-fetch\",stream=\"companies\",reason=\"tls-\\\"x\\\"\","
      "detail=\"expired\"} 1\n";
  EXPECT_EQ(FindPromLabel(text, "chstream_last_attempt", "program"),
            std::optional<std::string>("ch-fetch"));
  EXPECT_EQ(FindPromLabel(text, "chstream_last_attempt", "reason"),
            std::optional<std::string>("tls-\"x\""));
  EXPECT_EQ(FindPromLabel(text, "chstream_last_attempt", "detail"),
            std::optional<std::string>("expired"));
  const FetchMetricsReading r = InterpretFetchMetrics(text, 5, 5);
  EXPECT_EQ(r.last_attempt_detail, std::optional<std::string>("expired"));
  EXPECT_FALSE(FindPromLabel(text, "chstream_last_attempt", "other").has_value());
  EXPECT_FALSE(FindPromLabel(text, "chstream_missing", "reason").has_value());
}

TEST(FetchMetricsReaderTest, FileFromTheFutureHasAgeZero) {
  const FetchMetricsReading r = InterpretFetchMetrics(kFetchProm, 1010.0, 1000.0);
  EXPECT_EQ(r.file_age_seconds, 0);
  EXPECT_DOUBLE_EQ(*r.last_byte_age_seconds, 0.25);
}

TEST(FetchMetricsReaderTest, MissingMetricsStayUnset) {
  const FetchMetricsReading r = InterpretFetchMetrics(
      "chstream_connected{program=\"ch-fetch\",stream=\"companies\"} 0\n", 5, 5);
  EXPECT_EQ(r.connected, std::optional<bool>(false));
  EXPECT_FALSE(r.breaker_open.has_value());
  EXPECT_FALSE(r.last_byte_age_seconds.has_value());
  EXPECT_FALSE(r.events_total.has_value());
}

TEST(FetchMetricsReaderTest, EventsPerMinuteBetweenTwoWrites) {
  FetchMetricsReading a;
  a.written_at = 100;
  a.events_total = 1000;
  FetchMetricsReading b;
  b.written_at = 102;
  b.events_total = 1100;
  EXPECT_EQ(EventsPerMinute(a, b), std::optional<double>(3000));
  // Restarted ch-fetch: the counter went back.
  b.events_total = 10;
  EXPECT_FALSE(EventsPerMinute(a, b).has_value());
  b.events_total = 1100;
  b.written_at = 100;
  EXPECT_FALSE(EventsPerMinute(a, b).has_value());
  b.written_at = 102;
  a.events_total.reset();
  EXPECT_FALSE(EventsPerMinute(a, b).has_value());
}

// A stage stopped while blocked stops rewriting its file: its wait goes on
// in the file's age, and so does the age of its heartbeat.
TEST(FetchMetricsReaderTest, StageReadingCountsTheFilesAge) {
  const std::string blocked =
      "chstream_output_blocked_seconds{program=\"ch-parse\",stream=\"filings\"} 12\n";
  StageReading r = InterpretStageMetrics(blocked, 1000, 1030);
  EXPECT_EQ(r.file_age_seconds, 30);
  EXPECT_EQ(r.output_blocked_seconds, 42.0);
  r = InterpretStageMetrics("chstream_output_blocked_seconds 0\n", 1000, 1030);
  EXPECT_EQ(r.output_blocked_seconds, 0.0);
  EXPECT_EQ(r.file_age_seconds, 30);
  r = InterpretStageMetrics("chstream_lines_total 3\n", 1000, 999);
  EXPECT_FALSE(r.output_blocked_seconds.has_value());
  EXPECT_EQ(r.file_age_seconds, 0);  // a clock step back is not a negative age
  TempDir dir;
  const std::string path = dir.File("ch-parse-filings.prom");
  WriteFile(path, blocked);
  const std::string metrics_dir = path.substr(0, path.rfind('/'));
  const std::optional<StageReading> read = ReadStageMetrics(metrics_dir, "ch-parse", "filings");
  ASSERT_TRUE(read.has_value());
  ASSERT_TRUE(read->output_blocked_seconds.has_value());
  EXPECT_GE(*read->output_blocked_seconds, 12.0);
  EXPECT_LT(read->file_age_seconds, 5.0);
  EXPECT_FALSE(ReadStageMetrics(metrics_dir, "ch-store", "filings").has_value());
}

// Each stream's ch-fetch writes its own file; companies keeps ch-fetch.prom.
TEST(FetchMetricsReaderTest, ReadsTheFileOfTheStreamAsked) {
  TempDir dir;
  const std::string path = dir.File("ch-fetch-filings.prom");
  const std::string dir_path = path.substr(0, path.rfind('/'));
  WriteFile(path, kFetchProm);
  StatusOr<std::optional<FetchMetricsReading>> filings = ReadFetchMetrics(dir_path, "filings");
  ASSERT_TRUE(filings.ok()) << filings.status().ToString();
  EXPECT_TRUE(filings->has_value());
  StatusOr<std::optional<FetchMetricsReading>> companies = ReadFetchMetrics(dir_path);
  ASSERT_TRUE(companies.ok());
  EXPECT_FALSE(companies->has_value());
}

TEST(FetchMetricsReaderTest, ReadsTheFileWithItsMtime) {
  TempDir dir;
  const std::string path = dir.File(kFetchMetricsFile);
  const std::string dir_path = path.substr(0, path.rfind('/'));
  StatusOr<std::optional<FetchMetricsReading>> none = ReadFetchMetrics(dir_path);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  WriteFile(path, kFetchProm);
  SetMtime(path, 100);
  StatusOr<std::optional<FetchMetricsReading>> r = ReadFetchMetrics(dir_path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_NEAR((*r)->file_age_seconds, 100, 2);
  EXPECT_NEAR(*(*r)->last_byte_age_seconds, 100.25, 2);
  EXPECT_GT((*r)->file_age_seconds, kFetchMetricsStaleSeconds);
}

TEST(FetchMetricsReaderTest, UnreadableFileIsAnError) {
  TempDir dir;
  const std::string path = dir.File(kFetchMetricsFile);
  const std::string dir_path = path.substr(0, path.rfind('/'));
  // A directory where the file should be: open succeeds, read fails.
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0);
  StatusOr<std::optional<FetchMetricsReading>> r = ReadFetchMetrics(dir_path);
  EXPECT_FALSE(r.ok());
  rmdir(path.c_str());
}

TEST(FetchMetricsReaderTest, RateWaitsForTheNextRewrite) {
  TempDir dir;
  const std::string path = dir.File(kFetchMetricsFile);
  const std::string dir_path = path.substr(0, path.rfind('/'));
  WriteFile(path, "chstream_events_total{program=\"ch-fetch\",stream=\"companies\"} 100\n");
  SetMtime(path, 1);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::string tmp = path + ".tmp";
    WriteFile(tmp, "chstream_events_total{program=\"ch-fetch\",stream=\"companies\"} 160\n");
    std::rename(tmp.c_str(), path.c_str());
  });
  std::optional<double> rate;
  StatusOr<std::optional<FetchMetricsReading>> r =
      ReadFetchMetricsWithRate(dir_path, "companies", 3, &rate);
  writer.join();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->events_total, std::optional<double>(160));
  ASSERT_TRUE(rate.has_value());
  // 60 events in about 1.3 s.
  EXPECT_GT(*rate, 60.0 / 2.5 * 60);
  EXPECT_LT(*rate, 60.0 / 1.1 * 60);
}

TEST(FetchMetricsReaderTest, NoRateFromAStaleOrUnchangedFile) {
  TempDir dir;
  const std::string path = dir.File(kFetchMetricsFile);
  const std::string dir_path = path.substr(0, path.rfind('/'));
  WriteFile(path, kFetchProm);
  SetMtime(path, 60);
  std::optional<double> rate = 1;
  StatusOr<std::optional<FetchMetricsReading>> r =
      ReadFetchMetricsWithRate(dir_path, "companies", 3, &rate);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
  EXPECT_FALSE(rate.has_value());

  SetMtime(path, 0);
  r = ReadFetchMetricsWithRate(dir_path, "companies", 0.2, &rate);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(rate.has_value());
}

}  // namespace
}  // namespace ch
