// Leads: what the business sells, read from the `leads` view (a signal a
// lead team acts on: a strike-off proposal, application or Gazette notice, a
// dissolution, a liquidation, an administration, a receivership; see
// migrations/0005_leads_from_signals.sql) in signal order. Each row carries
// its signal id, so a consumer resumes with --after-id (the last id it
// handled) and never sees a lead twice or misses one; --since compares the
// signal's published_at.
#ifndef CH_STORE_LEADS_H_
#define CH_STORE_LEADS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ch-store/command_line.h"
#include "common/output_writer.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// The columns printed, in order (the CSV header and the NDJSON keys): the
// columns of the leads view over signals (schema 5 on).
inline constexpr std::array<const char*, 34> kLeadColumns = {"id",
                                                             "signal",
                                                             "stream",
                                                             "occurred_on",
                                                             "published_at",
                                                             "detail",
                                                             "company_number",
                                                             "company_name",
                                                             "company_status",
                                                             "company_status_detail",
                                                             "address_line_1",
                                                             "address_line_2",
                                                             "locality",
                                                             "region",
                                                             "postal_code",
                                                             "country",
                                                             "care_of",
                                                             "po_box",
                                                             "premises",
                                                             "sic_codes",
                                                             "type",
                                                             "jurisdiction",
                                                             "date_of_creation",
                                                             "date_of_cessation",
                                                             "officers",
                                                             "pscs",
                                                             "resource_uri",
                                                             "timepoint",
                                                             "source",
                                                             "changed_at",
                                                             "old_status",
                                                             "old_status_detail",
                                                             "new_status",
                                                             "new_status_detail"};

// The columns of the phase-1 view (schema 2 to 4: a database not yet
// migrated by a newer ch-store), printed as the phase-1 release did.
inline constexpr std::array<const char*, 22> kPhaseOneLeadColumns = {"id",
                                                                     "company_number",
                                                                     "company_name",
                                                                     "new_status",
                                                                     "new_status_detail",
                                                                     "changed_at",
                                                                     "address_line_1",
                                                                     "address_line_2",
                                                                     "locality",
                                                                     "region",
                                                                     "postal_code",
                                                                     "country",
                                                                     "sic_codes",
                                                                     "source",
                                                                     "old_status",
                                                                     "old_status_detail",
                                                                     "company_status",
                                                                     "company_status_detail",
                                                                     "type",
                                                                     "date_of_creation",
                                                                     "date_of_cessation",
                                                                     "timepoint"};

enum class LeadsFormat { kCsv, kNdjson, kTable };

// The columns of `--format table`, for a person (the full rows are the CSV
// and NDJSON formats): a short header each; the ones marked flexible are cut
// to fit the width (text_table.h).
struct LeadsTableColumn {
  const char* column;  // in the view
  const char* header;
  bool flexible;
  bool right_aligned;
};
inline constexpr std::array<LeadsTableColumn, 7> kLeadTableColumns = {{
    {"id", "id", false, true},
    {"signal", "signal", false, false},
    {"occurred_on", "date", false, false},
    {"company_number", "company", false, false},
    {"company_name", "name", true, false},
    {"officers", "officers", true, false},
    {"pscs", "pscs", true, false},
}};
inline constexpr std::array<LeadsTableColumn, 6> kPhaseOneLeadTableColumns = {{
    {"id", "id", false, true},
    {"changed_at", "changed_at", false, false},
    {"company_number", "company", false, false},
    {"company_name", "name", true, false},
    {"new_status", "status", false, false},
    {"new_status_detail", "detail", true, false},
}};

struct LeadsQuery {
  std::optional<int64_t> after_id;
  std::optional<std::string> since;  // "YYYY-MM-DDTHH:MM:SSZ": published_at >= since
  LeadsFormat format = LeadsFormat::kCsv;
  /// kTable: the width the rows must fit (columns).
  size_t table_width = 100;
};

// The format when --format is not given: a table for a person at a
// terminal, CSV for a pipe or a file (what every reader of leads had before
// the table existed).
LeadsFormat DefaultLeadsFormat(bool stdout_is_terminal);

// Writes the leads matching `query` to `out`: CSV (a header first, even
// when there are no rows), NDJSON, or a table (its header and rows only
// when there are leads) ending in a count line "N leads". Returns the number
// of leads written.
StatusOr<int64_t> WriteLeads(SqliteDb* db, const LeadsQuery& query, OutputWriter* out);

// The leads command. A missing or unmigrated database has no leads: nothing
// is printed (not even the header) and the exit code is 0.
int RunLeads(const StoreOptions& options);

}  // namespace ch

#endif  // CH_STORE_LEADS_H_
