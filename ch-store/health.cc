// Health: see health.h.
#include "ch-store/health.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "ch-store/commands.h"
#include "ch-store/migrator.h"
#include "ch-store/store_db.h"
#include "common/json.h"
#include "common/output_writer.h"

namespace ch {

namespace {

constexpr int kExitUnhealthy = 1;

void AppendOptionalText(std::string* out, const std::optional<std::string>& value) {
  if (value) {
    AppendJsonString(out, *value);
  } else {
    out->append("null");
  }
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", std::floor(seconds));
  return buf;
}

StatusOr<int64_t> Count(SqliteDb* db, const std::string& sql) {
  StatusOr<std::optional<int64_t>> n = db->QueryInt64(sql);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

}  // namespace

HealthReport EvaluateHealth(const HealthInputs& in) {
  HealthReport report;
  if (!in.database_exists) {
    report.problems.push_back("database missing or empty");
  } else if (in.schema_version == 0) {
    report.problems.push_back("database not migrated");
  } else if (in.schema_version < in.schema_version_latest) {
    report.problems.push_back("database schema older than this ch-store");
  }
  if (in.gaps_open > 0) report.problems.push_back("gap open");
  if (in.max_commit_age_seconds) {
    if (!in.last_commit_age_seconds) {
      report.problems.push_back("no commit yet");
    } else if (*in.last_commit_age_seconds > *in.max_commit_age_seconds) {
      report.problems.push_back("last commit too old");
    }
  }
  report.healthy = report.problems.empty();
  return report;
}

Status ReadHealthInputs(SqliteDb* db, HealthInputs* in) {
  StatusOr<Statement> state = db->Prepare(
      "SELECT timepoint, last_event_published_at, last_commit_at,"
      " (julianday('now') - julianday(last_commit_at)) * 86400.0, last_snapshot_as_of"
      " FROM stream_state WHERE stream = ?1");
  if (!state.ok()) return state.status();
  Status s = state->BindText(1, in->stream);
  if (!s.ok()) return s;
  StatusOr<bool> row = state->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    in->checkpoint = state->ColumnOptionalInt64(0);
    in->last_event_published_at = state->ColumnOptionalText(1);
    in->last_commit_at = state->ColumnOptionalText(2);
    if (!state->ColumnIsNull(3)) in->last_commit_age_seconds = state->ColumnDouble(3);
    in->last_snapshot_as_of = state->ColumnOptionalText(4);
  }
  struct {
    int64_t* out;
    std::string sql;
  } const counts[] = {
      {&in->companies, "SELECT count(*) FROM companies"},
      {&in->companies_deleted, "SELECT count(*) FROM companies WHERE deleted = 1"},
      {&in->status_changes, "SELECT count(*) FROM status_changes"},
      {&in->rejects, "SELECT count(*) FROM rejects"},
  };
  for (const auto& c : counts) {
    StatusOr<int64_t> n = Count(db, c.sql);
    if (!n.ok()) return n.status();
    *c.out = *n;
  }
  StatusOr<Statement> gaps = db->Prepare(
      "SELECT count(*), coalesce(sum(healed_by IS NULL), 0) FROM gaps WHERE stream = ?1");
  if (!gaps.ok()) return gaps.status();
  s = gaps->BindText(1, in->stream);
  if (!s.ok()) return s;
  row = gaps->Step();
  if (!row.ok()) return row.status();
  in->gaps_total = gaps->ColumnInt64(0);
  in->gaps_open = gaps->ColumnInt64(1);
  return Status::Ok();
}

std::string FormatStatusJson(const HealthInputs& in, const HealthReport& report) {
  std::string out = "{\"stream\":";
  AppendJsonString(&out, in.stream);
  out.append(",\"checkpoint\":");
  out.append(in.checkpoint ? std::to_string(*in.checkpoint) : "null");
  out.append(",\"last_event_published_at\":");
  AppendOptionalText(&out, in.last_event_published_at);
  out.append(",\"last_commit_at\":");
  AppendOptionalText(&out, in.last_commit_at);
  out.append(",\"last_commit_age_seconds\":");
  out.append(in.last_commit_age_seconds ? FormatSeconds(*in.last_commit_age_seconds) : "null");
  out.append(",\"last_snapshot_as_of\":");
  AppendOptionalText(&out, in.last_snapshot_as_of);
  out.append(",\"companies\":" + std::to_string(in.companies));
  out.append(",\"companies_deleted\":" + std::to_string(in.companies_deleted));
  out.append(",\"status_changes\":" + std::to_string(in.status_changes));
  out.append(",\"rejects\":" + std::to_string(in.rejects));
  out.append(",\"gaps_open\":" + std::to_string(in.gaps_open));
  out.append(",\"gaps_total\":" + std::to_string(in.gaps_total));
  out.append(",\"schema_version\":" + std::to_string(in.schema_version));
  out.append(",\"schema_version_latest\":" + std::to_string(in.schema_version_latest));
  out.append(",\"healthy\":");
  out.append(report.healthy ? "true" : "false");
  out.append(",\"problems\":[");
  for (size_t i = 0; i < report.problems.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, report.problems[i]);
  }
  out.append("]}");
  return out;
}

int RunStatus(const StoreOptions& options) {
  StatusOr<Migrator> migrator = Migrator::Embedded();
  if (!migrator.ok()) return ExitWithError(migrator.status());
  HealthInputs inputs;
  inputs.stream = options.stream;
  inputs.schema_version_latest = migrator->latest();
  inputs.max_commit_age_seconds = options.max_commit_age_seconds;
  inputs.database_exists = StoreFileHasContent(options.db);
  StatusOr<ReadOnlyStore> store = OpenStoreForReading(options.db, *migrator, options.busy_timeout_ms);
  if (!store.ok()) return ExitWithError(store.status());
  inputs.schema_version = store->version;
  if (store->db) {
    Status s = ReadHealthInputs(&*store->db, &inputs);
    if (!s.ok()) return ExitWithError(s);
  }
  const HealthReport report = EvaluateHealth(inputs);
  OutputWriter out(STDOUT_FILENO);
  Status s = out.WriteLine(FormatStatusJson(inputs, report));
  if (s.ok()) s = out.Flush();
  if (!s.ok()) return ExitWithError(s);
  return report.healthy ? 0 : kExitUnhealthy;
}

}  // namespace ch
