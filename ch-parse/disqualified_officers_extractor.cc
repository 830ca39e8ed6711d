// The disqualified_officers table (the disqualified-officers stream,
// resource_kind disqualified-officer-natural or -corporate): people and
// companies barred from acting as directors. They belong to no company (the
// record's company_number is null): disqualifications name companies only
// by name, kept in company_names.
#include <iterator>
#include <string>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/resource_uri.h"

namespace ch {

namespace {

enum : size_t {
  kOfficerId,
  kOfficerKind,
  kName,
  kDateOfBirth,
  kNationality,
  kDisqualifiedFrom,
  kDisqualifiedUntil,
  kCompanyNames,
};

constexpr Column kColumns[] = {
    {"officer_id", ColumnType::kText},
    {"officer_kind", ColumnType::kText},
    {"name", ColumnType::kText},
    {"date_of_birth", ColumnType::kText},
    {"nationality", ColumnType::kText},
    {"disqualified_from", ColumnType::kText},
    {"disqualified_until", ColumnType::kText},
    {"company_names", ColumnType::kText},
};
static_assert(std::size(kColumns) == kCompanyNames + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {
    "forename",      "other_forenames", "surname",          "name",
    "date_of_birth", "nationality",     "disqualifications"};

// natural: forename, other forenames and surname joined by single spaces
// (the title left out); corporate: `name`.
std::optional<std::string_view> NameOf(const ExtractInput& in, ResourceRows* out) {
  if (in.resource_kind == "disqualified-officer-corporate")
    return TextOf(MemberOf(in.data, "name"), out);
  std::string* name = nullptr;
  for (const char* part : {"forename", "other_forenames", "surname"}) {
    const auto text = TextOf(MemberOf(in.data, part), out);
    if (!text) continue;
    if (name == nullptr) {
      name = out->NewText();
    } else {
      name->push_back(' ');
    }
    name->append(*text);
  }
  if (name == nullptr) return std::nullopt;
  return std::string_view(*name);
}

void ExtractDisqualifiedOfficers(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* data = in.data;
  const size_t row = out->AddRow();
  // /disqualified-officers/{natural|corporate}/{officer_id}
  out->SetText(row, kOfficerId, SegmentAfter(in.resource_uri, "disqualified-officers/*"));
  const auto kind = SegmentAfter(in.resource_uri, "disqualified-officers");
  out->SetText(row, kOfficerKind,
               kind && (*kind == "natural" || *kind == "corporate") ? kind : std::nullopt);
  out->SetText(row, kName, NameOf(in, out));
  out->SetText(row, kDateOfBirth, DateOf(MemberOf(data, "date_of_birth"), out));
  out->SetText(row, kNationality, TextOf(MemberOf(data, "nationality"), out));

  std::optional<std::string_view> from;
  std::optional<std::string_view> until;
  std::string* names = nullptr;
  const rapidjson::Value* disqualifications = MemberOf(data, "disqualifications");
  if (disqualifications != nullptr && disqualifications->IsArray()) {
    for (const rapidjson::Value& d : disqualifications->GetArray()) {
      const auto d_from = DateOf(MemberOf(&d, "disqualified_from"), out);
      if (d_from && (!from || *d_from < *from)) from = d_from;
      const auto d_until = DateOf(MemberOf(&d, "disqualified_until"), out);
      if (d_until && (!until || *d_until > *until)) until = d_until;
      const auto joined = JoinedTexts(MemberOf(&d, "company_names"), nullptr, "; ", out);
      if (!joined) continue;
      if (names == nullptr) {
        names = out->NewText();
      } else {
        names->append("; ");
      }
      names->append(*joined);
    }
  }
  out->SetText(row, kDisqualifiedFrom, from);
  out->SetText(row, kDisqualifiedUntil, until);
  out->SetText(row, kCompanyNames,
               names != nullptr ? std::optional<std::string_view>(*names) : std::nullopt);
}

}  // namespace

extern const ResourceTable kDisqualifiedOfficersTable = MakeResourceTable(
    "disqualified_officers", kColumns, kDataMembers, &ExtractDisqualifiedOfficers);

}  // namespace ch
