// Test helpers for resource records (README.md "Record formats",
// phase2-spec section 1), written by hand as ch-parse writes them: a record
// built from a few fields, and rows and signals of the typed tables the
// tests use. See test_records.h for company records and the fixture.
#ifndef CH_STORE_TEST_RESOURCES_H_
#define CH_STORE_TEST_RESOURCES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace ch {
namespace testing_records {

// A JSON value: a string, or null.
inline std::string JsonText(const std::optional<std::string>& v) {
  if (!v) return "null";
  std::string s;
  AppendJsonString(&s, *v);
  return s;
}

// An object from (key, JSON value) pairs, in their order.
inline std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string s = "{";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) s += ",";
    AppendJsonString(&s, members[i].first);
    s += ":" + members[i].second;
  }
  return s + "}";
}

// One resource record; `rows` and `signals` are JSON objects.
struct TestResource {
  std::string stream = "filings";
  std::string source = "stream";
  std::optional<int64_t> timepoint;
  std::optional<std::string> published_at;
  std::optional<std::string> as_of;  // default: published_at
  std::string event_type = "changed";
  std::string kind = "filing-history";
  std::string uri;
  std::optional<std::string> resource_id;
  std::optional<std::string> company_number;
  std::optional<std::string> table = std::string("filings");
  std::vector<std::string> rows;
  std::vector<std::string> signals;
  std::optional<std::string> data = std::string("{}");

  std::string Line() const {
    std::string s =
        "{\"kind\":\"resource\",\"stream\":" + JsonText(stream) +
        ",\"source\":" + JsonText(source) +
        ",\"timepoint\":" + (timepoint ? std::to_string(*timepoint) : std::string("null")) +
        ",\"published_at\":" + JsonText(published_at) +
        ",\"as_of\":" + JsonText(as_of ? as_of : published_at) +
        ",\"event_type\":" + JsonText(event_type) + ",\"resource_kind\":" + JsonText(kind) +
        ",\"resource_uri\":" + JsonText(uri) + ",\"resource_id\":" + JsonText(resource_id) +
        ",\"company_number\":" + JsonText(company_number) + ",\"table\":" + JsonText(table) +
        ",\"rows\":[";
    for (size_t i = 0; i < rows.size(); ++i) s += (i > 0 ? "," : "") + rows[i];
    s += "],\"signals\":[";
    for (size_t i = 0; i < signals.size(); ++i) s += (i > 0 ? "," : "") + signals[i];
    s += "],\"data\":" + (data ? *data : std::string("null")) + "}";
    return s;
  }
};

inline std::string SignalObject(const std::string& signal, const std::string& key,
                                std::optional<std::string> occurred_on,
                                std::optional<std::string> detail) {
  return JsonObject({{"signal", JsonText(signal)},
                     {"key", JsonText(key)},
                     {"occurred_on", JsonText(occurred_on)},
                     {"detail", JsonText(detail)}});
}

// A filing of company `number`, transaction `id`, with the signal its type
// gives (the extractor's work, done here by hand for the types tests use).
inline TestResource Filing(int64_t timepoint, const std::string& published_at,
                           const std::string& number, const std::string& id,
                           std::optional<std::string> type, std::optional<std::string> date) {
  TestResource r;
  r.timepoint = timepoint;
  r.published_at = published_at;
  r.uri = "/company/" + number + "/filing-history/" + id;
  r.resource_id = id;
  r.company_number = number;
  r.rows = {JsonObject({{"transaction_id", JsonText(id)},
                        {"type", JsonText(type)},
                        {"category", JsonText(std::string("gazette"))},
                        {"subcategory", "null"},
                        {"description", JsonText(std::string("some-description"))},
                        {"date", JsonText(date)},
                        {"action_date", "null"},
                        {"barcode", "null"},
                        {"pages", "1"}})};
  r.data = JsonObject({{"transaction_id", JsonText(id)}, {"type", JsonText(type)}});
  std::optional<std::string> signal;
  if (type == "DS01") signal = "strike-off-applied";
  if (type == "GAZ1" || type == "GAZ1(A)") signal = "strike-off-gazetted";
  if (type == "GAZ2" || type == "GAZ2(A)") signal = "dissolved";
  if (type == "DS02") signal = "strike-off-halted";
  if (signal) r.signals = {SignalObject(*signal, "filing:" + r.uri, date, type)};
  return r;
}

// A resource of a kind no stream has, for table "widgets" (a typed table or
// view a test creates): its row's colour (any text) and size 3.
inline TestResource Widget(const std::string& colour) {
  TestResource r;
  r.kind = "widget";
  r.table = "widgets";
  r.timepoint = 1;
  r.uri = "/company/01234567/widgets/1";
  r.company_number = "01234567";
  r.rows = {JsonObject({{"colour", JsonText(colour)}, {"size", "3"}})};
  return r;
}

// An officer appointment of company `number`.
inline TestResource Officer(int64_t timepoint, const std::string& number, const std::string& id,
                            const std::string& name, const std::string& role,
                            std::optional<std::string> resigned_on = std::nullopt) {
  TestResource r;
  r.stream = "officers";
  r.kind = "company-officers";
  r.table = "officers";
  r.timepoint = timepoint;
  r.published_at = "2024-06-01T00:00:00Z";
  r.uri = "/company/" + number + "/appointments/" + id;
  r.resource_id = id;
  r.company_number = number;
  r.rows = {JsonObject({{"appointment_id", JsonText(id)},
                        {"name", JsonText(name)},
                        {"officer_role", JsonText(role)},
                        {"appointed_on", JsonText(std::string("2010-01-01"))},
                        {"resigned_on", JsonText(resigned_on)},
                        {"nationality", "null"},
                        {"occupation", "null"},
                        {"country_of_residence", "null"},
                        {"date_of_birth_month", "3"},
                        {"date_of_birth_year", "1970"},
                        {"premises", "null"},
                        {"address_line_1", "null"},
                        {"address_line_2", "null"},
                        {"locality", "null"},
                        {"region", "null"},
                        {"postal_code", "null"},
                        {"country", "null"},
                        {"officer_id", "null"}})};
  r.data = JsonObject({{"name", JsonText(name)}});
  return r;
}

// A person with significant control of company `number`.
inline TestResource Psc(int64_t timepoint, const std::string& number, const std::string& kind,
                        const std::string& id, std::optional<std::string> name,
                        std::optional<std::string> ceased_on = std::nullopt,
                        std::optional<int> ceased = std::nullopt) {
  TestResource r;
  r.stream = "persons-with-significant-control";
  r.kind = kind;
  r.table = "pscs";
  r.timepoint = timepoint;
  r.published_at = "2024-06-01T00:00:00Z";
  r.uri = "/company/" + number + "/persons-with-significant-control/individual/" + id;
  r.resource_id = id;
  r.company_number = number;
  r.rows = {JsonObject({{"psc_id", JsonText(id)},
                        {"resource_kind", JsonText(kind)},
                        {"name", JsonText(name)},
                        {"natures_of_control", JsonText(std::string("ownership-of-shares"))},
                        {"notified_on", JsonText(std::string("2016-04-06"))},
                        {"ceased_on", JsonText(ceased_on)},
                        {"ceased", ceased ? std::to_string(*ceased) : std::string("null")},
                        {"nationality", "null"},
                        {"country_of_residence", "null"},
                        {"premises", "null"},
                        {"address_line_1", "null"},
                        {"locality", "null"},
                        {"postal_code", "null"},
                        {"country", "null"}})};
  r.data = "{}";
  return r;
}

// One case of an insolvency resource: (number, type, started_on).
struct TestCase {
  std::string number;
  std::string type;
  std::optional<std::string> started_on;
};

// Which signal a case type gives (DESIGN.md's table), if any.
inline std::optional<std::string> CaseSignal(const std::string& type) {
  if (type == "compulsory-liquidation" || type == "creditors-voluntary-liquidation")
    return std::string("liquidation");
  if (type == "in-administration" || type == "administration-order")
    return std::string("administration");
  if (type == "members-voluntary-liquidation") return std::string("members-voluntary-liquidation");
  return std::nullopt;
}

// The insolvency resource of company `number` holding `cases`.
inline TestResource Insolvency(int64_t timepoint, const std::string& published_at,
                               const std::string& number, const std::vector<TestCase>& cases) {
  TestResource r;
  r.stream = "insolvency-cases";
  r.kind = "company-insolvency";
  r.table = "insolvency_cases";
  r.timepoint = timepoint;
  r.published_at = published_at;
  r.uri = "/company/" + number + "/insolvency";
  r.resource_id = number;
  r.company_number = number;
  for (size_t i = 0; i < cases.size(); ++i) {
    const TestCase& c = cases[i];
    r.rows.push_back(JsonObject({{"case_index", std::to_string(i)},
                                 {"case_number", JsonText(c.number)},
                                 {"case_type", JsonText(c.type)},
                                 {"started_on", JsonText(c.started_on)},
                                 {"practitioners", JsonText(std::string("A N OTHER"))}}));
    if (const std::optional<std::string> signal = CaseSignal(c.type)) {
      r.signals.push_back(SignalObject(
          *signal, "insolvency:" + number + ":" + c.number + ":" + c.type, c.started_on, c.type));
    }
  }
  r.data = "{\"cases\":[]}";
  return r;
}

// The totals line of a complete PSC snapshot of `date` that held `pscs`
// PSC lines and nothing else, as ch-parse writes it.
inline std::string CompletePscSnapshotEnd(const std::string& date, int pscs) {
  const std::string n = std::to_string(pscs);
  return R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
         R"("as_of":")" +
         date + R"(","rows":)" + n + R"(,"expected":{"pscs":)" + n +
         R"(,"statements":0,"exemptions":0},"received":{"pscs":)" + n +
         R"(,"statements":0,"exemptions":0,"other":0,"rejects":0}}})";
}

// A line of the PSC snapshot of `date` about PSC `id` of company 01234567.
inline TestResource SnapshotPsc(const std::string& date, const std::string& id,
                                std::optional<std::string> name) {
  TestResource r = Psc(0, "01234567", "company-psc-individual", id, name);
  r.source = "bulk";
  r.timepoint.reset();
  r.published_at.reset();
  r.as_of = date + "T00:00:00Z";
  return r;
}

}  // namespace testing_records
}  // namespace ch

#endif  // CH_STORE_TEST_RESOURCES_H_
