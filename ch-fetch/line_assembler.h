// LineAssembler: turns the chunks libcurl hands over (which split lines
// anywhere: a chunk may hold half a line or thousands of lines) back into
// '\n'-terminated lines. Lines wholly inside a chunk are handed on as views
// into that chunk, without a copy; only the piece of a line that straddles
// two chunks is kept in a carry buffer. Memory is bounded: a line longer than
// the cap is not held but handed on in pieces as it comes, and reported as
// oversized at its end (ch-parse, with the same cap, makes it a reject that
// keeps its first bytes and its length: bad input is never lost).
// Whatever is left without its '\n' when the connection ends is a cut-off
// line: Reset() drops it so it can never reach stdout.
#ifndef CH_FETCH_LINE_ASSEMBLER_H_
#define CH_FETCH_LINE_ASSEMBLER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ch {

// Receives what the assembler finds. Returning false stops the feed (for
// example when stdout has failed).
class LineSink {
 public:
  virtual ~LineSink() = default;
  // One complete line, without its '\n' (it may be empty: a heartbeat).
  // The view is valid only during the call.
  virtual bool OnLine(std::string_view line) = 0;
  // Bytes of a line longer than the cap, in order, as they come (the first
  // piece starts the line); then OnOversizedLine.
  virtual bool OnOversizedPiece(std::string_view bytes) {
    (void)bytes;
    return true;
  }
  // A line longer than the cap ended; `length` is its size without '\n'.
  virtual bool OnOversizedLine(uint64_t length) = 0;
};

class LineAssembler {
 public:
  // REQUIRES: max_line_bytes >= 1
  explicit LineAssembler(size_t max_line_bytes);
  LineAssembler(const LineAssembler&) = delete;
  LineAssembler& operator=(const LineAssembler&) = delete;

  // Splits `chunk` into lines, joined with what earlier chunks left over,
  // and passes each to `sink` in order. Returns false as soon as the sink
  // does (the rest of the chunk is then not looked at).
  bool Feed(std::string_view chunk, LineSink* sink);

  // Forgets the unterminated tail (a line cut off by a disconnect).
  void Reset();

  // Bytes of the current unterminated line (held or skipped).
  uint64_t pending_bytes() const { return skipping_ ? skipped_ : carry_.size(); }
  // The unterminated line is past the cap: some of it was handed on.
  bool in_oversized_line() const { return skipping_; }

 private:
  // Adds bytes of the unterminated line; past the cap, hands them on.
  bool Hold(std::string_view piece, LineSink* sink);

  size_t max_line_bytes_;
  std::string carry_;
  bool skipping_ = false;
  uint64_t skipped_ = 0;
};

}  // namespace ch

#endif  // CH_FETCH_LINE_ASSEMBLER_H_
