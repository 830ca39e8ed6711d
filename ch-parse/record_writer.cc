// RecordWriter: see record_writer.h.
#include "ch-parse/record_writer.h"

#include <charconv>

#include "common/json.h"

namespace ch {

namespace {

void AppendInt(std::string* out, uint64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, static_cast<size_t>(result.ptr - buf));
}

void AppendOptionalInt(std::string* out, std::optional<int64_t> value) {
  if (!value) {
    out->append("null");
    return;
  }
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, *value);
  out->append(buf, static_cast<size_t>(result.ptr - buf));
}

// ,"key":"value" or ,"key":null
void AppendMember(std::string* out, std::string_view key, std::optional<std::string_view> value) {
  out->append(",\"");
  out->append(key);
  out->append("\":");
  if (value) {
    AppendJsonString(out, *value);
  } else {
    out->append("null");
  }
}

}  // namespace

void CompanyRecord::Clear() {
  timepoint.reset();
  published_at.reset();
  as_of = {};
  event_type = {};
  company_number = {};
  company_name.reset();
  company_status.reset();
  company_status_detail.reset();
  company_status_raw.reset();
  type.reset();
  type_raw.reset();
  jurisdiction.reset();
  date_of_creation.reset();
  date_of_cessation.reset();
  for (auto& field : address) field.reset();
  sic_codes.clear();
  data_json = {};
}

std::string_view RejectClassLabel(RejectClass reject_class) {
  switch (reject_class) {
    case RejectClass::kLineTooLong: return "line_too_long";
    case RejectClass::kInvalidJson: return "invalid_json";
    case RejectClass::kEnvelope: return "envelope";
    case RejectClass::kResourceKind: return "resource_kind";
    case RejectClass::kTimepoint: return "timepoint";
    case RejectClass::kEventType: return "event_type";
    case RejectClass::kPublishedAt: return "published_at";
    case RejectClass::kData: return "data";
    case RejectClass::kCompanyNumber: return "company_number";
    case RejectClass::kControlLine: return "control_line";
    case RejectClass::kCsvRow: return "csv_row";
    case RejectClass::kDate: return "date";
  }
  return "other";
}

RecordWriter::RecordWriter(std::string_view stream, std::string_view source) {
  AppendJsonString(&stream_json_, stream);
  std::string tail = ",\"stream\":" + stream_json_ + ",\"source\":";
  AppendJsonString(&tail, source);
  tail += ",\"timepoint\":";
  company_prefix_ = "{\"kind\":\"company\"" + tail;
  reject_prefix_ = "{\"kind\":\"reject\"" + tail;
}

void RecordWriter::AppendCompany(const CompanyRecord& r, std::string* out) const {
  out->append(company_prefix_);
  AppendOptionalInt(out, r.timepoint);
  AppendMember(out, "published_at", r.published_at);
  AppendMember(out, "as_of", r.as_of);
  AppendMember(out, "event_type", r.event_type);
  AppendMember(out, "company_number", r.company_number);
  AppendMember(out, "company_name", r.company_name);
  AppendMember(out, "company_status", r.company_status);
  AppendMember(out, "company_status_detail", r.company_status_detail);
  AppendMember(out, "company_status_raw", r.company_status_raw);
  AppendMember(out, "type", r.type);
  AppendMember(out, "type_raw", r.type_raw);
  AppendMember(out, "jurisdiction", r.jurisdiction);
  AppendMember(out, "date_of_creation", r.date_of_creation);
  AppendMember(out, "date_of_cessation", r.date_of_cessation);
  out->append(",\"registered_office_address\":{");
  bool first = true;
  for (size_t i = 0; i < kAddressKeys.size(); ++i) {
    if (!r.address[i]) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonKey(out, kAddressKeys[i]);
    AppendJsonString(out, *r.address[i]);
  }
  out->append("},\"sic_codes\":[");
  for (size_t i = 0; i < r.sic_codes.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, r.sic_codes[i]);
  }
  out->append("],\"data\":");
  out->append(r.data_json.empty() ? std::string_view("{}") : r.data_json);
  out->push_back('}');
}

void RecordWriter::AppendReject(std::optional<int64_t> timepoint, std::string_view reason, std::string_view raw,
                                uint64_t raw_length, std::string* out) const {
  out->append(reject_prefix_);
  AppendOptionalInt(out, timepoint);
  AppendMember(out, "reason", reason);
  out->append(",\"raw_length\":");
  AppendInt(out, raw_length);
  out->append(",\"raw_base64\":\"");
  out->append(Base64Encode(raw.substr(0, kMaxRawBytes)));
  out->append("\"}");
}

void RecordWriter::AppendGap(std::string_view stream, std::optional<int64_t> after_timepoint,
                             std::string_view reason, std::string* out) {
  out->append("{\"gap\":{\"stream\":");
  AppendJsonString(out, stream);
  out->append(",\"after_timepoint\":");
  AppendOptionalInt(out, after_timepoint);
  out->append(",\"reason\":");
  AppendJsonString(out, reason);
  out->append("}}");
}

void RecordWriter::AppendSnapshotEnd(std::string_view as_of_date, uint64_t rows, std::string* out) const {
  out->append("{\"snapshot_end\":{\"stream\":");
  out->append(stream_json_);
  out->append(",\"as_of\":");
  AppendJsonString(out, as_of_date);
  out->append(",\"rows\":");
  AppendInt(out, rows);
  out->append("}}");
}

}  // namespace ch
