// RecordWriter: see record_writer.h.
#include "ch-parse/record_writer.h"

#include "common/json.h"

namespace ch {

namespace {

void AppendOptionalInt(JsonLine* out, std::optional<int64_t> value) {
  if (value) {
    out->AppendInt(*value);
  } else {
    out->Append("null");
  }
}

// ,"key":"value" or ,"key":null
void AppendMember(JsonLine* out, std::string_view key, std::optional<std::string_view> value) {
  out->Append(',');
  out->AppendKey(key);
  if (value) {
    out->AppendString(*value);
  } else {
    out->Append("null");
  }
}

}  // namespace

void ParsedCompany::Clear() {
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
    case RejectClass::kLineTooLong:
      return "line_too_long";
    case RejectClass::kInvalidJson:
      return "invalid_json";
    case RejectClass::kEnvelope:
      return "envelope";
    case RejectClass::kResourceKind:
      return "resource_kind";
    case RejectClass::kResourceUri:
      return "resource_uri";
    case RejectClass::kTimepoint:
      return "timepoint";
    case RejectClass::kEventType:
      return "event_type";
    case RejectClass::kPublishedAt:
      return "published_at";
    case RejectClass::kData:
      return "data";
    case RejectClass::kCompanyNumber:
      return "company_number";
    case RejectClass::kControlLine:
      return "control_line";
    case RejectClass::kCsvRow:
      return "csv_row";
    case RejectClass::kDate:
      return "date";
  }
  return "other";
}

RecordWriter::RecordWriter(std::string_view stream, std::string_view source) : stream_(stream) {
  AppendJsonString(&stream_json_, stream);
  std::string tail = ",\"stream\":" + stream_json_ + ",\"source\":";
  AppendJsonString(&tail, source);
  tail += ",\"timepoint\":";
  company_prefix_ = "{\"kind\":\"company\"" + tail;
  reject_prefix_ = "{\"kind\":\"reject\"" + tail;
  resource_prefix_ = "{\"kind\":\"resource\"" + tail;
}

void RecordWriter::BeginCompany(const ParsedCompany& r, JsonLine* out) const {
  out->Append(company_prefix_);
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
  out->Append(",\"registered_office_address\":{");
  bool first = true;
  for (size_t i = 0; i < kAddressKeys.size(); ++i) {
    if (!r.address[i]) continue;
    if (!first) out->Append(',');
    first = false;
    out->AppendKey(kAddressKeys[i]);
    out->AppendString(*r.address[i]);
  }
  out->Append("},\"sic_codes\":[");
  for (size_t i = 0; i < r.sic_codes.size(); ++i) {
    if (i > 0) out->Append(',');
    out->AppendString(r.sic_codes[i]);
  }
  out->Append("],\"data\":");
}

void RecordWriter::AppendCompany(const ParsedCompany& r, JsonLine* out) const {
  BeginCompany(r, out);
  out->Append(r.data_json.empty() ? std::string_view("{}") : r.data_json);
  EndCompany(out);
}

void RecordWriter::AppendResource(const ParsedResource& r, JsonLine* out) const {
  out->Append(resource_prefix_);
  AppendOptionalInt(out, r.timepoint);
  AppendMember(out, "published_at", r.published_at);
  AppendMember(out, "as_of", r.as_of);
  AppendMember(out, "event_type", r.event_type);
  AppendMember(out, "resource_kind", r.resource_kind);
  AppendMember(out, "resource_uri", r.resource_uri);
  AppendMember(out, "resource_id", r.resource_id);
  AppendMember(out, "company_number", r.company_number);
  const ResourceTable* table = r.rows != nullptr ? r.rows->table() : nullptr;
  AppendMember(out, "table",
               table != nullptr ? std::optional<std::string_view>(table->name) : std::nullopt);
  out->Append(",\"rows\":[");
  if (table != nullptr) {
    for (size_t row = 0; row < r.rows->row_count(); ++row) {
      if (row > 0) out->Append(',');
      out->Append('{');
      for (size_t column = 0; column < table->column_count; ++column) {
        if (column > 0) out->Append(',');
        out->AppendKey(table->columns[column].name);
        const ResourceRows::Cell& cell = r.rows->cell(row, column);
        switch (cell.type) {
          case ResourceRows::Cell::Type::kText:
            out->AppendString(cell.text);
            break;
          case ResourceRows::Cell::Type::kInteger:
            out->AppendInt(cell.integer);
            break;
          case ResourceRows::Cell::Type::kNull:
            out->Append("null");
            break;
        }
      }
      out->Append('}');
    }
  }
  out->Append("],\"signals\":[");
  if (r.rows != nullptr) {
    bool first = true;
    for (const ParsedSignal& signal : r.rows->signals()) {
      if (!first) out->Append(',');
      first = false;
      out->Append("{\"signal\":");
      out->AppendString(signal.signal);
      AppendMember(out, "key", signal.key);
      AppendMember(out, "occurred_on", signal.occurred_on);
      AppendMember(out, "detail", signal.detail);
      out->Append('}');
    }
  }
  out->Append("],\"data\":");
  out->Append(r.data_json ? *r.data_json : std::string_view("null"));
  out->Append('}');
}

void RecordWriter::AppendReject(std::optional<int64_t> timepoint, std::string_view reason,
                                std::string_view raw, uint64_t raw_length, JsonLine* out) const {
  out->Append(reject_prefix_);
  AppendOptionalInt(out, timepoint);
  AppendMember(out, "reason", reason);
  out->Append(",\"raw_length\":");
  out->AppendUint(raw_length);
  out->Append(",\"raw_base64\":\"");
  out->Append(Base64Encode(raw.substr(0, kMaxRawBytes)));
  out->Append("\"}");
}

void RecordWriter::AppendGap(std::string_view stream, std::optional<int64_t> after_timepoint,
                             std::string_view reason, JsonLine* out) {
  out->Append("{\"gap\":{\"stream\":");
  out->AppendString(stream);
  out->Append(",\"after_timepoint\":");
  AppendOptionalInt(out, after_timepoint);
  out->Append(",\"reason\":");
  out->AppendString(reason);
  out->Append("}}");
}

void RecordWriter::AppendSnapshotEnd(std::string_view as_of_date, uint64_t rows,
                                     JsonLine* out) const {
  out->Append("{\"snapshot_end\":{\"stream\":");
  out->Append(stream_json_);
  out->Append(",\"as_of\":");
  out->AppendString(as_of_date);
  out->Append(",\"rows\":");
  out->AppendUint(rows);
  out->Append("}}");
}

}  // namespace ch
