// CaBundle: see ca_bundle.h.
#include "ch-fetch/ca_bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/json.h"

namespace ch {

namespace {

// The system bundle is about 200 KiB; anything this large is not a bundle.
constexpr off_t kMaxBundleBytes = 64 << 20;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Status ReadFile(int fd, std::string* out) {
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read", errno);
    if (n == 0) return Status::Ok();
    out->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Status CheckPemBundle(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  int certificates = 0;
  size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    const size_t label_start = pos + kBegin.size();
    const size_t label_end = text.find("-----", label_start);
    if (label_end == std::string_view::npos) return Status::DataError("a BEGIN line is cut off");
    const std::string_view label = text.substr(label_start, label_end - label_start);
    const std::string end_line = "-----END " + std::string(label) + "-----";
    const size_t body_start = label_end + 5;
    const size_t body_end = text.find(end_line, body_start);
    if (body_end == std::string_view::npos) {
      return Status::DataError("the " + std::string(label) + " block has no END line");
    }
    pos = body_end + end_line.size();
    if (label != "CERTIFICATE" && label != "TRUSTED CERTIFICATE") continue;
    std::string base64;
    for (char c : text.substr(body_start, body_end - body_start)) {
      if (!IsSpace(c)) base64.push_back(c);
    }
    const std::optional<std::string> der = Base64Decode(base64);
    // A certificate is a DER SEQUENCE: its first byte is 0x30.
    if (!der || der->size() < 2 || static_cast<unsigned char>((*der)[0]) != 0x30) {
      return Status::DataError("certificate " + std::to_string(certificates + 1) +
                               " is not valid base64 DER");
    }
    ++certificates;
  }
  if (certificates == 0) return Status::DataError("no PEM certificate in it");
  return Status::Ok();
}

Status CheckCaBundleFile(const std::string& path, const std::string& option_name) {
  const std::string prefix = "invalid value for " + option_name + ": '" + path + "' ";
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::Config(prefix + "cannot be read: " + std::strerror(errno));
  struct stat st {};
  Status s;
  if (fstat(fd, &st) != 0) {
    s = Status::Config(prefix + "cannot be read: " + std::strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    s = Status::Config(prefix + "is a directory, not a PEM bundle of CA certificates");
  } else if (!S_ISREG(st.st_mode)) {
    s = Status::Config(prefix + "is not a regular file, not a PEM bundle of CA certificates");
  } else if (st.st_size > kMaxBundleBytes) {
    s = Status::Config(prefix + "is larger than 64 MiB, not a PEM bundle of CA certificates");
  } else {
    std::string text;
    s = ReadFile(fd, &text);
    if (!s.ok()) {
      s = Status::Config(prefix + "cannot be read: " + s.message());
    } else {
      s = CheckPemBundle(text);
      if (!s.ok())
        s = Status::Config(prefix + "is not a PEM bundle of CA certificates: " + s.message());
    }
  }
  close(fd);
  return s;
}

}  // namespace ch
