#include "ch-fetch/redact.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json.h"

namespace ch {
namespace {

// 16 bytes, like a real stream key's share in the issue that found the leak.
const std::string kKey = "Q7vK9zP2mW4xR8tL";

// Fails when `text` holds any `n`-byte piece of `secret`.
void ExpectNoPieceOf(const std::string& text, const std::string& secret, size_t n) {
  for (size_t i = 0; i + n <= secret.size(); ++i) {
    EXPECT_EQ(text.find(secret.substr(i, n)), std::string::npos)
        << "'" << secret.substr(i, n) << "' of '" << secret << "' in: " << text;
  }
}

TEST(RedactTest, RedactsTheKeyAndEveryBase64Form) {
  const std::string basic = Base64Encode(kKey + ":");
  const std::string plain = Base64Encode(kKey);
  EXPECT_EQ(RedactCredentials("a " + kKey + " b " + kKey, kKey), "a *** b ***");
  EXPECT_EQ(RedactCredentials("basic=" + basic, kKey), "basic=***");
  EXPECT_EQ(RedactCredentials("plain=" + plain + ";", kKey), "plain=***;");
  std::string unpadded = plain;
  while (unpadded.back() == '=') unpadded.pop_back();
  EXPECT_EQ(RedactCredentials("[" + unpadded + "]", kKey), "[***]");
  EXPECT_EQ(RedactCredentials("nothing here", kKey), "nothing here");
  EXPECT_EQ(RedactCredentials("nothing here", ""), "nothing here");
}

TEST(RedactTest, FindsTheKeyEncodedAtAnyOffsetInsideALongerBase64Text) {
  for (const char* before : {"", "x", "xy", "xyz", "{\"user\":\""}) {
    const std::string blob = Base64Encode(std::string(before) + kKey + "\",\"more\":1}");
    const std::string out = RedactCredentials("dump: " + blob, kKey);
    EXPECT_NE(out.find("***"), std::string::npos) << before;
    // What is left around the mask encodes at most two bytes of the key.
    ExpectNoPieceOf(out, Base64Encode(kKey.substr(0, 15)), 6);
    ExpectNoPieceOf(out, Base64Encode(kKey.substr(1, 15)), 6);
    ExpectNoPieceOf(out, Base64Encode(kKey.substr(2, 12)), 6);
  }
}

TEST(RedactTest, RedactsAnyAuthorizationValueKeepingTheScheme) {
  EXPECT_EQ(RedactCredentials("Authorization: Basic b3RoZXI6", kKey), "Authorization: Basic ***");
  EXPECT_EQ(RedactCredentials("authorization: bearer eyJhbGciOi.eyJzdWIi.sig-_x\r\nHost: h", ""),
            "authorization: bearer ***\r\nHost: h");
  EXPECT_EQ(RedactCredentials("{\"Authorization\":\"Basic b3RoZXI6\",\"x\":1}", ""),
            "{\"Authorization\":\"Basic ***\",\"x\":1}");
  EXPECT_EQ(RedactCredentials("'authorization': 'b3RoZXI6'", ""), "'authorization': '***'");
  EXPECT_EQ(RedactCredentials("Proxy-Authorization: Basic Zm9vOmJhcg==", ""),
            "Proxy-Authorization: Basic ***");
  EXPECT_EQ(RedactCredentials("authorization=Basic%20Zm9vOmJhcg%3D%3D&x=1", ""),
            "authorization=***&x=1");
  // The word alone is no header.
  EXPECT_EQ(RedactCredentials("Authorization required", ""), "Authorization required");
}

TEST(RedactTest, AnExcerptIsRedactedBeforeItIsCut) {
  // A proxy's error page echoing the request: whatever the padding before
  // it, the 300-byte cut never leaves a piece of the credential behind.
  const std::string basic = Base64Encode(kKey + ":");
  for (size_t pad = 200; pad <= 320; ++pad) {
    const std::string body = std::string(pad, 'x') + "\r\nAuthorization: Basic " + basic +
                             "\r\nX-Key: " + kKey + "\r\n" + std::string(100, 'y');
    const std::string excerpt = SafeExcerpt(body, false, kKey, 300);
    EXPECT_LE(excerpt.size(), 300u);
    ExpectNoPieceOf(excerpt, basic, 4);
    ExpectNoPieceOf(excerpt, kKey, 4);
  }
}

TEST(RedactTest, AnExcerptKeepsTheStartOfAnOrdinaryBody) {
  const std::string body = "{\"error\":\"Too Many Requests\"}\n";
  EXPECT_EQ(SafeExcerpt(body, false, kKey, 300), body);
  EXPECT_EQ(SafeExcerpt(std::string(500, 'z'), true, kKey, 300), std::string(300, 'z'));
}

TEST(RedactTest, ABodyCutOffInsideTheKeyLosesThatTail) {
  // Only the first bytes of a long body are read; they end inside the key.
  const std::string collected = "your key is " + kKey.substr(0, 7);
  const std::string excerpt = SafeExcerpt(collected, true, kKey, 300);
  EXPECT_EQ(excerpt, "your key is ***");
  const std::string basic = Base64Encode(kKey + ":");
  EXPECT_EQ(SafeExcerpt("cred " + basic.substr(0, 9), true, kKey, 300), "cred ***");
  // A body that was read whole keeps its end.
  EXPECT_EQ(SafeExcerpt(collected, false, kKey, 300), collected);
}

TEST(RedactTest, UrlQueriesAreNeverEchoed) {
  EXPECT_EQ(RedactUrlQuery("https://h.example/p?token=abc"), "https://h.example/p?***");
  EXPECT_EQ(RedactUrlQuery("https://h.example/p#frag"), "https://h.example/p#***");
  EXPECT_EQ(RedactUrlQuery("https://h.example/p"), "https://h.example/p");
  EXPECT_EQ(RedactUrlQueries("see https://a.example/x?k=1&j=2 and <http://b/y?z> or http://c/d."),
            "see https://a.example/x?*** and <http://b/y?***> or http://c/d.");
  EXPECT_EQ(SafeExcerpt("moved to \"https://a.example/x?sig=s3cr3t\"", false, "", 300),
            "moved to \"https://a.example/x?***\"");
}

}  // namespace
}  // namespace ch
