// The insolvency_cases table (the insolvency-cases stream, resource_kind
// company-insolvency). One resource per company holds all its cases, and
// every event re-sends the whole list, so a record carries one row per
// element of data.cases (replacing the company's rows) and one signal per
// case whose type a lead team acts on: liquidation, administration,
// receivership, voluntary arrangement, members' voluntary liquidation.
// ch-store keeps each signal once by its key, so re-sending a case, or the
// record growing from one case to two, adds only the new case's signal.
#include <iterator>
#include <string>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/signal_rules.h"

namespace ch {

namespace {

enum : size_t {
  kCaseIndex,
  kCaseNumber,
  kCaseType,
  kStartedOn,
  kPractitioners,
};

constexpr Column kColumns[] = {
    {"case_index", ColumnType::kInteger}, {"case_number", ColumnType::kText},
    {"case_type", ColumnType::kText},     {"started_on", ColumnType::kText},
    {"practitioners", ColumnType::kText},
};
static_assert(std::size(kColumns) == kPractitioners + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {"cases"};

// The earliest of a case's dates[].date (ISO dates compare as text); nullopt
// when it has none (real cases can have no dates at all).
std::optional<std::string_view> EarliestDate(const rapidjson::Value* dates, ResourceRows* out) {
  if (dates == nullptr || !dates->IsArray()) return std::nullopt;
  std::optional<std::string_view> earliest;
  for (const rapidjson::Value& entry : dates->GetArray()) {
    const auto date = DateOf(MemberOf(&entry, "date"), out);
    if (date && (!earliest || *date < *earliest)) earliest = date;
  }
  return earliest;
}

void ExtractInsolvencyCases(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* cases = MemberOf(in.data, "cases");
  if (cases == nullptr || !cases->IsArray()) return;
  int64_t index = 0;
  for (const rapidjson::Value& c : cases->GetArray()) {
    const size_t row = out->AddRow();
    out->SetInteger(row, kCaseIndex, index++);
    // "1" in every real line; a number is accepted and kept as its text.
    const auto number = TextOf(MemberOf(&c, "number"), out);
    out->SetText(row, kCaseNumber, number);
    const auto type = TextOf(MemberOf(&c, "type"), out);
    out->SetText(row, kCaseType, type);
    const auto started_on = EarliestDate(MemberOf(&c, "dates"), out);
    out->SetText(row, kStartedOn, started_on);
    out->SetText(row, kPractitioners,
                 JoinedTexts(MemberOf(&c, "practitioners"), "name", "; ", out));

    if (!type) continue;
    const auto signal = SignalForCaseType(*type);
    if (!signal) continue;
    std::string* key = out->NewText();
    key->assign("insolvency:");
    key->append(in.company_number.value_or(""));
    key->push_back(':');
    key->append(number.value_or(""));
    key->push_back(':');
    key->append(*type);
    out->AddSignal({*signal, *key, started_on, type});
  }
}

}  // namespace

extern const ResourceTable kInsolvencyCasesTable =
    MakeResourceTable("insolvency_cases", kColumns, kDataMembers, &ExtractInsolvencyCases);

}  // namespace ch
