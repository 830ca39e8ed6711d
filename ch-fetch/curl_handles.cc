// CurlHandles: see curl_handles.h.
#include "ch-fetch/curl_handles.h"

namespace ch {

CurlGlobal::CurlGlobal() {
  const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK)
    status_ = Status::Internal(std::string("curl_global_init: ") + curl_easy_strerror(code));
}

CurlGlobal::~CurlGlobal() {
  if (status_.ok()) curl_global_cleanup();
}

CurlEasy::CurlEasy() : handle_(curl_easy_init()) {}

CurlEasy::~CurlEasy() {
  if (handle_ != nullptr) curl_easy_cleanup(handle_);
}

CurlMulti::CurlMulti() : handle_(curl_multi_init()) {}

CurlMulti::~CurlMulti() {
  Detach();
  if (handle_ != nullptr) curl_multi_cleanup(handle_);
}

Status CurlMulti::Attach(CurlEasy* easy) {
  if (handle_ == nullptr || easy->get() == nullptr)
    return Status::Internal("curl handle allocation failed");
  const CURLMcode code = curl_multi_add_handle(handle_, easy->get());
  if (code != CURLM_OK)
    return Status::Internal(std::string("curl_multi_add_handle: ") + curl_multi_strerror(code));
  attached_ = easy->get();
  return Status::Ok();
}

void CurlMulti::Detach() {
  if (attached_ == nullptr) return;
  curl_multi_remove_handle(handle_, attached_);
  attached_ = nullptr;
}

}  // namespace ch
