// Resource URIs: the identity of every resource of every stream
// (`resource_uri`, e.g. /company/10676322/filing-history/MzI4OTQz...), and
// the only place most streams say which company a resource belongs to
// (DESIGN.md "Every stream"). The company-exemptions stream writes its URIs
// without the leading slash (company/14438833/exemptions), so they are
// normalised before they are used as keys.
#ifndef CH_PARSE_RESOURCE_URI_H_
#define CH_PARSE_RESOURCE_URI_H_

#include <optional>
#include <string>
#include <string_view>

#include "ch-parse/company_number.h"

namespace ch {

// `uri` with exactly one leading '/' ("company/1" and "//company/1" ->
// "/company/1"): a view into `uri` when it has one already, else built in
// *scratch. Nothing else is changed. Nullopt when nothing is left ("", "/").
std::optional<std::string_view> NormalizeResourceUri(std::string_view uri, std::string* scratch);

// The company number of a normalised URI: the segment after a leading
// "/company/", up to the next '/' or the end, as NormalizeCompanyNumber
// accepts it (trimmed, upper-cased, 1-10 of A-Z0-9). Nullopt when the URI
// does not start so or the segment is not a valid number.
std::optional<CompanyNumber> CompanyNumberFromUri(std::string_view normalized_uri);

// The segment after a leading "/<prefix>/" of a normalised URI, up to the
// next '/' or the end ("/disqualified-officers/natural/X", prefix
// "disqualified-officers" -> "natural"); nullopt when there is none. The
// prefix may name several segments, "*" standing for any one: the id of
// "/company/1/charges/X" is the segment after "company/*/charges".
// (The last segment of a URI that lacks its id is no id: an independent
// run found "/company/1/filing-history/" stored with transaction_id
// "filing-history".)
std::optional<std::string_view> SegmentAfter(std::string_view normalized_uri,
                                             std::string_view prefix);

}  // namespace ch

#endif  // CH_PARSE_RESOURCE_URI_H_
