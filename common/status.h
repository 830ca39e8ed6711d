// Status: errors as values (leveldb style). A function that can fail returns
// a Status or StatusOr<T>; the code says what kind of failure it is, which is
// all a caller needs to pick an exit code (see exit_code.h), and the message
// is one human-readable line.
#ifndef CH_COMMON_STATUS_H_
#define CH_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace ch {

enum class StatusCode {
  kOk,
  kUsage,        // the command line is malformed
  kDataError,    // the input as a whole is unusable
  kInternal,     // a bug or an impossible state
  kIoError,      // a read or write failed (disk full, EPIPE, unwritable db)
  kUnavailable,  // temporary: retrying later may work (busy database, network)
  kConfig,       // configuration is invalid or rejected
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Usage(std::string msg) { return Status(StatusCode::kUsage, std::move(msg)); }
  static Status DataError(std::string msg) {
    return Status(StatusCode::kDataError, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
  static Status IoError(std::string msg) { return Status(StatusCode::kIoError, std::move(msg)); }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg));
  }
  static Status Config(std::string msg) { return Status(StatusCode::kConfig, std::move(msg)); }
  // errno turned into a Status in exactly one place: `what` names the
  // operation ("write stdout"); ENOSPC, EPIPE, EIO and friends are I/O errors.
  static Status FromErrno(const std::string& what, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "io-error: write stdout: No space left on device"
  std::string ToString() const;
  // Prefixes context to the message, keeping the code.
  Status Annotate(const std::string& context) const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ch

#endif  // CH_COMMON_STATUS_H_
