// Resource URIs: see resource_uri.h.
#include "ch-parse/resource_uri.h"

namespace ch {

std::optional<std::string_view> NormalizeResourceUri(std::string_view uri, std::string* scratch) {
  size_t slashes = 0;
  while (slashes < uri.size() && uri[slashes] == '/') ++slashes;
  if (slashes == uri.size()) return std::nullopt;
  if (slashes >= 1) return uri.substr(slashes - 1);
  scratch->assign("/");
  scratch->append(uri);
  return std::string_view(*scratch);
}

std::optional<std::string_view> SegmentAfter(std::string_view normalized_uri,
                                             std::string_view prefix) {
  if (normalized_uri.empty() || normalized_uri[0] != '/') return std::nullopt;
  std::string_view rest = normalized_uri.substr(1);
  for (;;) {
    const size_t end = prefix.find('/');
    const std::string_view wanted = prefix.substr(0, end);
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;  // nothing after it
    if (wanted != "*" && rest.substr(0, slash) != wanted) return std::nullopt;
    rest = rest.substr(slash + 1);
    if (end == std::string_view::npos) break;
    prefix = prefix.substr(end + 1);
  }
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) rest = rest.substr(0, slash);
  if (rest.empty()) return std::nullopt;
  return rest;
}

std::optional<CompanyNumber> CompanyNumberFromUri(std::string_view normalized_uri) {
  const auto segment = SegmentAfter(normalized_uri, "company");
  if (!segment) return std::nullopt;
  return NormalizeCompanyNumber(*segment, /*pad_all_digits=*/false);
}

}  // namespace ch
