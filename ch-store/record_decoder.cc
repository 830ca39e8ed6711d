// RecordDecoder: see record_decoder.h.
#include "ch-store/record_decoder.h"

#include <cstring>
#include <deque>
#include <utility>

#include "ch-store/raw_hash.h"
#include "common/json.h"
#include "common/json_validator.h"
#include "common/status.h"
#include "common/stream_name.h"

namespace ch {

namespace {

constexpr size_t kArenaBytes = 64u << 10;

// README.md's record format: a resource's `data` is the event's, an object,
// or null (a deletion without it).
constexpr const char* kResourceDataNotAnObject = "\"data\" must be an object or null";

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Checks `text` against a pattern where 'D' is a digit and any other
// character must match itself.
bool MatchesShape(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'D' ? !IsDigit(text[i]) : text[i] != shape[i]) return false;
  }
  return true;
}

std::string_view View(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

// Descriptive members are read leniently: anything but a string is "absent".
OptText Text(const rapidjson::Value& v) {
  if (!v.IsString()) return std::nullopt;
  return View(v);
}

// The same questions asked of a RapidJSON value (the slow path) and of a
// TextValue (the fast path), so one function decodes company members.
bool IsNullValue(const rapidjson::Value& v) { return v.IsNull(); }
// The full parse keeps no text of a value.
std::string_view WrittenJson(const rapidjson::Value&) { return {}; }
std::optional<int64_t> AsInt64(const rapidjson::Value& v) { return ToInt64(v); }
template <typename Fn>
void ForEachMember(const rapidjson::Value& v, Fn fn) {
  if (!v.IsObject()) return;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) fn(View(it->name), it->value);
}
template <typename Fn>
void ForEachElement(const rapidjson::Value& v, Fn fn) {
  if (!v.IsArray()) return;
  for (const rapidjson::Value& e : v.GetArray()) fn(e);
}

// The members of a company record that ch-store reads.
enum class Field {
  kOther,
  kStream,
  kSource,
  kTimepoint,
  kPublishedAt,
  kAsOf,
  kEventType,
  kCompanyNumber,
  kCompanyName,
  kCompanyStatus,
  kCompanyStatusDetail,
  kCompanyStatusRaw,
  kType,
  kTypeRaw,
  kJurisdiction,
  kDateOfCreation,
  kDateOfCessation,
  kAddress,
  kSicCodes,
  kData,
  kResourceKind,
  kResourceUri,
  kResourceId,
  kTable,
  kRows,
  kSignals,
};

// What a JSON value is, asked of a RapidJSON value or a TextValue.
enum class JsonType { kNull, kFalse, kTrue, kNumber, kString, kObject, kArray };

// A number that is no integer, as text: the parsed value written again
// (kept in `scratch`).
std::string_view NumberText(const rapidjson::Value& v, std::deque<std::string>* scratch) {
  std::string& out = scratch->emplace_back();
  AppendJsonValue(&out, v);
  return out;
}

JsonType TypeOf(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return JsonType::kNull;
    case rapidjson::kFalseType:
      return JsonType::kFalse;
    case rapidjson::kTrueType:
      return JsonType::kTrue;
    case rapidjson::kObjectType:
      return JsonType::kObject;
    case rapidjson::kArrayType:
      return JsonType::kArray;
    case rapidjson::kStringType:
      return JsonType::kString;
    case rapidjson::kNumberType:
      break;
  }
  return JsonType::kNumber;
}

// One length test and at most three comparisons per member name.
Field FieldOf(std::string_view name) {
  switch (name.size()) {
    case 4:
      return name == "type"   ? Field::kType
             : name == "data" ? Field::kData
             : name == "rows" ? Field::kRows
                              : Field::kOther;
    case 5:
      return name == "as_of" ? Field::kAsOf : name == "table" ? Field::kTable : Field::kOther;
    case 7:
      return name == "signals" ? Field::kSignals : Field::kOther;
    case 11:
      return name == "resource_id" ? Field::kResourceId : Field::kOther;
    case 13:
      return name == "resource_kind" ? Field::kResourceKind : Field::kOther;
    case 6:
      return name == "stream" ? Field::kStream : name == "source" ? Field::kSource : Field::kOther;
    case 8:
      return name == "type_raw" ? Field::kTypeRaw : Field::kOther;
    case 9:
      return name == "timepoint"   ? Field::kTimepoint
             : name == "sic_codes" ? Field::kSicCodes
                                   : Field::kOther;
    case 10:
      return name == "event_type" ? Field::kEventType : Field::kOther;
    case 12:
      return name == "published_at"   ? Field::kPublishedAt
             : name == "company_name" ? Field::kCompanyName
             : name == "jurisdiction" ? Field::kJurisdiction
             : name == "resource_uri" ? Field::kResourceUri
                                      : Field::kOther;
    case 14:
      return name == "company_number"   ? Field::kCompanyNumber
             : name == "company_status" ? Field::kCompanyStatus
                                        : Field::kOther;
    case 16:
      return name == "date_of_creation" ? Field::kDateOfCreation : Field::kOther;
    case 17:
      return name == "date_of_cessation" ? Field::kDateOfCessation : Field::kOther;
    case 18:
      return name == "company_status_raw" ? Field::kCompanyStatusRaw : Field::kOther;
    case 21:
      return name == "company_status_detail" ? Field::kCompanyStatusDetail : Field::kOther;
    case 25:
      return name == "registered_office_address" ? Field::kAddress : Field::kOther;
    default:
      return Field::kOther;
  }
}

}  // namespace

// A value inside a line that IsValidJsonValue() accepted: its raw text and
// the decoder that keeps unescaped strings alive.
struct TextValue {
  std::string_view raw;
  std::deque<std::string>* scratch;
};

// The outermost object of a validated line, with its members located by the
// validator (no second scan).
struct TopLevelValue {
  std::string_view text;
  const JsonMembers* members;
  int count;  // the first `count` members
  std::deque<std::string>* scratch;
};

namespace {

bool IsNullValue(const TextValue& v) { return v.raw == "null"; }

// A value as written in the line (RowCell::json).
std::string_view WrittenJson(const TextValue& v) { return v.raw; }

// A number that is no integer, as written in the line.
std::string_view NumberText(const TextValue& v, std::deque<std::string>*) { return v.raw; }

JsonType TypeOf(const TextValue& v) {
  switch (v.raw.empty() ? 'n' : v.raw.front()) {
    case 'n':
      return JsonType::kNull;
    case 'f':
      return JsonType::kFalse;
    case 't':
      return JsonType::kTrue;
    case '"':
      return JsonType::kString;
    case '{':
      return JsonType::kObject;
    case '[':
      return JsonType::kArray;
    default:
      return JsonType::kNumber;
  }
}

// The string's content; escapes are decoded into `scratch` (rare in records).
OptText Text(const TextValue& v) {
  if (v.raw.size() < 2 || v.raw.front() != '"') return std::nullopt;
  const std::string_view body = v.raw.substr(1, v.raw.size() - 2);
  if (body.find('\\') == std::string_view::npos) return body;
  std::string& out = v.scratch->emplace_back();
  AppendJsonStringContent(body, &out);
  return std::string_view(out);
}

std::optional<int64_t> AsInt64(const TextValue& v) {
  if (v.raw.empty()) return std::nullopt;
  if (v.raw.front() == '"') {
    const OptText text = Text(v);
    if (!text) return std::nullopt;
    return ToInt64(rapidjson::Value(rapidjson::StringRef(text->data(), text->size())));
  }
  if (v.raw.front() != '-' && !IsDigit(v.raw.front())) return std::nullopt;
  // Plain digits (every real timepoint) directly; anything else as the slow
  // path reads it.
  if (v.raw.size() <= 18 && v.raw.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t n = 0;
    for (const char d : v.raw) n = n * 10 + (d - '0');
    return n;
  }
  // ParseJson, not RapidJSON's own full-precision path, which turns "0e99"
  // into garbage (see AddJsonNumber in common/json.h).
  rapidjson::Document number;
  if (!ParseJson(v.raw, &number).ok()) return std::nullopt;
  return ToInt64(number);
}

template <typename Fn>
void ForEachMember(const TextValue& v, Fn fn) {
  const std::string_view s = v.raw;
  if (s.empty() || s.front() != '{') return;
  size_t i = SkipJsonBlanks(s, 1);
  while (i < s.size() && s[i] == '"') {
    const size_t key_end = SkipJsonString(s, i);
    const OptText key = Text(TextValue{s.substr(i, key_end - i), v.scratch});
    i = SkipJsonBlanks(s, key_end) + 1;  // past ':'
    i = SkipJsonBlanks(s, i);
    const size_t value_end = SkipJsonValue(s, i);
    fn(key.value_or(std::string_view()), TextValue{s.substr(i, value_end - i), v.scratch});
    i = SkipJsonBlanks(s, value_end);
    if (i < s.size() && s[i] == ',') i = SkipJsonBlanks(s, i + 1);
  }
}

template <typename Fn>
void ForEachMember(const TopLevelValue& v, Fn fn) {
  for (int i = 0; i < v.count; ++i) {
    const JsonMembers::Member& m = v.members->members[i];
    std::string_view key = v.text.substr(m.key_begin, m.key_end - m.key_begin);
    if (key.find('\\') != std::string_view::npos) {
      key =
          Text(TextValue{v.text.substr(m.key_begin - 1, key.size() + 2), v.scratch}).value_or(key);
    }
    fn(key, TextValue{v.text.substr(m.value_begin, m.value_end - m.value_begin), v.scratch});
  }
}

template <typename Fn>
void ForEachElement(const TextValue& v, Fn fn) {
  const std::string_view s = v.raw;
  if (s.empty() || s.front() != '[') return;
  size_t i = SkipJsonBlanks(s, 1);
  while (i < s.size() && s[i] != ']') {
    const size_t value_end = SkipJsonValue(s, i);
    fn(TextValue{s.substr(i, value_end - i), v.scratch});
    i = SkipJsonBlanks(s, value_end);
    if (i < s.size() && s[i] == ',') i = SkipJsonBlanks(s, i + 1);
  }
}

}  // namespace

bool IsUtcTimestampText(std::string_view text) {
  return MatchesShape(text, "DDDD-DD-DDTDD:DD:DDZ");
}

bool IsIsoDateText(std::string_view text) { return MatchesShape(text, "DDDD-DD-DD"); }

bool IsCompanyNumber(std::string_view text) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (!IsDigit(c) && !(c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

RecordDecoder::FullParse::FullParse()
    : arena(kArenaBytes), pool(arena.data(), arena.size()), doc(&pool) {}

RecordDecoder::RecordDecoder(std::string default_stream)
    : default_stream_(std::move(default_stream)) {}

bool RecordDecoder::Fail(std::string reason) {
  failure_ = std::move(reason);
  return false;
}

const Record& RecordDecoder::RejectLine(std::string_view line, uint64_t full_length,
                                        const std::string& reason) {
  reason_ = "ch-store: " + reason;
  record_.kind = RecordKind::kReject;
  RejectRecord& r = record_.reject;
  r.stream = default_stream_;
  r.source.reset();
  r.timepoint.reset();
  r.reason = reason_;
  r.raw = line.substr(0, kMaxRejectRawBytes);
  r.raw_length = full_length;
  return record_;
}

const Record& RecordDecoder::DecodeOversized(std::string_view prefix, uint64_t full_length) {
  return RejectLine(prefix, full_length,
                    "line longer than the input limit (" + std::to_string(full_length) + " bytes)");
}

const Record& RecordDecoder::Decode(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsBlank(line[i])) ++i;
  if (i == line.size()) {
    record_.kind = RecordKind::kBlank;
    return record_;
  }
  scratch_.clear();  // the previous line's decoded strings
  if (DecodeFast(line)) return record_;
  Status parsed = Parse(line);
  if (!parsed.ok()) return RejectLine(line, line.size(), parsed.message());
  const rapidjson::Value& root = full_->doc;
  if (!root.IsObject()) return RejectLine(line, line.size(), "not a JSON object");

  const rapidjson::Value* kind = FindMember(root, "kind");
  bool ok = false;
  if (kind == nullptr) {
    if (const rapidjson::Value* gap = FindMember(root, "gap")) {
      record_.kind = RecordKind::kGap;
      ok = DecodeGap(*gap);
    } else if (const rapidjson::Value* end = FindMember(root, "snapshot_end")) {
      record_.kind = RecordKind::kSnapshotEnd;
      ok = DecodeSnapshotEnd(*end);
    } else {
      ok = Fail("no \"kind\" member and not a control line");
    }
  } else if (!kind->IsString()) {
    ok = Fail("\"kind\" is not a string");
  } else if (View(*kind) == "company") {
    record_.kind = RecordKind::kCompany;
    ok = DecodeCompany(root);
    record_.company.line = line;
    if (ok && data_member_ != nullptr && !data_member_->IsNull()) {
      // `data` is not where README.md promises it (the last member, once):
      // serialise it again (slower, same content).
      data_.clear();
      AppendJsonValue(&data_, *data_member_);
      record_.company.data = data_;
    }
  } else if (View(*kind) == "resource") {
    record_.kind = RecordKind::kResource;
    ok = DecodeResource(root);
    record_.resource.line = line;
    if (ok && data_member_ != nullptr && !data_member_->IsNull() && !data_member_->IsObject())
      ok = Fail(kResourceDataNotAnObject);
    if (ok && data_member_ != nullptr && !data_member_->IsNull()) {
      data_.clear();
      AppendJsonValue(&data_, *data_member_);
      record_.resource.data = data_;
    }
  } else if (View(*kind) == "reject") {
    record_.kind = RecordKind::kReject;
    ok = DecodeReject(root);
  } else {
    ok = Fail("unknown kind \"" + std::string(View(*kind).substr(0, 40)) + "\"");
  }
  if (!ok) return RejectLine(line, line.size(), failure_);
  return record_;
}

void RecordDecoder::ReleaseScratch() {
  full_.reset();
  for (std::string* buffer : {&raw_, &data_, &sic_codes_, &reason_}) {
    if (buffer->capacity() > kKeepBufferBytes) std::string().swap(*buffer);
  }
}

Status RecordDecoder::Parse(std::string_view text) {
  // Release the previous line's tree first (see FullParse).
  if (full_ == nullptr)
    full_ = std::make_unique<FullParse>();  // only lines off the fast path need it
  full_->doc.SetNull();
  full_->pool.Clear();
  return ParseJson(text, &full_->doc);
}

bool RecordDecoder::DecodeFast(std::string_view line) {
  if (!IsValidJsonValue(line, &members_) || !members_.complete || members_.count == 0) return false;
  // The line passed the validator (UTF-8, nesting, syntax) and says where
  // each member is: they are read straight from the text, without a tree.
  const auto text = [&line](size_t begin, size_t end) { return line.substr(begin, end - begin); };
  const JsonMembers::Member& last = members_.members[members_.count - 1];
  if (text(last.key_begin, last.key_end) != "data") return false;
  RecordKind kind = RecordKind::kBlank;
  for (int i = 0; i < members_.count - 1; ++i) {
    const JsonMembers::Member& m = members_.members[i];
    const std::string_view key = text(m.key_begin, m.key_end);
    if (key == "data" || key.find('\\') != std::string_view::npos)
      return false;  // the full parse decides
    if (key == "kind") {
      const std::string_view value = text(m.value_begin, m.value_end);
      kind = value == "\"company\""    ? RecordKind::kCompany
             : value == "\"resource\"" ? RecordKind::kResource
                                       : RecordKind::kBlank;
    }
  }
  if (kind == RecordKind::kBlank) return false;
  record_.kind = kind;
  const TopLevelValue root{line, &members_, members_.count - 1, &scratch_};
  const bool ok = kind == RecordKind::kCompany ? DecodeCompany(root) : DecodeResource(root);
  if (!ok) {
    RejectLine(line, line.size(), failure_);
    return true;
  }
  const std::string_view data = text(last.value_begin, last.value_end);
  if (kind == RecordKind::kCompany) {
    if (data != "null") record_.company.data = data;
    record_.company.line = line;
  } else {
    if (data != "null" && data.front() != '{') {
      RejectLine(line, line.size(), kResourceDataNotAnObject);
      return true;
    }
    if (data != "null") record_.resource.data = data;
    record_.resource.line = line;
  }
  return true;
}

template <typename Value>
bool RecordDecoder::DecodeCompany(const Value& root) {
  CompanyRecord& c = record_.company;
  c = CompanyRecord();
  c.stream = default_stream_;
  OptText source;
  OptText event_type;
  OptText company_number;
  std::optional<int64_t> timepoint;
  bool as_of_present = false;  // and not null
  OptText as_of;
  data_member_ = nullptr;

  ForEachMember(root, [&](std::string_view name, const auto& v) {
    switch (FieldOf(name)) {
      case Field::kOther:
        break;
      case Field::kStream: {
        const OptText stream = Text(v);
        if (stream && !stream->empty()) c.stream = *stream;
        break;
      }
      case Field::kSource:
        source = Text(v);
        break;
      case Field::kTimepoint:
        timepoint = AsInt64(v);
        break;
      case Field::kPublishedAt:
        c.published_at = Text(v);
        break;
      case Field::kAsOf:
        as_of_present = !IsNullValue(v);
        as_of = Text(v);
        break;
      case Field::kEventType:
        event_type = Text(v);
        break;
      case Field::kCompanyNumber:
        company_number = Text(v);
        break;
      case Field::kCompanyName:
        c.company_name = Text(v);
        break;
      case Field::kCompanyStatus:
        c.company_status = Text(v);
        break;
      case Field::kCompanyStatusDetail:
        c.company_status_detail = Text(v);
        break;
      case Field::kCompanyStatusRaw:
        c.company_status_raw = Text(v);
        break;
      case Field::kType:
        c.type = Text(v);
        break;
      case Field::kTypeRaw:
        c.type_raw = Text(v);
        break;
      case Field::kJurisdiction:
        c.jurisdiction = Text(v);
        break;
      case Field::kDateOfCreation:
        c.date_of_creation = Text(v);
        break;
      case Field::kDateOfCessation:
        c.date_of_cessation = Text(v);
        break;
      case Field::kAddress:
        ForEachMember(v, [&](std::string_view field, const auto& a) {
          for (size_t k = 0; k < kAddressFields.size(); ++k) {
            if (field == kAddressFields[k]) {
              c.address[k] = Text(a);
              break;
            }
          }
        });
        break;
      case Field::kSicCodes:
        sic_codes_.clear();
        ForEachElement(v, [&](const auto& element) {
          const OptText code = Text(element);
          if (!code || code->empty()) return;
          if (!sic_codes_.empty()) sic_codes_.push_back(',');
          sic_codes_.append(*code);
        });
        if (!sic_codes_.empty()) c.sic_codes = sic_codes_;
        break;
      case Field::kData:
        NoteData(v);
        break;
      case Field::kResourceKind:
      case Field::kResourceUri:
      case Field::kResourceId:
      case Field::kTable:
      case Field::kRows:
      case Field::kSignals:
        break;
    }
  });

  if (!source || (*source != "stream" && *source != "bulk"))
    return Fail("\"source\" must be \"stream\" or \"bulk\"");
  c.bulk = *source == "bulk";
  if (event_type && *event_type != "changed" && *event_type != "deleted") {
    return Fail("\"event_type\" must be \"changed\" or \"deleted\"");
  }
  c.deleted = event_type && *event_type == "deleted";
  if (!company_number || !IsCompanyNumber(*company_number)) {
    return Fail("\"company_number\" must be 1-10 characters A-Z0-9");
  }
  c.company_number = *company_number;
  return DecodeTime(timepoint, as_of_present, as_of, c.bulk, &c.timepoint, &c.as_of);
}

bool RecordDecoder::DecodeTime(std::optional<int64_t> timepoint, bool as_of_present, OptText as_of,
                               bool bulk, std::optional<int64_t>* timepoint_out,
                               OptText* as_of_out) {
  if (!bulk) {
    *timepoint_out = timepoint;
    if (!timepoint || *timepoint < 0) return Fail("stream record without a valid \"timepoint\"");
  }
  if (as_of_present) {
    if (!as_of || !IsUtcTimestampText(*as_of))
      return Fail("\"as_of\" must be \"YYYY-MM-DDTHH:MM:SSZ\"");
    *as_of_out = as_of;
  }
  if (bulk && !*as_of_out) return Fail("bulk record without \"as_of\"");
  return true;
}

template <typename Value>
bool RecordDecoder::DecodeResource(const Value& root) {
  ResourceRecord& r = record_.resource;
  r.stream = default_stream_;
  r.bulk = false;
  r.deleted = false;
  r.timepoint.reset();
  r.published_at.reset();
  r.as_of.reset();
  r.resource_kind = {};
  r.resource_uri = {};
  r.resource_id.reset();
  r.company_number.reset();
  r.table.reset();
  r.cells.clear();
  r.row_sizes.clear();
  r.signals.clear();
  r.data.reset();
  r.line = {};
  OptText source;
  OptText event_type;
  OptText kind;
  OptText uri;
  std::optional<int64_t> timepoint;
  bool as_of_present = false;  // and not null
  OptText as_of;
  bool number_present = false;  // and not null
  bool table_present = false;   // and not null
  bool ok = true;
  data_member_ = nullptr;

  bool stream_valid = true;

  ForEachMember(root, [&](std::string_view name, const auto& v) {
    if (!ok) return;
    switch (FieldOf(name)) {
      case Field::kStream: {
        // Null: the --stream of ch-store. Anything else must name a stream:
        // it keys the checkpoint.
        const OptText stream = Text(v);
        if (stream && ValidStreamName(*stream)) {
          r.stream = *stream;
        } else {
          stream_valid = IsNullValue(v);
        }
        break;
      }
      case Field::kSource:
        source = Text(v);
        break;
      case Field::kTimepoint:
        timepoint = AsInt64(v);
        break;
      case Field::kPublishedAt:
        r.published_at = Text(v);
        break;
      case Field::kAsOf:
        as_of_present = !IsNullValue(v);
        as_of = Text(v);
        break;
      case Field::kEventType:
        event_type = Text(v);
        break;
      case Field::kResourceKind:
        kind = Text(v);
        break;
      case Field::kResourceUri:
        uri = Text(v);
        break;
      case Field::kResourceId:
        r.resource_id = Text(v);
        break;
      case Field::kCompanyNumber:
        number_present = !IsNullValue(v);
        r.company_number = Text(v);
        break;
      case Field::kTable:
        table_present = !IsNullValue(v);
        r.table = Text(v);
        break;
      case Field::kRows:
        ok = DecodeRows(v);
        break;
      case Field::kSignals:
        ok = DecodeSignals(v);
        break;
      case Field::kData:
        NoteData(v);
        break;
      default:
        break;
    }
  });
  if (!ok) return false;

  if (!stream_valid) return Fail("\"stream\" must be null or a stream name");
  if (!source || (*source != "stream" && *source != "bulk"))
    return Fail("\"source\" must be \"stream\" or \"bulk\"");
  r.bulk = *source == "bulk";
  if (event_type && *event_type != "changed" && *event_type != "deleted") {
    return Fail("\"event_type\" must be \"changed\" or \"deleted\"");
  }
  r.deleted = event_type && *event_type == "deleted";
  if (!kind || kind->empty()) return Fail("resource record without a \"resource_kind\"");
  r.resource_kind = *kind;
  if (!uri || uri->empty()) return Fail("resource record without a \"resource_uri\"");
  // ch-parse gives every URI one leading slash; another spelling would be
  // another resource.
  if ((*uri)[0] != '/') return Fail("\"resource_uri\" does not begin with \"/\"");
  r.resource_uri = *uri;
  r.uri_hash = UriHash(r.resource_uri);
  if (number_present && (!r.company_number || !IsCompanyNumber(*r.company_number))) {
    return Fail("\"company_number\" must be null or 1-10 characters A-Z0-9");
  }
  if (table_present && (!r.table || r.table->empty()))
    return Fail("\"table\" must be null or a table name");
  return DecodeTime(timepoint, as_of_present, as_of, r.bulk, &r.timepoint, &r.as_of);
}

template <typename Value>
bool RecordDecoder::DecodeRows(const Value& rows) {
  if (IsNullValue(rows)) return true;
  if (TypeOf(rows) != JsonType::kArray) return Fail("\"rows\" is not an array");
  ResourceRecord& r = record_.resource;
  bool ok = true;
  ForEachElement(rows, [&](const auto& row) {
    if (!ok) return;
    if (TypeOf(row) != JsonType::kObject) {
      ok = Fail("a row is not an object");
      return;
    }
    uint32_t size = 0;
    ForEachMember(row, [&](std::string_view column, const auto& v) {
      if (!ok) return;
      RowCell& cell = r.cells.emplace_back();
      cell.column = column;
      switch (TypeOf(v)) {
        case JsonType::kNull:
          cell.type = RowCell::Type::kNull;
          break;
        case JsonType::kFalse:
        case JsonType::kTrue:
          cell.type = RowCell::Type::kInteger;
          cell.integer = TypeOf(v) == JsonType::kTrue ? 1 : 0;
          break;
        case JsonType::kString:
          cell.type = RowCell::Type::kText;
          cell.text = Text(v).value_or(std::string_view());
          cell.json = WrittenJson(v);
          break;
        case JsonType::kNumber:
          if (const std::optional<int64_t> n = AsInt64(v)) {
            cell.type = RowCell::Type::kInteger;
            cell.integer = *n;
          } else {
            cell.type = RowCell::Type::kText;
            cell.text = NumberText(v, &scratch_);
          }
          break;
        case JsonType::kObject:
        case JsonType::kArray:
          ok = Fail("row member \"" + std::string(column.substr(0, 40)) +
                    "\" is not a string, number or null");
          return;
      }
      ++size;
    });
    r.row_sizes.push_back(size);
  });
  return ok;
}

template <typename Value>
bool RecordDecoder::DecodeSignals(const Value& signals) {
  if (IsNullValue(signals)) return true;
  if (TypeOf(signals) != JsonType::kArray) return Fail("\"signals\" is not an array");
  bool ok = true;
  ForEachElement(signals, [&](const auto& element) {
    if (!ok) return;
    if (TypeOf(element) != JsonType::kObject) {
      ok = Fail("a signal is not an object");
      return;
    }
    ResourceSignal signal;
    ForEachMember(element, [&](std::string_view name, const auto& v) {
      if (name == "signal") {
        signal.signal = Text(v).value_or(std::string_view());
      } else if (name == "key") {
        signal.key = Text(v).value_or(std::string_view());
      } else if (name == "occurred_on") {
        signal.occurred_on = Text(v);
      } else if (name == "detail") {
        signal.detail = Text(v);
      }
    });
    if (signal.signal.empty() || signal.key.empty()) {
      ok = Fail("a signal without \"signal\" or \"key\"");
      return;
    }
    // ch-store keys the signal of a status change "status:<id>" itself: a
    // resource's signal there would take the place of a real one, which
    // would then be ignored as already recorded.
    if (signal.key.substr(0, 7) == "status:") {
      ok = Fail("a signal key may not begin with \"status:\"");
      return;
    }
    record_.resource.signals.push_back(signal);
  });
  return ok;
}

bool RecordDecoder::DecodeReject(const rapidjson::Value& root) {
  RejectRecord& r = record_.reject;
  r = RejectRecord();
  r.stream = default_stream_;
  if (OptText stream = GetString(root, "stream"); stream && !stream->empty()) r.stream = *stream;
  r.source = GetString(root, "source");
  r.timepoint = GetInt64(root, "timepoint");
  r.reason = GetString(root, "reason").value_or("unknown");
  OptText base64 = GetString(root, "raw_base64");
  if (!base64) return Fail("reject record without \"raw_base64\"");
  std::optional<std::string> raw = Base64Decode(*base64);
  if (!raw) return Fail("reject record with invalid \"raw_base64\"");
  raw_ = std::move(*raw);
  if (raw_.size() > kMaxRejectRawBytes) raw_.resize(kMaxRejectRawBytes);
  r.raw = raw_;
  const std::optional<int64_t> length = GetInt64(root, "raw_length");
  r.raw_length = length && *length >= static_cast<int64_t>(raw_.size())
                     ? static_cast<uint64_t>(*length)
                     : raw_.size();
  return true;
}

bool RecordDecoder::DecodeGap(const rapidjson::Value& gap) {
  if (!gap.IsObject()) return Fail("\"gap\" is not an object");
  GapRecord& g = record_.gap;
  g = GapRecord();
  g.stream = default_stream_;
  if (OptText stream = GetString(gap, "stream"); stream && !stream->empty()) g.stream = *stream;
  const rapidjson::Value* after = FindMember(gap, "after_timepoint");
  if (after != nullptr && !after->IsNull()) {
    g.after_timepoint = ToInt64(*after);
    if (!g.after_timepoint) return Fail("gap with an invalid \"after_timepoint\"");
  }
  g.reason = GetString(gap, "reason");
  return true;
}

bool RecordDecoder::DecodeSnapshotEnd(const rapidjson::Value& snapshot_end) {
  if (!snapshot_end.IsObject()) return Fail("\"snapshot_end\" is not an object");
  SnapshotEndRecord& e = record_.snapshot_end;
  e = SnapshotEndRecord();
  e.stream = default_stream_;
  if (OptText stream = GetString(snapshot_end, "stream"); stream && !stream->empty())
    e.stream = *stream;
  OptText as_of = GetString(snapshot_end, "as_of");
  if (!as_of || !(IsIsoDateText(*as_of) || IsUtcTimestampText(*as_of))) {
    return Fail("snapshot_end without a valid \"as_of\" date");
  }
  as_of_date_.assign(as_of->substr(0, 10));
  e.as_of_date = as_of_date_;
  e.rows = GetInt64(snapshot_end, "rows");
  const rapidjson::Value* format = FindMember(snapshot_end, "format");
  if (format == nullptr || format->IsNull()) return true;  // the company bulk file
  if (!format->IsString() || View(*format) != "psc-snapshot") {
    // Healing on a line whose meaning is not known could close gaps that
    // nothing filled.
    return Fail("snapshot_end of an unknown \"format\"");
  }
  e.psc_snapshot = true;
  // Counts are non-negative integers; anything else means the line was not
  // written by ch-parse, and it heals nothing.
  const auto count = [](const rapidjson::Value& obj, const char* name, int64_t* out) {
    const std::optional<int64_t> n = GetInt64(obj, name);
    if (!n || *n < 0) return false;
    *out = *n;
    return true;
  };
  const rapidjson::Value* expected = FindMember(snapshot_end, "expected");
  if (expected == nullptr) return Fail("PSC snapshot_end without \"expected\"");
  if (!expected->IsNull()) {
    PscSnapshotExpected x;
    if (!expected->IsObject() || !count(*expected, "pscs", &x.pscs) ||
        !count(*expected, "statements", &x.statements) ||
        !count(*expected, "exemptions", &x.exemptions)) {
      return Fail("PSC snapshot_end with invalid \"expected\" counts");
    }
    e.expected = x;
  }
  const rapidjson::Value* received = FindMember(snapshot_end, "received");
  PscSnapshotReceived& r = e.received;
  if (received == nullptr || !received->IsObject() || !count(*received, "pscs", &r.pscs) ||
      !count(*received, "statements", &r.statements) ||
      !count(*received, "exemptions", &r.exemptions) || !count(*received, "other", &r.other) ||
      !count(*received, "rejects", &r.rejects)) {
    return Fail("PSC snapshot_end without valid \"received\" counts");
  }
  return true;
}

}  // namespace ch
