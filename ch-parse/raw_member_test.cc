#include "ch-parse/raw_member.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

std::string Find(std::string_view json, std::string_view key) {
  auto v = FindRawMember(json, key);
  return v ? std::string(*v) : "(none)";
}

TEST(RawMemberTest, FindsObjectsArraysStringsAndScalars) {
  const std::string json =
      R"({"resource_kind":"company-profile","data":{"a":[1,{"b":"}"}],"c":"x\"}"},"n":-1.5e3,"t":true,"z":null})";
  EXPECT_EQ(Find(json, "data"), R"({"a":[1,{"b":"}"}],"c":"x\"}"})");
  EXPECT_EQ(Find(json, "resource_kind"), "\"company-profile\"");
  EXPECT_EQ(Find(json, "n"), "-1.5e3");
  EXPECT_EQ(Find(json, "t"), "true");
  EXPECT_EQ(Find(json, "z"), "null");
  EXPECT_EQ(Find(json, "missing"), "(none)");
}

TEST(RawMemberTest, IgnoresNestedMembersOfTheSameName) {
  EXPECT_EQ(Find(R"({"event":{"data":1},"data":{"x":2}})", "data"), R"({"x":2})");
  EXPECT_EQ(Find(R"({"event":{"data":1}})", "data"), "(none)");
}

TEST(RawMemberTest, KeepsInnerWhitespaceAndTrimsOuter) {
  EXPECT_EQ(Find(" { \"data\" :\t{ \"a\" : 1 } \r, \"b\":2 } ", "data"), "{ \"a\" : 1 }");
}

TEST(RawMemberTest, ReturnsTheFirstOfDuplicateMembers) {
  EXPECT_EQ(Find(R"({"data":{"a":1},"data":{"b":2}})", "data"), R"({"a":1})");
}

TEST(RawMemberTest, EscapedTopLevelKeysMakeTheCallerFallBack) {
  EXPECT_EQ(Find(R"({"d\u0061ta":{"a":1},"data":{"b":2}})", "data"), "(none)");
  // Escapes inside values are fine.
  EXPECT_EQ(Find(R"({"x":"a\\","data":{"b":"\\\""}})", "data"), R"({"b":"\\\""})");
}

TEST(RawMemberTest, NotAnObject) {
  EXPECT_EQ(Find("[1,2]", "data"), "(none)");
  EXPECT_EQ(Find("{}", "data"), "(none)");
  EXPECT_EQ(Find("", "data"), "(none)");
}

}  // namespace
}  // namespace ch
