#include "ch-fetch/curl_connector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "ch-fetch/curl_handles.h"
#include "common/signals.h"

namespace ch {
namespace {

using Clock = std::chrono::steady_clock;

// One step of what the fake server does after reading the request.
struct Step {
  double delay = 0;   // seconds to wait first
  std::string bytes;  // then send these
};

// A one-connection HTTP server on 127.0.0.1 for exercising the real libcurl
// path: it reads a request, plays a script of raw bytes and pauses, then
// closes (or, with hold, waits until the client goes).
class ScriptedServer {
 public:
  // `at_once`: play the script after the client's first bytes, not after a
  // whole request (a TLS client sends none that a plain server could see).
  explicit ScriptedServer(std::vector<Step> script, bool hold = false, bool at_once = false)
      : script_(std::move(script)), hold_(hold), at_once_(at_once) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(listen_fd_, 4), 0);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    done_ = true;
    thread_.join();
    close(listen_fd_);
  }
  std::string url(const std::string& path = "/companies") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  void Serve() {
    pollfd p{listen_fd_, POLLIN, 0};
    while (!done_ && poll(&p, 1, 50) == 0) {
    }
    if (done_) return;
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    char buf[4096];
    while (at_once_ ? request_.empty() : request_.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
    }
    for (const Step& step : script_) {
      if (step.delay > 0) std::this_thread::sleep_for(std::chrono::duration<double>(step.delay));
      if (!step.bytes.empty() && send(fd, step.bytes.data(), step.bytes.size(), MSG_NOSIGNAL) < 0)
        break;
    }
    if (hold_) {
      // Wait for the client to close (read returns 0) or the test to end.
      pollfd c{fd, POLLIN, 0};
      while (!done_) {
        if (poll(&c, 1, 50) > 0 && read(fd, buf, sizeof buf) <= 0) break;
      }
    }
    close(fd);
  }

  std::vector<Step> script_;
  bool hold_;
  bool at_once_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> done_{false};
  std::thread thread_;
  std::string request_;
};

std::string Chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

const std::string kStreamHeaders =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string kEndChunk = "0\r\n\r\n";

class RecordingSink : public StreamSink {
 public:
  bool OnStreamStart() override {
    ++starts;
    return true;
  }
  bool OnEventLine(std::string_view line) override {
    lines.emplace_back(line);
    return fail_after < 0 || static_cast<int>(lines.size()) < fail_after;
  }
  bool OnOversizedPiece(std::string_view bytes) override {
    oversized_bytes.append(bytes);
    return true;
  }
  bool OnOversizedLine(uint64_t length) override {
    oversized.push_back(length);
    return true;
  }
  bool OnDrained() override {
    ++drained;
    return true;
  }
  void OnBytes(uint64_t n) override { bytes += n; }
  bool OnTick() override { return true; }

  int starts = 0;
  int drained = 0;
  uint64_t bytes = 0;
  int fail_after = -1;
  std::vector<std::string> lines;
  std::vector<uint64_t> oversized;
  std::string oversized_bytes;
};

class CurlConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override { ResetStopForTest(); }
  void TearDown() override { ResetStopForTest(); }

  ConnectionRequest Request(const std::string& url) {
    ConnectionRequest r;
    r.url = url;
    r.key = "sekrit-key";
    r.connect_timeout = 2;
    r.first_byte_timeout = 2;
    r.idle_timeout = 2;
    r.max_line_bytes = 1000;
    return r;
  }

  CurlGlobal global_;
  CurlConnector connector_;
  RecordingSink sink_;
};

TEST_F(CurlConnectorTest, PassesLinesByteForByteAndDropsHeartbeats) {
  // Heartbeats: empty lines, and lines of spaces, tabs and a CR only.
  ScriptedServer server(
      {{0, kStreamHeaders + Chunk("\n") + Chunk("{\"a\":1}\n{\"b\":") + Chunk("\"x\\u00e9\"}\n") +
               Chunk("\n") + Chunk("not json at all\n") + Chunk(" \t \r\n") + kEndChunk}});
  ConnectionResult r = connector_.Connect(Request(server.url("/companies?timepoint=5")), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd);
  EXPECT_TRUE(r.stream_started);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(sink_.starts, 1);
  EXPECT_EQ(sink_.lines,
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":\"x\\u00e9\"}", "not json at all"}));
  EXPECT_EQ(r.lines, 3u);
  EXPECT_EQ(r.heartbeats, 3u);  // a line of blanks is one too
  EXPECT_EQ(r.dropped_partial_bytes, 0u);
  EXPECT_EQ(r.bytes, sink_.bytes);
  EXPECT_GT(r.bytes, 0u);
  const std::string request = server.request();
  EXPECT_EQ(request.rfind("GET /companies?timepoint=5 HTTP/1.1\r\n", 0), 0u) << request;
  // base64("sekrit-key:")
  EXPECT_NE(request.find("Authorization: Basic c2Vrcml0LWtleTo=\r\n"), std::string::npos)
      << request;
}

TEST_F(CurlConnectorTest, ALineCutOffByADisconnectNeverReachesTheSink) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n{\"b\":2")}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kNetworkError);
  EXPECT_TRUE(r.stream_started);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"{\"a\":1}"}));
  EXPECT_EQ(r.dropped_partial_bytes, 6u);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(CurlConnectorTest, ACleanEndAfterAPartialLineDropsItToo) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n{\"b\"") + kEndChunk}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd);
  EXPECT_EQ(sink_.lines.size(), 1u);
  EXPECT_EQ(r.dropped_partial_bytes, 4u);
}

TEST_F(CurlConnectorTest, NoByteForTheIdleTimeoutIsAStall) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n")}}, /*hold=*/true);
  ConnectionRequest request = Request(server.url());
  request.idle_timeout = 0.4;
  const auto start = Clock::now();
  ConnectionResult r = connector_.Connect(request, &sink_);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(r.end, ConnectionResult::End::kIdleTimeout);
  EXPECT_EQ(sink_.lines.size(), 1u);
  EXPECT_GE(took, 0.4);
  EXPECT_LT(took, 1.2);
}

TEST_F(CurlConnectorTest, AVeryLongTimeoutDoesNotMakeItPoll) {
  // Timeouts of weeks overflowed the poll's int milliseconds: it polled
  // every millisecond (an independent run: 4,300 context switches in 5 s).
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n")}, {0.6, kEndChunk}});
  ConnectionRequest request = Request(server.url());
  request.idle_timeout = 3e6;
  request.first_byte_timeout = 1e9;
  ConnectionResult r = connector_.Connect(request, &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd);
  EXPECT_LT(sink_.drained, 50);
}

TEST_F(CurlConnectorTest, HeartbeatsKeepAQuietStreamAlive) {
  ScriptedServer server({{0, kStreamHeaders},
                         {0.25, Chunk("\n")},
                         {0.25, Chunk("\n")},
                         {0.25, Chunk("\n")},
                         {0.25, Chunk("{\"late\":1}\n") + kEndChunk}});
  ConnectionRequest request = Request(server.url());
  request.idle_timeout = 0.6;
  ConnectionResult r = connector_.Connect(request, &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd);
  EXPECT_EQ(r.heartbeats, 3u);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"{\"late\":1}"}));
  // The pauses between chunks are the moments to flush.
  EXPECT_GE(sink_.drained, 3);
}

TEST_F(CurlConnectorTest, NoResponseAtAllIsAFirstByteTimeout) {
  ScriptedServer server({}, /*hold=*/true);
  ConnectionRequest request = Request(server.url());
  request.first_byte_timeout = 0.4;
  const auto start = Clock::now();
  ConnectionResult r = connector_.Connect(request, &sink_);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(r.end, ConnectionResult::End::kFirstByteTimeout);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_GE(took, 0.4);
  EXPECT_LT(took, 1.2);
}

TEST_F(CurlConnectorTest, ASlowFirstByteWithinItsAllowanceIsFine) {
  ScriptedServer server({{0.6, kStreamHeaders + Chunk("{\"a\":1}\n") + kEndChunk}});
  ConnectionRequest request = Request(server.url());
  request.idle_timeout = 0.3;
  request.first_byte_timeout = 2;
  ConnectionResult r = connector_.Connect(request, &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd);
  EXPECT_EQ(sink_.lines.size(), 1u);
}

TEST_F(CurlConnectorTest, AnErrorStatusKeepsRetryAfterAndPassesNothingOn) {
  const std::string body = "{\"error\":\"Too Many Requests\"}\n";
  ScriptedServer server(
      {{0, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kHttpStatus);
  EXPECT_EQ(r.http_status, 429);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, "7");
  EXPECT_EQ(r.body_excerpt, body);
  EXPECT_FALSE(r.stream_started);
  EXPECT_EQ(sink_.starts, 0);
  EXPECT_TRUE(sink_.lines.empty());
}

TEST_F(CurlConnectorTest, ALoopbackRequestIgnoresAProxyFromTheEnvironment) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n") + kEndChunk}});
  setenv("http_proxy", "http://127.0.0.1:9", 1);  // nothing listens there
  ConnectionRequest request = Request(server.url());
  request.no_proxy = true;
  ConnectionResult r = connector_.Connect(request, &sink_);
  unsetenv("http_proxy");
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd) << r.error;
  EXPECT_EQ(sink_.lines.size(), 1u);
}

TEST_F(CurlConnectorTest, AnErrorBodyEchoingTheKeyIsRedacted) {
  const std::string body =
      "{\"error\":\"Invalid Authorization\",\"key\":\"sekrit-key\",\"basic\":\"c2Vrcml0LWtleTo=\"}";
  ScriptedServer server({{0, "HTTP/1.1 401 Unauthorized\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(r.body_excerpt.find("sekrit-key"), std::string::npos) << r.body_excerpt;
  EXPECT_EQ(r.body_excerpt.find("c2Vrcml0LWtleTo="), std::string::npos) << r.body_excerpt;
  EXPECT_NE(r.body_excerpt.find("Invalid Authorization"), std::string::npos);
}

TEST_F(CurlConnectorTest, AnExcerptCutInsideAnEchoedAuthorizationHeaderLeaksNoPieceOfIt) {
  // A proxy's error page echoing the request headers, padded so that the
  // 300-byte excerpt would end inside the credential ("c2Vrcml0LWtleTo=").
  const std::string body = std::string(270, '.') +
                           "\r\nAuthorization: Basic c2Vrcml0LWtleTo=\r\nX-Key: sekrit-key\r\n" +
                           std::string(2000, '.');
  ScriptedServer server({{0, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.http_status, 502);
  EXPECT_LE(r.body_excerpt.size(), 300u);
  EXPECT_NE(r.body_excerpt.find("Authorization: Basic ***"), std::string::npos) << r.body_excerpt;
  for (const char* piece : {"c2Vr", "LWtl", "sekr"}) {
    EXPECT_EQ(r.body_excerpt.find(piece), std::string::npos) << piece << " in " << r.body_excerpt;
  }
}

TEST_F(CurlConnectorTest, HttpsToAPlainServerIsATlsErrorNotAFallback) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n") + kEndChunk}}, false,
                        /*at_once=*/true);
  std::string url = server.url();
  url.replace(0, 4, "https");
  ConnectionResult r = connector_.Connect(Request(url), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kTlsError) << r.error;
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(sink_.lines.empty());
  EXPECT_EQ(sink_.starts, 0);
  // The server saw a TLS hello, never a plain request (nor the key).
  EXPECT_EQ(server.request().find("Authorization"), std::string::npos);
}

TEST_F(CurlConnectorTest, RedirectsAreNotFollowed) {
  ScriptedServer server(
      {{0, "HTTP/1.1 302 Found\r\nLocation: http://example.com/\r\nContent-Length: 0\r\n\r\n"}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kHttpStatus);
  EXPECT_EQ(r.http_status, 302);
}

TEST_F(CurlConnectorTest, ARefusedConnectionIsANetworkError) {
  int port;
  {
    ScriptedServer server({});
    port = std::stoi(server.url().substr(17));
  }
  ConnectionResult r = connector_.Connect(
      Request("http://127.0.0.1:" + std::to_string(port) + "/companies"), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kNetworkError);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(CurlConnectorTest, AStopRequestEndsTheTransferPromptly) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n")}}, /*hold=*/true);
  ConnectionRequest request = Request(server.url());
  request.idle_timeout = 30;
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    RequestStop(SIGTERM);
  });
  const auto start = Clock::now();
  ConnectionResult r = connector_.Connect(request, &sink_);
  stopper.join();
  EXPECT_EQ(r.end, ConnectionResult::End::kStopped);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 1.0);
  EXPECT_EQ(sink_.lines.size(), 1u);
}

TEST_F(CurlConnectorTest, ASinkThatFailsAbortsTheTransfer) {
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n")}},
                        /*hold=*/true);
  sink_.fail_after = 2;
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kSinkFailed);
  EXPECT_EQ(sink_.lines.size(), 2u);
}

TEST_F(CurlConnectorTest, OversizedLinesArePassedInPiecesNotHeld) {
  ScriptedServer server(
      {{0, kStreamHeaders + Chunk(std::string(1500, 'x') + "\n{\"ok\":1}\n") + kEndChunk}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kCleanEnd);
  EXPECT_EQ(sink_.oversized, (std::vector<uint64_t>{1500}));
  EXPECT_EQ(sink_.oversized_bytes, std::string(1500, 'x'));
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"{\"ok\":1}"}));
}

TEST_F(CurlConnectorTest, AnOversizedLineCutOffByADisconnectIsEndedNotLeftOpen) {
  // Its first bytes are out already: it is ended, cut, so that the output
  // never stops mid-line and the next line is not glued to it.
  ScriptedServer server({{0, kStreamHeaders + Chunk("{\"a\":1}\n" + std::string(1500, 'y'))}});
  ConnectionResult r = connector_.Connect(Request(server.url()), &sink_);
  EXPECT_EQ(r.end, ConnectionResult::End::kNetworkError);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"{\"a\":1}"}));
  EXPECT_EQ(sink_.oversized, (std::vector<uint64_t>{1500}));
  EXPECT_EQ(sink_.oversized_bytes, std::string(1500, 'y'));
  EXPECT_EQ(r.dropped_partial_bytes, 0u);
}

}  // namespace
}  // namespace ch
