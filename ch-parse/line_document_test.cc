#include "ch-parse/line_document.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json.h"

namespace ch {
namespace {

std::string DataOf(LineDocument& doc, std::string_view text) {
  const Status s = doc.Parse(text);
  EXPECT_TRUE(s.ok()) << s.message();
  return doc.raw_data() ? std::string(*doc.raw_data()) : "(none)";
}

TEST(LineDocumentTest, ParsesIntoADomWhoseStringsOutliveTheInput) {
  LineDocument doc;
  std::string text = R"({"a":"x\"y","n":[1,2.5,-3],"o":{"k":null,"t":true}})";
  ASSERT_TRUE(doc.Parse(text).ok());
  text.assign(text.size(), '#');  // the DOM points into the document's own copy
  const rapidjson::Value& root = doc.root();
  EXPECT_STREQ(root["a"].GetString(), "x\"y");
  EXPECT_EQ(root["n"][2].GetInt(), -3);
  EXPECT_TRUE(root["o"]["t"].GetBool());
}

TEST(LineDocumentTest, FindsTheRawDataObjectAtTopLevelOnly) {
  LineDocument doc;
  EXPECT_EQ(
      DataOf(
          doc,
          R"({"event":{"data":{"x":1}},"data" : { "a" : [1,{"b":"}"}] , "c":"\u00e9" } ,"z":1})"),
      R"({ "a" : [1,{"b":"}"}] , "c":"\u00e9" })");
  EXPECT_EQ(DataOf(doc, R"({"event":{"data":{"x":1}}})"), "(none)");
  EXPECT_EQ(DataOf(doc, R"({"data":[1,2]})"), "(none)");
  EXPECT_EQ(DataOf(doc, R"({"data":"text"})"), "(none)");
  EXPECT_EQ(DataOf(doc, R"({"data":null,"x":{"y":1}})"), "(none)");
  EXPECT_EQ(DataOf(doc, R"({"data":{}})"), "{}");
  EXPECT_EQ(DataOf(doc, R"([{"data":{"a":1}}])"), "(none)");
}

TEST(LineDocumentTest, TheFirstOfDuplicateDataMembersLikeFindMember) {
  LineDocument doc;
  EXPECT_EQ(DataOf(doc, R"({"data":{"a":1},"data":{"b":2}})"), R"({"a":1})");
  EXPECT_EQ(doc.root().FindMember("data")->value["a"].GetInt(), 1);
  // An escaped key is the same key.
  EXPECT_EQ(DataOf(doc, R"({"d\u0061ta":{"a":1},"data":{"b":2}})"), R"({"a":1})");
}

TEST(LineDocumentTest, RejectsWhatParseJsonRejects) {
  LineDocument doc;
  for (const char* bad : {"", "{", "{\"a\":1}x", "{\"a\":1}{}", "[1,]", "{\"a\":NaN}", "{'a':1}",
                          "nul", "{\"a\":\"\x01\"}", "\"\\ud800\""}) {
    const Status s = doc.Parse(bad);
    EXPECT_EQ(s.code(), StatusCode::kDataError) << bad;
    EXPECT_EQ(s.message().rfind("invalid JSON: ", 0), 0u) << s.message();
    rapidjson::Document reference;
    EXPECT_FALSE(ParseJson(bad, &reference).ok()) << bad;
  }
}

// Found by event_parser_fuzz (UBSan: clz(0) in RapidJSON's diyfp.h): with
// RapidJSON's own full-precision conversion, "0e99" parsed as 6.5e296.
TEST(LineDocumentTest, NumbersKeepTheirValue) {
  LineDocument doc;
  ASSERT_TRUE(doc.Parse(R"({"data":{"z":0e99,"n":-0e300},"i":68805561,"u":18446744073709551615,)"
                        R"("big":123456789012345678901234567890,"f":0.1,"tiny":1e-400})")
                  .ok());
  const rapidjson::Value& root = doc.root();
  EXPECT_EQ(root["data"]["z"].GetDouble(), 0.0);
  EXPECT_EQ(root["data"]["n"].GetDouble(), 0.0);
  EXPECT_TRUE(root["i"].IsInt64());
  EXPECT_EQ(root["i"].GetInt64(), 68805561);
  EXPECT_EQ(root["u"].GetUint64(), 18446744073709551615u);
  EXPECT_EQ(root["big"].GetDouble(), 1.2345678901234568e29);
  EXPECT_EQ(root["f"].GetDouble(), 0.1);
  EXPECT_EQ(root["tiny"].GetDouble(), 0.0);
  EXPECT_EQ(*doc.raw_data(), R"({"z":0e99,"n":-0e300})");  // the bytes as they came
  const Status big = doc.Parse(R"({"a":1.8e308})");
  EXPECT_EQ(big.message().rfind("invalid JSON: Number too big to be stored in double.", 0), 0u)
      << big.message();
}

TEST(LineDocumentTest, RejectsInvalidUtf8AnywhereInTheLine) {
  LineDocument doc;
  for (const std::string& bad :
       {std::string("{\"a\":\"\xff\"}"), std::string("{\"a\":\"\xC0\x80\"}"),
        std::string("{\"a\":\"\xED\xA0\x80\"}"), std::string("{\"a\":\"\xF4\x90\x80\x80\"}"),
        std::string("{\"a\":\"\xE2\x82\"}"), std::string("\xff{}")}) {
    EXPECT_EQ(doc.Parse(bad).message(), "invalid JSON: Invalid encoding in string.") << bad;
  }
  EXPECT_TRUE(doc.Parse("{\"a\":\"CAF\xC3\x89 \xE2\x82\xAC \xF0\x9F\x98\x80\"}").ok());
}

TEST(LineDocumentTest, NestingIsLimitedWhileParsing) {
  LineDocument doc;
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(doc.Parse(ok).ok());
  const std::string deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(doc.Parse(deep).message(), "JSON nested deeper than 64");
  const std::string hostile(200000, '[');
  EXPECT_EQ(doc.Parse(hostile).message(), "JSON nested deeper than 64");
  std::string objects;
  for (int i = 0; i < 100; ++i) objects += "{\"a\":";
  EXPECT_EQ(doc.Parse(objects).message(), "JSON nested deeper than 64");
}

TEST(LineDocumentTest, ReusedAcrossManyLines) {
  LineDocument doc;
  for (int i = 0; i < 1000; ++i) {
    const std::string text =
        "{\"i\":" + std::to_string(i) + ",\"data\":{\"s\":\"" + std::string(i, 'x') + "\"}}";
    ASSERT_TRUE(doc.Parse(text).ok());
    EXPECT_EQ(doc.root()["i"].GetInt(), i);
    EXPECT_EQ(doc.raw_data()->size(), static_cast<size_t>(i) + 8);
  }
}

TEST(IsValidUtf8FastTest, AgreesWithIsValidUtf8) {
  const std::string samples[] = {"",
                                 "plain ascii longer than eight bytes",
                                 "\xC3\xA9",
                                 "abcdefg\xC3\xA9",
                                 "abcdefgh\xC3",
                                 "\xE2\x82\xAC\xE2\x82",
                                 "\xF0\x9F\x98\x80",
                                 "\xF8\x88\x80\x80\x80",
                                 "\xED\x9F\xBF",
                                 "\xEF\xBF\xBF",
                                 "\xF4\x8F\xBF\xBF",
                                 "12345678\x80"};
  for (const std::string& s : samples) EXPECT_EQ(IsValidUtf8Fast(s), IsValidUtf8(s)) << s;
}

}  // namespace
}  // namespace ch
