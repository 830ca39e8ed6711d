// TextTable: aligned columns that fit the width, wide cells cut with an
// ellipsis, nothing a terminal would act on.
#include "ch-store/text_table.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>
#include <string>
#include <vector>

namespace ch {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TextTable LeadsLike() {
  TextTable t({{"id", false, true},
               {"signal", false, false},
               {"name", true, false},
               {"officers", true, false}});
  t.AddRow({"7", "dissolved", "ACME WIDGETS LTD", "SMITH, John (director)"});
  t.AddRow({"12", "strike-off-applied", "A VERY LONG COMPANY NAME INDEED LIMITED",
            "JONES, Ann (director); KHAN, Ravi (secretary); LEE, Mo (director)"});
  return t;
}

TEST(TextTableTest, EverythingFitsAtItsNaturalWidth) {
  const std::vector<std::string> lines = Lines(LeadsLike().Format(200));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "id  signal              name                                     officers");
  EXPECT_EQ(lines[1],
            " 7  dissolved           ACME WIDGETS LTD                         SMITH, John "
            "(director)");
  EXPECT_EQ(lines[2].substr(0, 65),
            "12  strike-off-applied  A VERY LONG COMPANY NAME INDEED LIMITED  ");
}

TEST(TextTableTest, WideCellsAreCutSoEveryLineFits) {
  for (size_t width : {100u, 80u, 60u, 50u}) {
    const std::string text = LeadsLike().Format(width);
    for (const std::string& line : Lines(text)) {
      EXPECT_LE(DisplayWidth(line), width) << "[" << line << "] at " << width;
      EXPECT_NE(line.back(), ' ');
    }
    EXPECT_NE(text.find("\xE2\x80\xA6"), std::string::npos) << width;
  }
}

// `line` with each ellipsis (three bytes) as one '~', so that byte offsets
// are columns.
std::string OneBytePerColumn(std::string line) {
  for (size_t at; (at = line.find("\xE2\x80\xA6")) != std::string::npos;) line.replace(at, 3, "~");
  return line;
}

TEST(TextTableTest, ColumnsStayAligned) {
  std::vector<std::string> lines = Lines(LeadsLike().Format(60));
  for (std::string& line : lines) line = OneBytePerColumn(line);
  // Every column starts at the same place in every line.
  const size_t officers = lines[0].find("officers");
  ASSERT_NE(officers, std::string::npos);
  EXPECT_EQ(lines[1].substr(officers, 5), "SMITH");
  EXPECT_EQ(lines[2].substr(officers, 5), "JONES");
}

TEST(TextTableTest, FixedColumnsAreNeverCut) {
  const std::vector<size_t> widths = LeadsLike().ColumnWidths(50);
  EXPECT_EQ(widths[0], 2u);
  EXPECT_EQ(widths[1], 18u);
  // 50 - 2 - 18 - 3 separators of 2 = 24, shared: 12 and 12.
  EXPECT_EQ(widths[2], 12u);
  EXPECT_EQ(widths[3], 12u);
}

TEST(TextTableTest, ANarrowFlexibleColumnKeepsItsWidth) {
  TextTable t({{"a", true, false}, {"b", true, false}, {"c", true, false}});
  t.AddRow({"xxxx", std::string(50, 'y'), std::string(50, 'z')});
  const std::vector<size_t> widths = t.ColumnWidths(40);
  EXPECT_EQ(widths[0], 4u);
  // 40 - 4 separators - 4 = 32, shared by the two others.
  EXPECT_EQ(widths[1], 16u);
  EXPECT_EQ(widths[2], 16u);
}

TEST(TextTableTest, NeverNarrowerThanTheMinimum) {
  const std::vector<size_t> widths = LeadsLike().ColumnWidths(10);
  EXPECT_EQ(widths[2], TextTable::kMinFlexibleWidth);
  EXPECT_EQ(widths[3], TextTable::kMinFlexibleWidth);
}

TEST(TextTableTest, CutsWithAnEllipsisAtACodePoint) {
  EXPECT_EQ(FitToWidth("ABCDEFG", 7), "ABCDEFG");
  EXPECT_EQ(FitToWidth("ABCDEFG", 4), "ABC\xE2\x80\xA6");
  EXPECT_EQ(FitToWidth("AB DEFG", 4), "AB\xE2\x80\xA6");  // no space before it
  // "CAFÉ ÉCLAIR": É is two bytes but one column.
  EXPECT_EQ(FitToWidth("CAF\xC3\x89 \xC3\x89"
                       "CLAIR",
                       5),
            "CAF\xC3\x89\xE2\x80\xA6");
  EXPECT_EQ(DisplayWidth("CAF\xC3\x89"), 4u);
  EXPECT_EQ(FitToWidth("ABC", 0), "");
}

TEST(TextTableTest, WideCharactersTakeTwoColumnsAndCombiningMarksNone) {
  // U+1F680 ROCKET, U+4E2D (CJK), U+0301 COMBINING ACUTE ACCENT.
  EXPECT_EQ(DisplayWidth("\xF0\x9F\x9A\x80 X"), 4u);
  EXPECT_EQ(DisplayWidth("\xE4\xB8\xAD\xE4\xB8\xAD"), 4u);
  EXPECT_EQ(DisplayWidth("CAFE\xCC\x81"), 4u);
  // A wide character that would straddle the last column is left out.
  EXPECT_EQ(FitToWidth("A\xE4\xB8\xAD\xE4\xB8\xAD"
                       "B",
                       4),
            "A\xE4\xB8\xAD\xE2\x80\xA6");
  EXPECT_EQ(FitToWidth("AB\xE4\xB8\xAD\xE4\xB8\xAD", 4), "AB\xE2\x80\xA6");
  TextTable t({{"name", true, false}, {"x", false, false}});
  t.AddRow({"\xF0\x9F\x9A\x80 ROCKET LAUNCH LIMITED", "1"});
  t.AddRow({"PLAIN", "2"});
  for (const std::string& line : Lines(t.Format(12))) EXPECT_EQ(DisplayWidth(line), 12u) << line;
}

TEST(TextTableTest, NothingATerminalWouldActOnIsPrinted) {
  EXPECT_EQ(PrintableText("A\x1B[31mRED\x07\tB\r\nC\x7F"), "A [31mRED  B  C ");
  EXPECT_EQ(PrintableText("X\xC2\x9B"
                          "1mY"),
            "X 1mY");  // C1 CSI
  EXPECT_EQ(PrintableText("evil\xE2\x80\xAE"
                          "txt.exe"),
            "evil txt.exe");  // RLO
  EXPECT_EQ(PrintableText("bad\xFF\xC3"), "bad??");
  EXPECT_EQ(PrintableText("Z\xC3\xBCrich"), "Z\xC3\xBCrich");
  TextTable t({{"a", true, false}});
  t.AddRow({"\x1B]0;title\x07"});
  EXPECT_EQ(t.Format(80).find('\x1B'), std::string::npos);
}

TEST(TextTableTest, MissingCellsAreEmptyAndNoLineEndsInSpaces) {
  TextTable t({{"id", false, true}, {"name", true, false}, {"pscs", true, false}});
  t.AddRow({"1"});
  t.AddRow({"22", "ACME", ""});
  const std::vector<std::string> lines = Lines(t.Format(100));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "id  name  pscs");
  EXPECT_EQ(lines[1], " 1");
  EXPECT_EQ(lines[2], "22  ACME");
}

TEST(TextTableTest, TheWidthComesFromColumnsThenTheTerminal) {
  const char* saved = std::getenv("COLUMNS");
  const std::string saved_value = saved != nullptr ? saved : "";
  setenv("COLUMNS", "132", 1);
  EXPECT_EQ(TerminalWidth(-1, 100), 132u);
  for (const char* bad : {"", "0", "-5", "12x", "wide"}) {
    setenv("COLUMNS", bad, 1);
    EXPECT_EQ(TerminalWidth(-1, 100), 100u) << bad;  // -1: no terminal
  }
  unsetenv("COLUMNS");
  EXPECT_EQ(TerminalWidth(-1, 77), 77u);
  if (saved != nullptr) setenv("COLUMNS", saved_value.c_str(), 1);
}

}  // namespace
}  // namespace ch
