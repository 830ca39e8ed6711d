// OutputWriter: the checked, buffered writer for NDJSON on stdout. Lines are
// collected in a buffer and written in large blocks; the caller flushes when
// its input goes idle so a single event still leaves within milliseconds.
// Every write is checked: EPIPE (downstream gone) and ENOSPC (/dev/full) are
// I/O errors, which the programs turn into exit 74.
#ifndef CH_COMMON_OUTPUT_WRITER_H_
#define CH_COMMON_OUTPUT_WRITER_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

class OutputWriter {
 public:
  static constexpr size_t kDefaultBufferBytes = 256u << 10;

  // Does not take ownership of `fd`.
  explicit OutputWriter(int fd, size_t buffer_bytes = kDefaultBufferBytes);
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

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

  int fd_;
  size_t limit_;
  std::string buffer_;
  uint64_t bytes_written_ = 0;
};

}  // namespace ch

#endif  // CH_COMMON_OUTPUT_WRITER_H_
