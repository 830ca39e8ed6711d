// PscSnapshotParser: see psc_snapshot_parser.h. The checks run in this
// order, and the first failure names the reject: line (too long, NUL, not
// JSON, not an object); data an object; data.kind a string; the totals
// line; company_number; data.links.self; the company number of links.self
// (required for a known kind, compared with company_number whenever there
// is one).
#include "ch-parse/psc_snapshot_parser.h"

#include <cstring>

#include "ch-parse/resource_uri.h"
#include "common/json.h"

namespace ch {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr size_t kMaxQuotedBytes = 64;
constexpr std::string_view kStatementsStream = "persons-with-significant-control-statements";
constexpr std::string_view kExemptionsStream = "company-exemptions";

std::string_view ViewOf(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

bool IsBlankLine(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

void AppendQuoted(std::string* out, std::string_view text) {
  out->push_back('"');
  out->append(text.substr(0, kMaxQuotedBytes));
  out->push_back('"');
  if (text.size() > kMaxQuotedBytes) out->append("...");
}

// What the parse tree must hold: the envelope, and of `data` what the
// extractors of the snapshot's tables read, the kind, the links and the
// totals line's counts. Every other member of `data` is passed on as text.
LineDocument::Shape SnapshotShape() {
  LineDocument::Shape shape;
  shape.members = {"company_number", "data"};
  std::vector<std::string>& data = shape.data_members;
  data = {"kind",
          "links",
          "persons_of_significant_control_count",
          "statements_count",
          "exemptions_count",
          "generated_at"};
  for (const ResourceKind& kind : AllResourceKinds()) {
    if (kind.snapshot_kind.empty() || kind.table == nullptr) continue;
    for (size_t i = 0; i < kind.table->data_member_count; ++i) {
      const std::string member = kind.table->data_members[i];
      bool listed = false;
      for (const std::string& m : data) listed = listed || m == member;
      if (!listed) data.push_back(member);
    }
  }
  return shape;
}

}  // namespace

PscSnapshotParser::PscSnapshotParser(const IsoDate& as_of, bool shaped_parse)
    : as_of_date_(as_of.view()),
      as_of_(std::string(as_of.view()) + "T00:00:00Z"),
      document_(shaped_parse ? LineDocument(SnapshotShape()) : LineDocument()) {
  writers_.push_back(std::make_unique<RecordWriter>(kPscSnapshotStream, "bulk"));
  reason_.reserve(256);
}

const RecordWriter& PscSnapshotParser::WriterFor(std::string_view stream) {
  // Three streams at most (the kinds table's snapshot rows): a short search.
  for (const auto& writer : writers_) {
    if (writer->stream() == stream) return *writer;
  }
  writers_.push_back(std::make_unique<RecordWriter>(stream, "bulk"));
  return *writers_.back();
}

uint64_t PscSnapshotParser::rows() const {
  return counts_.pscs + counts_.statements + counts_.exemptions + counts_.other + counts_.rejects;
}

PscSnapshotParser::Outcome PscSnapshotParser::Reject(RejectClass reject_class,
                                                     std::string_view reason, JsonLine* out) {
  reject_class_ = reject_class;
  ++counts_.rejects;
  writers_.front()->AppendReject(std::nullopt, reason, raw_, raw_length_, out);
  return Outcome::kReject;
}

PscSnapshotParser::Outcome PscSnapshotParser::ParseOversized(std::string_view prefix,
                                                             uint64_t full_length, JsonLine* out) {
  raw_ = prefix;
  raw_length_ = full_length;
  kind_ = nullptr;
  reason_ = "line too long (" + std::to_string(full_length) + " bytes)";
  return Reject(RejectClass::kLineTooLong, reason_, out);
}

PscSnapshotParser::Outcome PscSnapshotParser::ParseTotals(const rapidjson::Value& data,
                                                          JsonLine* out) {
  const char* const names[] = {"persons_of_significant_control_count", "statements_count",
                               "exemptions_count"};
  uint64_t values[3] = {};
  for (int i = 0; i < 3; ++i) {
    const std::optional<int64_t> n = GetInt64(data, names[i]);
    if (!n || *n < 0) {
      reason_ = "totals line without a count in data.";
      reason_ += names[i];
      return Reject(RejectClass::kData, reason_, out);
    }
    values[i] = static_cast<uint64_t>(*n);
  }
  const rapidjson::Value::ConstMemberIterator generated = data.FindMember("generated_at");
  const std::optional<std::string_view> generated_at =
      generated != data.MemberEnd() && generated->value.IsString()
          ? std::optional<std::string_view>(ViewOf(generated->value))
          : std::nullopt;
  if (totals_) {
    // The same line again (the same counts and generated_at): the part
    // that holds it was given twice, which the lines' tally already allows
    // for, so it is skipped. Any other is a second snapshot mixed in: the
    // counts could no longer be trusted to describe this input, so the
    // first stays and the import cannot be complete (a reject never is).
    if (totals_->pscs == values[0] && totals_->statements == values[1] &&
        totals_->exemptions == values[2] && totals_generated_at_ == generated_at)
      return Outcome::kBlank;
    return Reject(RejectClass::kEnvelope, "a second totals line (the first is kept)", out);
  }
  // A snapshot generated before the --as-of date (a wrong or a stale file:
  // only the day's files are served, PSC-SNAPSHOT.md) would date its states
  // later than they were true, so they would win over stream changes made
  // since. Its lines are written already; refusing the totals line leaves
  // the import incomplete, so it heals nothing and status says so. The
  // date as written (UK local time) is the day the snapshot is of. A later
  // or missing generated_at is accepted (the field is not confirmed).
  if (generated_at) {
    const std::string_view text = *generated_at;
    const std::optional<IsoDate> day = ParseIsoDate(text.substr(0, 10));
    if (day && day->view() < as_of_date_) {
      reason_ = "totals line generated_at ";
      AppendQuoted(&reason_, text);
      reason_ += " is before --as-of ";
      reason_ += as_of_date_;
      reason_ += ": the snapshot is older than --as-of says";
      return Reject(RejectClass::kData, reason_, out);
    }
  }
  totals_ = PscSnapshotTotals{values[0], values[1], values[2]};
  if (generated_at) totals_generated_at_ = std::string(*generated_at);
  return Outcome::kTotals;
}

PscSnapshotParser::Outcome PscSnapshotParser::Parse(std::string_view line, JsonLine* out) {
  raw_ = line;
  raw_length_ = line.size();
  kind_ = nullptr;
  std::string_view text = line;
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (IsBlankLine(text)) return Outcome::kBlank;
  if (std::memchr(text.data(), '\0', text.size()) != nullptr)
    return Reject(RejectClass::kInvalidJson, "NUL byte in line", out);
  const Status parsed = document_.Parse(text);
  if (!parsed.ok()) return Reject(RejectClass::kInvalidJson, parsed.message(), out);
  const rapidjson::Value& root = document_.root();
  if (!root.IsObject()) return Reject(RejectClass::kEnvelope, "not a JSON object", out);

  const rapidjson::Value* data = FindMember(root, "data");
  if (data == nullptr || !data->IsObject())
    return Reject(RejectClass::kData, "data is missing or not an object", out);
  const rapidjson::Value* kind_value = FindMember(*data, "kind");
  // An empty kind is no kind (ch-store refuses a resource without one, as
  // ch-parse's stream path does).
  if (kind_value == nullptr || !kind_value->IsString() || kind_value->GetStringLength() == 0)
    return Reject(RejectClass::kResourceKind, "data.kind is missing, empty or not a string", out);
  const std::string_view data_kind = ViewOf(*kind_value);
  if (data_kind == kPscTotalsKind) return ParseTotals(*data, out);

  const rapidjson::Value* number_value = FindMember(root, "company_number");
  if (number_value == nullptr || !number_value->IsString())
    return Reject(RejectClass::kCompanyNumber, "company_number is missing or not a string", out);
  number_ = NormalizeCompanyNumber(ViewOf(*number_value), /*pad_all_digits=*/false);
  if (!number_) {
    reason_ = "invalid company_number: ";
    AppendQuoted(&reason_, ViewOf(*number_value));
    return Reject(RejectClass::kCompanyNumber, reason_, out);
  }

  const rapidjson::Value* links = FindMember(*data, "links");
  const rapidjson::Value* self = links != nullptr ? FindMember(*links, "self") : nullptr;
  std::optional<std::string_view> uri;
  if (self != nullptr && self->IsString()) uri = NormalizeResourceUri(ViewOf(*self), &uri_scratch_);
  if (!uri) {
    return Reject(RejectClass::kResourceUri,
                  "data.links.self is missing, not a string or empty: no identity", out);
  }

  const ResourceKind* kind = FindResourceKindBySnapshotKind(data_kind);
  uri_number_ = CompanyNumberFromUri(*uri);
  if (!uri_number_ && kind != nullptr) {
    reason_ = "no valid company number in data.links.self: ";
    AppendQuoted(&reason_, *uri);
    return Reject(RejectClass::kCompanyNumber, reason_, out);
  }
  if (uri_number_ && uri_number_->view() != number_->view()) {
    reason_ = "company_number ";
    AppendQuoted(&reason_, number_->view());
    reason_ += " disagrees with data.links.self's ";
    AppendQuoted(&reason_, uri_number_->view());
    return Reject(RejectClass::kCompanyNumber, reason_, out);
  }

  const ResourceTable* table = kind != nullptr ? kind->table : nullptr;
  std::optional<std::string_view> company_number;
  if (uri_number_) company_number = uri_number_->view();
  rows_.Reset(table);
  if (table != nullptr) {
    ExtractInput in;
    in.resource_kind = kind->resource_kind;
    in.resource_uri = *uri;
    in.company_number = company_number;
    in.data = data;
    table->extract(in, &rows_);
    // A snapshot says what is, not what happened: no signals.
    rows_.ClearSignals();
  }

  ParsedResource record;
  record.as_of = as_of_;
  record.event_type = "changed";
  record.resource_kind = kind != nullptr ? kind->resource_kind : data_kind;
  record.resource_uri = *uri;
  // The stream's resource_id: the URI's last segment, and for exemptions
  // (whose URI ends in ".../exemptions") the company number.
  if (kind != nullptr && kind->stream == kExemptionsStream) {
    record.resource_id = company_number;
  } else {
    record.resource_id = LastSegment(*uri);
  }
  record.company_number = company_number;
  record.rows = &rows_;
  record.data_json = document_.raw_data().value_or("{}");
  const std::string_view stream = kind != nullptr ? kind->stream : kPscSnapshotStream;
  WriterFor(stream).AppendResource(record, out);

  if (kind == nullptr) {
    ++counts_.other;
  } else if (kind->stream == kStatementsStream) {
    ++counts_.statements;
  } else if (kind->stream == kExemptionsStream) {
    ++counts_.exemptions;
  } else {
    ++counts_.pscs;
  }
  kind_ = kind;
  return Outcome::kResource;
}

void PscSnapshotParser::AppendSnapshotEnd(JsonLine* out) const {
  out->Append("{\"snapshot_end\":{\"stream\":");
  out->AppendString(kPscSnapshotStream);
  out->Append(",\"format\":\"psc-snapshot\",\"as_of\":");
  out->AppendString(as_of_date_);
  out->Append(",\"rows\":");
  out->AppendUint(rows());
  out->Append(",\"expected\":");
  if (totals_) {
    out->Append("{\"pscs\":");
    out->AppendUint(totals_->pscs);
    out->Append(",\"statements\":");
    out->AppendUint(totals_->statements);
    out->Append(",\"exemptions\":");
    out->AppendUint(totals_->exemptions);
    out->Append('}');
  } else {
    out->Append("null");
  }
  out->Append(",\"received\":{\"pscs\":");
  out->AppendUint(counts_.pscs);
  out->Append(",\"statements\":");
  out->AppendUint(counts_.statements);
  out->Append(",\"exemptions\":");
  out->AppendUint(counts_.exemptions);
  out->Append(",\"other\":");
  out->AppendUint(counts_.other);
  out->Append(",\"rejects\":");
  out->AppendUint(counts_.rejects);
  out->Append("}}}");
}

}  // namespace ch
