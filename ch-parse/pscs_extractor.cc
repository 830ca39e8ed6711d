// The pscs table (the persons-with-significant-control stream, eight
// resource kinds: company-psc-individual, -corporate, -legal, -supersecure
// and the four beneficial-owner kinds of overseas entities): one row per
// person with significant control. A cessation arrives as `changed` with
// ceased_on; super-secure persons have no name (only `ceased`).

#include <iterator>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/resource_uri.h"

namespace ch {

namespace {

enum : size_t {
  kPscId,
  kResourceKind,
  kName,
  kNaturesOfControl,
  kNotifiedOn,
  kCeasedOn,
  kCeased,
  kNationality,
  kCountryOfResidence,
  kPremises,
  kAddressLine1,
  kLocality,
  kPostalCode,
  kCountry,
};

constexpr Column kColumns[] = {
    {"psc_id", ColumnType::kText},
    {"resource_kind", ColumnType::kText},
    {"name", ColumnType::kText},
    {"natures_of_control", ColumnType::kText},
    {"notified_on", ColumnType::kText},
    {"ceased_on", ColumnType::kText},
    {"ceased", ColumnType::kInteger},
    {"nationality", ColumnType::kText},
    {"country_of_residence", ColumnType::kText},
    {"premises", ColumnType::kText},
    {"address_line_1", ColumnType::kText},
    {"locality", ColumnType::kText},
    {"postal_code", ColumnType::kText},
    {"country", ColumnType::kText},
};
static_assert(std::size(kColumns) == kCountry + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {
    "name",   "natures_of_control", "notified_on",          "ceased_on",
    "ceased", "nationality",        "country_of_residence", "address"};

// `ceased` is 1 in the snapshot's super-secure lines and a boolean
// elsewhere: 0/1 either way; null when absent or neither.
std::optional<int64_t> CeasedOf(const rapidjson::Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->IsBool()) return value->GetBool() ? 1 : 0;
  const auto n = IntegerOf(value);
  if (!n) return std::nullopt;
  return *n != 0 ? 1 : 0;
}

void ExtractPscs(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* data = in.data;
  const size_t row = out->AddRow();
  // The identity is the URI's: /company/{n}/persons-with-significant-control/{kind}/{psc_id}.
  out->SetText(row, kPscId,
               SegmentAfter(in.resource_uri, "company/*/persons-with-significant-control/*"));
  out->SetText(row, kResourceKind, in.resource_kind);
  out->SetText(row, kName, TextOf(MemberOf(data, "name"), out));
  out->SetText(row, kNaturesOfControl,
               JoinedTexts(MemberOf(data, "natures_of_control"), nullptr, ",", out));
  out->SetText(row, kNotifiedOn, DateOf(MemberOf(data, "notified_on"), out));
  out->SetText(row, kCeasedOn, EndDateOf(MemberOf(data, "ceased_on"), out));
  out->SetInteger(row, kCeased, CeasedOf(MemberOf(data, "ceased")));
  out->SetText(row, kNationality, TextOf(MemberOf(data, "nationality"), out));
  out->SetText(row, kCountryOfResidence, TextOf(MemberOf(data, "country_of_residence"), out));
  const rapidjson::Value* address = MemberOf(data, "address");
  out->SetText(row, kPremises, TextOf(MemberOf(address, "premises"), out));
  out->SetText(row, kAddressLine1, TextOf(MemberOf(address, "address_line_1"), out));
  out->SetText(row, kLocality, TextOf(MemberOf(address, "locality"), out));
  out->SetText(row, kPostalCode, TextOf(MemberOf(address, "postal_code"), out));
  out->SetText(row, kCountry, TextOf(MemberOf(address, "country"), out));
}

}  // namespace

extern const ResourceTable kPscsTable =
    MakeResourceTable("pscs", kColumns, kDataMembers, &ExtractPscs);

}  // namespace ch
