#include "ch-fetch/stream_url.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

const char* kOption = "--url/CH_STREAM_URL";

TEST(StreamUrlTest, BuildsRequestUrlsWithAndWithoutTimepoint) {
  auto url = ParseStreamUrl("https://stream.companieshouse.gov.uk/", kOption);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(RequestUrl(*url, "companies", std::nullopt),
            "https://stream.companieshouse.gov.uk/companies");
  EXPECT_EQ(RequestUrl(*url, "companies", 68805562),
            "https://stream.companieshouse.gov.uk/companies?timepoint=68805562");
  EXPECT_FALSE(url->loopback);
  EXPECT_EQ(url->scheme, "https");
}

TEST(StreamUrlTest, KeepsAPathPrefix) {
  auto url = ParseStreamUrl("http://127.0.0.1:8080/proxy//", kOption);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(RequestUrl(*url, "companies", 1), "http://127.0.0.1:8080/proxy/companies?timepoint=1");
  EXPECT_TRUE(url->loopback);
}

TEST(StreamUrlTest, RejectsOtherSchemesAndSchemelessText) {
  for (const char* bad :
       {"ftp://example.com", "file:///etc/passwd", "stream.companieshouse.gov.uk", ""}) {
    auto url = ParseStreamUrl(bad, kOption);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), StatusCode::kConfig);
    EXPECT_NE(url.status().message().find(kOption), std::string::npos);
  }
}

TEST(StreamUrlTest, RejectsCredentialsWithoutEchoingThem) {
  auto url = ParseStreamUrl("https://secretkey123:@stream.example.com", kOption);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), StatusCode::kConfig);
  EXPECT_EQ(url.status().message().find("secretkey123"), std::string::npos);
  EXPECT_NE(url.status().message().find("CH_STREAM_KEY"), std::string::npos);
}

TEST(StreamUrlTest, RejectsQueryAndFragment) {
  EXPECT_FALSE(ParseStreamUrl("https://example.com/?timepoint=3", kOption).ok());
  EXPECT_FALSE(ParseStreamUrl("https://example.com/#x", kOption).ok());
  // Empty ones too (libcurl reports them as none): "http://host/#" asked
  // for "/", the stream path inside the fragment.
  for (const char* url :
       {"http://127.0.0.1:9/#", "http://127.0.0.1:9#", "https://example.com/base#",
        "https://example.com/?", "https://example.com?"}) {
    const StatusOr<StreamUrl> parsed = ParseStreamUrl(url, kOption);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.status().message().find("must not have a query or fragment"),
              std::string::npos)
        << parsed.status().message();
  }
}

TEST(StreamUrlTest, ErrorsNeverEchoAQuery) {
  for (const char* url :
       {"https://example.com/stream?token=s3cr3t-t0ken", "ftp://example.com/?token=s3cr3t-t0ken",
        "example.com?token=s3cr3t-t0ken", "https://example.com/#token=s3cr3t-t0ken"}) {
    auto parsed = ParseStreamUrl(url, kOption);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.status().message().find("s3cr3t-t0ken"), std::string::npos)
        << parsed.status().message();
    EXPECT_NE(parsed.status().message().find("example.com"), std::string::npos)
        << parsed.status().message();
  }
}

TEST(StreamUrlTest, RecognisesLoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.example.com"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.256"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("stream.companieshouse.gov.uk"));
  auto v6 = ParseStreamUrl("http://[::1]:9000", kOption);
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->loopback);
}

TEST(StreamUrlTest, AcceptsOnlySafeStreamNames) {
  EXPECT_TRUE(IsValidStreamName("companies"));
  EXPECT_TRUE(IsValidStreamName("persons-with-significant-control"));
  EXPECT_FALSE(IsValidStreamName(""));
  EXPECT_FALSE(IsValidStreamName("../admin"));
  EXPECT_FALSE(IsValidStreamName("companies?timepoint=1"));
  EXPECT_FALSE(IsValidStreamName(std::string(65, 'a')));
}

}  // namespace
}  // namespace ch
