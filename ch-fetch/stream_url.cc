// StreamUrl: see stream_url.h. Parsing is left to libcurl's URL API so that
// what we check is exactly what libcurl will later connect to.
#include "ch-fetch/stream_url.h"

#include <curl/curl.h>

#include <memory>

#include "ch-fetch/redact.h"

namespace ch {

namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct PartDeleter {
  void operator()(char* part) const { curl_free(part); }
};
using UniqueUrl = std::unique_ptr<CURLU, UrlDeleter>;
using UniquePart = std::unique_ptr<char, PartDeleter>;

// The part, or nullopt when the URL has none.
std::optional<std::string> GetPart(CURLU* url, CURLUPart which) {
  char* raw = nullptr;
  if (curl_url_get(url, which, &raw, 0) != CURLUE_OK || raw == nullptr) return std::nullopt;
  UniquePart part(raw);
  return std::string(part.get());
}

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // Dotted quad starting with 127.
  if (host.substr(0, 4) != "127.") return false;
  int parts = 0;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) dot = host.size();
    if (!IsDigits(host.substr(start, dot - start))) return false;
    if (std::stoi(std::string(host.substr(start, dot - start))) > 255) return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsValidStreamName(std::string_view stream) {
  if (stream.empty() || stream.size() > 64) return false;
  for (char c : stream) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

StatusOr<StreamUrl> ParseStreamUrl(const std::string& url, const std::string& option_name) {
  const std::string prefix = "invalid value for " + option_name + ": ";
  UniqueUrl handle(curl_url());
  if (!handle) return Status::Internal("curl_url: out of memory");
  // Without a scheme libcurl would guess one; a stream URL must say it.
  if (url.find("://") == std::string::npos) {
    return Status::Config(prefix + "'" + RedactUrlQuery(url) +
                          "' is not an http:// or https:// URL");
  }
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    // Do not echo: a malformed URL may still hold credentials.
    return Status::Config(prefix + "not a valid URL");
  }
  if (GetPart(handle.get(), CURLUPART_USER) || GetPart(handle.get(), CURLUPART_PASSWORD)) {
    return Status::Config(prefix +
                          "the URL must not contain a user name or password; the key comes from "
                          "CH_STREAM_KEY or CH_STREAM_KEY_FILE");
  }
  StreamUrl result;
  result.scheme = GetPart(handle.get(), CURLUPART_SCHEME).value_or("");
  // Never echo a query: it may carry a token (see redact.h).
  if (result.scheme != "http" && result.scheme != "https") {
    return Status::Config(prefix + "'" + RedactUrlQuery(url) +
                          "' is not an http:// or https:// URL");
  }
  // libcurl reports an empty query or fragment ("...?", "...#") as none,
  // so the raw text decides too: "http://host/#" requested "/" with the
  // stream path and timepoint inside the fragment.
  if (GetPart(handle.get(), CURLUPART_QUERY) || GetPart(handle.get(), CURLUPART_FRAGMENT) ||
      url.find_first_of("?#") != std::string::npos) {
    return Status::Config(prefix + "'" + RedactUrlQuery(url) +
                          "' must not have a query or fragment");
  }
  result.host = GetPart(handle.get(), CURLUPART_HOST).value_or("");
  if (result.host.empty()) return Status::Config(prefix + "'" + url + "' has no host");
  result.loopback = IsLoopbackHost(result.host);
  result.base = url;
  while (!result.base.empty() && result.base.back() == '/') result.base.pop_back();
  return result;
}

std::string RequestUrl(const StreamUrl& url, std::string_view stream,
                       std::optional<int64_t> timepoint) {
  std::string out = url.base;
  out.push_back('/');
  out.append(stream);
  if (timepoint) {
    out.append("?timepoint=");
    out.append(std::to_string(*timepoint));
  }
  return out;
}

}  // namespace ch
