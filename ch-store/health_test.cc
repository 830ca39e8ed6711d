#include "ch-store/health.h"

#include <gtest/gtest.h>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::GapLine;
using testing_records::RejectLine;
using testing_records::StoreFixture;
using testing_records::Stream;

HealthInputs Migrated() {
  HealthInputs in;
  in.stream = "companies";
  in.database_exists = true;
  in.schema_version = 2;
  in.schema_version_latest = 2;
  return in;
}

TEST(HealthTest, MigratedDatabaseWithoutOpenGapsIsHealthy) {
  const HealthReport r = EvaluateHealth(Migrated());
  EXPECT_TRUE(r.healthy);
  EXPECT_TRUE(r.problems.empty());
}

TEST(HealthTest, OpenGapMakesItUnhealthy) {
  HealthInputs in = Migrated();
  in.gaps_open = 1;
  const HealthReport r = EvaluateHealth(in);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.problems, std::vector<std::string>{"companies: gap open"});
}

TEST(HealthTest, MissingOrUnmigratedDatabaseIsUnhealthy) {
  HealthInputs in;
  in.schema_version_latest = 2;
  EXPECT_EQ(EvaluateHealth(in).problems, std::vector<std::string>{"database missing or empty"});
  in.database_exists = true;
  EXPECT_EQ(EvaluateHealth(in).problems, std::vector<std::string>{"database not migrated"});
  in.schema_version = 1;
  EXPECT_FALSE(EvaluateHealth(in).healthy);
}

TEST(HealthTest, CommitAgeCountsOnlyWhenAMaximumIsSet) {
  HealthInputs in = Migrated();
  in.last_commit_age_seconds = 600;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.max_commit_age_seconds = 300;
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"companies: last commit too old"});
  in.last_commit_age_seconds = 10;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.last_commit_age_seconds.reset();
  EXPECT_EQ(EvaluateHealth(in).problems, std::vector<std::string>{"companies: no commit yet"});
}

TEST(HealthTest, FormatsOneObjectWithEveryField) {
  HealthInputs in = Migrated();
  in.checkpoint = 68805561;
  in.last_event_published_at = "2023-11-04T14:33:29Z";
  in.last_commit_at = "2026-01-01T00:00:00Z";
  in.last_commit_age_seconds = 12.7;
  in.companies = 3;
  in.status_changes = 4;
  in.rejects = 5;
  in.gaps_open = 1;
  in.gaps_total = 2;
  EXPECT_EQ(
      FormatStatusJson(in, EvaluateHealth(in)),
      "{\"stream\":\"companies\",\"checkpoint\":68805561,\"last_event_published_at\":"
      "\"2023-11-04T14:33:29Z\",\"last_commit_at\":\"2026-01-01T00:00:00Z\",\"last_commit_age_"
      "seconds\":12,"
      "\"last_snapshot_as_of\":null,\"companies\":3,\"companies_deleted\":0,\"status_changes\":4,"
      "\"rejects\":5,\"gaps_open\":1,\"gaps_total\":2,\"lag_seconds\":null,\"connected\":null,"
      "\"breaker_open\":null,\"consecutive_failures\":null,\"last_byte_age_seconds\":null,"
      "\"disconnected_seconds\":null,\"last_attempt\":null,\"last_http_status\":null,"
      "\"events_per_minute\":null,\"fetch_metrics_age_seconds\":null,\"psc_snapshot\":null,"
      "\"bulk_import\":null,\"wal_bytes\":null,"
      "\"wal_checkpoint_due_seconds\":null,\"schema_version\":2,"
      "\"schema_version_latest\":2,\"streams\":{\"companies\":{\"checkpoint\":68805561,"
      "\"last_event_published_at\":\"2023-11-04T14:33:29Z\",\"last_commit_at\":"
      "\"2026-01-01T00:00:00Z\",\"last_commit_age_seconds\":12,\"gaps_open\":1,"
      "\"chain_stopped\":null,\"connected\":null,\"last_byte_age_seconds\":null,"
      "\"disconnected_seconds\":null,\"last_attempt\":null,\"last_http_status\":null,"
      "\"fetch_metrics_age_seconds\":null,\"stages\":{\"ch-fetch\":null,"
      "\"ch-parse\":null,\"ch-store\":null},\"healthy\":false,\"problems\":[\"gap open\"]}},"
      "\"healthy\":false,\"problems\":[\"companies: gap open\"]}");
  HealthInputs empty;
  empty.stream = "companies";
  EXPECT_NE(FormatStatusJson(empty, EvaluateHealth(empty)).find("\"checkpoint\":null"),
            std::string::npos);
}

FetchMetricsReading Fetch(double file_age, double last_byte_age) {
  FetchMetricsReading r;
  r.file_age_seconds = file_age;
  r.last_byte_age_seconds = last_byte_age;
  r.connected = true;
  r.breaker_open = false;
  r.consecutive_failures = 0;
  return r;
}

TEST(HealthTest, FetchIsJudgedOnlyWithAMetricsDirectory) {
  HealthInputs in = Migrated();
  in.fetch = Fetch(500, 900);
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.fetch_metrics_expected = true;
  EXPECT_FALSE(EvaluateHealth(in).healthy);
}

TEST(HealthTest, MissingOrStaleFetchMetricsMeanFetchIsNotRunning) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  HealthReport r = EvaluateHealth(in);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].rfind("companies: ch-fetch not running", 0), 0u) << r.problems[0];
  in.fetch = Fetch(kFetchMetricsStaleSeconds + 1, 5);
  r = EvaluateHealth(in);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0],
            "companies: ch-fetch not running (ch-fetch.prom not rewritten for 31 s)");
  in.fetch = Fetch(1, 5);
  EXPECT_TRUE(EvaluateHealth(in).healthy);
}

TEST(HealthTest, SilenceLongerThanTheMaximumIsUnhealthy) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.max_silence_seconds = 180;
  in.fetch = Fetch(1, 180);
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.fetch = Fetch(1, 181.5);
  EXPECT_EQ(
      EvaluateHealth(in).problems,
      std::vector<std::string>{"companies: stream silent for 181 s (more than --max-silence)"});
  // Connected or not, and the breaker, are reported, not judged: silence is.
  in.fetch = Fetch(1, 2);
  in.fetch->connected = false;
  in.fetch->breaker_open = true;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  // A file without the age says nothing about silence.
  in.fetch->last_byte_age_seconds.reset();
  EXPECT_TRUE(EvaluateHealth(in).healthy);
}

// The outage the issue found: every connection answered 429 (or 503), each
// answer a few bytes, so the silence never grew; now only the stream's
// bytes count, and a stream that has not been open for longer than
// --max-silence is a problem whatever the server answered.
TEST(HealthTest, AStreamNotConnectedForLongerThanTheMaximumIsUnhealthy) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.max_silence_seconds = 180;
  in.fetch = Fetch(1, 200);
  in.fetch->connected = false;
  in.fetch->disconnected_seconds = 181.5;
  in.fetch->last_attempt = "rate-limited";
  in.fetch->last_http_status = 429;
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{
                "companies: stream not connected for 181 s (more than --max-silence; "
                "last attempt: rate-limited, HTTP 429)"});
  in.fetch->last_attempt = "first-byte-timeout";
  in.fetch->last_http_status = 0;
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{
                "companies: stream not connected for 181 s (more than --max-silence; "
                "last attempt: first-byte-timeout)"});
  // Down for less than the maximum, after a long quiet stream: silent.
  in.fetch->disconnected_seconds = 3;
  EXPECT_EQ(
      EvaluateHealth(in).problems,
      std::vector<std::string>{"companies: stream silent for 200 s (more than --max-silence)"});
  in.fetch->last_byte_age_seconds = 3;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  // Without the gauge (an older ch-fetch), the silence stands in for it.
  in.fetch->disconnected_seconds.reset();
  in.fetch->last_byte_age_seconds = 190;
  in.fetch->last_attempt.reset();
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{
                "companies: stream not connected for 190 s (more than --max-silence)"});
}

TEST(HealthTest, ATlsFailureIsNamedAtOnce) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.fetch = Fetch(1, 2);
  in.fetch->connected = false;
  in.fetch->disconnected_seconds = 2;
  in.fetch->last_attempt = "tls-certificate";
  in.fetch->last_http_status = 0;
  const struct {
    const char* detail;
    const char* problem;
  } cases[] = {
      {"certificate-expired", "TLS: certificate verification failed (the certificate has expired)"},
      {"host-name-mismatch",
       "TLS: certificate verification failed (the certificate does not match the host name)"},
      {"untrusted-issuer",
       "TLS: certificate verification failed (the issuer is not trusted: check CH_CACERT)"},
      {"", "TLS: certificate verification failed (see ch-fetch's log)"},
  };
  for (const auto& c : cases) {
    in.fetch->last_attempt_detail = c.detail;
    EXPECT_EQ(EvaluateHealth(in).problems,
              std::vector<std::string>{std::string("companies: ") + c.problem});
  }
  in.fetch->last_attempt = "tls-error";
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{
                "companies: TLS: connection failed (handshake or CA bundle: see ch-fetch's log)"});
  // Once connected again, it is history.
  in.fetch->connected = true;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
}

TEST(HealthTest, WaitingForTheKeyFileIsNamedAtOnce) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.fetch = Fetch(1, 2);
  in.fetch->connected = false;
  in.fetch->disconnected_seconds = 2;
  in.fetch->last_attempt = "key-file-unreadable";
  EXPECT_EQ(
      EvaluateHealth(in).problems,
      std::vector<std::string>{
          "companies: no stream key: ch-fetch is waiting for CH_STREAM_KEY_FILE to be readable"});
}

TEST(HealthTest, StaleCommitAgeStillNeedsAMaximumWithFetchMetrics) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.fetch = Fetch(1, 2);
  in.last_commit_age_seconds = 3600;  // a quiet night: heartbeats only
  EXPECT_TRUE(EvaluateHealth(in).healthy);
}

TEST(HealthTest, FormatsTheFetchFields) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.fetch = Fetch(1.5, 2.9);
  in.fetch->breaker_open = true;
  in.fetch->consecutive_failures = 6;
  in.fetch->disconnected_seconds = 0;
  in.fetch->last_attempt = "server-error";
  in.fetch->last_http_status = 503;
  in.events_per_minute = 1234.56;
  in.lag_seconds = 42.9;
  const std::string json = FormatStatusJson(in, EvaluateHealth(in));
  EXPECT_NE(
      json.find(
          "\"lag_seconds\":42,\"connected\":true,\"breaker_open\":true,\"consecutive_failures\":6,"
          "\"last_byte_age_seconds\":2,\"disconnected_seconds\":0,\"last_attempt\":\"server-"
          "error\","
          "\"last_http_status\":503,\"events_per_minute\":1234.6,\"fetch_metrics_age_seconds\":1,"),
      std::string::npos)
      << json;
}

StreamHealth Followed(const std::string& name) {
  StreamHealth s;
  s.stream = name;
  s.checkpoint = 1;
  return s;
}

// Healthy only when every followed stream is; each problem names its
// stream; the top-level fields stay those of --stream.
TEST(HealthTest, JudgesEveryFollowedStreamAndNamesEachProblem) {
  HealthInputs in = Migrated();
  in.checkpoint = 10;
  in.streams = {Followed("companies"), Followed("filings"), Followed("officers")};
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.streams[1].gaps_open = 1;
  in.streams[2].chain_stopped = ChainStopped{78, "ch-fetch", "2026-01-02T03:04:05Z"};
  const HealthReport r = EvaluateHealth(in);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.problems, (std::vector<std::string>{
                            "filings: gap open",
                            "officers: chain stopped (ch-fetch exited 78 at 2026-01-02T03:04:05Z): "
                            "pipeline.sh does not restart it; see its log"}));
  const std::string json = FormatStatusJson(in, r);
  EXPECT_EQ(json.find("{\"stream\":\"companies\",\"checkpoint\":10,"), 0u) << json;
  EXPECT_NE(json.find("\"filings\":{\"checkpoint\":1,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"chain_stopped\":{\"code\":78,\"stage\":\"ch-fetch\",\"time\":"
                      "\"2026-01-02T03:04:05Z\"}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"gaps_open\":1,\"chain_stopped\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"companies\":{\"checkpoint\":1,"), std::string::npos) << json;
}

// With a metrics directory, each stream's ch-fetch is judged from its own
// file, named in the problem.
TEST(HealthTest, JudgesEachStreamsFetchFromItsOwnFile) {
  HealthInputs in = Migrated();
  in.fetch_metrics_expected = true;
  in.streams = {Followed("companies"), Followed("insolvency-cases")};
  for (StreamHealth& s : in.streams) s.fetch_metrics_expected = true;
  in.streams[0].fetch = Fetch(1, 2);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"insolvency-cases: ch-fetch not running (no "
                                     "ch-fetch-insolvency-cases.prom in the metrics directory)"});
  in.streams[1].fetch = Fetch(1, 200);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{
                "insolvency-cases: stream silent for 200 s (more than --max-silence)"});
}

StageReading Stage(double file_age, double blocked) {
  StageReading r;
  r.file_age_seconds = file_age;
  r.output_blocked_seconds = blocked;
  return r;
}

// Issue 16, "name the right stage": a stopped or hung ch-store blocks
// ch-parse's output, and ch-parse then blocks ch-fetch's; both keep their
// files fresh while they wait. The stage named is the reader of the last
// blocked output, not "ch-fetch not running".
TEST(HealthTest, NamesTheStageThatMakesNoProgress) {
  HealthInputs in = Migrated();
  in.watchdog_seconds = 120;
  in.streams = {Followed("filings")};
  StreamHealth& s = in.streams[0];
  s.fetch_metrics_expected = true;
  s.fetch = Fetch(1, 300);  // it reads nothing while blocked: not "silent"
  s.stages[0] = Stage(1, 130);
  s.stages[1] = Stage(1, 125);
  s.stages[2] = Stage(1, 0);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"filings: ch-store not making progress for 125 s (ch-fetch "
                                     "and ch-parse blocked on output; more than --watchdog)"});
  // Stopped (SIGSTOP): its heartbeat stops too, and the longer time counts.
  s.stages[2] = Stage(140, 0);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"filings: ch-store not making progress for 140 s "
                                     "(ch-store-filings.prom not rewritten; ch-fetch and ch-parse "
                                     "blocked on output; more than --watchdog)"});
  // ch-parse itself stuck: ch-fetch waits for it, ch-store idles.
  s.stages[1] = Stage(1, 0);
  s.stages[2] = Stage(1, 0);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"filings: ch-parse not making progress for 130 s (ch-fetch "
                                     "blocked on output; more than --watchdog)"});
  // The notifier does not read ch-store's output.
  s.fetch = Fetch(1, 5);
  s.stages[0] = Stage(1, 0);
  s.stages[2] = Stage(1, 200);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"filings: the notifier (CH_NOTIFY) not making progress for "
                                     "200 s (ch-store blocked on output; more than --watchdog)"});
}

// Before the pipes fill (a quiet stream) nothing is blocked: a stopped or
// hung stage shows by its heartbeat, its file not rewritten while
// ch-fetch's is.
TEST(HealthTest, NamesAStageWhoseHeartbeatStopped) {
  HealthInputs in = Migrated();
  in.watchdog_seconds = 120;
  in.streams = {Followed("companies")};
  StreamHealth& s = in.streams[0];
  s.fetch_metrics_expected = true;
  s.fetch = Fetch(1, 5);
  s.stages[0] = Stage(1, 0);
  s.stages[1] = Stage(2, 0);
  s.stages[2] = Stage(121, 0);
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"companies: ch-store not making progress for 121 s "
                                     "(ch-store.prom not rewritten; more than --watchdog)"});
  s.stages[1] = Stage(150, 0);  // the first silent stage in chain order
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"companies: ch-parse not making progress for 150 s "
                                     "(ch-parse.prom not rewritten; more than --watchdog)"});
  // ch-fetch's file old too: the chain is not running, as before.
  s.fetch = Fetch(kFetchMetricsStaleSeconds + 100, 5);
  s.stages[0] = Stage(kFetchMetricsStaleSeconds + 100, 0);
  const std::vector<std::string> problems = EvaluateHealth(in).problems;
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("companies: ch-fetch not running (ch-fetch.prom not rewritten", 0),
            0u)
      << problems[0];
}

// Within the watchdog time a wait is a pause (a long commit, a writer's
// turn), not a problem; a watchdog of 0 judges nothing; a stage without a
// file (or an older one, without the gauge) is not judged.
TEST(HealthTest, AShortWaitOrNoWatchdogIsNoProblem) {
  HealthInputs in = Migrated();
  in.watchdog_seconds = 120;
  in.streams = {Followed("companies")};
  StreamHealth& s = in.streams[0];
  s.fetch_metrics_expected = true;
  s.fetch = Fetch(1, 5);
  s.stages[0] = Stage(1, 119);
  s.stages[1] = Stage(119, 0);
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  StageReading old_stage;
  old_stage.file_age_seconds = 1;
  s.stages[0] = old_stage;
  s.stages[1].reset();
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.watchdog_seconds = 0;
  s.stages[0] = Stage(1, 1000);
  s.stages[2] = Stage(1000, 0);
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  EXPECT_FALSE(StuckStageProblem(s, 0).has_value());
  // The same stuck chain, judged: not healthy.
  in.watchdog_seconds = 120;
  EXPECT_FALSE(EvaluateHealth(in).healthy);
}

// --max-commit-age: a quiet stream commits rarely; only --stream is judged.
TEST(HealthTest, CommitAgeIsJudgedForTheTopLevelStreamOnly) {
  HealthInputs in = Migrated();
  in.max_commit_age_seconds = 300;
  in.streams = {Followed("companies"), Followed("insolvency-cases")};
  in.streams[0].last_commit_age_seconds = 10;
  in.streams[1].last_commit_age_seconds = 3600;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.streams[0].last_commit_age_seconds = 600;
  EXPECT_EQ(EvaluateHealth(in).problems,
            std::vector<std::string>{"companies: last commit too old"});
}

TEST(HealthTest, ReadsTheFiguresOfTheStream) {
  StoreFixture f;
  f.ApplyAll({Stream(10, "2024-01-02T00:00:00Z", "00000001").Line(),
              Stream(11, "2024-01-03T00:00:00Z", "00000002", "dissolved").Line(), RejectLine("x"),
              GapLine(11)});
  HealthInputs in = Migrated();
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &in).ok());
  EXPECT_EQ(in.checkpoint, 11);
  EXPECT_EQ(in.last_event_published_at, "2024-01-03T00:00:00Z");
  ASSERT_TRUE(in.last_commit_at.has_value());
  ASSERT_TRUE(in.last_commit_age_seconds.has_value());
  EXPECT_LT(*in.last_commit_age_seconds, 60);
  ASSERT_TRUE(in.lag_seconds.has_value());
  EXPECT_GT(*in.lag_seconds, 86400.0 * 365);  // published in 2024
  EXPECT_EQ(in.companies, 2);
  EXPECT_EQ(in.status_changes, 2);
  EXPECT_EQ(in.rejects, 1);
  EXPECT_EQ(in.gaps_open, 1);
  EXPECT_EQ(in.gaps_total, 1);
  HealthInputs other = Migrated();
  other.stream = "filings";
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &other).ok());
  EXPECT_FALSE(other.checkpoint.has_value());
  EXPECT_EQ(other.gaps_open, 0);
}

TEST(HealthTest, AnIncompletePscSnapshotIsAProblemThatSaysWhatWasMissing) {
  HealthInputs in = Migrated();
  in.psc_snapshot.last_complete_as_of = "2026-12-04";
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  EXPECT_NE(
      FormatStatusJson(in, EvaluateHealth(in))
          .find(R"("psc_snapshot":{"last_complete_as_of":"2026-12-04","incomplete_as_of":null,)"
                R"("missing":null,"import_last_commit_age_seconds":null})"),
      std::string::npos);
  in.psc_snapshot.incomplete_as_of = "2026-12-05";
  in.psc_snapshot.incomplete = "pscs 14,500,000 of 15,029,813";
  const HealthReport r = EvaluateHealth(in);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.problems, std::vector<std::string>{
                            "PSC snapshot 2026-12-05 incomplete: pscs 14,500,000 of 15,029,813"});
  EXPECT_NE(FormatStatusJson(in, r).find(
                R"("psc_snapshot":{"last_complete_as_of":"2026-12-04","incomplete_as_of":)"
                R"("2026-12-05","missing":"pscs 14,500,000 of 15,029,813",)"
                R"("import_last_commit_age_seconds":null})"),
            std::string::npos);
}

// An import without its totals line yet is running while it commits within
// --watchdog (120 s when that is 0), and a problem once it does not: killed,
// or stopped by a full disk, where nothing could record why.
TEST(HealthTest, AnImportWithoutItsTotalsLineIsRunningWhileItCommits) {
  HealthInputs in = Migrated();
  in.psc_snapshot.incomplete_as_of = "2026-12-05";
  in.psc_snapshot.incomplete = "no totals line yet after 700 of its lines (...)";
  in.psc_snapshot.running_age_seconds = 3;
  in.watchdog_seconds = 10;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  EXPECT_NE(FormatStatusJson(in, EvaluateHealth(in)).find(R"("import_last_commit_age_seconds":3})"),
            std::string::npos);
  in.psc_snapshot.running_age_seconds = 10.5;
  HealthReport r = EvaluateHealth(in);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.problems, std::vector<std::string>{
                            "PSC snapshot 2026-12-05 incomplete: no totals line yet after 700 of "
                            "its lines (...); nothing committed for 10 s (more than --watchdog)"});
  in.watchdog_seconds = 0;
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  in.psc_snapshot.running_age_seconds = 121;
  EXPECT_FALSE(EvaluateHealth(in).healthy);
}

TEST(HealthTest, ReadsThePscSnapshotWhateverTheStream) {
  StoreFixture f;
  HealthInputs in = Migrated();
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &in).ok());
  EXPECT_FALSE(in.psc_snapshot.last_complete_as_of.has_value());
  EXPECT_FALSE(in.psc_snapshot.incomplete_as_of.has_value());
  f.Apply(R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
          R"("as_of":"2026-12-05","rows":1,"expected":null,)"
          R"("received":{"pscs":1,"statements":0,"exemptions":0,"other":0,"rejects":0}}})");
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &in).ok());  // stream "companies"
  EXPECT_FALSE(in.psc_snapshot.last_complete_as_of.has_value());
  EXPECT_EQ(in.psc_snapshot.incomplete_as_of, "2026-12-05");
  EXPECT_EQ(in.psc_snapshot.incomplete,
            "totals line missing (received pscs 1, statements 0, exemptions 0)");
  EXPECT_FALSE(in.psc_snapshot.running_age_seconds.has_value());
  // An import that committed a moment ago, without its totals line yet.
  ASSERT_TRUE(f.db()
                  .Exec("UPDATE stream_state SET snapshot_running_at ="
                        " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 seconds')")
                  .ok());
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &in).ok());
  ASSERT_TRUE(in.psc_snapshot.running_age_seconds.has_value());
  EXPECT_GE(*in.psc_snapshot.running_age_seconds, 4);
  EXPECT_LT(*in.psc_snapshot.running_age_seconds, 60);
  // A database older than migration 6 has no such columns, and no problem.
  ASSERT_TRUE(f.db().Exec("ALTER TABLE stream_state DROP COLUMN snapshot_incomplete").ok());
  HealthInputs old = Migrated();
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &old).ok());
  EXPECT_FALSE(old.psc_snapshot.incomplete_as_of.has_value());
}

// The company bulk file alike: an import stopped half-way (killed, a full
// disk) is a problem for every --stream, once it no longer commits.
TEST(HealthTest, ACompanyBulkImportStoppedHalfWayIsAProblem) {
  HealthInputs in = Migrated();
  in.stream = "filings";
  in.company_bulk.last_complete_as_of = "2026-11-01";
  EXPECT_TRUE(EvaluateHealth(in).healthy);
  EXPECT_NE(FormatStatusJson(in, EvaluateHealth(in))
                .find(R"("bulk_import":{"last_complete_as_of":"2026-11-01","incomplete_as_of":)"
                      R"(null,"missing":null,"import_last_commit_age_seconds":null})"),
            std::string::npos);
  in.company_bulk.incomplete_as_of = "2026-12-01";
  in.company_bulk.incomplete = "no snapshot_end yet after 5000 of its rows (...)";
  in.company_bulk.running_age_seconds = 30;
  EXPECT_TRUE(EvaluateHealth(in).healthy);  // running: committed within 120 s
  in.company_bulk.running_age_seconds = 300;
  const HealthReport r = EvaluateHealth(in);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.problems, std::vector<std::string>{
                            "company bulk import 2026-12-01 incomplete: no snapshot_end yet after "
                            "5000 of its rows (...); nothing committed for 300 s (more than "
                            "--watchdog)"});
  EXPECT_NE(FormatStatusJson(in, r).find(R"x("incomplete_as_of":"2026-12-01","missing":"no )x"
                                         R"x(snapshot_end yet after 5000 of its rows (...)",)x"
                                         R"x("import_last_commit_age_seconds":300})x"),
            std::string::npos);
}

TEST(HealthTest, ReadsTheCompanyBulkImportFromTheCompaniesRow) {
  StoreFixture f;
  HealthInputs in = Migrated();
  in.stream = "officers";
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &in).ok());
  EXPECT_FALSE(in.company_bulk.last_complete_as_of.has_value());
  ASSERT_TRUE(f.db()
                  .Exec("INSERT INTO stream_state(stream, last_snapshot_as_of,"
                        " snapshot_incomplete_as_of, snapshot_incomplete, snapshot_running_at)"
                        " VALUES('companies', '2026-11-01', '2026-12-01', 'cut off',"
                        " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 seconds'))")
                  .ok());
  ASSERT_TRUE(ReadHealthInputs(&f.db(), &in).ok());
  EXPECT_EQ(in.company_bulk.last_complete_as_of, "2026-11-01");
  EXPECT_EQ(in.company_bulk.incomplete_as_of, "2026-12-01");
  EXPECT_EQ(in.company_bulk.incomplete, "cut off");
  ASSERT_TRUE(in.company_bulk.running_age_seconds.has_value());
  EXPECT_GE(*in.company_bulk.running_age_seconds, 4);
  EXPECT_FALSE(in.psc_snapshot.incomplete_as_of.has_value());
}

}  // namespace
}  // namespace ch
