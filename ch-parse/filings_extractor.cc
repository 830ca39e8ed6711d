// The filings table (the filings stream, resource_kind filing-history): one
// row per filing-history transaction, and the strike-off and dissolution
// signals that a filing's form type shows (signal_rules.h). The filings
// stream is the earliest source of those: a DS01 application or a GAZ1
// Gazette notice weeks before the company's status changes.
#include <iterator>
#include <string>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/resource_uri.h"
#include "ch-parse/signal_rules.h"

namespace ch {

namespace {

enum : size_t {
  kTransactionId,
  kType,
  kCategory,
  kSubcategory,
  kDescription,
  kDate,
  kActionDate,
  kBarcode,
  kPages,
};

constexpr Column kColumns[] = {
    {"transaction_id", ColumnType::kText}, {"type", ColumnType::kText},
    {"category", ColumnType::kText},       {"subcategory", ColumnType::kText},
    {"description", ColumnType::kText},    {"date", ColumnType::kText},
    {"action_date", ColumnType::kText},    {"barcode", ColumnType::kText},
    {"pages", ColumnType::kInteger},
};
static_assert(std::size(kColumns) == kPages + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {"type", "category",    "subcategory", "description",
                                        "date", "action_date", "barcode",     "pages"};

// Form types are a few characters; anything longer matches no rule.
constexpr size_t kMaxTypeBytes = 32;

void ExtractFilings(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* data = in.data;
  const size_t row = out->AddRow();
  // The identity is the URI's: /company/{n}/filing-history/{transaction_id}.
  const auto transaction_id = SegmentAfter(in.resource_uri, "company/*/filing-history");
  out->SetText(row, kTransactionId, transaction_id);
  const auto type = TextOf(MemberOf(data, "type"), out);
  out->SetText(row, kType, type);
  out->SetText(row, kCategory, TextOf(MemberOf(data, "category"), out));
  // A string, or an array ([voluntary, resolution]) stored comma-joined.
  const rapidjson::Value* subcategory = MemberOf(data, "subcategory");
  out->SetText(row, kSubcategory,
               subcategory != nullptr && subcategory->IsArray()
                   ? JoinedTexts(subcategory, nullptr, ",", out)
                   : TextOf(subcategory, out));
  const auto description = TextOf(MemberOf(data, "description"), out);
  out->SetText(row, kDescription, description);
  const auto date = DateOf(MemberOf(data, "date"), out);
  out->SetText(row, kDate, date);
  out->SetText(row, kActionDate, DateOf(MemberOf(data, "action_date"), out));
  out->SetText(row, kBarcode, TextOf(MemberOf(data, "barcode"), out));
  out->SetInteger(row, kPages, IntegerOf(MemberOf(data, "pages")));

  // The signal: by form type; a filing without one, by its description.
  char buffer[kMaxTypeBytes];
  std::optional<std::string_view> normalized;
  if (type) normalized = NormalizeFilingType(*type, buffer, sizeof buffer);
  const bool typeless = !type || (normalized && normalized->empty());
  std::optional<std::string_view> signal;
  std::optional<std::string_view> detail;
  if (typeless) {
    if (description) signal = SignalForFilingDescription(*description);
    detail = description;
  } else if (normalized) {
    signal = SignalForFilingType(*normalized);
    if (signal) {
      // The type as matched; `buffer` is gone when the record is written.
      std::string* text = out->NewText();
      text->assign(*normalized);
      detail = *text;
    }
  }
  if (!signal) return;
  // Keyed by the transaction (DESIGN.md), spelt as the canonical URI: the
  // same filing under a lower-case company number or a trailing slash is
  // one signal, and the keys already stored (real URIs are canonical) stay.
  std::string* key = out->NewText();
  key->assign("filing:");
  if (transaction_id && in.company_number) {
    key->append("/company/");
    key->append(*in.company_number);
    key->append("/filing-history/");
    key->append(*transaction_id);
  } else {
    key->append(in.resource_uri);
  }
  out->AddSignal({*signal, *key, date, detail});
}

}  // namespace

extern const ResourceTable kFilingsTable =
    MakeResourceTable("filings", kColumns, kDataMembers, &ExtractFilings);

}  // namespace ch
