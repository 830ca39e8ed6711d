// CurlHandles: one RAII type per libcurl handle (the global state, an easy
// handle, a multi handle), copying deleted, so that no path out of a
// connection, early return included, leaks a socket or leaves an easy
// handle attached to a multi handle. Option setters return a Status naming
// the option, instead of a CURLcode to be forgotten.
#ifndef CH_FETCH_CURL_HANDLES_H_
#define CH_FETCH_CURL_HANDLES_H_

#include <curl/curl.h>

#include <string>

#include "common/status.h"

namespace ch {

// curl_global_init for the life of the object (one, in main, before any
// other handle exists; it is not thread-safe to call it later).
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
  const Status& status() const { return status_; }

 private:
  Status status_;
};

class CurlEasy {
 public:
  CurlEasy();
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  // nullptr when allocation failed.
  CURL* get() const { return handle_; }

  // curl_easy_setopt with the failure as a Status ("curl option URL: ...").
  template <typename T>
  Status Set(CURLoption option, const char* name, T value) {
    if (handle_ == nullptr) return Status::Internal("curl_easy_init failed");
    const CURLcode code = curl_easy_setopt(handle_, option, value);
    if (code != CURLE_OK) {
      return Status::Internal(std::string("curl option ") + name + ": " + curl_easy_strerror(code));
    }
    return Status::Ok();
  }

 private:
  CURL* handle_;
};

// A multi handle driving at most one easy handle, which it detaches again
// before it goes (libcurl requires that order).
class CurlMulti {
 public:
  CurlMulti();
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  CURLM* get() const { return handle_; }

  // REQUIRES: nothing attached yet; `easy` outlives this object or Detach().
  Status Attach(CurlEasy* easy);
  void Detach();

 private:
  CURLM* handle_;
  CURL* attached_ = nullptr;
};

}  // namespace ch

#endif  // CH_FETCH_CURL_HANDLES_H_
