// ResourceParser: see resource_parser.h. The checks run in this order, and
// the first failure names the reject: resource_uri (present, a string, not
// empty once normalised), then the company number the kind requires.
#include "ch-parse/resource_parser.h"

#include "ch-parse/resource_uri.h"

namespace ch {

namespace {

// How much of an offending value a reason quotes.
constexpr size_t kMaxQuotedBytes = 64;

}  // namespace

ResourceParser::ResourceParser(const RecordWriter* writer) : writer_(writer) {
  reason_.reserve(128);
}

bool ResourceParser::Fail(RejectClass reject_class, std::string_view reason) {
  reject_class_ = reject_class;
  reason_.assign(reason);
  return false;
}

bool ResourceParser::Parse(const Event& event, JsonLine* out) {
  kind_ = nullptr;
  if (event.resource_uri == nullptr || !event.resource_uri->IsString())
    return Fail(RejectClass::kResourceUri, "resource_uri is missing or not a string");
  const auto uri = NormalizeResourceUri(
      std::string_view(event.resource_uri->GetString(), event.resource_uri->GetStringLength()),
      &uri_scratch_);
  if (!uri) return Fail(RejectClass::kResourceUri, "resource_uri is empty");

  const ResourceKind* kind = FindResourceKind(event.resource_kind);
  const CompanyNumberRule rule = kind != nullptr ? kind->company_number : kUnknownKindNumberRule;
  std::optional<std::string_view> company_number;
  switch (rule) {
    case CompanyNumberRule::kFromUri:
      company_number_ = CompanyNumberFromUri(*uri);
      if (!company_number_) {
        reason_ = "no valid company number in resource_uri: \"";
        reason_.append(uri->substr(0, kMaxQuotedBytes));
        reason_.push_back('"');
        if (uri->size() > kMaxQuotedBytes) reason_.append("...");
        reject_class_ = RejectClass::kCompanyNumber;
        return false;
      }
      company_number = company_number_->view();
      break;
    case CompanyNumberRule::kFromUriIfAny:
      company_number_ = CompanyNumberFromUri(*uri);
      if (company_number_) company_number = company_number_->view();
      break;
    case CompanyNumberRule::kNone:
    case CompanyNumberRule::kCompanyRecord:  // not a resource: EventParser's
      break;
  }

  const ResourceTable* table = kind != nullptr ? kind->table : nullptr;
  rows_.Reset(table);
  if (table != nullptr) {
    ExtractInput in;
    in.resource_kind = event.resource_kind;
    in.resource_uri = *uri;
    in.company_number = company_number;
    in.data = event.data;
    table->extract(in, &rows_);
    // A removal from the register is not an event a lead team acts on.
    if (event.deleted) rows_.ClearSignals();
  }

  ParsedResource record;
  record.timepoint = event.timepoint;
  record.published_at = event.published_at;
  record.as_of = event.as_of;
  record.event_type = event.deleted ? "deleted" : "changed";
  record.resource_kind = event.resource_kind;
  record.resource_uri = *uri;
  if (event.resource_id != nullptr && event.resource_id->IsString()) {
    record.resource_id =
        std::string_view(event.resource_id->GetString(), event.resource_id->GetStringLength());
  }
  record.company_number = company_number;
  record.rows = &rows_;
  record.data_json = event.data_json;
  writer_->AppendResource(record, out);
  kind_ = kind;
  return true;
}

}  // namespace ch
