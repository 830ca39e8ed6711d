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

// A peer that goes away during the handshake (a server restarting) is a
// network error; a peer that speaks something else is a TLS error.
TEST(ConnectorTest, TellsAHandshakeCutOffFromADisagreement) {
  EXPECT_TRUE(
      HandshakeCutOff("OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to "
                      "127.0.0.1:33747 "));
  EXPECT_TRUE(HandshakeCutOff("Recv failure: Connection reset by peer"));
  EXPECT_TRUE(HandshakeCutOff("Send failure: Broken pipe"));
  EXPECT_TRUE(
      HandshakeCutOff("TLS connect error: error:0A000126:SSL routines::unexpected eof "
                      "while reading"));
  EXPECT_FALSE(
      HandshakeCutOff("OpenSSL/3.0.17: error:0A00010B:SSL routines::wrong version number"));
  EXPECT_FALSE(
      HandshakeCutOff("OpenSSL/3.0.17: error:0A000410:SSL routines::sslv3 alert "
                      "handshake failure"));
  EXPECT_FALSE(HandshakeCutOff(""));
}

}  // namespace
}  // namespace ch
