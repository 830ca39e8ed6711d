// The company_exemptions table (the company-exemptions stream, resource_kind
// company-exemptions, whose URIs come without a leading slash): which
// exemptions from the PSC register a company has, one row per company.

#include <iterator>

#include "ch-parse/resource_extractors.h"

namespace ch {

namespace {

enum : size_t { kExemptionTypes };

constexpr Column kColumns[] = {{"exemption_types", ColumnType::kText}};
static_assert(std::size(kColumns) == kExemptionTypes + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {"exemptions"};

// The keys of data.exemptions (psc_exempt_as_trading_on_regulated_market,
// disclosure_transparency_rules_chapter_five_applies, ...), comma-joined in
// their order in the data.
std::optional<std::string_view> ExemptionTypes(const rapidjson::Value* data, ResourceRows* out) {
  const rapidjson::Value* exemptions = MemberOf(data, "exemptions");
  if (exemptions == nullptr || !exemptions->IsObject() || exemptions->ObjectEmpty())
    return std::nullopt;
  std::string* types = out->NewText();
  bool first = true;
  for (const auto& member : exemptions->GetObject()) {
    if (!first) types->push_back(',');
    first = false;
    types->append(member.name.GetString(), member.name.GetStringLength());
  }
  if (types->empty()) return std::nullopt;
  return std::string_view(*types);
}

void ExtractCompanyExemptions(const ExtractInput& in, ResourceRows* out) {
  const size_t row = out->AddRow();
  out->SetText(row, kExemptionTypes, ExemptionTypes(in.data, out));
}

}  // namespace

extern const ResourceTable kCompanyExemptionsTable =
    MakeResourceTable("company_exemptions", kColumns, kDataMembers, &ExtractCompanyExemptions);

}  // namespace ch
