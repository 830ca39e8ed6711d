#include "ch-fetch/fetcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/signals.h"
#include "common/timepoint_jump.h"

namespace ch {
namespace {

using End = ConnectionResult::End;
using Script = std::function<ConnectionResult(const ConnectionRequest&, StreamSink*)>;

// Plays one scripted connection per call, records the requests, and asks
// the fetcher to stop once the script is exhausted.
class FakeConnector : public Connector {
 public:
  ConnectionResult Connect(const ConnectionRequest& request, StreamSink* sink) override {
    requests.push_back(request);
    if (next_ >= scripts.size()) {
      RequestStop(SIGTERM);
      ConnectionResult r;
      r.end = End::kStopped;
      return r;
    }
    return scripts[next_++](request, sink);
  }
  std::vector<Script> scripts;
  std::vector<ConnectionRequest> requests;

 private:
  size_t next_ = 0;
};

// A clock that only moves when slept on.
class FakeWaiter : public Waiter {
 public:
  double Now() override { return now; }
  bool Sleep(double seconds) override {
    now += seconds;
    slept += seconds;
    if (on_sleep) on_sleep();
    return true;
  }
  double now = 1000;
  double slept = 0;
  std::function<void()> on_sleep;
};

std::string Event(int64_t timepoint) {
  return "{\"resource_kind\":\"company-profile\",\"data\":{\"company_number\":\"01234567\"},"
         "\"event\":{\"timepoint\":" +
         std::to_string(timepoint) + ",\"type\":\"changed\"}}";
}

// A 200 stream that delivers `lines` then ends as `end`.
Script Stream(std::vector<std::string> lines, End end, double duration = 1) {
  return [lines = std::move(lines), end, duration](const ConnectionRequest&, StreamSink* sink) {
    ConnectionResult r;
    r.http_status = 200;
    r.stream_started = true;
    r.duration = duration;
    r.end = end;
    if (!sink->OnStreamStart()) {
      r.end = End::kSinkFailed;
      return r;
    }
    for (const auto& line : lines) {
      sink->OnBytes(line.size() + 1);
      if (!sink->OnEventLine(line)) {
        r.end = End::kSinkFailed;
        return r;
      }
      ++r.lines;
    }
    if (!sink->OnDrained()) r.end = End::kSinkFailed;
    return r;
  };
}

Script HttpStatus(long code, std::optional<std::string> retry_after = std::nullopt) {
  return [code, retry_after = std::move(retry_after)](const ConnectionRequest&, StreamSink*) {
    ConnectionResult r;
    r.end = End::kHttpStatus;
    r.http_status = code;
    r.retry_after = retry_after;
    return r;
  };
}

Script NetworkError() {
  return [](const ConnectionRequest&, StreamSink*) {
    ConnectionResult r;
    r.end = End::kNetworkError;
    r.error = "Connection refused";
    return r;
  };
}

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ResetStopForTest();
    SetLogLevel(LogLevel::kError);  // one line per attempt would drown the test output
    options_.url = "http://127.0.0.1:9";
    options_.backoff_initial = 1;
    options_.backoff_max = 10;
    options_.breaker_threshold = 100;
    key_source_.key = "the-key";
    out_fd_ = fileno(tmpfile_ = std::tmpfile());
  }
  void TearDown() override {
    std::fclose(tmpfile_);
    ResetStopForTest();
    SetLogLevel(LogLevel::kInfo);
  }

  Status Run() {
    OutputWriter out(out_fd_);
    ReconnectPolicy policy(options_.backoff_initial, options_.backoff_max,
                           options_.breaker_threshold, [] { return 0.0; });
    FetchMetrics metrics(metrics_dir_);
    std::string key = initial_key_ ? *initial_key_ : LoadStreamKey(key_source_).value();
    fetcher_ = std::make_unique<Fetcher>(options_, key_source_, std::move(key), &connector_,
                                         &policy, &waiter_, &out, out_fd_, &metrics);
    Status s = fetcher_->Run();
    fetcher_.reset();
    return s;
  }

  std::vector<std::string> Output() {
    std::vector<std::string> lines;
    lseek(out_fd_, 0, SEEK_SET);
    std::string all;
    char buf[4096];
    ssize_t n;
    while ((n = read(out_fd_, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    std::istringstream in(all);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::vector<std::string> Urls() {
    std::vector<std::string> urls;
    for (const auto& r : connector_.requests) urls.push_back(r.url);
    return urls;
  }

  // The metrics file Run() wrote last (needs metrics_dir_).
  std::string MetricsText() {
    std::ifstream in(metrics_dir_ + "/ch-fetch.prom");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  FetchOptions options_;
  KeySource key_source_;
  /// The key main() hands over, when not LoadStreamKey's (empty: waited for).
  std::optional<std::string> initial_key_;
  std::string metrics_dir_;
  FakeConnector connector_;
  FakeWaiter waiter_;
  std::FILE* tmpfile_ = nullptr;
  int out_fd_ = -1;
  std::unique_ptr<Fetcher> fetcher_;
};

const std::string kBase = "http://127.0.0.1:9/companies";

std::string CaptureStderr(const std::function<void()>& body);

TEST_F(FetcherTest, ResumesAfterTheLastFlushedTimepoint) {
  options_.timepoint = 100;
  connector_.scripts = {Stream({Event(100), Event(101)}, End::kNetworkError),
                        Stream({Event(102)}, End::kCleanEnd), NetworkError()};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls(), (std::vector<std::string>{kBase + "?timepoint=100", kBase + "?timepoint=102",
                                              kBase + "?timepoint=103", kBase + "?timepoint=103"}));
  EXPECT_EQ(Output(), (std::vector<std::string>{Event(100), Event(101), Event(102)}));
}

TEST_F(FetcherTest, UntilALineArrivesItAsksForTheFirstTimepointAgain) {
  options_.timepoint = 100;
  connector_.scripts = {Stream({}, End::kNetworkError), HttpStatus(503)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls(), (std::vector<std::string>{kBase + "?timepoint=100", kBase + "?timepoint=100",
                                              kBase + "?timepoint=100"}));
}

TEST_F(FetcherTest, TheResumePointMovesOnlyAfterAFlush) {
  options_.timepoint = 10;
  connector_.scripts = {[this](const ConnectionRequest&, StreamSink* sink) {
    ConnectionResult r;
    r.http_status = 200;
    r.stream_started = true;
    r.end = End::kNetworkError;
    EXPECT_TRUE(sink->OnStreamStart());
    EXPECT_TRUE(sink->OnEventLine(Event(10)));
    EXPECT_EQ(fetcher_->NextRequestTimepoint(), 10);  // written, not flushed
    EXPECT_TRUE(sink->OnDrained());
    EXPECT_EQ(fetcher_->NextRequestTimepoint(), 11);
    return r;
  }};
  ASSERT_TRUE(Run().ok());
}

TEST_F(FetcherTest, LinesWithoutATimepointArePassedButDoNotMoveTheResumePoint) {
  options_.timepoint = 5;
  connector_.scripts = {Stream({Event(5), "this is not json{{", R"({"event":{"timepoint":"x"}})"},
                               End::kNetworkError)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls()[1], kBase + "?timepoint=6");
  EXPECT_EQ(Output().size(), 3u);
}

TEST_F(FetcherTest, AnOlderTimepointDoesNotMoveTheResumePointBack) {
  options_.timepoint = 5;
  connector_.scripts = {Stream({Event(5), Event(7), Event(6)}, End::kNetworkError)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls()[1], kBase + "?timepoint=8");
}

TEST_F(FetcherTest, ATimepointFarAheadIsPassedOnButNotResumedAfter) {
  // An independent run: one event at 9e15 made ch-fetch ask for
  // ?timepoint=9000000000000001, and every real event after it was lost.
  options_.timepoint = 50;
  connector_.scripts = {Stream({Event(50), Event(9000000000000000), Event(51)}, End::kNetworkError),
                        Stream({Event(9000000000000000)}, End::kNetworkError)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls(), (std::vector<std::string>{kBase + "?timepoint=50", kBase + "?timepoint=52",
                                              kBase + "?timepoint=52"}));
  EXPECT_EQ(Output().size(), 4u);  // passed on: ch-store stores it as a reject
  // Up to 2^32 past the resume point is trusted.
  EXPECT_TRUE(WithinTimepointJump(50 + (int64_t{1} << 32), 50));
  EXPECT_FALSE(WithinTimepointJump(51 + (int64_t{1} << 32), 50));
}

TEST_F(FetcherTest, StartingLiveEmitsOneStartedLiveGapBeforeAnyEvent) {
  connector_.scripts = {Stream({}, End::kNetworkError), Stream({Event(500)}, End::kNetworkError)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls(), (std::vector<std::string>{kBase, kBase, kBase + "?timepoint=501"}));
  EXPECT_EQ(Output(),
            (std::vector<std::string>{
                R"({"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}})",
                Event(500)}));
}

TEST_F(FetcherTest, NoStartedLiveGapBeforeTheStreamActuallyStarts) {
  connector_.scripts = {HttpStatus(503)};
  ASSERT_TRUE(Run().ok());
  EXPECT_TRUE(Output().empty());
}

TEST_F(FetcherTest, A416EmitsAGapAndContinuesLive) {
  options_.timepoint = 50;
  connector_.scripts = {HttpStatus(416), Stream({Event(900)}, End::kNetworkError)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Urls(),
            (std::vector<std::string>{kBase + "?timepoint=50", kBase, kBase + "?timepoint=901"}));
  EXPECT_EQ(
      Output(),
      (std::vector<std::string>{
          R"({"gap":{"stream":"companies","after_timepoint":49,"reason":"timepoint-out-of-range"}})",
          Event(900)}));
  EXPECT_EQ(waiter_.slept, 0.5);  // no wait before going live; the later network error waits 0.5 s
}

TEST_F(FetcherTest, A416OnAResumeNamesTheLastWrittenTimepoint) {
  options_.timepoint = 50;
  connector_.scripts = {Stream({Event(50), Event(51)}, End::kNetworkError), HttpStatus(416)};
  ASSERT_TRUE(Run().ok());
  const auto out = Output();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(
      out[2],
      R"({"gap":{"stream":"companies","after_timepoint":51,"reason":"timepoint-out-of-range"}})");
}

TEST_F(FetcherTest, OnGapExitStopsWithADataErrorAfterTheGapLine) {
  options_.timepoint = 50;
  options_.on_gap = OnGap::kExit;
  connector_.scripts = {HttpStatus(416), Stream({Event(900)}, End::kNetworkError)};
  Status s = Run();
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(connector_.requests.size(), 1u);
  EXPECT_EQ(Output().size(), 1u);
}

TEST_F(FetcherTest, ARejectedKeyIsAConfigErrorAfterOneRequest) {
  for (long code : {401L, 403L}) {
    connector_ = FakeConnector();
    connector_.scripts = {HttpStatus(code), Stream({Event(1)}, End::kCleanEnd)};
    Status s = Run();
    EXPECT_EQ(s.code(), StatusCode::kConfig);
    EXPECT_NE(s.message().find("CH_STREAM_KEY"), std::string::npos);
    EXPECT_EQ(s.message().find("the-key"), std::string::npos);
    EXPECT_EQ(connector_.requests.size(), 1u);
    EXPECT_EQ(connector_.requests[0].key, "the-key");
  }
}

TEST_F(FetcherTest, A404IsAConfigErrorNamingTheStreamAfterOneRequest) {
  connector_.scripts = {HttpStatus(404), Stream({Event(1)}, End::kCleanEnd)};
  Status s = Run();
  EXPECT_EQ(s.code(), StatusCode::kConfig);
  EXPECT_EQ(s.message().rfind("the service has no stream companies", 0), 0u) << s.message();
  EXPECT_EQ(connector_.requests.size(), 1u);
  EXPECT_TRUE(Output().empty());
}

TEST_F(FetcherTest, AKeyFileRotatedDuringARejectedRequestGetsOneMoreTry) {
  char path[] = "/tmp/ch_fetch_key_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "old-key\n";
  key_source_.file = path;
  connector_.scripts = {[&](const ConnectionRequest&, StreamSink*) {
                          std::ofstream(path, std::ios::trunc) << "new-key\n";
                          ConnectionResult r;
                          r.end = End::kHttpStatus;
                          r.http_status = 401;
                          return r;
                        },
                        HttpStatus(401), HttpStatus(401)};
  Status s = Run();
  unlink(path);
  EXPECT_EQ(s.code(), StatusCode::kConfig);
  ASSERT_EQ(connector_.requests.size(), 2u);
  EXPECT_EQ(connector_.requests[0].key, "old-key");
  EXPECT_EQ(connector_.requests[1].key, "new-key");
}

TEST_F(FetcherTest, TheKeyFileIsReadAgainForEachConnection) {
  char path[] = "/tmp/ch_fetch_key_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "key-one";
  key_source_.file = path;
  connector_.scripts = {[&](const ConnectionRequest&, StreamSink*) {
    std::ofstream(path, std::ios::trunc) << "key-two";
    ConnectionResult r;
    r.end = End::kNetworkError;
    return r;
  }};
  ASSERT_TRUE(Run().ok());
  unlink(path);
  ASSERT_EQ(connector_.requests.size(), 2u);
  EXPECT_EQ(connector_.requests[0].key, "key-one");
  EXPECT_EQ(connector_.requests[1].key, "key-two");
}

TEST_F(FetcherTest, WithoutAKeyTheKeyFileIsWaitedForThenUsed) {
  SetLogLevel(LogLevel::kWarn);
  char dir[] = "/tmp/ch_fetcher_key_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  metrics_dir_ = dir;
  const std::string path = std::string(dir) + "/key";
  key_source_.file = path;  // missing at first
  initial_key_ = "";
  options_.timepoint = 1;
  // Missing for 2 s, then an empty file for 2 s, then the key.
  waiter_.on_sleep = [&] {
    if (waiter_.slept >= 4) {
      std::ofstream(path, std::ios::trunc) << "the-file-key\n";
    } else if (waiter_.slept >= 2) {
      std::ofstream(path, std::ios::trunc) << "";
    }
  };
  std::string metrics_while_waiting;
  connector_.scripts = {[&](const ConnectionRequest&, StreamSink*) {
    ConnectionResult r;
    r.end = End::kNetworkError;
    return r;
  }};
  waiter_.on_sleep = [&, first = waiter_.on_sleep]() mutable {
    if (waiter_.slept <= 1) metrics_while_waiting = MetricsText();
    first();
  };
  const std::string err = CaptureStderr([this] { ASSERT_TRUE(Run().ok()); });
  ASSERT_GE(connector_.requests.size(), 1u);
  EXPECT_EQ(connector_.requests[0].key, "the-file-key");
  EXPECT_DOUBLE_EQ(waiter_.slept - 0.5, 4);  // 4 reads a second apart; 0.5: the backoff after
  // One warn line per reason, not one per read.
  size_t warns = 0;
  for (size_t pos = err.find("no stream key: waiting"); pos != std::string::npos;
       pos = err.find("no stream key: waiting", pos + 1)) {
    ++warns;
  }
  EXPECT_EQ(warns, 2u) << err;
  EXPECT_NE(err.find("No such file or directory"), std::string::npos) << err;
  EXPECT_NE(err.find("is empty"), std::string::npos) << err;
  EXPECT_NE(metrics_while_waiting.find("reason=\"key-file-unreadable\"} 1"), std::string::npos)
      << metrics_while_waiting;
  std::system((std::string("rm -rf ") + dir).c_str());
}

TEST_F(FetcherTest, AStopWhileWaitingForTheKeyIsAPromptCleanExit) {
  key_source_.file = "/nonexistent/ch-key";
  initial_key_ = "";
  waiter_.on_sleep = [] { RequestStop(SIGTERM); };
  ASSERT_TRUE(Run().ok());
  EXPECT_TRUE(connector_.requests.empty());
  EXPECT_LE(waiter_.slept, 1);
}

TEST_F(FetcherTest, A429WaitsExactlyRetryAfterUpToTheCap) {
  options_.timepoint = 1;
  options_.retry_429 = 60;  // the cap: max(--backoff-max 10, --retry-429 60)
  connector_.scripts = {HttpStatus(429, "30"), HttpStatus(429, "60")};
  ASSERT_TRUE(Run().ok());
  EXPECT_DOUBLE_EQ(waiter_.slept, 30 + 60);
}

TEST_F(FetcherTest, ALongerRetryAfterIsCappedAndLogged) {
  SetLogLevel(LogLevel::kWarn);
  options_.timepoint = 1;
  options_.retry_429 = 5;  // the cap: max(--backoff-max 10, --retry-429 5) = 10
  connector_.scripts = {HttpStatus(429, "86400")};
  const std::string err = CaptureStderr([this] { ASSERT_TRUE(Run().ok()); });
  EXPECT_DOUBLE_EQ(waiter_.slept, 10);
  EXPECT_NE(err.find("\"message\":\"Retry-After capped"), std::string::npos) << err;
  EXPECT_NE(err.find("\"requested_s\":86400"), std::string::npos) << err;
  EXPECT_NE(err.find("\"wait_s\":10"), std::string::npos) << err;
}

TEST_F(FetcherTest, A429WithoutRetryAfterWaitsTheConfiguredTime) {
  options_.timepoint = 1;
  options_.retry_429 = 45;
  connector_.scripts = {HttpStatus(429), HttpStatus(429, "not a number")};
  ASSERT_TRUE(Run().ok());
  EXPECT_DOUBLE_EQ(waiter_.slept, 90);
}

// A server that answers, with a body, but not with the stream.
Script ErrorAnswer(long code, uint64_t bytes, std::optional<std::string> retry_after) {
  return [=](const ConnectionRequest&, StreamSink* sink) {
    sink->OnBytes(bytes);
    ConnectionResult r;
    r.end = End::kHttpStatus;
    r.http_status = code;
    r.bytes = bytes;
    r.retry_after = retry_after;
    return r;
  };
}

TEST_F(FetcherTest, OnlyAStreamsBytesCountAgainstSilence) {
  char dir[] = "/tmp/ch_fetcher_metrics_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  metrics_dir_ = dir;
  options_.timepoint = 1;
  options_.retry_429 = 60;
  // A stream (its last byte at t=1000), then 30 s + 30 s of 429 answers
  // with bodies, and a 503 after them: all of it is silence.
  connector_.scripts = {Stream({Event(1)}, End::kNetworkError), ErrorAnswer(429, 500, "30"),
                        ErrorAnswer(429, 500, "30"), ErrorAnswer(503, 800, std::nullopt)};
  ASSERT_TRUE(Run().ok());
  const double end = waiter_.now;
  ASSERT_GT(end - 1000, 60);
  const std::string text = MetricsText();
  char expected[128];
  std::snprintf(expected, sizeof expected,
                "chstream_last_byte_age_seconds{program=\"ch-fetch\",stream=\"companies\"} %g",
                end - 1000);
  EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  std::snprintf(expected, sizeof expected,
                "chstream_disconnected_seconds{program=\"ch-fetch\",stream=\"companies\"} %g",
                end - 1000);
  EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  EXPECT_NE(text.find("chstream_last_attempt{program=\"ch-fetch\",stream=\"companies\",reason="
                      "\"server-error\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chstream_last_http_status{program=\"ch-fetch\",stream=\"companies\"} 503"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chstream_connected{program=\"ch-fetch\",stream=\"companies\"} 0"),
            std::string::npos)
      << text;
  // The error answers' bytes are still counted as bytes received.
  const std::string bytes = std::to_string(Event(1).size() + 1 + 500 + 500 + 800);
  EXPECT_NE(
      text.find("chstream_bytes_total{program=\"ch-fetch\",stream=\"companies\"} " + bytes + "\n"),
      std::string::npos)
      << text;
  std::system((std::string("rm -rf ") + dir).c_str());
}

TEST_F(FetcherTest, FailuresBackOffAndTheBreakerWaitsTheMaximum) {
  options_.timepoint = 1;
  options_.breaker_threshold = 3;
  // With a jitter source of 0, each backoff is its floor, initial/2 = 0.5.
  connector_.scripts = {HttpStatus(503), NetworkError(), HttpStatus(502), HttpStatus(500)};
  ASSERT_TRUE(Run().ok());
  EXPECT_DOUBLE_EQ(waiter_.slept, 0.5 + 0.5 + 10 + 10);
}

TEST_F(FetcherTest, ACleanEndOfAHealthyStreamReconnectsWithoutWaiting) {
  options_.timepoint = 1;
  connector_.scripts = {Stream({Event(1)}, End::kCleanEnd), Stream({}, End::kCleanEnd, 3600)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(waiter_.slept, 0);
  EXPECT_EQ(connector_.requests.size(), 3u);
}

TEST_F(FetcherTest, ACleanEndWithoutProgressBacksOff) {
  // A 200 whose body is HTML, an event seen before, or a line of spaces,
  // then a clean end: no new timepoint, so no reconnection without waiting
  // (an independent run counted 7,848 connections in 6 s).
  options_.timepoint = 10;
  connector_.scripts = {Stream({"<html>maintenance</html>"}, End::kCleanEnd, 0.01),
                        Stream({Event(5)}, End::kCleanEnd, 0.01),
                        Stream({"   "}, End::kCleanEnd, 0.01)};
  ASSERT_TRUE(Run().ok());
  // With a jitter source of 0, each backoff is its floor, initial/2.
  EXPECT_DOUBLE_EQ(waiter_.slept, 0.5 + 0.5 + 0.5);
  EXPECT_EQ(Output().size(), 3u);  // passed on (ch-parse makes them rejects)
}

TEST_F(FetcherTest, AnEmptyStreamThatEndsAtOnceBacksOff) {
  options_.timepoint = 1;
  connector_.scripts = {Stream({}, End::kCleanEnd, 0.01)};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(waiter_.slept, 0.5);
}

TEST_F(FetcherTest, AnOversizedLineIsPassedOnWholeAndMovesNoResumePoint) {
  // DESIGN.md: bad input is never lost. ch-parse (the same cap) makes the
  // line a reject with its first bytes and its length.
  options_.timepoint = 1;
  connector_.scripts = {[](const ConnectionRequest&, StreamSink* sink) {
    ConnectionResult r;
    r.http_status = 200;
    r.stream_started = true;
    r.end = End::kNetworkError;
    EXPECT_TRUE(sink->OnStreamStart());
    EXPECT_TRUE(sink->OnEventLine(Event(1)));
    EXPECT_TRUE(sink->OnOversizedPiece("{\"big\":\""));
    EXPECT_TRUE(sink->OnOversizedPiece("xxxx\",\"event\":{\"timepoint\":9}}"));
    EXPECT_TRUE(sink->OnOversizedLine(37));
    EXPECT_TRUE(sink->OnEventLine(Event(2)));
    EXPECT_TRUE(sink->OnDrained());
    return r;
  }};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(Output(), (std::vector<std::string>{
                          Event(1), "{\"big\":\"xxxx\",\"event\":{\"timepoint\":9}}", Event(2)}));
  EXPECT_EQ(Urls()[1], kBase + "?timepoint=3");
}

TEST_F(FetcherTest, AFailingStdoutIsAnIoError) {
  std::fclose(tmpfile_);
  tmpfile_ = std::fopen("/dev/full", "w");
  ASSERT_NE(tmpfile_, nullptr);
  out_fd_ = fileno(tmpfile_);
  options_.timepoint = 1;
  connector_.scripts = {Stream({Event(1)}, End::kNetworkError),
                        Stream({Event(2)}, End::kNetworkError)};
  EXPECT_EQ(Run().code(), StatusCode::kIoError);
  EXPECT_EQ(connector_.requests.size(), 1u);
}

TEST_F(FetcherTest, AClosedPipeIsNoticedEvenWithoutData) {
  std::fclose(tmpfile_);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  tmpfile_ = fdopen(fds[1], "w");
  out_fd_ = fds[1];
  options_.timepoint = 1;
  connector_.scripts = {HttpStatus(503), HttpStatus(503)};
  EXPECT_EQ(Run().code(), StatusCode::kIoError);
  EXPECT_EQ(connector_.requests.size(), 1u);
}

TEST_F(FetcherTest, AStopDuringAConnectionFlushesAndReturnsOk) {
  options_.timepoint = 1;
  connector_.scripts = {[](const ConnectionRequest&, StreamSink* sink) {
    ConnectionResult r;
    r.http_status = 200;
    r.stream_started = true;
    sink->OnStreamStart();
    sink->OnEventLine(Event(1));
    RequestStop(SIGTERM);
    r.end = End::kStopped;
    return r;
  }};
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(connector_.requests.size(), 1u);
  EXPECT_EQ(Output(), (std::vector<std::string>{Event(1)}));
}

// Runs `body` with stderr going to a temporary file; returns what it wrote.
std::string CaptureStderr(const std::function<void()>& body) {
  std::FILE* capture = std::tmpfile();
  const int saved = dup(2);
  dup2(fileno(capture), 2);
  body();
  dup2(saved, 2);
  close(saved);
  std::string text;
  std::rewind(capture);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, capture)) > 0) text.append(buf, n);
  std::fclose(capture);
  return text;
}

TEST_F(FetcherTest, WarnsAboutPlainHttpOnlyOffLoopback) {
  SetLogLevel(LogLevel::kWarn);
  options_.timepoint = 1;
  options_.url = "http://stream.example.com";
  std::string err = CaptureStderr([this] { ASSERT_TRUE(Run().ok()); });
  EXPECT_NE(err.find("not loopback"), std::string::npos) << err;
  EXPECT_FALSE(connector_.requests[0].no_proxy);
  ResetStopForTest();
  connector_ = FakeConnector();
  options_.url = "http://127.0.0.1:9";
  err = CaptureStderr([this] { ASSERT_TRUE(Run().ok()); });
  EXPECT_EQ(err.find("not loopback"), std::string::npos) << err;
  EXPECT_TRUE(connector_.requests[0].no_proxy);
}

TEST_F(FetcherTest, LogsOneLinePerAttemptWithoutTheKey) {
  SetLogLevel(LogLevel::kInfo);
  options_.timepoint = 7;
  key_source_.key = "very-secret-key-123";
  connector_.scripts = {HttpStatus(503), Stream({Event(7)}, End::kNetworkError)};
  const std::string err = CaptureStderr([this] { ASSERT_TRUE(Run().ok()); });
  size_t lines = 0;
  for (size_t pos = err.find("\"message\":\"connection\""); pos != std::string::npos;
       pos = err.find("\"message\":\"connection\"", pos + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u);  // 503, the stream, the stopped one
  EXPECT_EQ(err.find("very-secret-key-123"), std::string::npos);
  for (const char* field :
       {"\"url\":", "\"timepoint\":7", "\"status\":503", "\"bytes\":", "\"events\":1",
        "\"duration_s\":", "\"next_delay_s\":0.5", "\"end\":\"server-error\""}) {
    EXPECT_NE(err.find(field), std::string::npos) << field << "\n" << err;
  }
}

TEST_F(FetcherTest, ACertificateFailureIsLoggedAtErrorAndRetried) {
  SetLogLevel(LogLevel::kError);
  options_.timepoint = 1;
  connector_.scripts = {[](const ConnectionRequest&, StreamSink*) {
    ConnectionResult r;
    r.end = End::kTlsCertificate;
    r.error = "SSL certificate problem: certificate has expired";
    r.tls_problem = "certificate-expired";
    return r;
  }};
  const std::string err = CaptureStderr([this] { ASSERT_TRUE(Run().ok()); });
  EXPECT_NE(err.find("\"level\":\"error\",\"program\""), std::string::npos) << err;
  EXPECT_NE(err.find("\"end\":\"tls-certificate\""), std::string::npos) << err;
  EXPECT_NE(err.find("certificate has expired"), std::string::npos) << err;
  EXPECT_EQ(connector_.requests.size(), 2u);  // retried (then stopped by the fake)
}

TEST_F(FetcherTest, RequestsCarryTheTimeouts) {
  options_.timepoint = 1;
  options_.idle_timeout = 5;
  options_.first_byte_timeout = 2;  // never below the idle timeout
  options_.connect_timeout = 3;
  options_.max_line_bytes = 1234;
  connector_.scripts = {};
  ASSERT_TRUE(Run().ok());
  ASSERT_EQ(connector_.requests.size(), 1u);
  EXPECT_EQ(connector_.requests[0].idle_timeout, 5);
  EXPECT_EQ(connector_.requests[0].first_byte_timeout, 5);
  EXPECT_EQ(connector_.requests[0].connect_timeout, 3);
  EXPECT_EQ(connector_.requests[0].max_line_bytes, 1234u);
}

}  // namespace
}  // namespace ch
