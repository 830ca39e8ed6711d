#include "ch-parse/csv_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ch {
namespace {

std::vector<std::string> Split(std::string_view record, CsvSplit expected = CsvSplit::kOk) {
  std::vector<std::string_view> fields;
  std::string scratch;
  EXPECT_EQ(SplitCsvRecord(record, &fields, &scratch), expected) << record;
  return std::vector<std::string>(fields.begin(), fields.end());
}

using Fields = std::vector<std::string>;

TEST(SplitCsvRecordTest, QuotedAndUnquotedFields) {
  EXPECT_EQ(Split(R"("! LTD","08209948",,"x")"), (Fields{"! LTD", "08209948", "", "x"}));
  EXPECT_EQ(Split("a,b,c"), (Fields{"a", "b", "c"}));
  EXPECT_EQ(Split(""), (Fields{""}));
  EXPECT_EQ(Split(","), (Fields{"", ""}));
  EXPECT_EQ(Split(R"("a",)"), (Fields{"a", ""}));
  EXPECT_EQ(Split(R"("")"), (Fields{""}));
}

TEST(SplitCsvRecordTest, DoubledQuotesBecomeOneQuote) {
  EXPECT_EQ(Split(R"("""1 C O LIMITED""","""A"" CERAMICS LIMITED","x""")"),
            (Fields{"\"1 C O LIMITED\"", "\"A\" CERAMICS LIMITED", "x\""}));
  EXPECT_EQ(Split(R"("""""")"), (Fields{"\"\""}));
}

TEST(SplitCsvRecordTest, CommasAndLineBreaksInsideQuotes) {
  EXPECT_EQ(Split(R"("ULAANBAATAR, MONGOLIA","a
b")"),
            (Fields{"ULAANBAATAR, MONGOLIA", "a\nb"}));
}

TEST(SplitCsvRecordTest, QuotesInsideAnUnquotedFieldAreKept) {
  EXPECT_EQ(Split(R"(a"b,c)"), (Fields{"a\"b", "c"}));
}

TEST(SplitCsvRecordTest, OpenAndMalformedQuotes) {
  Split(R"("abc)", CsvSplit::kOpenQuote);
  Split(R"("a","b""c)", CsvSplit::kOpenQuote);
  Split(R"("a"b,c)", CsvSplit::kMalformed);
  Split(R"("a" ,c)", CsvSplit::kMalformed);
}

TEST(SplitCsvRecordTest, ManyDoubledQuoteFieldsKeepValidViews) {
  std::string record;
  Fields expected;
  for (int i = 0; i < 200; ++i) {
    record += (i ? "," : "");
    record += "\"x\"\"" + std::to_string(i) + "\"";
    expected.push_back("x\"" + std::to_string(i));
  }
  EXPECT_EQ(Split(record), expected);
}

// Feeds `input` through a CsvReader reading a temporary file.
class CsvReaderTest : public ::testing::Test {
 protected:
  void Open(const std::string& input, size_t max_bytes = 1 << 20) {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    std::fwrite(input.data(), 1, input.size(), file_);
    std::fflush(file_);
    std::rewind(file_);
    LineReader::Options options;
    options.max_line_bytes = max_bytes;
    options.keep_prefix_bytes = 16;
    lines_ = std::make_unique<LineReader>(fileno(file_), options);
    reader_ = std::make_unique<CsvReader>(lines_.get(), max_bytes);
  }
  void TearDown() override {
    reader_.reset();
    lines_.reset();
    if (file_ != nullptr) std::fclose(file_);
  }
  Fields NextRecord() {
    EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kRecord);
    return Fields(reader_->fields().begin(), reader_->fields().end());
  }

  std::FILE* file_ = nullptr;
  std::unique_ptr<LineReader> lines_;
  std::unique_ptr<CsvReader> reader_;
};

TEST_F(CsvReaderTest, LfCrLfBomAndBlankLines) {
  Open(
      "\xEF\xBB\xBF"
      "h1,h2\r\n\"a\",\"b\"\r\n\r\n\n\"c\",\"d\"\n\xEF\xBB\xBF"
      "h1,h2\n\"e\",\"f\"");
  EXPECT_EQ(NextRecord(), (Fields{"h1", "h2"}));
  EXPECT_EQ(NextRecord(), (Fields{"a", "b"}));
  EXPECT_EQ(NextRecord(), (Fields{"c", "d"}));
  EXPECT_EQ(NextRecord(), (Fields{"h1", "h2"}));  // a second part's BOM is dropped too
  EXPECT_EQ(NextRecord(), (Fields{"e", "f"}));    // no final newline
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kEof);
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kEof);
}

TEST_F(CsvReaderTest, RecordsSpanningLines) {
  Open("\"a\nb\",\"c\"\r\n\"x\",\"1\n2\n\n3,\"\"\",\"\"\"\"\n\"last\"\n");
  EXPECT_EQ(NextRecord(), (Fields{"a\nb", "c"}));
  EXPECT_EQ(reader_->raw(), "\"a\nb\",\"c\"");
  EXPECT_EQ(NextRecord(), (Fields{"x", "1\n2\n\n3,\"", "\""}));
  EXPECT_EQ(NextRecord(), (Fields{"last"}));
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kEof);
  EXPECT_EQ(reader_->lines_read(), 7u);
}

TEST_F(CsvReaderTest, AnUnclosedQuoteAtEndOfInputIsTruncation) {
  Open("\"a\",\"b\"\n\"c\",\"d\n e");
  EXPECT_EQ(NextRecord(), (Fields{"a", "b"}));
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kTruncated);
  EXPECT_EQ(reader_->raw(), "\"c\",\"d\n e");
  EXPECT_EQ(reader_->raw_length(), 9u);
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kEof);
}

TEST_F(CsvReaderTest, MalformedRecordsAreReportedAndReadingGoesOn) {
  Open("\"a\"x,\"b\"\n\"c\"\n");
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kMalformed);
  EXPECT_EQ(reader_->raw(), "\"a\"x,\"b\"");
  EXPECT_EQ(NextRecord(), (Fields{"c"}));
}

TEST_F(CsvReaderTest, AnOversizedLineIsDroppedAndReadingResyncs) {
  Open("\"a\"\n" + std::string(100, 'x') + "\n\"b\"\n", 50);
  EXPECT_EQ(NextRecord(), (Fields{"a"}));
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kTooLong);
  EXPECT_EQ(reader_->raw_length(), 100u);
  EXPECT_EQ(NextRecord(), (Fields{"b"}));
}

TEST_F(CsvReaderTest, ARecordOverTheCapAcrossLinesResyncsAtTheNextLine) {
  std::string input = "\"open";
  for (int i = 0; i < 10; ++i) input += "\n" + std::string(10, 'y');
  input += "\n\"next\"\n";
  Open(input, 50);
  EXPECT_EQ(reader_->Next(-1), CsvReader::Result::kTooLong);
  EXPECT_GT(reader_->raw_length(), 50u);
  // The rest of the runaway field is read as (odd) records of its own:
  // nothing hangs and later good records come through.
  Fields last;
  for (;;) {
    const auto r = reader_->Next(-1);
    if (r == CsvReader::Result::kEof) break;
    if (r == CsvReader::Result::kRecord)
      last = Fields(reader_->fields().begin(), reader_->fields().end());
  }
  EXPECT_EQ(last, (Fields{"next"}));
}

TEST_F(CsvReaderTest, ManyLineRecordIsGatheredInLinearTime) {
  std::string input = "\"start";
  for (int i = 0; i < 200000; ++i) input += "\nab";
  input += "\",\"end\"\n";
  Open(input, 8u << 20);
  const Fields f = NextRecord();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].size(), 5u + 200000u * 3u);
  EXPECT_EQ(f[1], "end");
}

}  // namespace
}  // namespace ch
