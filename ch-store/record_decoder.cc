// RecordDecoder: see record_decoder.h.
#include "ch-store/record_decoder.h"

#include <cstring>
#include <utility>

#include "ch-store/json_validator.h"
#include "common/json.h"
#include "common/status.h"

namespace ch {

namespace {

constexpr size_t kArenaBytes = 64u << 10;

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

std::string_view View(const rapidjson::Value& v) { return std::string_view(v.GetString(), v.GetStringLength()); }

// Descriptive members are read leniently: anything but a string is "absent".
OptText Text(const rapidjson::Value& v) {
  if (!v.IsString()) return std::nullopt;
  return View(v);
}

}  // namespace

bool IsUtcTimestampText(std::string_view text) { return MatchesShape(text, "DDDD-DD-DDTDD:DD:DDZ"); }

bool IsIsoDateText(std::string_view text) { return MatchesShape(text, "DDDD-DD-DD"); }

bool IsCompanyNumber(std::string_view text) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (!IsDigit(c) && !(c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

RecordDecoder::RecordDecoder(std::string default_stream)
    : default_stream_(std::move(default_stream)), arena_(kArenaBytes) {}

bool RecordDecoder::Fail(std::string reason) {
  failure_ = std::move(reason);
  return false;
}

const Record& RecordDecoder::RejectLine(std::string_view line, uint64_t full_length, std::string reason) {
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
  return RejectLine(prefix, full_length, "line longer than the input limit (" + std::to_string(full_length) + " bytes)");
}

const Record& RecordDecoder::Decode(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsBlank(line[i])) ++i;
  if (i == line.size()) {
    record_.kind = RecordKind::kBlank;
    return record_;
  }
  if (DecodeCompanyFast(line)) return record_;
  Status parsed = Parse(line);
  if (!parsed.ok()) return RejectLine(line, line.size(), parsed.message());
  const rapidjson::Value& root = *doc_;
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
    if (ok && data_member_ != nullptr && !data_member_->IsNull()) {
      // `data` is not where README.md promises it (the last member, once):
      // serialise it again (slower, same content).
      data_.clear();
      AppendJsonValue(&data_, *data_member_);
      record_.company.data = data_;
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

Status RecordDecoder::Parse(std::string_view text) {
  // A fresh tree for every line: RapidJSON never frees inside a pool, so a
  // reused document would grow without bound.
  doc_.reset();
  pool_.reset();
  pool_.emplace(arena_.data(), arena_.size());
  doc_.emplace(&*pool_);
  return ParseJson(text, &*doc_);
}

bool RecordDecoder::DecodeCompanyFast(std::string_view line) {
  JsonLastMember last;
  if (!IsValidJsonValue(line, &last) || !last.found ||
      line.substr(last.key_begin, last.key_end - last.key_begin) != "data") {
    return false;
  }
  prefix_.assign(line.data(), last.members_end);
  prefix_.push_back('}');
  // The line passed the validator (UTF-8, nesting, syntax) and the prefix is
  // its object minus the last member, so RapidJSON need not check again; it
  // parses in place (strings unescaped inside prefix_, no copies).
  doc_.reset();
  pool_.reset();
  pool_.emplace(arena_.data(), arena_.size());
  doc_.emplace(&*pool_);
  doc_->ParseInsitu<rapidjson::kParseFullPrecisionFlag>(prefix_.data());
  if (doc_->HasParseError() || !doc_->IsObject()) return false;
  const rapidjson::Value& root = *doc_;
  const std::optional<std::string_view> kind = GetString(root, "kind");
  if (!kind || *kind != "company" || FindMember(root, "data") != nullptr) return false;
  record_.kind = RecordKind::kCompany;
  if (!DecodeCompany(root)) {
    RejectLine(line, line.size(), failure_);
    return true;
  }
  const std::string_view data = line.substr(last.value_begin, last.value_end - last.value_begin);
  if (data != "null") record_.company.data = data;
  return true;
}

bool RecordDecoder::DecodeCompany(const rapidjson::Value& root) {
  CompanyRecord& c = record_.company;
  c = CompanyRecord();
  c.stream = default_stream_;
  OptText source;
  OptText event_type;
  OptText company_number;
  const rapidjson::Value* timepoint = nullptr;
  const rapidjson::Value* as_of = nullptr;
  data_member_ = nullptr;

  for (auto it = root.MemberBegin(); it != root.MemberEnd(); ++it) {
    const std::string_view name = View(it->name);
    const rapidjson::Value& v = it->value;
    if (name == "kind") {
      continue;
    } else if (name == "stream") {
      if (v.IsString() && v.GetStringLength() > 0) c.stream = View(v);
    } else if (name == "source") {
      source = Text(v);
    } else if (name == "timepoint") {
      timepoint = &v;
    } else if (name == "published_at") {
      c.published_at = Text(v);
    } else if (name == "as_of") {
      as_of = &v;
    } else if (name == "event_type") {
      event_type = Text(v);
    } else if (name == "company_number") {
      company_number = Text(v);
    } else if (name == "company_name") {
      c.company_name = Text(v);
    } else if (name == "company_status") {
      c.company_status = Text(v);
    } else if (name == "company_status_detail") {
      c.company_status_detail = Text(v);
    } else if (name == "company_status_raw") {
      c.company_status_raw = Text(v);
    } else if (name == "type") {
      c.type = Text(v);
    } else if (name == "type_raw") {
      c.type_raw = Text(v);
    } else if (name == "jurisdiction") {
      c.jurisdiction = Text(v);
    } else if (name == "date_of_creation") {
      c.date_of_creation = Text(v);
    } else if (name == "date_of_cessation") {
      c.date_of_cessation = Text(v);
    } else if (name == "registered_office_address") {
      if (!v.IsObject()) continue;
      for (auto a = v.MemberBegin(); a != v.MemberEnd(); ++a) {
        const std::string_view field = View(a->name);
        for (size_t k = 0; k < kAddressFields.size(); ++k) {
          if (field == kAddressFields[k]) {
            c.address[k] = Text(a->value);
            break;
          }
        }
      }
    } else if (name == "sic_codes") {
      if (!v.IsArray()) continue;
      sic_codes_.clear();
      for (const rapidjson::Value& code : v.GetArray()) {
        if (!code.IsString() || code.GetStringLength() == 0) continue;
        if (!sic_codes_.empty()) sic_codes_.push_back(',');
        sic_codes_.append(code.GetString(), code.GetStringLength());
      }
      if (!sic_codes_.empty()) c.sic_codes = sic_codes_;
    } else if (name == "data") {
      if (data_member_ == nullptr) data_member_ = &v;
    }
  }

  if (!source || (*source != "stream" && *source != "bulk")) return Fail("\"source\" must be \"stream\" or \"bulk\"");
  c.bulk = *source == "bulk";
  if (event_type && *event_type != "changed" && *event_type != "deleted") {
    return Fail("\"event_type\" must be \"changed\" or \"deleted\"");
  }
  c.deleted = event_type && *event_type == "deleted";
  if (!company_number || !IsCompanyNumber(*company_number)) {
    return Fail("\"company_number\" must be 1-10 characters A-Z0-9");
  }
  c.company_number = *company_number;
  if (!c.bulk) {
    if (timepoint != nullptr) c.timepoint = ToInt64(*timepoint);
    if (!c.timepoint || *c.timepoint < 0) return Fail("stream record without a valid \"timepoint\"");
  }
  if (as_of != nullptr && !as_of->IsNull()) {
    if (!as_of->IsString() || !IsUtcTimestampText(View(*as_of))) {
      return Fail("\"as_of\" must be \"YYYY-MM-DDTHH:MM:SSZ\"");
    }
    c.as_of = View(*as_of);
  }
  if (c.bulk && !c.as_of) return Fail("bulk record without \"as_of\"");
  return true;
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
  r.raw_length = length && *length >= static_cast<int64_t>(raw_.size()) ? static_cast<uint64_t>(*length) : raw_.size();
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
  if (OptText stream = GetString(snapshot_end, "stream"); stream && !stream->empty()) e.stream = *stream;
  OptText as_of = GetString(snapshot_end, "as_of");
  if (!as_of || !(IsIsoDateText(*as_of) || IsUtcTimestampText(*as_of))) {
    return Fail("snapshot_end without a valid \"as_of\" date");
  }
  as_of_date_.assign(as_of->substr(0, 10));
  e.as_of_date = as_of_date_;
  e.rows = GetInt64(snapshot_end, "rows");
  return true;
}

}  // namespace ch
