// ControlApplier: see control_applier.h.
#include "ch-store/control_applier.h"

#include <string>
#include <utility>

#include "ch-store/psc_snapshot_check.h"
#include "ch-store/raw_hash.h"
#include "ch-store/statement_binder.h"
#include "common/log.h"

namespace ch {

namespace {

// The stream_state row of a complete snapshot: ?1 stream, ?2 its date,
// ?3 its rows, ?4 the wall clock.
constexpr const char* kUpsertCompleteSql =
    "INSERT INTO stream_state(stream, last_snapshot_as_of, last_snapshot_rows, last_snapshot_at)"
    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(stream) DO UPDATE SET"
    " last_snapshot_as_of = excluded.last_snapshot_as_of,"
    " last_snapshot_rows = excluded.last_snapshot_rows,"
    " last_snapshot_at = excluded.last_snapshot_at,";
// ... which clears a recorded incomplete one that is not newer than itself.
constexpr const char* kClearIncompleteNotNewerSql =
    " snapshot_incomplete = CASE WHEN snapshot_incomplete_as_of <= excluded.last_snapshot_as_of"
    "  THEN NULL ELSE snapshot_incomplete END,"
    " snapshot_incomplete_as_of = CASE"
    "  WHEN snapshot_incomplete_as_of <= excluded.last_snapshot_as_of"
    "  THEN NULL ELSE snapshot_incomplete_as_of END,"
    " snapshot_running_at = CASE"
    "  WHEN snapshot_incomplete_as_of <= excluded.last_snapshot_as_of"
    "  THEN NULL ELSE snapshot_running_at END";

// How the log, `status` and stream_state name an import and its parts.
struct ImportWords {
  const char* name;  // "PSC snapshot 2026-12-05 incomplete: ..."
  const char* lines;
  const char* end;
};
ImportWords WordsOf(SnapshotImport import) {
  if (import == SnapshotImport::kPscSnapshot) return {"PSC snapshot", "lines", "totals line"};
  return {"company bulk import", "rows", "snapshot_end"};
}

}  // namespace

StatusOr<std::unique_ptr<ControlApplier>> ControlApplier::Create(ApplyTransaction* txn) {
  std::unique_ptr<ControlApplier> applier(new ControlApplier(txn));
  Status s = applier->Prepare();
  if (!s.ok()) return s;
  return applier;
}

Status ControlApplier::Prepare() {
  struct {
    Statement* stmt;
    std::string sql;
  } const statements[] = {
      {&insert_reject_,
       "INSERT OR IGNORE INTO rejects(stream, source, timepoint, reason, raw, raw_length, raw_hash,"
       " received_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      // A 416 for the same gap again (ch-fetch restarted before anything
      // arrived, or a replay of the same capture) adds no row: the same
      // after_timepoint names the same loss while it is not healed. A live
      // start (NULL) is the same gap only until a record arrived after it.
      {&select_open_gap_,
       "SELECT 1 FROM gaps WHERE stream = ?1 AND after_timepoint IS ?2 AND healed_by IS NULL"
       " AND (resumed_timepoint IS NULL OR ?2 IS NOT NULL) LIMIT 1"},
      {&insert_gap_,
       "INSERT INTO gaps(stream, after_timepoint, detected_at, reason) VALUES(?1, ?2, ?3, ?4)"},
      // A gap detected before the snapshot's cut-off (00:00Z of its date) is
      // covered by it; one detected later lost events the snapshot never saw.
      {&heal_gaps_,
       "UPDATE gaps SET healed_by = ?2, healed_at = ?3"
       " WHERE stream = ?1 AND healed_by IS NULL AND detected_at < ?4"},
      // A company bulk file is recorded whatever its date (as it always
      // was: its rows obey as_of one by one).
      {&upsert_snapshot_state_, std::string(kUpsertCompleteSql) + kClearIncompleteNotNewerSql},
      // A PSC snapshot is the stream's newest complete one only when it is
      // at least as new as the one recorded (an older one imported again
      // changes no resource either).
      {&upsert_psc_complete_, std::string(kUpsertCompleteSql) + kClearIncompleteNotNewerSql +
                                  " WHERE last_snapshot_as_of IS NULL OR "
                                  "excluded.last_snapshot_as_of >= last_snapshot_as_of"},
      // An incomplete one matters only when newer than the last complete
      // one, and than an incomplete one already recorded.
      // (?4: the wall clock of a commit of an import still without its
      // snapshot_end, RecordSnapshotRunning; NULL: the import is over.)
      {&upsert_incomplete_,
       "INSERT INTO stream_state(stream, snapshot_incomplete_as_of, snapshot_incomplete,"
       " snapshot_running_at)"
       " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(stream) DO UPDATE SET"
       " snapshot_incomplete_as_of = excluded.snapshot_incomplete_as_of,"
       " snapshot_incomplete = excluded.snapshot_incomplete,"
       " snapshot_running_at = excluded.snapshot_running_at"
       " WHERE (last_snapshot_as_of IS NULL"
       "  OR excluded.snapshot_incomplete_as_of > last_snapshot_as_of)"
       " AND (snapshot_incomplete_as_of IS NULL"
       "  OR excluded.snapshot_incomplete_as_of >= snapshot_incomplete_as_of)"},
  };
  for (const auto& s : statements) {
    StatusOr<Statement> stmt = txn_->db()->Prepare(s.sql);
    if (!stmt.ok()) return stmt.status();
    *s.stmt = std::move(stmt).value();
  }
  return Status::Ok();
}

Status ControlApplier::ApplyReject(const RejectRecord& r) {
  ResetOnExit reset(&insert_reject_);
  Binder b(&insert_reject_);
  b.Text(1, r.stream);
  b.Text(2, r.source);
  b.Int(3, r.timepoint);
  b.Text(4, r.reason);
  b.Blob(5, r.raw);
  b.Int(6, static_cast<int64_t>(r.raw_length));
  b.Int(7, RejectHash(r.raw, r.raw_length));
  b.Text(8, txn_->Now());
  if (!b.status().ok()) return b.status();
  Status s = insert_reject_.Run();
  if (!s.ok()) return s;
  ++txn_->pending().rejects;
  const bool stored = txn_->db()->Changes() > 0;
  if (stored) ++txn_->pending().rejects_stored;
  const LogLevel level = stored ? LogLevel::kWarn : LogLevel::kDebug;
  const char* message = stored ? "reject stored" : "reject seen before";
  const std::string_view reason = r.reason.substr(0, 200);
  if (r.timepoint) {
    Log(level, message,
        {{"stream", r.stream},
         {"reason", reason},
         {"raw_length", static_cast<int64_t>(r.raw_length)},
         {"timepoint", *r.timepoint}});
  } else {
    Log(level, message,
        {{"stream", r.stream},
         {"reason", reason},
         {"raw_length", static_cast<int64_t>(r.raw_length)}});
  }
  return Status::Ok();
}

Status ControlApplier::ApplyGap(const GapRecord& g) {
  StatusOr<ApplyTransaction::StreamState*> state = txn_->State(g.stream);
  if (!state.ok()) return state.status();
  bool known = false;
  {
    ResetOnExit reset(&select_open_gap_);
    Binder b(&select_open_gap_);
    b.Text(1, g.stream);
    b.Int(2, g.after_timepoint);
    if (!b.status().ok()) return b.status();
    StatusOr<bool> row = select_open_gap_.Step();
    if (!row.ok()) return row.status();
    known = *row;
  }
  const std::string after = g.after_timepoint ? std::to_string(*g.after_timepoint) : "null";
  if (known) {
    LogInfo("gap already recorded", {{"stream", g.stream}, {"after_timepoint", after}});
    return Status::Ok();
  }
  ResetOnExit reset(&insert_gap_);
  Binder b(&insert_gap_);
  b.Text(1, g.stream);
  b.Int(2, g.after_timepoint);
  b.Text(3, txn_->Now());
  b.Text(4, g.reason);
  if (!b.status().ok()) return b.status();
  Status s = insert_gap_.Run();
  if (!s.ok()) return s;
  ++txn_->pending().gaps;
  (*state)->awaiting_resume = true;
  LogWarn("gap recorded",
          {{"stream", g.stream}, {"after_timepoint", after}, {"reason", g.reason.value_or("")}});
  return Status::Ok();
}

StatusOr<int> ControlApplier::HealGaps(std::string_view stream, std::string_view as_of_date) {
  const std::string healed_by = "snapshot:" + std::string(as_of_date);
  const std::string cutoff = std::string(as_of_date) + "T00:00:00Z";
  ResetOnExit reset(&heal_gaps_);
  Binder b(&heal_gaps_);
  b.Text(1, stream);
  b.Text(2, healed_by);
  b.Text(3, txn_->Now());
  b.Text(4, cutoff);
  if (!b.status().ok()) return b.status();
  Status s = heal_gaps_.Run();
  if (!s.ok()) return s;
  const int healed = txn_->db()->Changes();
  txn_->pending().gaps_healed += static_cast<uint64_t>(healed);
  return healed;
}

Status ControlApplier::ApplySnapshotEnd(const SnapshotEndRecord& e,
                                        const PscSnapshotReceived& repeated) {
  if (e.psc_snapshot) return ApplyPscSnapshotEnd(e, repeated);
  // The company bulk file holds the companies register only: its end heals
  // the companies stream's gaps (DESIGN.md), whatever stream the line
  // names (a hand-written one named filings and healed its gaps).
  StatusOr<int> healed = 0;
  if (e.stream == "companies") healed = HealGaps(e.stream, e.as_of_date);
  if (!healed.ok()) return healed.status();
  ResetOnExit reset(&upsert_snapshot_state_);
  Binder b(&upsert_snapshot_state_);
  b.Text(1, e.stream);
  b.Text(2, e.as_of_date);
  b.Int(3, e.rows);
  b.Text(4, txn_->Now());
  if (!b.status().ok()) return b.status();
  Status s = upsert_snapshot_state_.Run();
  if (!s.ok()) return s;
  LogInfo("snapshot complete", {{"stream", e.stream},
                                {"as_of", e.as_of_date},
                                {"rows", e.rows.value_or(-1)},
                                {"gaps_healed", *healed}});
  return Status::Ok();
}

Status ControlApplier::ApplyPscSnapshotEnd(const SnapshotEndRecord& received,
                                           const PscSnapshotReceived& repeated) {
  SnapshotEndRecord e = received;
  e.received.pscs -= repeated.pscs;
  e.received.statements -= repeated.statements;
  e.received.exemptions -= repeated.exemptions;
  e.received.other -= repeated.other;
  const int64_t repeats =
      repeated.pscs + repeated.statements + repeated.exemptions + repeated.other;
  const PscSnapshotVerdict verdict = CheckPscSnapshot(e);
  if (!verdict.complete) {
    std::string missing = verdict.missing;
    if (repeats > 0)
      missing += "; " + WithThousands(repeats) + " lines named a resource again (a part twice?)";
    return RecordSnapshotIncomplete(SnapshotImport::kPscSnapshot, e.as_of_date, missing, e.rows);
  }
  int healed_total = 0;
  for (const std::string_view stream : kPscSnapshotStreams) {
    StatusOr<int> healed = HealGaps(stream, e.as_of_date);
    if (!healed.ok()) return healed.status();
    healed_total += *healed;
    ResetOnExit reset(&upsert_psc_complete_);
    Binder b(&upsert_psc_complete_);
    b.Text(1, stream);
    b.Text(2, e.as_of_date);
    b.Int(3, PscSnapshotRowsOf(e, stream));
    b.Text(4, txn_->Now());
    if (!b.status().ok()) return b.status();
    Status s = upsert_psc_complete_.Run();
    if (!s.ok()) return s;
  }
  LogInfo("PSC snapshot complete", {{"as_of", e.as_of_date},
                                    {"rows", e.rows.value_or(-1)},
                                    {"pscs", e.received.pscs},
                                    {"statements", e.received.statements},
                                    {"exemptions", e.received.exemptions},
                                    {"other_kinds", e.received.other},
                                    {"repeated_lines", repeats},
                                    {"gaps_healed", healed_total}});
  return Status::Ok();
}

Status ControlApplier::UpsertIncomplete(SnapshotImport import, std::string_view as_of_date,
                                        const std::string& missing,
                                        std::optional<std::string_view> running_at) {
  const auto upsert = [&](std::string_view stream) {
    ResetOnExit reset(&upsert_incomplete_);
    Binder b(&upsert_incomplete_);
    b.Text(1, stream);
    b.Text(2, as_of_date);
    b.Text(3, missing);
    b.Text(4, running_at);
    if (!b.status().ok()) return b.status();
    return upsert_incomplete_.Run();
  };
  if (import == SnapshotImport::kCompanyBulk) return upsert("companies");
  for (const std::string_view stream : kPscSnapshotStreams) {
    Status s = upsert(stream);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ControlApplier::RecordSnapshotRunning(SnapshotImport import, std::string_view as_of_date,
                                             int64_t lines) {
  const ImportWords words = WordsOf(import);
  return UpsertIncomplete(import, as_of_date,
                          std::string("no ") + words.end + " yet after " + std::to_string(lines) +
                              " of its " + words.lines +
                              " (an import running, or one that stopped: "
                              "killed, or an error such as a full disk)",
                          txn_->Now());
}

Status ControlApplier::RecordSnapshotCutOff(SnapshotImport import, std::string_view as_of_date,
                                            int64_t lines) {
  const ImportWords words = WordsOf(import);
  return RecordSnapshotIncomplete(import, as_of_date,
                                  std::string("cut off (the input ended without its ") + words.end +
                                      " after " + std::to_string(lines) + " of its " + words.lines +
                                      ")",
                                  std::nullopt);
}

Status ControlApplier::RecordSnapshotIncomplete(SnapshotImport import, std::string_view as_of_date,
                                                const std::string& missing,
                                                std::optional<int64_t> rows) {
  // Nothing healed: the lines that did not arrive may be exactly what a gap
  // lost. The records that did arrive were applied (each one a state at
  // least as new as its date says).
  Status s = UpsertIncomplete(import, as_of_date, missing, std::nullopt);
  if (!s.ok()) return s;
  LogWarn(
      std::string(WordsOf(import).name) + " " + std::string(as_of_date) + " incomplete: " + missing,
      {{"as_of", as_of_date},
       {"rows", rows.value_or(-1)},
       {"gaps_healed", 0},
       {"missing", missing}});
  return Status::Ok();
}

}  // namespace ch
