// ApplyTransaction: see apply_transaction.h.
#include "ch-store/apply_transaction.h"

#include <utility>

#include "ch-store/statement_binder.h"
#include "common/log.h"

namespace ch {

void ApplyCounters::Add(const ApplyCounters& o) {
  stream_applied += o.stream_applied;
  bulk_applied += o.bulk_applied;
  skipped += o.skipped;
  superseded += o.superseded;
  rejects += o.rejects;
  rejects_stored += o.rejects_stored;
  status_changes += o.status_changes;
  gaps += o.gaps;
  gaps_healed += o.gaps_healed;
  records += o.records;
  resources += o.resources;
  signals += o.signals;
}

StatusOr<std::unique_ptr<ApplyTransaction>> ApplyTransaction::Create(SqliteDb* db) {
  std::unique_ptr<ApplyTransaction> txn(new ApplyTransaction(db));
  Status s = txn->Prepare();
  if (!s.ok()) return s;
  return txn;
}

ApplyTransaction::~ApplyTransaction() { Rollback(); }

Status ApplyTransaction::Prepare() {
  struct {
    Statement* stmt;
    const char* sql;
  } const statements[] = {
      {&select_state_,
       "SELECT timepoint, last_event_published_at FROM stream_state WHERE stream = ?1"},
      {&select_awaiting_resume_,
       "SELECT EXISTS(SELECT 1 FROM gaps WHERE stream = ?1 AND resumed_timepoint IS NULL)"},
      {&update_resumed_,
       "UPDATE gaps SET resumed_timepoint = ?2 WHERE stream = ?1 AND resumed_timepoint IS NULL"},
      {&upsert_state_,
       "INSERT INTO stream_state(stream, timepoint, last_event_published_at, last_commit_at)"
       " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(stream) DO UPDATE SET timepoint = excluded.timepoint,"
       " last_event_published_at = excluded.last_event_published_at,"
       " last_commit_at = excluded.last_commit_at"},
  };
  for (const auto& s : statements) {
    StatusOr<Statement> stmt = db_->Prepare(s.sql);
    if (!stmt.ok()) return stmt.status();
    *s.stmt = std::move(stmt).value();
  }
  return Status::Ok();
}

std::string_view ApplyTransaction::Now() {
  const std::time_t now = std::time(nullptr);
  if (now != now_second_ || now_text_.empty()) {
    now_second_ = now;
    now_text_ = UtcNow(false);
  }
  return now_text_;
}

void ApplyTransaction::ClearPending() {
  pending_ = ApplyCounters();
  pending_changes_.clear();
  pending_signals_.clear();
  pending_stream_ = false;
}

Status ApplyTransaction::Begin() {
  if (txn_) return Status::Internal("Begin() inside a transaction");
  if (queue_ != nullptr) queue_->StartBegin();
  StatusOr<Transaction> txn = Transaction::Begin(db_);
  if (queue_ != nullptr) queue_->EndBegin();
  if (!txn.ok()) return txn.status().Annotate("begin transaction");
  txn_.emplace(std::move(txn).value());
  // Holding the write lock now, nobody else can write until we commit.
  StatusOr<std::optional<int64_t>> version = db_->QueryInt64("PRAGMA data_version");
  if (!version.ok()) {
    Rollback();
    return version.status().Annotate("read data_version");
  }
  others_wrote_ = *version != data_version_;
  data_version_ = *version;
  // Another writer may have moved a checkpoint since our last transaction.
  for (StreamState& st : streams_) st.Forget();
  ClearPending();
  return Status::Ok();
}

Status ApplyTransaction::Commit() {
  if (!txn_) return Status::Internal("Commit() outside a transaction");
  std::optional<int64_t> moved;
  Status s;
  for (StreamState& st : streams_) {
    if (!st.dirty) continue;
    ResetOnExit reset(&upsert_state_);
    Binder b(&upsert_state_);
    b.Text(1, st.stream);
    b.Int(2, st.checkpoint);
    b.Text(3, st.has_last_published_at ? OptText(st.last_published_at) : std::nullopt);
    b.Text(4, Now());
    s = b.status();
    if (s.ok()) s = upsert_state_.Run();
    if (!s.ok()) break;
    moved = st.checkpoint;
  }
  if (s.ok()) s = txn_->Commit();
  if (!s.ok()) {
    Rollback();
    return s.Annotate("commit");
  }
  txn_.reset();
  totals_.Add(pending_);
  committed_changes_.swap(pending_changes_);
  committed_signals_.swap(pending_signals_);
  ClearPending();
  if (moved) last_committed_checkpoint_ = moved;
  for (StreamState& st : streams_) st.dirty = false;
  return Status::Ok();
}

void ApplyTransaction::Rollback() {
  txn_.reset();  // the Transaction rolls back in its destructor
  for (StreamState& st : streams_) st.Forget();
  ClearPending();
}

StatusOr<ApplyTransaction::StreamState*> ApplyTransaction::State(std::string_view stream) {
  StreamState* st = nullptr;
  for (StreamState& candidate : streams_) {
    if (candidate.stream == stream) {
      st = &candidate;
      break;
    }
  }
  if (st == nullptr) {
    streams_.emplace_back();
    st = &streams_.back();
    st->stream.assign(stream);
  }
  if (st->loaded) return st;
  {
    ResetOnExit reset(&select_state_);
    Status s = select_state_.BindText(1, stream, false);
    if (!s.ok()) return s;
    StatusOr<bool> row = select_state_.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      st->checkpoint = select_state_.ColumnOptionalInt64(0);
      st->has_last_published_at = !select_state_.ColumnIsNull(1);
      if (st->has_last_published_at) st->last_published_at.assign(select_state_.ColumnText(1));
    }
  }
  {
    ResetOnExit reset(&select_awaiting_resume_);
    Status s = select_awaiting_resume_.BindText(1, stream, false);
    if (!s.ok()) return s;
    StatusOr<bool> row = select_awaiting_resume_.Step();
    if (!row.ok()) return row.status();
    st->awaiting_resume = *row && select_awaiting_resume_.ColumnInt64(0) != 0;
  }
  st->loaded = true;
  return st;
}

bool ApplyTransaction::Seen(const StreamState& st, int64_t timepoint) {
  if (!st.checkpoint || timepoint > *st.checkpoint) return false;
  ++pending_.skipped;
  return true;
}

Status ApplyTransaction::Advance(StreamState* st, int64_t timepoint, OptText published_at) {
  ++pending_.stream_applied;
  st->checkpoint = timepoint;
  st->has_last_published_at = published_at.has_value();
  if (published_at) st->last_published_at.assign(*published_at);
  st->dirty = true;
  if (!st->awaiting_resume) return Status::Ok();
  ResetOnExit reset(&update_resumed_);
  Binder b(&update_resumed_);
  b.Text(1, st->stream);
  b.Int(2, timepoint);
  Status s = b.status();
  if (s.ok()) s = update_resumed_.Run();
  if (!s.ok()) return s;
  st->awaiting_resume = false;
  return Status::Ok();
}

}  // namespace ch
