#include "ch-parse/resource_table.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json.h"

namespace ch {
namespace {

constexpr Column kColumns[] = {{"a", ColumnType::kText}, {"b", ColumnType::kInteger}};
constexpr const char* kMembers[] = {"x"};
void Nothing(const ExtractInput&, ResourceRows*) {}
constexpr ResourceTable kTable = MakeResourceTable("t", kColumns, kMembers, &Nothing);

class ResourceTableTest : public ::testing::Test {
 protected:
  const rapidjson::Value& Parse(const char* json) {
    EXPECT_TRUE(ParseJson(json, &doc_).ok()) << json;
    return doc_;
  }
  static std::string Show(std::optional<std::string_view> text) {
    return text ? std::string(*text) : "(null)";
  }

  rapidjson::Document doc_;
  ResourceRows rows_;
};

TEST_F(ResourceTableTest, RowsStartNullAndTakeTextsAndIntegers) {
  rows_.Reset(&kTable);
  EXPECT_EQ(rows_.AddRow(), 0u);
  EXPECT_EQ(rows_.AddRow(), 1u);
  rows_.SetText(1, 0, "x");
  rows_.SetInteger(1, 1, 5);
  EXPECT_EQ(rows_.cell(0, 0).type, ResourceRows::Cell::Type::kNull);
  EXPECT_EQ(rows_.cell(0, 1).type, ResourceRows::Cell::Type::kNull);
  EXPECT_EQ(rows_.cell(1, 0).text, "x");
  EXPECT_EQ(rows_.cell(1, 1).integer, 5);
  rows_.SetText(1, 0, std::nullopt);
  EXPECT_EQ(rows_.cell(1, 0).type, ResourceRows::Cell::Type::kNull);
  rows_.AddSignal({"s", "k", std::nullopt, std::nullopt});
  rows_.Reset(nullptr);
  EXPECT_EQ(rows_.row_count(), 0u);
  EXPECT_TRUE(rows_.signals().empty());
}

TEST_F(ResourceTableTest, NewTextsStayWhereTheyAre) {
  rows_.Reset(&kTable);
  std::string* first = rows_.NewText();
  first->assign("first");
  const std::string_view view = *first;
  for (int i = 0; i < 1000; ++i) rows_.NewText()->assign(100, 'x');
  EXPECT_EQ(view, "first");
  rows_.Reset(&kTable);
  EXPECT_EQ(*rows_.NewText(), "");  // reused, emptied
}

TEST_F(ResourceTableTest, TextOfTakesStringsAndNumbers) {
  const rapidjson::Value& v = Parse(R"({"s":"x","e":"","n":12,"d":1.5,"b":true,"z":null,"o":{}})");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "s"), &rows_)), "x");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "e"), &rows_)), "(null)");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "n"), &rows_)), "12");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "d"), &rows_)), "1.5");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "b"), &rows_)), "(null)");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "z"), &rows_)), "(null)");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "o"), &rows_)), "(null)");
  EXPECT_EQ(Show(TextOf(MemberOf(&v, "absent"), &rows_)), "(null)");
  EXPECT_EQ(MemberOf(nullptr, "s"), nullptr);
  EXPECT_EQ(MemberOf(MemberOf(&v, "s"), "x"), nullptr);  // not an object
}

TEST_F(ResourceTableTest, DateOfGivesIsoDates) {
  const rapidjson::Value& v = Parse(
      R"({"iso":"2021-01-22","uk":"22/01/2021","bad":"2021-02-30","n":20210122,"t":" 2021-01-22 "})");
  EXPECT_EQ(Show(DateOf(MemberOf(&v, "iso"), &rows_)), "2021-01-22");
  EXPECT_EQ(Show(DateOf(MemberOf(&v, "uk"), &rows_)), "2021-01-22");
  EXPECT_EQ(Show(DateOf(MemberOf(&v, "bad"), &rows_)), "(null)");
  EXPECT_EQ(Show(DateOf(MemberOf(&v, "n"), &rows_)), "(null)");
  EXPECT_EQ(Show(DateOf(MemberOf(&v, "t"), &rows_)), "2021-01-22");
}

TEST_F(ResourceTableTest, IntegerOfTakesNumbersAndNumericStrings) {
  const rapidjson::Value& v = Parse(R"({"n":5,"s":" 7 ","f":5.0,"h":5.5,"x":"5x","b":true})");
  EXPECT_EQ(IntegerOf(MemberOf(&v, "n")), 5);
  EXPECT_EQ(IntegerOf(MemberOf(&v, "s")), 7);
  EXPECT_EQ(IntegerOf(MemberOf(&v, "f")), 5);
  EXPECT_EQ(IntegerOf(MemberOf(&v, "h")), std::nullopt);
  EXPECT_EQ(IntegerOf(MemberOf(&v, "x")), std::nullopt);
  EXPECT_EQ(IntegerOf(MemberOf(&v, "b")), std::nullopt);
  EXPECT_EQ(IntegerOf(nullptr), std::nullopt);
}

TEST_F(ResourceTableTest, JoinedTextsSkipsAbsentElements) {
  const rapidjson::Value& v =
      Parse(R"({"a":["x",null,"",3,"y"],"o":[{"name":"A"},{},{"name":null},{"name":"B"},7],)"
            R"("e":[],"s":"x"})");
  EXPECT_EQ(Show(JoinedTexts(MemberOf(&v, "a"), nullptr, ",", &rows_)), "x,3,y");
  EXPECT_EQ(Show(JoinedTexts(MemberOf(&v, "o"), "name", "; ", &rows_)), "A; B");
  EXPECT_EQ(Show(JoinedTexts(MemberOf(&v, "e"), nullptr, ",", &rows_)), "(null)");
  EXPECT_EQ(Show(JoinedTexts(MemberOf(&v, "s"), nullptr, ",", &rows_)), "(null)");
  EXPECT_EQ(Show(JoinedTexts(nullptr, nullptr, ",", &rows_)), "(null)");
}

TEST_F(ResourceTableTest, LastSegment) {
  EXPECT_EQ(Show(LastSegment("/company/1/charges/X")), "X");
  EXPECT_EQ(Show(LastSegment("/company/1/charges/X/")), "X");
  EXPECT_EQ(Show(LastSegment("X")), "X");
  EXPECT_EQ(Show(LastSegment("/")), "(null)");
  EXPECT_EQ(Show(LastSegment("")), "(null)");
}

}  // namespace
}  // namespace ch
