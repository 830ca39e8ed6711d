// CurlConnector: see curl_connector.h.
//
// libcurl calls back into this file from curl_multi_perform. The callbacks
// never throw (everything they call is wrapped) and report failure the
// documented way: CURL_WRITEFUNC_ERROR from the write callback, a short
// count from the header callback. Why the transfer was aborted is kept in
// the Transfer state, so the result says "stdout failed" rather than
// libcurl's generic write error.
#include "ch-fetch/curl_connector.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ch-fetch/curl_handles.h"
#include "ch-fetch/line_assembler.h"
#include "ch-fetch/redact.h"
#include "common/options.h"
#include "common/signals.h"

namespace ch {

namespace {

using Clock = std::chrono::steady_clock;

// libcurl's receive buffer: large enough that a backlog replay moves in big
// blocks (one write to stdout per read), small enough to be irrelevant.
constexpr long kReceiveBufferBytes = 256L * 1024;
// The longest the loop sleeps before looking at timers and the stop flag.
constexpr int kPollSliceMs = 100;
// How much of a non-200 body is kept for the log line, and how much of it
// is read first: credentials are redacted in all of that before the cut
// (see redact.h), so a secret straddling the cut is still found whole.
constexpr size_t kBodyExcerptBytes = 300;
constexpr size_t kBodyCollectBytes = 64 * 1024;

double SecondsSince(Clock::time_point start, Clock::time_point now) {
  return std::chrono::duration<double>(now - start).count();
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char a = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
    if (a != prefix[i]) return false;
  }
  return true;
}

std::string_view TrimHeaderValue(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() &&
         (v.back() == '\r' || v.back() == '\n' || v.back() == ' ' || v.back() == '\t')) {
    v.remove_suffix(1);
  }
  return v;
}

// The state shared by the callbacks of one transfer.
class Transfer : public LineSink {
 public:
  Transfer(const ConnectionRequest& request, StreamSink* sink, ConnectionResult* result)
      : sink_(sink), result_(result), assembler_(request.max_line_bytes) {}

  static size_t HeaderCallback(char* data, size_t size, size_t count, void* self) {
    return static_cast<Transfer*>(self)->OnHeader(std::string_view(data, size * count));
  }
  static size_t WriteCallback(char* data, size_t size, size_t count, void* self) {
    return static_cast<Transfer*>(self)->OnBody(std::string_view(data, size * count));
  }

  // LineSink: heartbeats (empty lines, and lines of blanks: spaces, tabs, a
  // CR) are counted and dropped, everything else goes to the sink.
  bool OnLine(std::string_view line) override {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      ++result_->heartbeats;
      return true;
    }
    ++result_->lines;
    return Forward(sink_->OnEventLine(line));
  }
  bool OnOversizedPiece(std::string_view bytes) override {
    return Forward(sink_->OnOversizedPiece(bytes));
  }
  bool OnOversizedLine(uint64_t length) override { return Forward(sink_->OnOversizedLine(length)); }

  bool any_byte() const { return any_byte_; }
  Clock::time_point last_byte() const { return last_byte_; }
  bool sink_failed() const { return sink_failed_; }
  bool Forward(bool ok) {
    if (!ok) sink_failed_ = true;
    return ok;
  }
  // Drops a line cut off by the end of the transfer. An oversized one was
  // handed on as it came: it is ended instead, cut off, so that the output
  // never stops mid-line (ch-parse makes it a reject either way).
  void DropPartialLine() {
    if (assembler_.in_oversized_line()) {
      (void)Forward(sink_->OnOversizedLine(assembler_.pending_bytes()));
      assembler_.Reset();
      return;
    }
    result_->dropped_partial_bytes = assembler_.pending_bytes();
    assembler_.Reset();
  }
  // The start of an error body, safe to log (redacted, then cut).
  std::string ErrorBodyExcerpt(std::string_view key) const {
    return SafeExcerpt(error_body_, error_body_cut_off_, key, kBodyExcerptBytes);
  }

 private:
  void Received(size_t n) {
    result_->bytes += n;
    sink_->OnBytes(n);
    any_byte_ = true;
    last_byte_ = Clock::now();
  }

  size_t OnHeader(std::string_view line) {
    try {
      Received(line.size());
      if (StartsWithNoCase(line, "http/")) {
        // A new status line (after a 1xx, another response follows).
        const size_t space = line.find(' ');
        long status = 0;
        if (space != std::string_view::npos) {
          for (size_t i = space + 1; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
            status = status * 10 + (line[i] - '0');
          }
        }
        result_->http_status = status;
        result_->retry_after.reset();
        return line.size();
      }
      if (line == "\r\n" || line == "\n") {
        if (result_->http_status == 200 && !result_->stream_started) {
          result_->stream_started = true;
          if (!Forward(sink_->OnStreamStart())) return 0;
        }
        return line.size();
      }
      if (StartsWithNoCase(line, "retry-after:")) {
        result_->retry_after = std::string(TrimHeaderValue(line.substr(12)));
      }
      return line.size();
    } catch (...) {
      sink_failed_ = true;
      return 0;
    }
  }

  size_t OnBody(std::string_view chunk) {
    try {
      Received(chunk.size());
      if (!result_->stream_started) {
        // An error page: keep its start for the log, pass nothing on.
        const size_t room = kBodyCollectBytes - std::min(kBodyCollectBytes, error_body_.size());
        error_body_.append(chunk.substr(0, room));
        if (chunk.size() > room) error_body_cut_off_ = true;
        return chunk.size();
      }
      if (!assembler_.Feed(chunk, this)) return CURL_WRITEFUNC_ERROR;
      return chunk.size();
    } catch (...) {
      sink_failed_ = true;
      return CURL_WRITEFUNC_ERROR;
    }
  }

  StreamSink* sink_;
  ConnectionResult* result_;
  LineAssembler assembler_;
  bool any_byte_ = false;
  Clock::time_point last_byte_{};
  bool sink_failed_ = false;
  std::string error_body_;
  bool error_body_cut_off_ = false;
};

Status Configure(CurlEasy* easy, const ConnectionRequest& request, Transfer* transfer,
                 char* error_buffer) {
  static const std::string user_agent = std::string("ch-fetch/") + kVersion;
  Status s = easy->Set(CURLOPT_URL, "URL", request.url.c_str());
  if (s.ok()) s = easy->Set(CURLOPT_PROTOCOLS_STR, "PROTOCOLS_STR", "http,https");
  if (s.ok()) s = easy->Set(CURLOPT_FOLLOWLOCATION, "FOLLOWLOCATION", 0L);
  if (s.ok()) s = easy->Set(CURLOPT_HTTPAUTH, "HTTPAUTH", static_cast<long>(CURLAUTH_BASIC));
  if (s.ok()) s = easy->Set(CURLOPT_USERNAME, "USERNAME", request.key.c_str());
  if (s.ok()) s = easy->Set(CURLOPT_PASSWORD, "PASSWORD", "");
  if (s.ok()) s = easy->Set(CURLOPT_SSL_VERIFYPEER, "SSL_VERIFYPEER", 1L);
  if (s.ok()) s = easy->Set(CURLOPT_SSL_VERIFYHOST, "SSL_VERIFYHOST", 2L);
  if (s.ok() && !request.cacert.empty())
    s = easy->Set(CURLOPT_CAINFO, "CAINFO", request.cacert.c_str());
  if (s.ok() && request.no_proxy) s = easy->Set(CURLOPT_NOPROXY, "NOPROXY", "*");
  if (s.ok()) {
    s = easy->Set(CURLOPT_CONNECTTIMEOUT_MS, "CONNECTTIMEOUT_MS",
                  static_cast<long>(std::max(1.0, request.connect_timeout * 1000)));
  }
  // The stream is HTTP/1.1 chunked; no HTTP/2 surprises on a day-long body.
  if (s.ok())
    s = easy->Set(CURLOPT_HTTP_VERSION, "HTTP_VERSION", static_cast<long>(CURL_HTTP_VERSION_1_1));
  if (s.ok()) s = easy->Set(CURLOPT_NOSIGNAL, "NOSIGNAL", 1L);
  if (s.ok()) s = easy->Set(CURLOPT_TCP_KEEPALIVE, "TCP_KEEPALIVE", 1L);
  if (s.ok()) s = easy->Set(CURLOPT_BUFFERSIZE, "BUFFERSIZE", kReceiveBufferBytes);
  if (s.ok()) s = easy->Set(CURLOPT_USERAGENT, "USERAGENT", user_agent.c_str());
  if (s.ok()) s = easy->Set(CURLOPT_ERRORBUFFER, "ERRORBUFFER", error_buffer);
  if (s.ok()) s = easy->Set(CURLOPT_HEADERFUNCTION, "HEADERFUNCTION", &Transfer::HeaderCallback);
  if (s.ok()) s = easy->Set(CURLOPT_HEADERDATA, "HEADERDATA", static_cast<void*>(transfer));
  if (s.ok()) s = easy->Set(CURLOPT_WRITEFUNCTION, "WRITEFUNCTION", &Transfer::WriteCallback);
  if (s.ok()) s = easy->Set(CURLOPT_WRITEDATA, "WRITEDATA", static_cast<void*>(transfer));
  return s;
}

// How a transfer that libcurl finished by itself ended.
void ClassifyFinished(CURLcode outcome, const char* error_buffer, ConnectionResult* result) {
  if (result->http_status != 0 && result->http_status != 200 && !result->stream_started) {
    // An answer other than the stream, complete or not.
    result->end = ConnectionResult::End::kHttpStatus;
  } else if (outcome == CURLE_OK && result->stream_started) {
    // The terminating chunk: the server closed the stream on purpose.
    result->end = ConnectionResult::End::kCleanEnd;
  } else {
    result->end = ConnectionResult::End::kNetworkError;
    if (outcome == CURLE_OK) {
      result->error = "the response ended before the stream started";
    } else {
      result->error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(outcome);
    }
    switch (outcome) {
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        result->end = ConnectionResult::End::kTlsCertificate;
        result->tls_problem = TlsProblemOf(result->error);
        break;
      case CURLE_SSL_CONNECT_ERROR:
        // A peer gone during the handshake stays a network error.
        if (!HandshakeCutOff(result->error)) result->end = ConnectionResult::End::kTlsError;
        break;
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_SHUTDOWN_FAILED:
        result->end = ConnectionResult::End::kTlsError;
        break;
      default:
        break;
    }
  }
}

}  // namespace

ConnectionResult CurlConnector::Connect(const ConnectionRequest& request, StreamSink* sink) {
  ConnectionResult result;
  const Clock::time_point start = Clock::now();
  Transfer transfer(request, sink, &result);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CurlEasy easy;
  Status s = Configure(&easy, request, &transfer, error_buffer);
  CurlMulti multi;
  if (s.ok()) s = multi.Attach(&easy);
  if (!s.ok()) {
    result.end = ConnectionResult::End::kNetworkError;
    result.error = s.message();
    return result;
  }

  Clock::time_point last_tick = start;
  for (;;) {
    int running = 0;
    const CURLMcode code = curl_multi_perform(multi.get(), &running);
    if (transfer.sink_failed()) {
      result.end = ConnectionResult::End::kSinkFailed;
      break;
    }
    if (code != CURLM_OK) {
      result.end = ConnectionResult::End::kNetworkError;
      result.error = curl_multi_strerror(code);
      break;
    }
    if (running == 0) {
      int left = 0;
      CURLcode outcome = CURLE_OK;
      while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
        if (msg->msg == CURLMSG_DONE) outcome = msg->data.result;
      }
      ClassifyFinished(outcome, error_buffer, &result);
      break;
    }
    if (StopRequested()) {
      result.end = ConnectionResult::End::kStopped;
      break;
    }
    const Clock::time_point now = Clock::now();
    double remaining;
    if (!transfer.any_byte()) {
      remaining = request.first_byte_timeout - SecondsSince(start, now);
      if (remaining <= 0) {
        result.end = ConnectionResult::End::kFirstByteTimeout;
        break;
      }
    } else {
      remaining = request.idle_timeout - SecondsSince(transfer.last_byte(), now);
      if (remaining <= 0) {
        result.end = ConnectionResult::End::kIdleTimeout;
        break;
      }
    }
    if (SecondsSince(last_tick, now) * 1000 >= kPollSliceMs) {
      last_tick = now;
      if (!transfer.Forward(sink->OnTick())) {
        result.end = ConnectionResult::End::kSinkFailed;
        break;
      }
    }
    // More bytes already waiting? Then keep reading; otherwise the receive
    // side is drained: flush, then sleep until data, a timer or a slice ends.
    int ready = 0;
    if (curl_multi_poll(multi.get(), nullptr, 0, 0, &ready) == CURLM_OK && ready > 0) continue;
    if (!transfer.Forward(sink->OnDrained())) {
      result.end = ConnectionResult::End::kSinkFailed;
      break;
    }
    // Clamped as a double before the cast: a timeout of weeks overflowed
    // int (undefined; it polled every millisecond).
    const int wait_ms = static_cast<int>(
        std::max(1.0, std::min(static_cast<double>(kPollSliceMs), remaining * 1000 + 1)));
    curl_multi_poll(multi.get(), nullptr, 0, wait_ms, &ready);
  }

  transfer.DropPartialLine();
  result.error = RedactUrlQueries(RedactCredentials(result.error, request.key));
  result.body_excerpt = transfer.ErrorBodyExcerpt(request.key);
  result.duration = SecondsSince(start, Clock::now());
  return result;
}

}  // namespace ch
