// EventParser: see event_parser.h. The checks run in this order, and the
// first failure names the reject:
//   line: too long, NUL byte, not JSON (syntax, UTF-8, nesting, trailing
//   garbage), not an object; control lines; resource_kind; event object;
//   event.timepoint; event.type; then
//   company-profile: event.published_at; data; company number;
//   other kinds: data (when present, an object; absent only when deleted);
//   resource_uri and company number (resource_parser.cc).
// event.timepoint is read first, so that any later reject can carry it.
#include "ch-parse/event_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "ch-parse/status_mapping.h"
#include "common/json.h"

namespace ch {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// How much of an offending value a reason quotes.
constexpr size_t kMaxQuotedBytes = 64;
constexpr size_t kMaxSicCodes = 32;

std::string_view ViewOf(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

// event.timepoint and gap.after_timepoint: a JSON integer or a string of
// ASCII digits, in 0..2^63-1. Fractions, exponents, signs and blanks are not
// integers here.
std::optional<int64_t> ParseTimepoint(const rapidjson::Value& v) {
  if (v.IsInt64()) {
    const int64_t n = v.GetInt64();
    if (n < 0) return std::nullopt;
    return n;
  }
  if (!v.IsString()) return std::nullopt;
  const std::string_view s = ViewOf(v);
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(n);
}

// Appends `text` in quotes, cut to a readable length.
void AppendQuoted(std::string* out, std::string_view text) {
  out->push_back('"');
  out->append(text.substr(0, kMaxQuotedBytes));
  out->push_back('"');
  if (text.size() > kMaxQuotedBytes) out->append("...");
}

// Appends a value as JSON text, cut to a readable length.
void AppendValueText(std::string* out, const rapidjson::Value& v) {
  std::string json;
  AppendJsonValue(&json, v);
  out->append(json.substr(0, kMaxQuotedBytes));
  if (json.size() > kMaxQuotedBytes) out->append("...");
}

bool IsHeartbeat(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// What ParseEvent, ParseControl and ExtractCompanyFields read, and for
// each other resource_kind what its extractor reads (resource_table.h): the
// parse tree may hold nothing else (see LineDocument). Reading another
// member means naming it here or in the kind's table.
LineDocument::Shape EventShape() {
  LineDocument::Shape shape;
  shape.members = {"resource_kind", "resource_id", "resource_uri", "data",
                   "event",         "gap",         "snapshot_end"};
  shape.kind_member = "resource_kind";
  // First: the companies stream is the busiest.
  shape.data_members_by_kind.push_back(
      {"company-profile",
       {"company_number", "company_name", "company_status", "company_status_detail", "type",
        "jurisdiction", "date_of_creation", "date_of_cessation", "registered_office_address",
        "sic_codes"}});
  for (const ResourceKind& kind : AllResourceKinds()) {
    if (kind.table == nullptr) continue;
    const ResourceTable& table = *kind.table;
    shape.data_members_by_kind.emplace_back(
        std::string(kind.resource_kind),
        std::vector<std::string>(table.data_members, table.data_members + table.data_member_count));
  }
  // Any other kind is stored without reading its data, and a line without
  // a kind is a reject: shape.data_members stays empty.
  return shape;
}

}  // namespace

EventParser::EventParser(std::string_view stream, bool shaped_parse)
    : writer_(stream, "stream"),
      document_(shaped_parse ? LineDocument(EventShape()) : LineDocument()),
      resource_parser_(&writer_) {
  reason_.reserve(256);
}

EventParser::Outcome EventParser::Reject(RejectClass reject_class, std::string_view reason,
                                         std::optional<int64_t> timepoint, JsonLine* out) {
  reject_class_ = reject_class;
  writer_.AppendReject(timepoint, reason, raw_, raw_length_, out);
  return Outcome::kReject;
}

EventParser::Outcome EventParser::ParseOversized(std::string_view prefix, uint64_t full_length,
                                                 JsonLine* out) {
  raw_ = prefix;
  raw_length_ = full_length;
  reason_ = "line too long (" + std::to_string(full_length) + " bytes)";
  return Reject(RejectClass::kLineTooLong, reason_, std::nullopt, out);
}

EventParser::Outcome EventParser::Parse(std::string_view line, JsonLine* out) {
  raw_ = line;
  raw_length_ = line.size();
  unknown_status_ = false;
  std::string_view text = line;
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (IsHeartbeat(text)) return Outcome::kHeartbeat;
  // RapidJSON reads a NUL as the end of its input and would ignore what
  // follows, so NUL bytes are refused before it sees them.
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    return Reject(RejectClass::kInvalidJson, "NUL byte in line", std::nullopt, out);
  }
  const Status parsed = document_.Parse(text);
  if (!parsed.ok()) return Reject(RejectClass::kInvalidJson, parsed.message(), std::nullopt, out);
  const rapidjson::Value& root = document_.root();
  if (!root.IsObject())
    return Reject(RejectClass::kEnvelope, "not a JSON object", std::nullopt, out);
  if (root.MemberCount() == 1 && (root.HasMember("gap") || root.HasMember("snapshot_end"))) {
    return ParseControl(root, out);
  }
  return ParseEvent(root, out);
}

EventParser::Outcome EventParser::ParseControl(const rapidjson::Value& root, JsonLine* out) {
  if (root.HasMember("snapshot_end")) {
    // Only ch-parse --format bulk-csv makes these, after reading a whole
    // snapshot; one arriving from the stream could heal gaps it never filled.
    return Reject(RejectClass::kControlLine, "snapshot_end is not accepted on stream input",
                  std::nullopt, out);
  }
  const rapidjson::Value& gap = root["gap"];
  if (!gap.IsObject())
    return Reject(RejectClass::kControlLine, "invalid gap line: not an object", std::nullopt, out);
  const auto stream = GetString(gap, "stream");
  if (!stream || stream->empty()) {
    return Reject(RejectClass::kControlLine, "invalid gap line: stream is not a non-empty string",
                  std::nullopt, out);
  }
  const rapidjson::Value* after = FindMember(gap, "after_timepoint");
  std::optional<int64_t> after_timepoint;
  if (after == nullptr) {
    return Reject(RejectClass::kControlLine, "invalid gap line: after_timepoint is missing",
                  std::nullopt, out);
  }
  if (!after->IsNull()) {
    after_timepoint = ParseTimepoint(*after);
    if (!after_timepoint) {
      return Reject(RejectClass::kControlLine,
                    "invalid gap line: after_timepoint is not an integer in 0..2^63-1",
                    std::nullopt, out);
    }
  }
  const auto reason = GetString(gap, "reason");
  if (!reason)
    return Reject(RejectClass::kControlLine, "invalid gap line: reason is not a string",
                  std::nullopt, out);
  RecordWriter::AppendGap(*stream, after_timepoint, *reason, out);
  return Outcome::kControl;
}

EventParser::Outcome EventParser::ParseEvent(const rapidjson::Value& root, JsonLine* out) {
  const rapidjson::Value* event = FindMember(root, "event");
  const rapidjson::Value* timepoint_value =
      event != nullptr ? FindMember(*event, "timepoint") : nullptr;
  const std::optional<int64_t> timepoint =
      timepoint_value != nullptr ? ParseTimepoint(*timepoint_value) : std::nullopt;

  const rapidjson::Value* kind = FindMember(root, "resource_kind");
  // An empty kind names nothing ch-store could file the resource under.
  if (kind == nullptr || !kind->IsString() || kind->GetStringLength() == 0) {
    return Reject(RejectClass::kResourceKind, "resource_kind is missing, empty or not a string",
                  timepoint, out);
  }
  if (event == nullptr || !event->IsObject()) {
    return Reject(RejectClass::kEnvelope, "event is missing or not an object", std::nullopt, out);
  }
  if (timepoint_value == nullptr) {
    return Reject(RejectClass::kTimepoint, "event.timepoint is missing", std::nullopt, out);
  }
  if (!timepoint) {
    reason_ = "event.timepoint is not an integer in 0..2^63-1: ";
    AppendValueText(&reason_, *timepoint_value);
    return Reject(RejectClass::kTimepoint, reason_, std::nullopt, out);
  }

  const rapidjson::Value* type = FindMember(*event, "type");
  std::string_view event_type;
  if (type != nullptr && type->IsString()) event_type = ViewOf(*type);
  if (event_type != "changed" && event_type != "deleted") {
    reason_ = "event.type is not changed or deleted: ";
    if (type == nullptr) {
      reason_ += "missing";
    } else {
      AppendValueText(&reason_, *type);
    }
    return Reject(RejectClass::kEventType, reason_, timepoint, out);
  }
  const bool deleted = event_type == "deleted";
  if (ViewOf(*kind) == "company-profile")
    return ParseCompany(root, *event, *timepoint, deleted, out);
  return ParseResource(root, ViewOf(*kind), *event, *timepoint, deleted, out);
}

EventParser::Outcome EventParser::ParseResource(const rapidjson::Value& root, std::string_view kind,
                                                const rapidjson::Value& event, int64_t timepoint,
                                                bool deleted, JsonLine* out) {
  // published_at only dates the record: one that is absent or unreadable
  // is null, not a reason to lose the resource.
  published_at_.reset();
  if (auto published = GetString(event, "published_at")) published_at_ = ParseTimestamp(*published);

  const rapidjson::Value* data = FindMember(root, "data");
  if (data != nullptr && data->IsNull()) data = nullptr;
  if (data != nullptr && !data->IsObject()) {
    return Reject(RejectClass::kData, "data is not an object", timepoint, out);
  }
  // No data is no reason to reject, for a changed event too (DESIGN.md's
  // reject list is exhaustive): the record says the resource exists and is
  // not deleted, and ch-store keeps what it knows of it (phase2-spec.md 7).

  ResourceParser::Event resource;
  resource.timepoint = timepoint;
  if (published_at_) resource.published_at = resource.as_of = published_at_->view();
  resource.deleted = deleted;
  resource.resource_kind = kind;
  resource.resource_uri = FindMember(root, "resource_uri");
  resource.resource_id = FindMember(root, "resource_id");
  resource.data = data;
  // The original bytes of `data` (the span of the same first "data"
  // member FindMember found).
  if (data != nullptr) resource.data_json = document_.raw_data().value_or("{}");
  if (!resource_parser_.Parse(resource, out)) {
    return Reject(resource_parser_.reject_class(), resource_parser_.reason(), timepoint, out);
  }
  return Outcome::kResource;
}

EventParser::Outcome EventParser::ParseCompany(const rapidjson::Value& root,
                                               const rapidjson::Value& event, int64_t timepoint,
                                               bool deleted, JsonLine* out) {
  const rapidjson::Value* published = FindMember(event, "published_at");
  if (published == nullptr || !published->IsString()) {
    return Reject(RejectClass::kPublishedAt, "event.published_at is missing or not a string",
                  timepoint, out);
  }
  published_at_ = ParseTimestamp(ViewOf(*published));
  if (!published_at_) {
    reason_ = "event.published_at is not a timestamp: ";
    AppendQuoted(&reason_, ViewOf(*published));
    return Reject(RejectClass::kPublishedAt, reason_, timepoint, out);
  }

  const rapidjson::Value* data = FindMember(root, "data");
  if (data != nullptr && data->IsNull()) data = nullptr;
  if (data != nullptr && !data->IsObject()) {
    return Reject(RejectClass::kData, "data is not an object", timepoint, out);
  }
  // A deleted event may say no more than which company went.
  if (data == nullptr && !deleted)
    return Reject(RejectClass::kData, "data is missing", timepoint, out);

  // The number: data.company_number, else resource_id, else the last
  // segment of resource_uri (which one stream writes without its leading /).
  const rapidjson::Value* candidate = nullptr;
  const char* source = nullptr;
  if (data != nullptr) {
    candidate = FindMember(*data, "company_number");
    source = "data.company_number";
  }
  if (candidate == nullptr || candidate->IsNull()) {
    candidate = FindMember(root, "resource_id");
    source = "resource_id";
  }
  std::string_view number_text;
  if (candidate == nullptr || candidate->IsNull()) {
    candidate = FindMember(root, "resource_uri");
    source = "resource_uri";
    if (candidate != nullptr && candidate->IsString()) {
      number_text = ViewOf(*candidate);
      const size_t slash = number_text.rfind('/');
      if (slash != std::string_view::npos) number_text.remove_prefix(slash + 1);
    }
  } else if (candidate->IsString()) {
    number_text = ViewOf(*candidate);
  }
  if (candidate == nullptr || candidate->IsNull()) {
    return Reject(RejectClass::kCompanyNumber,
                  "no company number in data.company_number, resource_id or resource_uri",
                  timepoint, out);
  }
  if (!candidate->IsString()) {
    reason_ = source;
    reason_ += " is not a string";
    return Reject(RejectClass::kCompanyNumber, reason_, timepoint, out);
  }
  company_number_ = NormalizeCompanyNumber(number_text, /*pad_all_digits=*/false);
  if (!company_number_) {
    reason_ = "invalid company number in ";
    reason_ += source;
    reason_ += ": ";
    AppendQuoted(&reason_, number_text);
    return Reject(RejectClass::kCompanyNumber, reason_, timepoint, out);
  }

  record_.Clear();
  record_.timepoint = timepoint;
  record_.published_at = published_at_->view();
  record_.as_of = published_at_->view();
  record_.event_type = deleted ? "deleted" : "changed";
  record_.company_number = company_number_->view();
  if (data != nullptr) {
    ExtractCompanyFields(*data);
    // The original bytes of `data`, passed on unchanged. (The parse noted
    // the span of the same first "data" member FindMember found.)
    record_.data_json = document_.raw_data().value_or("{}");
  } else {
    record_.data_json = "{}";
  }
  writer_.AppendCompany(record_, out);
  return Outcome::kCompany;
}

std::optional<std::string_view> EventParser::TextOf(const rapidjson::Value& value,
                                                    std::string* scratch) {
  if (value.IsString()) {
    if (value.GetStringLength() == 0) return std::nullopt;
    return ViewOf(value);
  }
  if (value.IsNumber()) {
    scratch->clear();
    AppendJsonValue(scratch, value);
    return std::string_view(*scratch);
  }
  return std::nullopt;
}

void EventParser::ExtractCompanyFields(const rapidjson::Value& data) {
  if (const rapidjson::Value* name = FindMember(data, "company_name");
      name != nullptr && !name->IsNull()) {
    if (name->IsString()) {
      record_.company_name = ViewOf(*name);
    } else {
      name_scratch_.clear();
      AppendJsonValue(&name_scratch_, *name);
      record_.company_name = name_scratch_;
    }
  }

  std::optional<std::string_view> implied_detail;
  if (const rapidjson::Value* status = FindMember(data, "company_status");
      status != nullptr && !status->IsNull()) {
    if (status->IsString()) {
      record_.company_status_raw = ViewOf(*status);
    } else {
      status_scratch_.clear();
      AppendJsonValue(&status_scratch_, *status);
      record_.company_status_raw = status_scratch_;
    }
    const StatusKeys keys = MapCompanyStatus(*record_.company_status_raw);
    if (keys.status) {
      record_.company_status = keys.status;
      implied_detail = keys.detail;
    } else {
      // Unknown: never guess. ch-store keeps the stored status.
      unknown_status_ = true;
    }
  }
  if (implied_detail) {
    // A status text that names the detail itself wins over the detail field.
    record_.company_status_detail = implied_detail;
  } else if (auto detail = GetString(data, "company_status_detail")) {
    const std::string_view trimmed = TrimBlanks(*detail);
    if (!trimmed.empty()) {
      // An unknown detail is kept as sent: dropping it would claim "no detail".
      record_.company_status_detail = MapStatusDetail(trimmed).value_or(trimmed);
    }
  }

  if (auto type = GetString(data, "type"); type && !type->empty()) record_.type = *type;
  if (auto jurisdiction = GetString(data, "jurisdiction"); jurisdiction && !jurisdiction->empty()) {
    record_.jurisdiction = *jurisdiction;
  }
  if (auto created = GetString(data, "date_of_creation")) {
    date_of_creation_ = ParseCalendarDate(*created);
    if (date_of_creation_) record_.date_of_creation = date_of_creation_->view();
  }
  if (auto ceased = GetString(data, "date_of_cessation")) {
    date_of_cessation_ = ParseCalendarDate(*ceased);
    if (date_of_cessation_) record_.date_of_cessation = date_of_cessation_->view();
  }

  if (const rapidjson::Value* address = FindMember(data, "registered_office_address");
      address != nullptr && address->IsObject()) {
    for (size_t i = 0; i < kAddressKeys.size(); ++i) {
      // The keys are string literals, so data() is NUL-terminated.
      const rapidjson::Value* field = FindMember(*address, kAddressKeys[i].data());
      if (field != nullptr) record_.address[i] = TextOf(*field, &address_scratch_[i]);
    }
  }

  if (const rapidjson::Value* sic = FindMember(data, "sic_codes");
      sic != nullptr && sic->IsArray()) {
    // Companies have at most four SIC codes; a hostile array of millions
    // stays in `data` but is not copied out element by element.
    const size_t n = std::min<size_t>(sic->Size(), kMaxSicCodes);
    if (sic_scratch_.size() < n) sic_scratch_.resize(n);
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      auto code = TextOf((*sic)[i], &sic_scratch_[i]);
      if (code) code = TrimBlanks(*code);
      if (code && !code->empty()) record_.sic_codes.push_back(*code);
    }
  }
}

}  // namespace ch
