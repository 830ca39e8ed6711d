// The officers table (the officers stream, resource_kind company-officers):
// one row per appointment, the people a lead team contacts. A resignation
// arrives as a `changed` event with resigned_on; `deleted` means the
// appointment was removed from the register.

#include <iterator>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/resource_uri.h"

namespace ch {

namespace {

enum : size_t {
  kAppointmentId,
  kName,
  kOfficerRole,
  kAppointedOn,
  kResignedOn,
  kNationality,
  kOccupation,
  kCountryOfResidence,
  kDateOfBirthMonth,
  kDateOfBirthYear,
  kPremises,
  kAddressLine1,
  kAddressLine2,
  kLocality,
  kRegion,
  kPostalCode,
  kCountry,
  kOfficerId,
};

constexpr Column kColumns[] = {
    {"appointment_id", ColumnType::kText},
    {"name", ColumnType::kText},
    {"officer_role", ColumnType::kText},
    {"appointed_on", ColumnType::kText},
    {"resigned_on", ColumnType::kText},
    {"nationality", ColumnType::kText},
    {"occupation", ColumnType::kText},
    {"country_of_residence", ColumnType::kText},
    {"date_of_birth_month", ColumnType::kInteger},
    {"date_of_birth_year", ColumnType::kInteger},
    {"premises", ColumnType::kText},
    {"address_line_1", ColumnType::kText},
    {"address_line_2", ColumnType::kText},
    {"locality", ColumnType::kText},
    {"region", ColumnType::kText},
    {"postal_code", ColumnType::kText},
    {"country", ColumnType::kText},
    {"officer_id", ColumnType::kText},
};
static_assert(std::size(kColumns) == kOfficerId + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {
    "name",       "officer_role",         "appointed_on",  "resigned_on", "nationality",
    "occupation", "country_of_residence", "date_of_birth", "address",     "links"};

// The person's id across companies, from links.officer.appointments
// ("/officers/{officer_id}/appointments").
std::optional<std::string_view> OfficerId(const rapidjson::Value* data) {
  const rapidjson::Value* link =
      MemberOf(MemberOf(MemberOf(data, "links"), "officer"), "appointments");
  if (link == nullptr || !link->IsString()) return std::nullopt;
  std::string_view path(link->GetString(), link->GetStringLength());
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  constexpr std::string_view kPrefix = "officers/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  const std::string_view id = path.substr(0, path.find('/'));
  if (id.empty()) return std::nullopt;
  return id;
}

void ExtractOfficers(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* data = in.data;
  const size_t row = out->AddRow();
  // The identity is the URI's: /company/{n}/appointments/{appointment_id}.
  out->SetText(row, kAppointmentId, SegmentAfter(in.resource_uri, "company/*/appointments"));
  out->SetText(row, kName, TextOf(MemberOf(data, "name"), out));
  out->SetText(row, kOfficerRole, TextOf(MemberOf(data, "officer_role"), out));
  out->SetText(row, kAppointedOn, DateOf(MemberOf(data, "appointed_on"), out));
  out->SetText(row, kResignedOn, EndDateOf(MemberOf(data, "resigned_on"), out));
  out->SetText(row, kNationality, TextOf(MemberOf(data, "nationality"), out));
  out->SetText(row, kOccupation, TextOf(MemberOf(data, "occupation"), out));
  out->SetText(row, kCountryOfResidence, TextOf(MemberOf(data, "country_of_residence"), out));
  const rapidjson::Value* birth = MemberOf(data, "date_of_birth");
  out->SetInteger(row, kDateOfBirthMonth, IntegerOf(MemberOf(birth, "month")));
  out->SetInteger(row, kDateOfBirthYear, IntegerOf(MemberOf(birth, "year")));
  const rapidjson::Value* address = MemberOf(data, "address");
  out->SetText(row, kPremises, TextOf(MemberOf(address, "premises"), out));
  out->SetText(row, kAddressLine1, TextOf(MemberOf(address, "address_line_1"), out));
  out->SetText(row, kAddressLine2, TextOf(MemberOf(address, "address_line_2"), out));
  out->SetText(row, kLocality, TextOf(MemberOf(address, "locality"), out));
  out->SetText(row, kRegion, TextOf(MemberOf(address, "region"), out));
  out->SetText(row, kPostalCode, TextOf(MemberOf(address, "postal_code"), out));
  out->SetText(row, kCountry, TextOf(MemberOf(address, "country"), out));
  out->SetText(row, kOfficerId, OfficerId(data));
}

}  // namespace

extern const ResourceTable kOfficersTable =
    MakeResourceTable("officers", kColumns, kDataMembers, &ExtractOfficers);

}  // namespace ch
