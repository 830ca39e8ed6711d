// Redact: what ch-fetch does to text from elsewhere (a server's error body,
// a library's error message, a URL) before it reaches a log line, so that
// no log ever carries the stream key or a URL's query:
//
// - RedactCredentials replaces the key, each of its base64 forms (the HTTP
//   Basic credential base64("key:"), base64("key") with and without its
//   padding, and the part of the key's encoding that is the same at any
//   position inside a longer base64 text) and the value of any
//   Authorization header (whatever key it carries) by "***".
// - SafeExcerpt redacts *before* cutting: a body is redacted whole, then
//   cut to the excerpt's length, so a cut can never fall inside a secret
//   (a 300-byte cut inside "Authorization: Basic ..." once left 7 of 16 key
//   bytes in the log).
// - RedactUrlQuery / RedactUrlQueries replace what follows a URL's '?' or
//   '#' by "***": a query may carry a token, and none is ever echoed.
#ifndef CH_FETCH_REDACT_H_
#define CH_FETCH_REDACT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ch {

// `text` with the key, its base64 forms and every Authorization header value
// replaced by "***" (an Authorization scheme such as "Basic" is kept). An
// empty key redacts only Authorization values.
std::string RedactCredentials(std::string_view text, std::string_view key);

// A log excerpt of at most `limit` bytes of `collected` (the first bytes of
// a body; `cut_off`: the body went on beyond them): credentials and URL
// queries are redacted in all of `collected` first, and when it was cut
// off, a tail that could be the start of the key or of one of its base64
// forms is redacted too; only then is the result cut to `limit`.
std::string SafeExcerpt(std::string_view collected, bool cut_off, std::string_view key,
                        size_t limit);

// One URL with its query and fragment (from the first '?' or '#') replaced
// by "?***" / "#***"; a URL without either is returned as it is.
std::string RedactUrlQuery(std::string_view url);

// Every URL ("scheme://...") in free text treated as RedactUrlQuery does; a
// URL ends at whitespace, a quote, '<', '>' or a control character.
std::string RedactUrlQueries(std::string_view text);

}  // namespace ch

#endif  // CH_FETCH_REDACT_H_
