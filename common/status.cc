// Status helpers and the single Status -> exit code mapping.
#include "common/status.h"

#include <cerrno>
#include <cstring>

#include "common/exit_code.h"

namespace ch {

namespace {

const char* CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kUsage:
      return "usage";
    case StatusCode::kDataError:
      return "data-error";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kIoError:
      return "io-error";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kConfig:
      return "config";
  }
  return "unknown";
}

}  // namespace

Status Status::FromErrno(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case EAGAIN:
    case EINTR:
    case EBUSY:
      return Unavailable(msg);
    case ENOMEM:
      return Internal(msg);
    default:
      // EPIPE, ENOSPC, EIO, EROFS, EBADF, EACCES...: the data could not be
      // read or written where it should go.
      return IoError(msg);
  }
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::Annotate(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kUsage:
      return kExitUsage;
    case StatusCode::kDataError:
      return kExitDataErr;
    case StatusCode::kInternal:
      return kExitSoftware;
    case StatusCode::kIoError:
      return kExitIoErr;
    case StatusCode::kUnavailable:
      return kExitTempFail;
    case StatusCode::kConfig:
      return kExitConfig;
  }
  return kExitSoftware;
}

}  // namespace ch
