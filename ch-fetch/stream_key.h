// StreamKey: where the stream API key comes from. It is read from the
// environment (CH_STREAM_KEY) or from a file (CH_STREAM_KEY_FILE) and never
// from argv, where any user could read it in ps. The file is read again at
// each connection so a rotated key needs no restart. No message produced
// here ever contains the key (text from elsewhere is cleaned by redact.h).
#ifndef CH_FETCH_STREAM_KEY_H_
#define CH_FETCH_STREAM_KEY_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

struct KeySource {
  /// The key itself (CH_STREAM_KEY); used when no file is named.
  std::string key;
  /// A file holding the key (CH_STREAM_KEY_FILE); wins over `key`.
  std::string file;

  bool from_file() const { return !file.empty(); }
  // "CH_STREAM_KEY_FILE=/etc/ch/key" or "CH_STREAM_KEY", for messages.
  std::string Describe() const;
};

// Reads CH_STREAM_KEY and CH_STREAM_KEY_FILE.
KeySource KeySourceFromEnvironment();

// Returns the key: the file's content (or the variable) without surrounding
// whitespace. A missing, unreadable or empty key, or one with control
// characters or ':' (which Basic auth cannot carry in a user name), is a
// Config error naming the variable.
StatusOr<std::string> LoadStreamKey(const KeySource& source);

}  // namespace ch

#endif  // CH_FETCH_STREAM_KEY_H_
