// BulkRowMapper: see bulk_row_mapper.h.
#include "ch-parse/bulk_row_mapper.h"

#include "ch-parse/status_mapping.h"

namespace ch {

const std::array<std::string_view, kBulkColumnCount> kBulkColumns = {
    "CompanyName",
    "CompanyNumber",
    "RegAddress.CareOf",
    "RegAddress.POBox",
    "RegAddress.AddressLine1",
    "RegAddress.AddressLine2",
    "RegAddress.PostTown",
    "RegAddress.County",
    "RegAddress.Country",
    "RegAddress.PostCode",
    "CompanyCategory",
    "CompanyStatus",
    "CountryOfOrigin",
    "DissolutionDate",
    "IncorporationDate",
    "Accounts.AccountRefDay",
    "Accounts.AccountRefMonth",
    "Accounts.NextDueDate",
    "Accounts.LastMadeUpDate",
    "Accounts.AccountCategory",
    "Returns.NextDueDate",
    "Returns.LastMadeUpDate",
    "Mortgages.NumMortCharges",
    "Mortgages.NumMortOutstanding",
    "Mortgages.NumMortPartSatisfied",
    "Mortgages.NumMortSatisfied",
    "SICCode.SicText_1",
    "SICCode.SicText_2",
    "SICCode.SicText_3",
    "SICCode.SicText_4",
    "LimitedPartnerships.NumGenPartners",
    "LimitedPartnerships.NumLimPartners",
    "URI",
    "PreviousName_1.CONDATE",
    "PreviousName_1.CompanyName",
    "PreviousName_2.CONDATE",
    "PreviousName_2.CompanyName",
    "PreviousName_3.CONDATE",
    "PreviousName_3.CompanyName",
    "PreviousName_4.CONDATE",
    "PreviousName_4.CompanyName",
    "PreviousName_5.CONDATE",
    "PreviousName_5.CompanyName",
    "PreviousName_6.CONDATE",
    "PreviousName_6.CompanyName",
    "PreviousName_7.CONDATE",
    "PreviousName_7.CompanyName",
    "PreviousName_8.CONDATE",
    "PreviousName_8.CompanyName",
    "PreviousName_9.CONDATE",
    "PreviousName_9.CompanyName",
    "PreviousName_10.CONDATE",
    "PreviousName_10.CompanyName",
    "ConfStmtNextDueDate",
    "ConfStmtLastMadeUpDate",
};

namespace {

// Column positions (kBulkColumns).
enum Column : size_t {
  kName = 0,
  kNumber = 1,
  kCareOf = 2,
  kPoBox = 3,
  kAddressLine1 = 4,
  kAddressLine2 = 5,
  kPostTown = 6,
  kCounty = 7,
  kCountry = 8,
  kPostCode = 9,
  kCategory = 10,
  kStatus = 11,
  kDissolutionDate = 13,
  kIncorporationDate = 14,
  kAccountRefDay = 15,
  kAccountRefMonth = 16,
  kAccountsNextDue = 17,
  kAccountsLastMadeUp = 18,
  kSicText1 = 26,
  kPreviousName1Date = 33,  // then name, then the next pair
  kConfStmtNextDue = 53,
  kConfStmtLastMadeUp = 54,
};
constexpr size_t kSicColumns = 4;
constexpr size_t kPreviousNames = 10;

// CSV address columns in kAddressKeys order (-1: not in the CSV).
constexpr int kAddressColumns[kAddressKeys.size()] = {
    kAddressLine1, kAddressLine2, kPostTown, kCounty, kPostCode, kCountry, kCareOf, kPoBox, -1};

constexpr size_t kMaxQuotedBytes = 64;

std::optional<std::string_view> NonEmpty(std::string_view text) {
  text = TrimBlanks(text);
  if (text.empty()) return std::nullopt;
  return text;
}

// "78300 - Human resources ..." -> "78300"; empty and "None Supplied" -> none.
std::optional<std::string_view> SicCode(std::string_view text) {
  text = TrimBlanks(text);
  if (text.empty() || text == "None Supplied" || text == "NONE SUPPLIED" ||
      text == "none supplied") {
    return std::nullopt;
  }
  const size_t dash = text.find(" - ");
  if (dash != std::string_view::npos) text = TrimBlanks(text.substr(0, dash));
  if (text.empty()) return std::nullopt;
  return text;
}

// A day or month number ("7", "07") in 1..max, written with two digits as
// the API does ("07"); false when it is not such a number.
bool TwoDigitNumber(std::string_view text, int max, char (&out)[2]) {
  text = TrimBlanks(text);
  if (text.empty() || text.size() > 2) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > max) return false;
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
  return true;
}

// Helpers that build a JSON object member by member, leaving out empty
// values and objects that end up with no members.
void StringMember(JsonLine* out, bool* first, std::string_view key,
                  std::optional<std::string_view> value) {
  if (!value || value->empty()) return;
  if (!*first) out->Append(',');
  *first = false;
  out->AppendKey(key);
  out->AppendString(*value);
}

size_t BeginObject(JsonLine* out, bool parent_first, std::string_view key) {
  const size_t mark = out->size();
  if (!parent_first) out->Append(',');
  out->AppendKey(key);
  out->Append('{');
  return mark;
}

void EndObject(JsonLine* out, size_t mark, bool inner_first, bool* parent_first) {
  if (inner_first) {
    out->truncate(mark);  // nothing inside: leave the object out
    return;
  }
  out->Append('}');
  *parent_first = false;
}

}  // namespace

bool IsBulkHeader(const std::vector<std::string_view>& fields) {
  return fields.size() >= 2 && TrimBlanks(fields[0]) == kBulkColumns[0] &&
         TrimBlanks(fields[1]) == kBulkColumns[1];
}

Status CheckBulkHeader(const std::vector<std::string_view>& fields) {
  for (size_t i = 0; i < kBulkColumnCount; ++i) {
    if (i >= fields.size()) {
      return Status::DataError("bulk CSV header: column " + std::to_string(i + 1) + " '" +
                               std::string(kBulkColumns[i]) + "' is missing (the header has " +
                               std::to_string(fields.size()) + " columns, expected " +
                               std::to_string(kBulkColumnCount) + ")");
    }
    const std::string_view name = TrimBlanks(fields[i]);
    if (name != kBulkColumns[i]) {
      return Status::DataError("bulk CSV header: column " + std::to_string(i + 1) + " is '" +
                               std::string(name.substr(0, 100)) + "', expected '" +
                               std::string(kBulkColumns[i]) + "'");
    }
  }
  if (fields.size() > kBulkColumnCount) {
    return Status::DataError("bulk CSV header: unexpected column " +
                             std::to_string(kBulkColumnCount + 1) + " '" +
                             std::string(TrimBlanks(fields[kBulkColumnCount]).substr(0, 100)) +
                             "' (expected " + std::to_string(kBulkColumnCount) + " columns)");
  }
  return Status::Ok();
}

BulkRowMapper::BulkRowMapper(std::string_view stream, const IsoDate& as_of_date)
    : writer_(stream, "bulk"), as_of_(std::string(as_of_date.view()) + "T00:00:00Z") {}

bool BulkRowMapper::Fail(RejectClass reject_class, std::string reason) {
  reject_class_ = reject_class;
  reason_ = std::move(reason);
  return false;
}

bool BulkRowMapper::ParseDateColumn(const std::vector<std::string_view>& fields, size_t column,
                                    std::optional<IsoDate>* date) {
  const std::string_view text = TrimBlanks(fields[column]);
  if (text.empty()) {
    date->reset();
    return true;
  }
  *date = ParseCalendarDate(text);
  if (*date) return true;
  return Fail(RejectClass::kDate, "invalid date in " + std::string(kBulkColumns[column]) + ": \"" +
                                      std::string(text.substr(0, kMaxQuotedBytes)) + "\"");
}

bool BulkRowMapper::Map(const std::vector<std::string_view>& fields, JsonLine* out) {
  unknown_status_ = false;
  unknown_type_ = false;
  if (fields.size() != kBulkColumnCount) {
    return Fail(RejectClass::kCsvRow, "wrong field count: " + std::to_string(fields.size()) +
                                          " (expected " + std::to_string(kBulkColumnCount) + ")");
  }
  number_ = NormalizeCompanyNumber(fields[kNumber], /*pad_all_digits=*/true);
  if (!number_) {
    return Fail(RejectClass::kCompanyNumber,
                "invalid company number: \"" +
                    std::string(fields[kNumber].substr(0, kMaxQuotedBytes)) + "\"");
  }
  if (!ParseDateColumn(fields, kDissolutionDate, &dissolved_) ||
      !ParseDateColumn(fields, kIncorporationDate, &incorporated_) ||
      !ParseDateColumn(fields, kAccountsNextDue, &accounts_next_due_) ||
      !ParseDateColumn(fields, kAccountsLastMadeUp, &accounts_last_made_up_) ||
      !ParseDateColumn(fields, kConfStmtNextDue, &confirmation_next_due_) ||
      !ParseDateColumn(fields, kConfStmtLastMadeUp, &confirmation_last_made_up_)) {
    return false;
  }
  for (size_t k = 0; k < kPreviousNames; ++k) {
    if (!ParseDateColumn(fields, kPreviousName1Date + 2 * k, &previous_name_dates_[k]))
      return false;
  }
  has_ref_day_ = TwoDigitNumber(fields[kAccountRefDay], 31, ref_day_);
  has_ref_month_ = TwoDigitNumber(fields[kAccountRefMonth], 12, ref_month_);

  record_.Clear();
  record_.as_of = as_of_;
  record_.event_type = "changed";
  record_.company_number = number_->view();
  record_.company_name = NonEmpty(fields[kName]);
  record_.company_status_raw = NonEmpty(fields[kStatus]);
  if (record_.company_status_raw) {
    const StatusKeys keys = MapCompanyStatus(*record_.company_status_raw);
    record_.company_status = keys.status;
    record_.company_status_detail = keys.detail;
    unknown_status_ = !keys.status;
  }
  record_.type_raw = NonEmpty(fields[kCategory]);
  if (record_.type_raw) {
    record_.type = MapCompanyCategory(*record_.type_raw);
    unknown_type_ = !record_.type;
  }
  record_.jurisdiction = JurisdictionForNumber(number_->view());
  if (incorporated_) record_.date_of_creation = incorporated_->view();
  if (dissolved_) record_.date_of_cessation = dissolved_->view();
  for (size_t i = 0; i < kAddressKeys.size(); ++i) {
    if (kAddressColumns[i] >= 0) record_.address[i] = NonEmpty(fields[kAddressColumns[i]]);
  }
  for (size_t k = 0; k < kSicColumns; ++k) {
    if (auto code = SicCode(fields[kSicText1 + k])) record_.sic_codes.push_back(*code);
  }
  writer_.BeginCompany(record_, out);
  AppendData(fields, out);
  RecordWriter::EndCompany(out);
  return true;
}

void BulkRowMapper::AppendData(const std::vector<std::string_view>& fields, JsonLine* out) {
  out->Append('{');
  bool first = true;
  StringMember(out, &first, "company_name", record_.company_name);
  StringMember(out, &first, "company_number", record_.company_number);
  StringMember(out, &first, "company_status", record_.company_status);
  StringMember(out, &first, "company_status_detail", record_.company_status_detail);
  StringMember(out, &first, "type", record_.type);
  StringMember(out, &first, "jurisdiction", record_.jurisdiction);
  StringMember(out, &first, "date_of_creation", record_.date_of_creation);
  StringMember(out, &first, "date_of_cessation", record_.date_of_cessation);

  size_t mark = BeginObject(out, first, "registered_office_address");
  bool inner = true;
  for (size_t i = 0; i < kAddressKeys.size(); ++i)
    StringMember(out, &inner, kAddressKeys[i], record_.address[i]);
  EndObject(out, mark, inner, &first);

  if (!record_.sic_codes.empty()) {
    if (!first) out->Append(',');
    first = false;
    out->Append("\"sic_codes\":[");
    for (size_t i = 0; i < record_.sic_codes.size(); ++i) {
      if (i > 0) out->Append(',');
      out->AppendString(record_.sic_codes[i]);
    }
    out->Append(']');
  }

  mark = BeginObject(out, first, "accounts");
  inner = true;
  {
    const size_t ref_mark = BeginObject(out, inner, "accounting_reference_date");
    bool ref = true;
    if (has_ref_day_) StringMember(out, &ref, "day", std::string_view(ref_day_, 2));
    if (has_ref_month_) StringMember(out, &ref, "month", std::string_view(ref_month_, 2));
    EndObject(out, ref_mark, ref, &inner);
  }
  if (accounts_next_due_) StringMember(out, &inner, "next_due", accounts_next_due_->view());
  if (accounts_last_made_up_) {
    const size_t last_mark = BeginObject(out, inner, "last_accounts");
    bool last = true;
    StringMember(out, &last, "made_up_to", accounts_last_made_up_->view());
    EndObject(out, last_mark, last, &inner);
  }
  EndObject(out, mark, inner, &first);

  mark = BeginObject(out, first, "confirmation_statement");
  inner = true;
  if (confirmation_next_due_) StringMember(out, &inner, "next_due", confirmation_next_due_->view());
  if (confirmation_last_made_up_)
    StringMember(out, &inner, "last_made_up_to", confirmation_last_made_up_->view());
  EndObject(out, mark, inner, &first);

  bool any_previous = false;
  for (size_t k = 0; k < kPreviousNames; ++k) {
    const auto name = NonEmpty(fields[kPreviousName1Date + 2 * k + 1]);
    if (!name) continue;
    if (!any_previous) {
      if (!first) out->Append(',');
      first = false;
      out->Append("\"previous_company_names\":[");
    } else {
      out->Append(',');
    }
    any_previous = true;
    out->Append('{');
    bool item = true;
    if (previous_name_dates_[k])
      StringMember(out, &item, "ceased_on", previous_name_dates_[k]->view());
    StringMember(out, &item, "name", name);
    out->Append('}');
  }
  if (any_previous) out->Append(']');
  out->Append('}');
}

}  // namespace ch
