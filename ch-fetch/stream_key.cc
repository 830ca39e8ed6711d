// StreamKey: see stream_key.h.
#include "ch-fetch/stream_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ch {

namespace {

// A key file is a few dozen bytes; anything much larger is not a key file.
constexpr size_t kMaxKeyFileBytes = 4096;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

Status ReadSmallFile(const std::string& path, std::string* out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open", errno);
  out->clear();
  char buf[1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return Status::FromErrno("read", err);
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > kMaxKeyFileBytes) {
      close(fd);
      return Status::Config("larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");
    }
  }
  close(fd);
  return Status::Ok();
}

}  // namespace

std::string KeySource::Describe() const {
  return from_file() ? "CH_STREAM_KEY_FILE=" + file : std::string("CH_STREAM_KEY");
}

KeySource KeySourceFromEnvironment() {
  KeySource source;
  if (const char* key = std::getenv("CH_STREAM_KEY")) source.key = key;
  if (const char* file = std::getenv("CH_STREAM_KEY_FILE")) source.file = file;
  return source;
}

StatusOr<std::string> LoadStreamKey(const KeySource& source) {
  std::string content;
  if (source.from_file()) {
    Status s = ReadSmallFile(source.file, &content);
    if (!s.ok()) {
      return Status::Config("cannot read the stream key from CH_STREAM_KEY_FILE=" + source.file +
                            ": " + s.message());
    }
  } else {
    content = source.key;
  }
  const std::string_view key = Trim(content);
  if (key.empty()) {
    if (source.from_file()) {
      return Status::Config("the stream key file CH_STREAM_KEY_FILE=" + source.file + " is empty");
    }
    return Status::Config(
        "no stream key: set CH_STREAM_KEY, or CH_STREAM_KEY_FILE to a file holding it");
  }
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ':') {
      return Status::Config("the stream key in " + source.Describe() +
                            " contains a control character or ':', which no stream key has");
    }
  }
  return std::string(key);
}

}  // namespace ch
