// OutputWriter: see output_writer.h.
#include "common/output_writer.h"

#include <unistd.h>

#include <cerrno>

namespace ch {

OutputWriter::OutputWriter(int fd, size_t buffer_bytes) : fd_(fd), limit_(buffer_bytes) {
  buffer_.reserve(limit_);
}

Status OutputWriter::WriteLine(std::string_view line) {
  if (buffer_.size() + line.size() + 1 > limit_ && !buffer_.empty()) {
    Status s = Flush();
    if (!s.ok()) return s;
  }
  if (line.size() + 1 > limit_) {
    // Larger than the whole buffer: write it straight through.
    Status s = WriteAll(line.data(), line.size());
    if (!s.ok()) return s;
    return WriteAll("\n", 1);
  }
  buffer_.append(line);
  buffer_.push_back('\n');
  return Status::Ok();
}

Status OutputWriter::WriteRaw(std::string_view bytes) {
  if (buffer_.size() + bytes.size() > limit_ && !buffer_.empty()) {
    Status s = Flush();
    if (!s.ok()) return s;
  }
  if (bytes.size() > limit_) return WriteAll(bytes.data(), bytes.size());
  buffer_.append(bytes);
  return Status::Ok();
}

Status OutputWriter::Flush() {
  if (buffer_.empty()) return Status::Ok();
  Status s = WriteAll(buffer_.data(), buffer_.size());
  buffer_.clear();
  return s;
}

Status OutputWriter::WriteAll(const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd_, data, size);
    if (n < 0) {
      // A signal during a blocked write: finish the write anyway, the data
      // must not be half-sent. Stop requests are handled between records.
      if (errno == EINTR) continue;
      return Status::FromErrno("write stdout", errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
    bytes_written_ += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

}  // namespace ch
