#include "ch-store/csv_writer.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(CsvWriterTest, QuotesOnlyWhatNeedsIt) {
  CsvRecord r;
  r.Add("plain");
  r.Add("a,b");
  r.Add("say \"hi\"");
  r.Add("two\nlines");
  r.Add(std::nullopt);
  r.Add("");
  r.Add(" spaced ");
  EXPECT_EQ(r.Finish(), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\"\", spaced \r\n");
}

TEST(CsvWriterTest, RecordStartsAfreshAfterFinish) {
  CsvRecord r;
  r.Add("a");
  EXPECT_EQ(r.Finish(), "a\r\n");
  r.Add("b");
  r.Add("c\r");
  EXPECT_EQ(r.Finish(), "b,\"c\r\"\r\n");
}

}  // namespace
}  // namespace ch
