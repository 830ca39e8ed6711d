// LineReader: splits a byte stream (stdin, a pipe, a file) into '\n'-terminated
// lines of any length up to a cap, without copying them more than once. A
// line longer than the cap is not held in memory: its first bytes are kept
// (for the reject record) and the rest is counted and discarded.
//
// It can also answer "would the next read block?" (timeout 0), which is how
// the stages decide to flush or commit as soon as their input goes idle.
#ifndef CH_COMMON_LINE_READER_H_
#define CH_COMMON_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ch {

class LineReader {
 public:
  static constexpr size_t kDefaultMaxLineBytes = 8u << 20;  // 8 MiB
  /// The largest line cap a user may set (--max-line-bytes).
  static constexpr size_t kMaxLineCapBytes = size_t{1} << 30;  // 1 GiB
  /// How much longer than its event line a normalized record may be. A
  /// record repeats parts of its line: a filing's URI is in resource_uri,
  /// its transaction_id and its signal key, and a field is in `data` and in
  /// its row, so ch-parse writes at most about 3 bytes per byte of line
  /// (ch-parse/record_size_test.cc holds it under this). ch-store reads
  /// records this many times the line cap: an event ch-parse accepted is
  /// never a reject for its length in ch-store.
  static constexpr size_t kRecordBytesPerLineByte = 4;

  /// The check of a --max-line-bytes / CH_MAX_LINE_BYTES value that
  /// ch-parse and ch-store share: 1 to kMaxLineCapBytes, else a
  /// configuration error naming both.
  static Status CheckMaxLineBytes(int64_t value);
  static constexpr size_t kDefaultKeepPrefixBytes = 64u << 10;  // 64 KiB

  struct Options {
    /// Lines longer than this (without the '\n') are reported as kOversized.
    size_t max_line_bytes = kDefaultMaxLineBytes;
    /// How much of an oversized line is kept for the reject record.
    size_t keep_prefix_bytes = kDefaultKeepPrefixBytes;
    /// Initial buffer size; it grows as needed up to max_line_bytes.
    size_t initial_buffer_bytes = 256u << 10;
  };

  enum class Result {
    kLine,         // `line` holds one line without its '\n'
    kOversized,    // `line` holds the kept prefix; full_length the real size
    kEof,          // no more input (a last unterminated line was already returned)
    kWouldBlock,   // no complete line within the timeout
    kInterrupted,  // a signal arrived (check StopRequested())
    kError,        // read failed: see status()
  };

  struct Line {
    std::string_view bytes;    // valid until the next call to Next()
    uint64_t full_length = 0;  // length of the whole line, '\n' excluded
    bool terminated = true;    // false for a last line without '\n'
  };

  // Does not take ownership of `fd`.
  LineReader(int fd, const Options& options);
  explicit LineReader(int fd) : LineReader(fd, Options()) {}
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Returns the next line. timeout_ms: -1 waits as long as it takes, 0 never
  // blocks, > 0 waits at most that long for more input.
  Result Next(Line* line, int timeout_ms);

  // True when input is already buffered, so Next(…, 0) may make progress
  // without a system call.
  bool HasBufferedData() const { return end_ > start_; }

  const Status& status() const { return status_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  enum class Fill { kData, kEof, kWouldBlock, kInterrupted, kError };
  Fill FillBuffer(int timeout_ms);
  // Makes room at the end of the buffer for another read.
  void MakeRoom();

  int fd_;
  Options options_;
  std::vector<char> buf_;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last valid byte
  size_t scan_ = 0;   // bytes in [start_, scan_) are known to hold no '\n'
  bool eof_ = false;
  // Oversized-line state: the prefix kept and the bytes seen so far.
  bool discarding_ = false;
  std::string oversized_prefix_;
  uint64_t oversized_length_ = 0;
  Status status_;
  uint64_t bytes_read_ = 0;
};

}  // namespace ch

#endif  // CH_COMMON_LINE_READER_H_
