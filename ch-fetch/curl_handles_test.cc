#include "ch-fetch/curl_handles.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(CurlHandlesTest, GlobalInitSucceeds) {
  CurlGlobal global;
  EXPECT_TRUE(global.status().ok());
}

TEST(CurlHandlesTest, SetReportsTheOptionNameOnFailure) {
  CurlGlobal global;
  CurlEasy easy;
  ASSERT_NE(easy.get(), nullptr);
  EXPECT_TRUE(easy.Set(CURLOPT_URL, "URL", "http://127.0.0.1/").ok());
  // An unknown protocol list is refused by libcurl.
  Status s = easy.Set(CURLOPT_PROTOCOLS_STR, "PROTOCOLS_STR", "gopher-over-pigeons");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("PROTOCOLS_STR"), std::string::npos);
}

TEST(CurlHandlesTest, MultiDetachesItsEasyHandleBeforeCleanup) {
  CurlGlobal global;
  CurlEasy easy;
  {
    CurlMulti multi;
    ASSERT_TRUE(multi.Attach(&easy).ok());
  }
  // Detached again: a second multi can take it.
  CurlMulti again;
  EXPECT_TRUE(again.Attach(&easy).ok());
  again.Detach();
  again.Detach();  // idempotent
}

}  // namespace
}  // namespace ch
