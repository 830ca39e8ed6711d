// Health: see health.h.
#include "ch-store/health.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ch-store/commands.h"
#include "ch-store/migrator.h"
#include "ch-store/statement_binder.h"
#include "ch-store/store_db.h"
#include "common/json.h"
#include "common/log.h"
#include "common/metrics.h"
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

std::string FormatOptionalSeconds(const std::optional<double>& seconds) {
  return seconds ? FormatSeconds(*seconds) : "null";
}

std::string FormatOptionalBool(const std::optional<bool>& value) {
  if (!value) return "null";
  return *value ? "true" : "false";
}

// "; last attempt: rate-limited, HTTP 429", or nothing when unknown.
std::string LastAttemptNote(const FetchMetricsReading& fetch) {
  if (!fetch.last_attempt) return "";
  std::string note = "; last attempt: " + *fetch.last_attempt;
  if (fetch.last_http_status && *fetch.last_http_status > 0) {
    note += ", HTTP " + std::to_string(*fetch.last_http_status);
  }
  return note;
}

// A TLS failure of the last attempt, named at once: a certificate that
// does not verify does not get better by waiting.
std::optional<std::string> TlsProblem(const FetchMetricsReading& fetch) {
  if (fetch.last_attempt == std::optional<std::string>("tls-certificate")) {
    const std::string detail = fetch.last_attempt_detail.value_or("");
    std::string why = "see ch-fetch's log";
    if (detail == "certificate-expired") {
      why = "the certificate has expired";
    } else if (detail == "host-name-mismatch") {
      why = "the certificate does not match the host name";
    } else if (detail == "untrusted-issuer") {
      why = "the issuer is not trusted: check CH_CACERT";
    }
    return "TLS: certificate verification failed (" + why + ")";
  }
  if (fetch.last_attempt == std::optional<std::string>("tls-error")) {
    return std::string("TLS: connection failed (handshake or CA bundle: see ch-fetch's log)");
  }
  return std::nullopt;
}

// The problems ch-fetch's state makes, by local clocks: a stream not
// connected for longer than --max-silence, whatever the server answered
// meanwhile, or silent (not a byte, heartbeats included) for that long.
// While ch-fetch's output is blocked it reads nothing from the network:
// the silence is then the stuck stage's doing (StuckStageProblem), not the
// stream's.
void JudgeStream(const FetchMetricsReading& fetch, double max_silence, bool output_blocked,
                 std::vector<std::string>* problems) {
  if (fetch.connected == std::optional<bool>(false)) {
    if (std::optional<std::string> tls = TlsProblem(fetch)) problems->push_back(*tls);
    if (fetch.last_attempt == std::optional<std::string>("key-file-unreadable")) {
      problems->push_back(
          "no stream key: ch-fetch is waiting for CH_STREAM_KEY_FILE to be readable");
    }
    // Without the newer gauge, the silence is the best measure of it.
    const std::optional<double> down =
        fetch.disconnected_seconds ? fetch.disconnected_seconds : fetch.last_byte_age_seconds;
    if (down && *down > max_silence) {
      problems->push_back("stream not connected for " + FormatSeconds(*down) +
                          " s (more than --max-silence" + LastAttemptNote(fetch) + ")");
      return;
    }
  }
  if (!output_blocked && fetch.last_byte_age_seconds &&
      *fetch.last_byte_age_seconds > max_silence) {
    problems->push_back("stream silent for " + FormatSeconds(*fetch.last_byte_age_seconds) +
                        " s (more than --max-silence)");
  }
}

// How long status waits for ch-fetch to rewrite its metrics (every 2 s) to
// measure the events per minute.
constexpr double kRateWaitSeconds = 3.5;

// The top-level stream's figures as a StreamHealth.
StreamHealth TopLevelStream(const HealthInputs& in) {
  StreamHealth s;
  s.stream = in.stream;
  s.checkpoint = in.checkpoint;
  s.last_event_published_at = in.last_event_published_at;
  s.last_commit_at = in.last_commit_at;
  s.last_commit_age_seconds = in.last_commit_age_seconds;
  s.gaps_open = in.gaps_open;
  s.fetch_metrics_expected = in.fetch_metrics_expected;
  s.fetch = in.fetch;
  return s;
}

std::vector<StreamHealth> JudgedStreams(const HealthInputs& in) {
  if (in.streams.empty()) return {TopLevelStream(in)};
  return in.streams;
}

void AppendStreamMember(std::string* out, const StreamHealth& s, const HealthInputs& in) {
  AppendJsonString(out, s.stream);
  out->append(":{\"checkpoint\":");
  out->append(s.checkpoint ? std::to_string(*s.checkpoint) : "null");
  out->append(",\"last_event_published_at\":");
  AppendOptionalText(out, s.last_event_published_at);
  out->append(",\"last_commit_at\":");
  AppendOptionalText(out, s.last_commit_at);
  out->append(",\"last_commit_age_seconds\":" + FormatOptionalSeconds(s.last_commit_age_seconds));
  out->append(",\"gaps_open\":" + std::to_string(s.gaps_open));
  out->append(",\"chain_stopped\":");
  if (s.chain_stopped) {
    out->append("{\"code\":" + std::to_string(s.chain_stopped->code) + ",\"stage\":");
    AppendJsonString(out, s.chain_stopped->stage);
    out->append(",\"time\":");
    AppendJsonString(out, s.chain_stopped->time);
    out->append("}");
  } else {
    out->append("null");
  }
  const FetchMetricsReading none;
  const FetchMetricsReading& fetch = s.fetch ? *s.fetch : none;
  out->append(",\"connected\":" + FormatOptionalBool(fetch.connected));
  out->append(",\"last_byte_age_seconds\":" + FormatOptionalSeconds(fetch.last_byte_age_seconds));
  out->append(",\"disconnected_seconds\":" + FormatOptionalSeconds(fetch.disconnected_seconds));
  out->append(",\"last_attempt\":");
  AppendOptionalText(out, fetch.last_attempt);
  out->append(",\"last_http_status\":");
  out->append(fetch.last_http_status ? std::to_string(*fetch.last_http_status) : "null");
  out->append(",\"fetch_metrics_age_seconds\":");
  out->append(s.fetch ? FormatSeconds(s.fetch->file_age_seconds) : "null");
  out->append(",\"stages\":{");
  for (int i = 0; i < 3; ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, kChainStages[i]);
    out->push_back(':');
    if (!s.stages[i]) {
      out->append("null");
      continue;
    }
    out->append("{\"metrics_age_seconds\":" + FormatSeconds(s.stages[i]->file_age_seconds) +
                ",\"output_blocked_seconds\":" +
                FormatOptionalSeconds(s.stages[i]->output_blocked_seconds) + "}");
  }
  out->append("}");
  const std::vector<std::string> problems = StreamProblems(s, in);
  out->append(",\"healthy\":");
  out->append(problems.empty() ? "true" : "false");
  out->append(",\"problems\":[");
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, problems[i]);
  }
  out->append("]}");
}

StatusOr<int64_t> Count(SqliteDb* db, const std::string& sql) {
  StatusOr<std::optional<int64_t>> n = db->QueryInt64(sql);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

// Whether stream_state has `column` (the migrations add columns to it).
StatusOr<bool> StreamStateHasColumn(SqliteDb* db, const std::string& column) {
  StatusOr<int64_t> n = Count(
      db, "SELECT count(*) FROM pragma_table_info('stream_state') WHERE name = '" + column + "'");
  if (!n.ok()) return n.status();
  return *n > 0;
}

// An import without its snapshot_end that committed lately is running, not
// short (within the watchdog's time, as for a stage: 120 s when that is 0).
std::optional<std::string> SnapshotImportProblem(const char* label,
                                                 const SnapshotImportState& state,
                                                 double running_within) {
  const bool running = state.running_age_seconds && *state.running_age_seconds <= running_within;
  if (!state.incomplete_as_of || running) return std::nullopt;
  std::string problem =
      label + *state.incomplete_as_of + " incomplete: " + state.incomplete.value_or("?");
  if (state.running_age_seconds) {
    problem += "; nothing committed for " + FormatSeconds(*state.running_age_seconds) +
               " s (more than --watchdog)";
  }
  return problem;
}

// The snapshot columns of stream_state's rows, by stream (?1): migration 6
// added them (a database still older has none, and no snapshot recorded as
// incomplete), migration 7 snapshot_running_at.
StatusOr<Statement> PrepareSnapshotImportQuery(SqliteDb* db) {
  StatusOr<bool> has_columns = StreamStateHasColumn(db, "snapshot_incomplete");
  if (!has_columns.ok()) return has_columns.status();
  StatusOr<bool> has_running_column = StreamStateHasColumn(db, "snapshot_running_at");
  if (!has_running_column.ok()) return has_running_column.status();
  const std::string incomplete =
      *has_columns ? "snapshot_incomplete_as_of, snapshot_incomplete" : "NULL, NULL";
  const std::string running_age =
      *has_running_column ? "(julianday('now') - julianday(snapshot_running_at)) * 86400.0"
                          : "NULL";
  return db->Prepare("SELECT last_snapshot_as_of, " + incomplete + ", " + running_age +
                     " FROM stream_state WHERE stream = ?1");
}

// One import's state: the row of `stream` through `query`
// (PrepareSnapshotImportQuery).
Status ReadSnapshotImportState(Statement* query, const char* stream, SnapshotImportState* out) {
  ResetOnExit reset(query);
  Status s = query->BindText(1, stream);
  if (!s.ok()) return s;
  StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Ok();
  out->last_complete_as_of = query->ColumnOptionalText(0);
  out->incomplete_as_of = query->ColumnOptionalText(1);
  out->incomplete = query->ColumnOptionalText(2);
  // A clock stepped back makes the age negative: still running.
  if (!query->ColumnIsNull(3)) out->running_age_seconds = std::max(0.0, query->ColumnDouble(3));
  return Status::Ok();
}

// `,"NAME":{...}`, or null when no such import was ever recorded.
void AppendSnapshotImportJson(std::string* out, const char* name,
                              const SnapshotImportState& state) {
  out->append(",\"").append(name).append("\":");
  if (!state.last_complete_as_of && !state.incomplete_as_of) {
    out->append("null");
    return;
  }
  out->append("{\"last_complete_as_of\":");
  AppendOptionalText(out, state.last_complete_as_of);
  out->append(",\"incomplete_as_of\":");
  AppendOptionalText(out, state.incomplete_as_of);
  out->append(",\"missing\":");
  AppendOptionalText(out, state.incomplete);
  out->append(",\"import_last_commit_age_seconds\":");
  out->append(FormatOptionalSeconds(state.running_age_seconds));
  out->append("}");
}

}  // namespace

std::optional<std::string> StuckStageProblem(const StreamHealth& s, double watchdog_seconds) {
  if (!(watchdog_seconds > 0)) return std::nullopt;
  const auto blocked = [&s](int i) {
    return s.stages[i] ? s.stages[i]->output_blocked_seconds.value_or(0) : 0.0;
  };
  const auto silent = [&s](int i) { return s.stages[i] ? s.stages[i]->file_age_seconds : 0.0; };
  // A stage that does not read blocks the output of the one before it,
  // which then stops reading too: the stuck stage reads the last output (in
  // chain order) blocked for longer than the watchdog time. Index 3 is the
  // notifier, which reads ch-store's output.
  int stuck = -1;
  double for_seconds = 0;
  for (int i = 2; i >= 0; --i) {
    if (blocked(i) > watchdog_seconds) {
      stuck = i + 1;
      for_seconds = blocked(i);
      break;
    }
  }
  // Before the pipes fill (a quiet stream), a stopped or hung ch-parse or
  // ch-store shows by its heartbeat alone: its file is not rewritten while
  // ch-fetch's is (an old ch-fetch file is "ch-fetch not running").
  const bool fetch_running = s.fetch && s.fetch->file_age_seconds <= kFetchMetricsStaleSeconds;
  if (stuck < 0 && fetch_running) {
    for (int i = 1; i <= 2; ++i) {
      if (silent(i) > watchdog_seconds) {
        stuck = i;
        break;
      }
    }
  }
  if (stuck < 0) return std::nullopt;
  std::string why;
  if (stuck < 3 && silent(stuck) > watchdog_seconds) {
    for_seconds = std::max(for_seconds, silent(stuck));
    why = MetricsFileName(kChainStages[stuck], s.stream) + " not rewritten";
  }
  std::vector<std::string> waiting;
  for (int i = 0; i < stuck; ++i) {
    if (blocked(i) > 0) waiting.emplace_back(kChainStages[i]);
  }
  if (!waiting.empty()) {
    if (!why.empty()) why += "; ";
    for (size_t i = 0; i < waiting.size(); ++i) {
      if (i > 0) why += i + 1 == waiting.size() ? " and " : ", ";
      why += waiting[i];
    }
    why += " blocked on output";
  }
  return std::string(stuck == 3 ? kNotifierName : kChainStages[stuck]) +
         " not making progress for " + FormatSeconds(for_seconds) + " s (" + why +
         "; more than --watchdog)";
}

std::vector<std::string> StreamProblems(const StreamHealth& s, const HealthInputs& in) {
  std::vector<std::string> problems;
  if (s.chain_stopped) {
    std::string why = "chain stopped";
    if (!s.chain_stopped->stage.empty()) {
      why += " (" + s.chain_stopped->stage + " exited " + std::to_string(s.chain_stopped->code);
      if (!s.chain_stopped->time.empty()) why += " at " + s.chain_stopped->time;
      why += ")";
    }
    problems.push_back(why + ": pipeline.sh does not restart it; see its log");
  }
  if (s.gaps_open > 0) problems.emplace_back("gap open");
  if (s.fetch_metrics_expected) {
    const std::string file = MetricsFileName("ch-fetch", s.stream);
    if (!s.fetch) {
      problems.push_back("ch-fetch not running (no " + file + " in the metrics directory)");
    } else {
      if (s.fetch->file_age_seconds > kFetchMetricsStaleSeconds) {
        problems.push_back("ch-fetch not running (" + file + " not rewritten for " +
                           FormatSeconds(s.fetch->file_age_seconds) + " s)");
      }
      const bool blocked = s.stages[0] && s.stages[0]->output_blocked_seconds.value_or(0) > 0;
      JudgeStream(*s.fetch, in.max_silence_seconds, blocked, &problems);
    }
  }
  if (std::optional<std::string> stuck = StuckStageProblem(s, in.watchdog_seconds)) {
    problems.push_back(*stuck);
  }
  if (in.max_commit_age_seconds && s.stream == in.stream) {
    if (!s.last_commit_age_seconds) {
      problems.emplace_back("no commit yet");
    } else if (*s.last_commit_age_seconds > *in.max_commit_age_seconds) {
      problems.emplace_back("last commit too old");
    }
  }
  return problems;
}

HealthReport EvaluateHealth(const HealthInputs& in) {
  HealthReport report;
  if (!in.database_exists) {
    report.problems.emplace_back("database missing or empty");
  } else if (in.schema_version == 0) {
    report.problems.emplace_back("database not migrated");
  } else if (in.schema_version < in.schema_version_latest) {
    report.problems.emplace_back("database schema older than this ch-store");
  }
  for (const StreamHealth& s : JudgedStreams(in)) {
    for (const std::string& problem : StreamProblems(s, in)) {
      report.problems.push_back(s.stream + ": " + problem);
    }
  }
  // The PSC snapshot covers three streams: one problem, database-wide; the
  // company bulk file's is the database's too, whatever --stream says.
  const double running_within = in.watchdog_seconds > 0 ? in.watchdog_seconds : 120;
  for (const auto& [label, state] : {std::pair{"PSC snapshot ", &in.psc_snapshot},
                                     std::pair{"company bulk import ", &in.company_bulk}}) {
    if (std::optional<std::string> problem = SnapshotImportProblem(label, *state, running_within))
      report.problems.push_back(*problem);
  }
  // The WAL is the database's, not one stream's.
  if (std::optional<std::string> wal = WalProblem(in.wal)) report.problems.push_back(*wal);
  report.healthy = report.problems.empty();
  return report;
}

Status ReadHealthInputs(SqliteDb* db, HealthInputs* in) {
  StatusOr<Statement> state = db->Prepare(
      "SELECT timepoint, last_event_published_at, last_commit_at,"
      " (julianday('now') - julianday(last_commit_at)) * 86400.0, last_snapshot_as_of,"
      " (julianday('now') - julianday(last_event_published_at)) * 86400.0"
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
    if (!state->ColumnIsNull(5)) in->lag_seconds = state->ColumnDouble(5);
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
  StatusOr<Statement> snapshot_query = PrepareSnapshotImportQuery(db);
  if (!snapshot_query.ok()) return snapshot_query.status();
  s = ReadSnapshotImportState(&*snapshot_query, "persons-with-significant-control",
                              &in->psc_snapshot);
  if (!s.ok()) return s;
  s = ReadSnapshotImportState(&*snapshot_query, "companies", &in->company_bulk);
  if (!s.ok()) return s;
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
  out.append(",\"lag_seconds\":" + FormatOptionalSeconds(in.lag_seconds));
  const FetchMetricsReading none;
  const FetchMetricsReading& fetch = in.fetch ? *in.fetch : none;
  out.append(",\"connected\":" + FormatOptionalBool(fetch.connected));
  out.append(",\"breaker_open\":" + FormatOptionalBool(fetch.breaker_open));
  out.append(",\"consecutive_failures\":");
  out.append(fetch.consecutive_failures ? std::to_string(*fetch.consecutive_failures) : "null");
  out.append(",\"last_byte_age_seconds\":" + FormatOptionalSeconds(fetch.last_byte_age_seconds));
  out.append(",\"disconnected_seconds\":" + FormatOptionalSeconds(fetch.disconnected_seconds));
  out.append(",\"last_attempt\":");
  AppendOptionalText(&out, fetch.last_attempt);
  out.append(",\"last_http_status\":");
  out.append(fetch.last_http_status ? std::to_string(*fetch.last_http_status) : "null");
  out.append(",\"events_per_minute\":");
  if (in.events_per_minute) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *in.events_per_minute);
    out.append(buf);
  } else {
    out.append("null");
  }
  out.append(",\"fetch_metrics_age_seconds\":");
  out.append(in.fetch ? FormatSeconds(in.fetch->file_age_seconds) : "null");
  AppendSnapshotImportJson(&out, "psc_snapshot", in.psc_snapshot);
  AppendSnapshotImportJson(&out, "bulk_import", in.company_bulk);
  AppendWalHealthJson(&out, in.wal);
  out.append(",\"schema_version\":" + std::to_string(in.schema_version));
  out.append(",\"schema_version_latest\":" + std::to_string(in.schema_version_latest));
  out.append(",\"streams\":{");
  bool first = true;
  for (const StreamHealth& s : JudgedStreams(in)) {
    if (!first) out.push_back(',');
    first = false;
    AppendStreamMember(&out, s, in);
  }
  out.append("}");
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
  inputs.max_silence_seconds = options.max_silence_seconds;
  inputs.watchdog_seconds = options.watchdog_seconds;
  if (!options.common.metrics_dir.empty()) {
    inputs.fetch_metrics_expected = true;
    StatusOr<std::optional<FetchMetricsReading>> fetch = ReadFetchMetricsWithRate(
        options.common.metrics_dir, options.stream, kRateWaitSeconds, &inputs.events_per_minute);
    if (!fetch.ok()) {
      // Judged as missing: status still answers, and says why on stderr.
      LogWarn("cannot read ch-fetch's metrics", {{"error", fetch.status().message()}});
    } else {
      inputs.fetch = fetch.value();
    }
  }
  // Before the database is opened: the -wal file as the writers left it.
  StatusOr<WritePathLimits> limits = WritePathLimits::FromEnvironment();
  if (!limits.ok()) return ExitWithError(limits.status());
  inputs.wal = ReadWalHealth(options.db, options.common.metrics_dir, *limits);
  inputs.database_exists = StoreFileHasContent(options.db);
  StatusOr<ReadOnlyStore> store =
      OpenStoreForReading(options.db, *migrator, options.busy_timeout_ms);
  if (!store.ok()) return ExitWithError(store.status());
  inputs.schema_version = store->version;
  if (store->db) {
    Status s = ReadHealthInputs(&*store->db, &inputs);
    if (!s.ok()) return ExitWithError(s);
  }
  StatusOr<std::vector<std::string>> followed =
      FollowedStreams(store->db ? &*store->db : nullptr, options.db, options.stream,
                      options.streams, options.stream_named);
  if (!followed.ok()) return ExitWithError(followed.status());
  for (const std::string& name : *followed) {
    StreamHealth s;
    s.stream = name;
    if (store->db) {
      Status read = ReadStreamHealth(&*store->db, &s);
      if (!read.ok()) return ExitWithError(read);
    }
    s.chain_stopped = ReadChainStopped(options.db, name);
    s.fetch_metrics_expected = inputs.fetch_metrics_expected;
    if (s.fetch_metrics_expected) {
      for (int i = 0; i < 3; ++i) {
        s.stages[i] = ReadStageMetrics(options.common.metrics_dir, kChainStages[i], name);
      }
    }
    if (name == options.stream) {
      s.fetch = inputs.fetch;
    } else if (s.fetch_metrics_expected) {
      StatusOr<std::optional<FetchMetricsReading>> fetch =
          ReadFetchMetrics(options.common.metrics_dir, name);
      if (!fetch.ok()) {
        LogWarn("cannot read ch-fetch's metrics",
                {{"stream", name}, {"error", fetch.status().message()}});
      } else {
        s.fetch = fetch.value();
      }
    }
    inputs.streams.push_back(std::move(s));
  }
  const HealthReport report = EvaluateHealth(inputs);
  OutputWriter out(STDOUT_FILENO);
  Status s = out.WriteLine(FormatStatusJson(inputs, report));
  if (s.ok()) s = out.Flush();
  if (!s.ok()) return ExitWithError(s);
  return report.healthy ? 0 : kExitUnhealthy;
}

}  // namespace ch
