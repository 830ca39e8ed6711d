// CaBundle: the check of CH_CACERT at start. libcurl reads the bundle only
// when it connects, so a file that is a directory, or not PEM at all, was
// once accepted at start and then failed every connection forever at info
// level. Now such a value is a configuration error (exit 78) before any
// network work, with one line naming the variable.
//
// A PEM bundle is a regular file holding at least one certificate block
// ("-----BEGIN CERTIFICATE-----" or "TRUSTED CERTIFICATE", base64 that
// decodes to a DER SEQUENCE, then the matching END line); text between the
// blocks (comments, as in the system bundle) is allowed, a block that
// does not decode is not.
#ifndef CH_FETCH_CA_BUNDLE_H_
#define CH_FETCH_CA_BUNDLE_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

// Ok when `text` is a PEM bundle as above; else a message saying why.
Status CheckPemBundle(std::string_view text);

// Reads `path` and checks it; a Config error naming `option_name`
// ("--cacert/CH_CACERT") and the path when it is missing, unreadable, not a
// regular file, larger than 64 MiB, or not a PEM bundle.
Status CheckCaBundleFile(const std::string& path, const std::string& option_name);

}  // namespace ch

#endif  // CH_FETCH_CA_BUNDLE_H_
