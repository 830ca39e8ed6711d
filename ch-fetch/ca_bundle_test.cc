#include "ch-fetch/ca_bundle.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace ch {
namespace {

// A self-signed test certificate made with openssl (EC P-256).
constexpr const char* kCertificate =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATWgAwIBAgIUKO/EAMK0F9f+xNxnc+gdfoJkG6kwCgYIKoZIzj0EAwIw\n"
    "HTEbMBkGA1UEAwwSY2hzdHJlYW0gdW5pdCB0ZXN0MB4XDTI2MTIwNjEzMzk0OVoX\n"
    "DTM2MTIwMzEzMzk0OVowHTEbMBkGA1UEAwwSY2hzdHJlYW0gdW5pdCB0ZXN0MFkw\n"
    "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoYU8dkdrHhUZ2VAv85sFjAmG5GeMgQsA\n"
    "YP4tlj52tGIjXs5qyfMKeLikDVinFebtbP58IWQMww20v9up2MGTxqNTMFEwHQYD\n"
    "VR0OBBYEFOkq0V/pNKZFN2bZ0MzTSz1pU4yIMB8GA1UdIwQYMBaAFOkq0V/pNKZF\n"
    "N2bZ0MzTSz1pU4yIMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIh\n"
    "AKzMl3jbLmBbuGDpOf6X114XCCODueeSQecEbiEAxL93AiEA7zlk+s5PCxPNe9y7\n"
    "k+CKxaw8rDP56wowpKfypJRW9aY=\n"
    "-----END CERTIFICATE-----\n";

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/ch_ca_bundle_XXXXXX";
    path_ = mkdtemp(name);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CaBundleTest, AcceptsCertificatesWithTextAroundThem) {
  EXPECT_TRUE(CheckPemBundle(kCertificate).ok());
  EXPECT_TRUE(
      CheckPemBundle(std::string("# Our CA\n") + kCertificate + "\n# and again\n" + kCertificate)
          .ok());
  // A key block beside the certificate is not a certificate, and harmless.
  EXPECT_TRUE(CheckPemBundle(std::string(kCertificate) +
                             "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n")
                  .ok());
}

TEST(CaBundleTest, RefusesWhatIsNotAPemBundle) {
  EXPECT_FALSE(CheckPemBundle("").ok());
  EXPECT_FALSE(CheckPemBundle("just some text\n").ok());
  EXPECT_FALSE(
      CheckPemBundle("-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n").ok());
  std::string cut = kCertificate;
  cut.resize(cut.size() / 2);
  EXPECT_FALSE(CheckPemBundle(cut).ok());
  EXPECT_FALSE(
      CheckPemBundle("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n")
          .ok());
  // Valid base64 of something that is not DER.
  EXPECT_FALSE(
      CheckPemBundle("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n")
          .ok());
}

TEST(CaBundleTest, AFileIsCheckedAndErrorsNameTheOption) {
  TempDir dir;
  EXPECT_TRUE(CheckCaBundleFile(dir.Write("ca.pem", kCertificate), "--cacert/CH_CACERT").ok());
  for (const std::string& bad :
       {dir.path(), dir.Write("garbage.pem", "hello\n"), dir.path() + "/missing.pem",
        dir.Write("der.crt", std::string("\x30\x82\x01\x90", 4))}) {
    const Status s = CheckCaBundleFile(bad, "--cacert/CH_CACERT");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), StatusCode::kConfig);
    EXPECT_NE(s.message().find("--cacert/CH_CACERT"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  }
  EXPECT_NE(CheckCaBundleFile(dir.path(), "CH_CACERT").message().find("is a directory"),
            std::string::npos);
}

TEST(CaBundleTest, TheSystemBundleIsAccepted) {
  const char* system_bundle = "/etc/ssl/certs/ca-certificates.crt";
  if (access(system_bundle, R_OK) != 0) GTEST_SKIP() << "no " << system_bundle;
  EXPECT_TRUE(CheckCaBundleFile(system_bundle, "CH_CACERT").ok());
}

}  // namespace
}  // namespace ch
