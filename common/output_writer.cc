// OutputWriter: see output_writer.h.
#include "common/output_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ch {

OutputWriter::OutputWriter(int fd, size_t buffer_bytes) : fd_(fd), limit_(buffer_bytes) {
  buffer_.reserve(limit_);
}

OutputWriter::~OutputWriter() {
  if (restore_flags_ >= 0) fcntl(fd_, F_SETFL, restore_flags_);
}

bool OutputWriter::SetBlockedHandler(std::function<void(double)> handler,
                                     std::chrono::milliseconds slice) {
  struct stat st {};
  if (fstat(fd_, &st) != 0 || !S_ISFIFO(st.st_mode)) return false;
  const int flags = fcntl(fd_, F_GETFL);
  if (flags < 0) return false;
  if ((flags & O_NONBLOCK) == 0) {
    if (fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) return false;
    restore_flags_ = flags;
  }
  blocked_handler_ = std::move(handler);
  slice_ = slice;
  return true;
}

Status OutputWriter::WaitWritable() {
  const auto now = std::chrono::steady_clock::now();
  if (!reported_blocked_ && blocked_since_ == std::chrono::steady_clock::time_point{}) {
    blocked_since_ = now;
  }
  pollfd p{fd_, POLLOUT, 0};
  const int n = poll(&p, 1, static_cast<int>(slice_.count()));
  if (n < 0 && errno != EINTR) return Status::FromErrno("poll stdout", errno);
  if (n == 0) {
    reported_blocked_ = true;
    blocked_handler_(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - blocked_since_).count());
  }
  // POLLERR (the reader has gone) is left to the next write: EPIPE.
  return Status::Ok();
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
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && blocked_handler_) {
        Status s = WaitWritable();
        if (!s.ok()) return s;
        continue;
      }
      return Status::FromErrno("write stdout", errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
    bytes_written_ += static_cast<uint64_t>(n);
  }
  blocked_since_ = {};
  if (reported_blocked_) {
    reported_blocked_ = false;
    blocked_handler_(0);
  }
  return Status::Ok();
}

}  // namespace ch
