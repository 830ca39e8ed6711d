#include "ch-fetch/line_assembler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ch {
namespace {

class RecordingSink : public LineSink {
 public:
  bool OnLine(std::string_view line) override {
    got.emplace_back(line);
    return --stop_after != 0;
  }
  bool OnOversizedPiece(std::string_view bytes) override {
    pieces.append(bytes);
    return true;
  }
  bool OnOversizedLine(uint64_t length) override {
    got.push_back("OVERSIZED:" + std::to_string(length) + ":" + pieces);
    pieces.clear();
    return --stop_after != 0;
  }
  std::string pieces;
  std::vector<std::string> got;
  int stop_after = -1;
};

TEST(LineAssemblerTest, PassesWholeLinesOfOneChunk) {
  LineAssembler a(100);
  RecordingSink sink;
  EXPECT_TRUE(a.Feed("one\ntwo\n", &sink));
  EXPECT_EQ(sink.got, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(a.pending_bytes(), 0u);
}

TEST(LineAssemblerTest, JoinsLinesSplitAcrossChunks) {
  LineAssembler a(100);
  RecordingSink sink;
  EXPECT_TRUE(a.Feed("{\"a\":", &sink));
  EXPECT_TRUE(a.Feed("1", &sink));
  EXPECT_TRUE(a.Feed("}\n{\"b\"", &sink));
  EXPECT_TRUE(a.Feed(":2}\n", &sink));
  EXPECT_EQ(sink.got, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(LineAssemblerTest, EverySplitPointGivesTheSameLines) {
  const std::string body = "{\"x\":1}\n\n{\"y\":\"a\\nb\"}\n\r\nlast\n";
  for (size_t cut1 = 0; cut1 <= body.size(); ++cut1) {
    for (size_t cut2 = cut1; cut2 <= body.size(); ++cut2) {
      LineAssembler a(100);
      RecordingSink sink;
      a.Feed(std::string_view(body).substr(0, cut1), &sink);
      a.Feed(std::string_view(body).substr(cut1, cut2 - cut1), &sink);
      a.Feed(std::string_view(body).substr(cut2), &sink);
      ASSERT_EQ(sink.got,
                (std::vector<std::string>{"{\"x\":1}", "", "{\"y\":\"a\\nb\"}", "\r", "last"}))
          << cut1 << "," << cut2;
    }
  }
}

TEST(LineAssemblerTest, KeepsAnUnterminatedTailUntilResetDropsIt) {
  LineAssembler a(100);
  RecordingSink sink;
  EXPECT_TRUE(a.Feed("done\nhalf a li", &sink));
  EXPECT_EQ(a.pending_bytes(), 9u);
  a.Reset();
  EXPECT_EQ(a.pending_bytes(), 0u);
  EXPECT_TRUE(a.Feed("ne\nnext\n", &sink));
  // The cut-off line never appears, not even joined with what follows.
  EXPECT_EQ(sink.got, (std::vector<std::string>{"done", "ne", "next"}));
}

TEST(LineAssemblerTest, PassesALineAboveTheCapInPiecesWithoutHoldingIt) {
  LineAssembler a(10);
  RecordingSink sink;
  EXPECT_TRUE(a.Feed("short\n0123456789", &sink));
  EXPECT_FALSE(a.in_oversized_line());
  EXPECT_TRUE(a.Feed("abcdef", &sink));
  EXPECT_TRUE(a.in_oversized_line());
  EXPECT_EQ(sink.pieces, "0123456789abcdef");  // handed on, not held
  EXPECT_EQ(a.pending_bytes(), 16u);
  EXPECT_TRUE(a.Feed("ghij\nok\n", &sink));
  EXPECT_EQ(sink.got,
            (std::vector<std::string>{"short", "OVERSIZED:20:0123456789abcdefghij", "ok"}));
  // Within one chunk, and past the cap at its newline.
  EXPECT_TRUE(a.Feed("0123456789ab\n0123", &sink));
  EXPECT_TRUE(a.Feed("4567890\n", &sink));
  EXPECT_EQ(sink.got[3], "OVERSIZED:12:0123456789ab");
  EXPECT_EQ(sink.got[4], "OVERSIZED:11:01234567890");
  EXPECT_FALSE(a.in_oversized_line());
}

TEST(LineAssemblerTest, ReportsAnOversizedLineInsideOneChunk) {
  LineAssembler a(4);
  RecordingSink sink;
  EXPECT_TRUE(a.Feed("1234\n12345\nab\n", &sink));
  EXPECT_EQ(sink.got, (std::vector<std::string>{"1234", "OVERSIZED:5:12345", "ab"}));
}

TEST(LineAssemblerTest, ALineExactlyAtTheCapSpanningChunksPasses) {
  LineAssembler a(6);
  RecordingSink sink;
  EXPECT_TRUE(a.Feed("abc", &sink));
  EXPECT_TRUE(a.Feed("def\n", &sink));
  EXPECT_EQ(sink.got, (std::vector<std::string>{"abcdef"}));
}

TEST(LineAssemblerTest, StopsWhenTheSinkRefuses) {
  LineAssembler a(100);
  RecordingSink sink;
  sink.stop_after = 2;
  EXPECT_FALSE(a.Feed("a\nb\nc\n", &sink));
  EXPECT_EQ(sink.got, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace ch
