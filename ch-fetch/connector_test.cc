#include "ch-fetch/connector.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ch {
namespace {

TEST(ConnectorTest, EveryEndHasADistinctName) {
  using End = ConnectionResult::End;
  std::set<std::string> names;
  for (End end :
       {End::kCleanEnd, End::kHttpStatus, End::kNetworkError, End::kTlsCertificate, End::kTlsError,
        End::kFirstByteTimeout, End::kIdleTimeout, End::kStopped, End::kSinkFailed}) {
    names.insert(EndName(end));
  }
  EXPECT_EQ(names.size(), 9u);
  EXPECT_EQ(std::string(EndName(End::kIdleTimeout)), "stall");
  EXPECT_EQ(std::string(EndName(End::kTlsCertificate)), "tls-certificate");
}

// The messages libcurl 7.88 with OpenSSL 3 gives for the three refusals.
TEST(ConnectorTest, NamesWhatACertificateFailureSays) {
  EXPECT_EQ(TlsProblemOf("SSL certificate problem: certificate has expired"),
            "certificate-expired");
  EXPECT_EQ(TlsProblemOf("SSL: no alternative certificate subject name matches target host name "
                         "'localhost'"),
            "host-name-mismatch");
  EXPECT_EQ(TlsProblemOf("SSL certificate problem: unable to get local issuer certificate"),
            "untrusted-issuer");
  EXPECT_EQ(TlsProblemOf("SSL certificate problem: self-signed certificate"), "untrusted-issuer");
  EXPECT_EQ(TlsProblemOf("SSL certificate problem: something new"), "");
}

}  // namespace
}  // namespace ch
