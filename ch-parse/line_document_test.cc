#include "ch-parse/line_document.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json.h"
#include "common/json_validator.h"

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

LineDocument::Shape TestShape() {
  LineDocument::Shape shape;
  shape.members = {"kind", "data", "event"};
  shape.data_members = {"name", "sic"};
  return shape;
}

TEST(LineDocumentTest, ShapedParseKeepsOnlyTheShapesMembersOfData) {
  LineDocument doc(TestShape());
  const std::string text =
      R"({"kind":"k","data":{"skip":{"deep":[1,2]},"name":"A\"B","sic":["1",2],"x":1e5},)"
      R"("event":{"n":-3,"t":true,"s":"a\/b"}})";
  ASSERT_TRUE(doc.Parse(text).ok());
  EXPECT_FALSE(doc.last_parse_was_shaped());  // an exponent: the full parse
  const std::string plain =
      R"({"kind":"k","data":{"skip":{"deep":[1,2]},"name":"A\"B","sic":["1",2],"x":10},)"
      R"("event":{"n":-3,"t":true,"s":"a\/b","e":[]}})";
  ASSERT_TRUE(doc.Parse(plain).ok());
  EXPECT_TRUE(doc.last_parse_was_shaped());
  std::string tree;
  AppendJsonValue(&tree, doc.root());
  EXPECT_EQ(tree, R"({"kind":"k","data":{"name":"A\"B","sic":["1",2]},)"
                  R"("event":{"n":-3,"t":true,"s":"a/b","e":[]}})");
  EXPECT_EQ(*doc.raw_data(), R"({"skip":{"deep":[1,2]},"name":"A\"B","sic":["1",2],"x":10})");
}

TEST(LineDocumentTest, ShapedParseKeepsTheMembersOfDataThatTheLinesKindNames) {
  LineDocument::Shape shape;
  shape.members = {"kind", "data", "event"};
  shape.data_members = {"name"};
  shape.kind_member = "kind";
  shape.data_members_by_kind = {{"a", {"x"}}, {"b", {"y", "name"}}};
  LineDocument doc(shape);
  const auto tree = [&doc](const std::string& text) {
    EXPECT_TRUE(doc.Parse(text).ok()) << text;
    std::string json;
    AppendJsonValue(&json, doc.root());
    return json + (doc.last_parse_was_shaped() ? "" : " (full)");
  };
  EXPECT_EQ(tree(R"({"kind":"a","data":{"x":1,"y":2,"name":3}})"),
            R"({"kind":"a","data":{"x":1}})");
  EXPECT_EQ(tree(R"({"data":{"x":1,"y":2,"name":3},"kind":"b"})"),
            R"({"data":{"y":2,"name":3},"kind":"b"})");
  // Another kind, a kind that is not a string, no kind: data_members.
  EXPECT_EQ(tree(R"({"kind":"c","data":{"x":1,"name":3}})"), R"({"kind":"c","data":{"name":3}})");
  EXPECT_EQ(tree(R"({"kind":["a"],"data":{"x":1,"name":3}})"),
            R"({"kind":["a"],"data":{"name":3}})");
  EXPECT_EQ(tree(R"({"data":{"x":1,"name":3}})"), R"({"data":{"name":3}})");
  // The first kind member decides, as FindMember finds it.
  EXPECT_EQ(tree(R"({"kind":"a","kind":"b","data":{"x":1,"y":2}})"),
            R"({"kind":"a","kind":"b","data":{"x":1}})");
  // An escaped kind is left to the full parse, which builds everything.
  EXPECT_EQ(tree(R"({"kind":"\/a","data":{"x":1,"y":2}})"),
            R"({"kind":"/a","data":{"x":1,"y":2}} (full))");
}

TEST(LineDocumentTest, ShapedParseBuildsEscapesAndLiteralsAsTheFullParse) {
  const std::string text =
      R"({"kind":"a\bb\fc\nd\re\tf\"g\\h\/i","data":{"name":[true,false,null,"\t"],)"
      R"("sic":{"k\nx":-0.5,"e":{}}},"event":[[],{}]})";
  LineDocument shaped(TestShape());
  LineDocument full;
  ASSERT_TRUE(shaped.Parse(text).ok());
  EXPECT_TRUE(shaped.last_parse_was_shaped());
  ASSERT_TRUE(full.Parse(text).ok());
  std::string a;
  std::string b;
  AppendJsonValue(&a, shaped.root());
  AppendJsonValue(&b, full.root());
  EXPECT_EQ(a, b);
  EXPECT_STREQ(shaped.root()["kind"].GetString(), "a\bb\fc\nd\re\tf\"g\\h/i");
}

TEST(LineDocumentTest, ShapedParseLeavesUnusualLinesToTheFullParse) {
  LineDocument doc(TestShape());
  const std::vector<std::string> texts = {
      R"({"kind":"k","other":1})",   // a member outside the shape
      R"({"kin\u0064":"k"})",        // an escaped key
      R"({"kind":"\u00e9"})",        // a \u escape
      R"({"data":{"na\"me":"x"}})",  // an escaped key in data
      R"([1,2])",                    // not an object
  };
  for (const std::string& text : texts) {
    const Status s = doc.Parse(text);
    EXPECT_FALSE(doc.last_parse_was_shaped()) << text;
    LineDocument full;
    EXPECT_EQ(s.ok(), full.Parse(text).ok()) << text;
  }
  std::string many = R"({"data":{)";
  for (int i = 0; i < JsonMembers::kCapacity + 1; ++i) many += "\"k" + std::to_string(i) + "\":1,";
  many += R"("name":"N"}})";
  ASSERT_TRUE(doc.Parse(many).ok());
  EXPECT_FALSE(doc.last_parse_was_shaped());
  EXPECT_STREQ(doc.root()["data"]["name"].GetString(), "N");
}

TEST(LineDocumentTest, ControlCharactersInStringsAreInvalidAtAnyOffset) {
  // Found by make fuzz: RapidJSON's SSE2 scan (RAPIDJSON_SSE2) let
  // 0x1A-0x1F through once a string ran past its first aligned 16 bytes.
  LineDocument shaped(TestShape());
  LineDocument full;
  for (int c = 0x01; c < 0x20; ++c) {
    for (size_t at : {0u, 5u, 17u, 40u}) {
      std::string value(48, 'x');
      value[at] = static_cast<char>(c);
      const std::string text = R"({"kind":"k","data":{"name":")" + value + R"("}})";
      EXPECT_FALSE(shaped.Parse(text).ok()) << c << " at " << at;
      EXPECT_FALSE(full.Parse(text).ok()) << c << " at " << at;
      rapidjson::Document checked;
      EXPECT_FALSE(ParseJson(text, &checked).ok()) << c << " at " << at;
    }
  }
}

TEST(LineDocumentTest, ShapedParseGivesTheFullParsesErrors) {
  LineDocument shaped(TestShape());
  LineDocument full;
  const std::vector<std::string> texts = {R"({"kind":"k",})",        R"({"kind":"k"} x)",
                                          R"({"data":{"name":01}})", R"({"kind":tru})",
                                          "{\"kind\":\"\xff\"}",     std::string(100, '[')};
  for (const std::string& text : texts) {
    const Status a = shaped.Parse(text);
    const Status b = full.Parse(text);
    EXPECT_FALSE(a.ok()) << text;
    EXPECT_EQ(a.message(), b.message()) << text;
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
