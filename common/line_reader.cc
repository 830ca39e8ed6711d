// LineReader: see line_reader.h.
#include "common/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace ch {

Status LineReader::CheckMaxLineBytes(int64_t value) {
  if (value >= 1 && value <= static_cast<int64_t>(kMaxLineCapBytes)) return Status::Ok();
  return Status::Config("invalid value for --max-line-bytes/CH_MAX_LINE_BYTES: " +
                        std::to_string(value) + " (1 to " + std::to_string(kMaxLineCapBytes) + ")");
}

LineReader::LineReader(int fd, const Options& options) : fd_(fd), options_(options) {
  buf_.resize(std::max<size_t>(options_.initial_buffer_bytes, 4096));
}

void LineReader::MakeRoom() {
  if (start_ > 0) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    scan_ -= start_;
    start_ = 0;
  }
  if (end_ == buf_.size()) {
    // Grow, but never beyond what one legal line plus a read needs.
    const size_t cap = options_.max_line_bytes + 65536;
    buf_.resize(
        std::min(std::max(buf_.size() * 2, buf_.size() + 4096), std::max(cap, buf_.size() + 4096)));
  }
}

LineReader::Fill LineReader::FillBuffer(int timeout_ms) {
  if (eof_) return Fill::kEof;
  if (timeout_ms >= 0) {
    struct pollfd pfd {};
    pfd.fd = fd_;
    pfd.events = POLLIN;
    const int ready = poll(&pfd, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return Fill::kInterrupted;
      status_ = Status::FromErrno("poll input", errno);
      return Fill::kError;
    }
    if (ready == 0) return Fill::kWouldBlock;
  }
  if (end_ == buf_.size()) MakeRoom();
  for (;;) {
    const ssize_t n = read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      bytes_read_ += static_cast<uint64_t>(n);
      return Fill::kData;
    }
    if (n == 0) {
      eof_ = true;
      return Fill::kEof;
    }
    if (errno == EINTR) return Fill::kInterrupted;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (timeout_ms == 0) return Fill::kWouldBlock;
      struct pollfd pfd {};
      pfd.fd = fd_;
      pfd.events = POLLIN;
      if (poll(&pfd, 1, timeout_ms) < 0 && errno == EINTR) return Fill::kInterrupted;
      continue;
    }
    status_ = Status::FromErrno("read input", errno);
    return Fill::kError;
  }
}

LineReader::Result LineReader::Next(Line* line, int timeout_ms) {
  for (;;) {
    // Look for the end of the current line in what is buffered.
    const char* base = buf_.data();
    const void* nl = std::memchr(base + scan_, '\n', end_ - scan_);
    if (nl != nullptr) {
      const size_t pos = static_cast<const char*>(nl) - base;
      const size_t len = pos - start_;
      const size_t line_start = start_;
      start_ = scan_ = pos + 1;
      if (discarding_) {
        discarding_ = false;
        oversized_length_ += len;
        line->bytes = oversized_prefix_;
        line->full_length = oversized_length_;
        line->terminated = true;
        return Result::kOversized;
      }
      if (len > options_.max_line_bytes) {
        oversized_prefix_.assign(base + line_start, std::min(len, options_.keep_prefix_bytes));
        line->bytes = oversized_prefix_;
        line->full_length = len;
        line->terminated = true;
        return Result::kOversized;
      }
      line->bytes = std::string_view(base + line_start, len);
      line->full_length = len;
      line->terminated = true;
      return Result::kLine;
    }
    scan_ = end_;
    const size_t pending = end_ - start_;
    // A line past the cap: keep its prefix once, then drop bytes as they come.
    if (!discarding_ && pending > options_.max_line_bytes) {
      discarding_ = true;
      oversized_prefix_.assign(buf_.data() + start_, std::min(pending, options_.keep_prefix_bytes));
      oversized_length_ = 0;
    }
    if (discarding_) {
      oversized_length_ += pending;
      start_ = scan_ = end_ = 0;
    }

    const Fill fill = FillBuffer(timeout_ms);
    switch (fill) {
      case Fill::kData:
        continue;
      case Fill::kEof:
        if (discarding_) {
          discarding_ = false;
          line->bytes = oversized_prefix_;
          line->full_length = oversized_length_ + (end_ - start_);
          line->terminated = false;
          start_ = scan_ = end_ = 0;
          return Result::kOversized;
        }
        if (end_ > start_) {
          line->bytes = std::string_view(buf_.data() + start_, end_ - start_);
          line->full_length = end_ - start_;
          line->terminated = false;
          start_ = scan_ = end_;
          return Result::kLine;
        }
        return Result::kEof;
      case Fill::kWouldBlock:
        return Result::kWouldBlock;
      case Fill::kInterrupted:
        return Result::kInterrupted;
      case Fill::kError:
        return Result::kError;
    }
  }
}

}  // namespace ch
