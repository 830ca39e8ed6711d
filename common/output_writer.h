// OutputWriter: the checked, buffered writer for NDJSON on stdout. Lines are
// collected in a buffer and written in large blocks; the caller flushes when
// its input goes idle so a single event still leaves within milliseconds.
// Every write is checked: EPIPE (downstream gone) and ENOSPC (/dev/full) are
// I/O errors, which the programs turn into exit 74.
//
// A stage whose reader stops reading (stopped, hung) blocks in write. With a
// blocked handler (SetBlockedHandler) and a pipe or FIFO as output, the
// writer does not block blindly: it writes without blocking, waits for room
// with poll() in slices, and tells the handler how long it has been blocked
// after each slice (and 0 once the write went through), so that the stage
// keeps its metrics file fresh and says whose fault the wait is
// (chstream_output_blocked_seconds).
#ifndef CH_COMMON_OUTPUT_WRITER_H_
#define CH_COMMON_OUTPUT_WRITER_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

class OutputWriter {
 public:
  static constexpr size_t kDefaultBufferBytes = 256u << 10;

  // Does not take ownership of `fd`.
  explicit OutputWriter(int fd, size_t buffer_bytes = kDefaultBufferBytes);
  // Restores the descriptor's flags when SetBlockedHandler changed them.
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // Calls `handler(seconds blocked so far)` every `slice` while a write
  // waits for the reader, and `handler(0)` when such a write completes.
  // Only for a pipe or FIFO (made non-blocking here, which the destructor
  // undoes); other outputs keep blocking writes. Returns whether it is on.
  bool SetBlockedHandler(std::function<void(double)> handler,
                         std::chrono::milliseconds slice = std::chrono::milliseconds(1000));

  // Appends `line` and a '\n'. May write when the buffer is full.
  Status WriteLine(std::string_view line);
  // Appends raw bytes (the caller supplies any '\n').
  Status WriteRaw(std::string_view bytes);
  // Writes everything buffered.
  Status Flush();

  size_t buffered() const { return buffer_.size(); }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  Status WriteAll(const char* data, size_t size);

  // Waits until fd_ can take more (poll), reporting to the handler.
  Status WaitWritable();

  int fd_;
  size_t limit_;
  std::function<void(double)> blocked_handler_;
  std::chrono::milliseconds slice_{1000};
  int restore_flags_ = -1;  // the flags before O_NONBLOCK; -1: unchanged
  std::chrono::steady_clock::time_point blocked_since_{};
  bool reported_blocked_ = false;
  std::string buffer_;
  uint64_t bytes_written_ = 0;
};

}  // namespace ch

#endif  // CH_COMMON_OUTPUT_WRITER_H_
