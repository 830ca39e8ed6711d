// RecordApplier: see record_applier.h.
#include "ch-store/record_applier.h"

#include <utility>

#include "ch-store/raw_hash.h"
#include "common/log.h"

namespace ch {

namespace {

// Resets a statement (and clears its bindings, which point into the current
// line) however the function using it returns.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement* stmt) : stmt_(stmt) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { stmt_->Reset(); }

 private:
  Statement* stmt_;
};

// Binds texts without copying them: they outlive the statement's Step().
class Binder {
 public:
  explicit Binder(Statement* stmt) : stmt_(stmt) {}
  void Text(int index, OptText value) {
    if (status_.ok())
      status_ = value ? stmt_->BindText(index, *value, false) : stmt_->BindNull(index);
  }
  void Blob(int index, std::string_view value) {
    if (status_.ok()) status_ = stmt_->BindBlob(index, value, false);
  }
  void Int(int index, std::optional<int64_t> value) {
    if (status_.ok()) status_ = stmt_->BindOptionalInt64(index, value);
  }
  const Status& status() const { return status_; }

 private:
  Statement* stmt_;
  Status status_;
};

std::optional<std::string> ToOptional(OptText text) {
  if (!text) return std::nullopt;
  return std::string(*text);
}

// The columns written for a company, numbered as the statements bind them:
// ?1 company_number, ?2..?21 the columns below, then ?22 as_of, ?23 source,
// ?24 timepoint, ?25 updated_at.
constexpr const char* kInsertCompanySql =
    "INSERT INTO companies(company_number, company_name, company_status, company_status_detail,"
    " company_status_raw, type, type_raw, jurisdiction, date_of_creation, date_of_cessation,"
    " address_line_1, address_line_2, locality, region, postal_code, country, care_of, po_box,"
    " premises, sic_codes, data, as_of, source, timepoint, deleted, updated_at)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, 0, ?25)";

// An absent name keeps the stored one (an event with a minimal `data`). The
// row is found by the rowid the SELECT returned: one b-tree search, not two.
constexpr const char* kUpdateCompanySql =
    "UPDATE companies SET company_name = COALESCE(?2, company_name), company_status = ?3,"
    " company_status_detail = ?4, company_status_raw = ?5, type = ?6, type_raw = ?7,"
    " jurisdiction = ?8, date_of_creation = ?9, date_of_cessation = ?10, address_line_1 = ?11,"
    " address_line_2 = ?12, locality = ?13, region = ?14, postal_code = ?15, country = ?16,"
    " care_of = ?17, po_box = ?18, premises = ?19, sic_codes = ?20, data = ?21, as_of = ?22,"
    " source = ?23, timepoint = ?24, deleted = 0, updated_at = ?25"
    " WHERE rowid = ?26";

}  // namespace

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
}

RecordApplier::RecordApplier(SqliteDb* db, Options options)
    : db_(db),
      options_(options),
      cache_enabled_(!options.collect_changes),
      cache_(options.state_cache_entries) {}

RecordApplier::~RecordApplier() { Rollback(); }

StatusOr<std::unique_ptr<RecordApplier>> RecordApplier::Create(SqliteDb* db, Options options) {
  std::unique_ptr<RecordApplier> applier(new RecordApplier(db, options));
  Status s = applier->Prepare();
  if (!s.ok()) return s;
  return applier;
}

Status RecordApplier::Prepare() {
  struct {
    Statement* stmt;
    std::string sql;
  } const statements[] = {
      {&select_company_,
       "SELECT company_status, company_status_detail, source, as_of, deleted, company_name, rowid"
       " FROM companies WHERE company_number = ?1"},
      {&insert_company_, kInsertCompanySql},
      {&insert_new_company_,
       std::string(kInsertCompanySql) + " ON CONFLICT(company_number) DO NOTHING"},
      {&update_company_, kUpdateCompanySql},
      {&insert_deleted_stub_,
       "INSERT INTO companies(company_number, as_of, source, timepoint, deleted, updated_at)"
       " VALUES(?1, ?2, ?3, ?4, 1, ?5)"},
      {&mark_deleted_, "UPDATE companies SET deleted = 1, updated_at = ?2 WHERE rowid = ?1"},
      {&insert_change_,
       "INSERT INTO status_changes(company_number, timepoint, published_at, old_status,"
       " old_status_detail, new_status, new_status_detail, source, recorded_at)"
       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
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
      {&upsert_snapshot_state_,
       "INSERT INTO stream_state(stream, last_snapshot_as_of, last_snapshot_rows, last_snapshot_at)"
       " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(stream) DO UPDATE SET"
       " last_snapshot_as_of = excluded.last_snapshot_as_of,"
       " last_snapshot_rows = excluded.last_snapshot_rows,"
       " last_snapshot_at = excluded.last_snapshot_at"},
  };
  for (const auto& s : statements) {
    StatusOr<Statement> stmt = db_->Prepare(s.sql);
    if (!stmt.ok()) return stmt.status();
    *s.stmt = std::move(stmt).value();
  }
  return Status::Ok();
}

std::string_view RecordApplier::Now() {
  const std::time_t now = std::time(nullptr);
  if (now != now_second_ || now_text_.empty()) {
    now_second_ = now;
    now_text_ = UtcNow(false);
  }
  return now_text_;
}

Status RecordApplier::Begin() {
  if (txn_) return Status::Internal("Begin() inside a transaction");
  StatusOr<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) return txn.status().Annotate("begin transaction");
  txn_.emplace(std::move(txn).value());
  // Holding the write lock now, nobody else can write until we commit.
  StatusOr<std::optional<int64_t>> version = db_->QueryInt64("PRAGMA data_version");
  if (!version.ok()) {
    Rollback();
    return version.status().Annotate("read data_version");
  }
  if (*version != data_version_) cache_.Clear();
  data_version_ = *version;
  int current = 0;
  int highwater = 0;
  sqlite3_db_status(db_->get(), SQLITE_DBSTATUS_CACHE_SPILL, &current, &highwater, /*resetFlag=*/1);
  // Another writer may have moved a checkpoint since our last transaction.
  for (StreamState& st : streams_) st.Forget();
  pending_ = ApplyCounters();
  pending_changes_.clear();
  pending_stream_ = false;
  return Status::Ok();
}

bool RecordApplier::cache_spilled() const {
  int current = 0;
  int highwater = 0;
  return sqlite3_db_status(db_->get(), SQLITE_DBSTATUS_CACHE_SPILL, &current, &highwater, 0) ==
             SQLITE_OK &&
         current > 0;
}

Status RecordApplier::Commit() {
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
  pending_ = ApplyCounters();
  committed_changes_.swap(pending_changes_);
  pending_changes_.clear();
  if (moved) last_committed_checkpoint_ = moved;
  for (StreamState& st : streams_) st.dirty = false;
  return Status::Ok();
}

void RecordApplier::Rollback() {
  txn_.reset();    // the Transaction rolls back in its destructor
  cache_.Clear();  // it may hold states that were never committed
  for (StreamState& st : streams_) st.Forget();
  pending_ = ApplyCounters();
  pending_changes_.clear();
  pending_stream_ = false;
}

StatusOr<RecordApplier::StreamState*> RecordApplier::State(std::string_view stream) {
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

Status RecordApplier::Apply(const Record& record) {
  if (!txn_) return Status::Internal("Apply() outside a transaction");
  switch (record.kind) {
    case RecordKind::kBlank:
      return Status::Ok();
    case RecordKind::kCompany:
      ++pending_.records;
      if (!record.company.bulk) pending_stream_ = true;
      return ApplyCompany(record.company);
    case RecordKind::kReject:
      ++pending_.records;
      pending_stream_ = true;
      return ApplyReject(record.reject);
    case RecordKind::kGap:
      ++pending_.records;
      pending_stream_ = true;
      return ApplyGap(record.gap);
    case RecordKind::kSnapshotEnd:
      ++pending_.records;
      return ApplySnapshotEnd(record.snapshot_end);
  }
  return Status::Internal("unknown record kind");
}

bool RecordApplier::Wins(const CompanyRecord& c, const Stored& stored) {
  if (!stored.exists) return true;
  if (!c.bulk) {
    // Among stream records the checkpoint already ordered them.
    if (stored.from_stream || !stored.as_of.has) return true;
    return c.as_of && *c.as_of >= stored.as_of.text;  // a tie goes to the stream
  }
  // A snapshot replaces only an older state: the same snapshot again, or an
  // older one, changes nothing.
  return !stored.as_of.has || *c.as_of > stored.as_of.text;
}

Status RecordApplier::LoadStored(std::string_view company_number, bool use_cache) {
  CompanyState cached;
  if (use_cache && cache_enabled_ && cache_.Find(company_number, &cached)) {
    auto copy = [](const std::optional<std::string_view>& from, OptString* to) {
      to->has = from.has_value();
      if (from) to->text.assign(*from);
    };
    // Only rows a stream record wrote are cached, and only stream records
    // look: their Wins() needs no as_of then.
    stored_.exists = true;
    stored_.rowid = cached.rowid;
    stored_.from_stream = true;
    stored_.deleted = cached.deleted;
    copy(cached.status, &stored_.status);
    copy(cached.detail, &stored_.detail);
    stored_.as_of.has = false;
    return Status::Ok();
  }
  ResetOnExit reset(&select_company_);
  Status s = select_company_.BindText(1, company_number, false);
  if (!s.ok()) return s;
  StatusOr<bool> row = select_company_.Step();
  if (!row.ok()) return row.status();
  stored_.exists = *row;
  if (!stored_.exists) return Status::Ok();
  auto copy = [this](int col, OptString* out) {
    out->has = !select_company_.ColumnIsNull(col);
    if (out->has) out->text.assign(select_company_.ColumnText(col));
  };
  copy(0, &stored_.status);
  copy(1, &stored_.detail);
  stored_.from_stream = select_company_.ColumnText(2) == "stream";
  copy(3, &stored_.as_of);
  stored_.deleted = select_company_.ColumnInt64(4) != 0;
  stored_.rowid = select_company_.ColumnInt64(6);
  if (options_.collect_changes) copy(5, &stored_.name);
  return Status::Ok();
}

Status RecordApplier::ApplyCompany(const CompanyRecord& c) {
  // A new row's pair: without a status there is none, a detail alone is not
  // one (found by the differential tests of issue 13).
  const OptText first_detail = c.company_status ? c.company_status_detail : std::nullopt;
  StreamState* st = nullptr;
  if (!c.bulk) {
    StatusOr<StreamState*> state = State(c.stream);
    if (!state.ok()) return state.status();
    st = *state;
    if (st->checkpoint && *c.timepoint <= *st->checkpoint) {
      ++pending_.skipped;
      return Status::Ok();
    }
  } else {
    if (!bulk_tuned_) {
      bulk_tuned_ = true;
      Status s = db_->Exec("PRAGMA cache_size = -" + std::to_string(options_.bulk_cache_kib));
      if (!s.ok()) return s;
    }
    // A first load inserts row after row: while rows keep being new, try
    // the insert first and skip the SELECT (a snapshot is the baseline, so a
    // new row needs nothing else).
    if (bulk_rows_are_new_ && !c.deleted) {
      Status s = WriteCompany(&insert_new_company_, c, c.company_status, first_detail);
      if (!s.ok()) return s;
      if (db_->Changes() > 0) {
        if (cache_enabled_) cache_.Forget(c.company_number);  // a snapshot row
        ++pending_.bulk_applied;
        return Status::Ok();
      }
      bulk_rows_are_new_ = false;
    }
  }

  Status s = LoadStored(c.company_number, /*use_cache=*/!c.bulk);
  if (c.bulk) bulk_rows_are_new_ = !stored_.exists;
  if (!s.ok()) return s;
  const bool wins = Wins(c, stored_);
  // What the row holds afterwards, for the cache, which keeps only rows a
  // stream record wrote. (Row ids are read right after each INSERT, before
  // a status change is inserted.)
  bool now_from_stream = stored_.exists && stored_.from_stream;
  CompanyState now{stored_.rowid, stored_.deleted, stored_.status.view(), stored_.detail.view()};
  if (c.deleted) {
    // A deletion only sets the mark (creating the row for an unknown company).
    if (!stored_.exists) {
      s = InsertDeletedStub(c);
      now = CompanyState{db_->LastInsertRowId(), true, std::nullopt, std::nullopt};
      now_from_stream = !c.bulk;
    } else if (wins && !stored_.deleted) {
      s = MarkDeleted();
      now.deleted = true;
    } else if (!wins) {
      ++pending_.superseded;
    }
  } else if (!stored_.exists) {
    s = WriteCompany(&insert_company_, c, c.company_status, first_detail);
    now = CompanyState{db_->LastInsertRowId(), false, c.company_status, first_detail};
    now_from_stream = !c.bulk;
    // A snapshot is the baseline; the stream's first sighting is a change.
    if (s.ok() && !c.bulk && c.company_status)
      s = RecordChange(c, c.company_status, c.company_status_detail);
  } else if (wins) {
    // An unknown status keeps the stored pair, detail included.
    const OptText status = c.company_status ? c.company_status : stored_.status.view();
    const OptText detail = c.company_status ? c.company_status_detail : stored_.detail.view();
    s = WriteCompany(&update_company_, c, status, detail);
    now = CompanyState{stored_.rowid, false, status, detail};
    now_from_stream = !c.bulk;
    if (s.ok() && (status != stored_.status.view() || detail != stored_.detail.view())) {
      s = RecordChange(c, status, detail);
    }
  } else {
    ++pending_.superseded;
  }
  if (!s.ok()) return s;
  if (cache_enabled_) {
    if (now_from_stream) {
      cache_.Put(c.company_number, now);
    } else {
      cache_.Forget(c.company_number);
    }
  }

  if (c.bulk) {
    ++pending_.bulk_applied;
    return Status::Ok();
  }
  ++pending_.stream_applied;
  st->checkpoint = c.timepoint;
  st->has_last_published_at = c.published_at.has_value();
  if (c.published_at) st->last_published_at.assign(*c.published_at);
  st->dirty = true;
  if (st->awaiting_resume) {
    ResetOnExit reset(&update_resumed_);
    Binder b(&update_resumed_);
    b.Text(1, c.stream);
    b.Int(2, c.timepoint);
    s = b.status();
    if (s.ok()) s = update_resumed_.Run();
    if (!s.ok()) return s;
    st->awaiting_resume = false;
  }
  return Status::Ok();
}

Status RecordApplier::WriteCompany(Statement* stmt, const CompanyRecord& c, OptText status,
                                   OptText detail) {
  ResetOnExit reset(stmt);
  Binder b(stmt);
  b.Text(1, c.company_number);
  b.Text(2, c.company_name);
  b.Text(3, status);
  b.Text(4, detail);
  b.Text(5, c.company_status_raw);
  b.Text(6, c.type);
  b.Text(7, c.type_raw);
  b.Text(8, c.jurisdiction);
  b.Text(9, c.date_of_creation);
  b.Text(10, c.date_of_cessation);
  for (size_t i = 0; i < c.address.size(); ++i) b.Text(11 + static_cast<int>(i), c.address[i]);
  b.Text(20, c.sic_codes);
  b.Text(21, c.data);
  b.Text(22, c.as_of);
  b.Text(23, c.bulk ? "bulk" : "stream");
  b.Int(24, c.bulk ? std::nullopt : c.timepoint);
  b.Text(25, Now());
  if (stmt == &update_company_) b.Int(26, stored_.rowid);
  if (!b.status().ok()) return b.status();
  return stmt->Run();
}

Status RecordApplier::InsertDeletedStub(const CompanyRecord& c) {
  ResetOnExit reset(&insert_deleted_stub_);
  Binder b(&insert_deleted_stub_);
  b.Text(1, c.company_number);
  b.Text(2, c.as_of);
  b.Text(3, c.bulk ? "bulk" : "stream");
  b.Int(4, c.bulk ? std::nullopt : c.timepoint);
  b.Text(5, Now());
  if (!b.status().ok()) return b.status();
  return insert_deleted_stub_.Run();
}

Status RecordApplier::MarkDeleted() {
  ResetOnExit reset(&mark_deleted_);
  Binder b(&mark_deleted_);
  b.Int(1, stored_.rowid);
  b.Text(2, Now());
  if (!b.status().ok()) return b.status();
  return mark_deleted_.Run();
}

Status RecordApplier::RecordChange(const CompanyRecord& c, OptText new_status, OptText new_detail) {
  const OptText old_status = stored_.exists ? stored_.status.view() : std::nullopt;
  const OptText old_detail = stored_.exists ? stored_.detail.view() : std::nullopt;
  // A change seen in a snapshot is dated by the snapshot.
  const OptText published_at = c.bulk ? c.as_of : c.published_at;
  const char* source = c.bulk ? "bulk" : "stream";
  {
    ResetOnExit reset(&insert_change_);
    Binder b(&insert_change_);
    b.Text(1, c.company_number);
    b.Int(2, c.bulk ? std::nullopt : c.timepoint);
    b.Text(3, published_at);
    b.Text(4, old_status);
    b.Text(5, old_detail);
    b.Text(6, new_status);
    b.Text(7, new_detail);
    b.Text(8, source);
    b.Text(9, Now());
    if (!b.status().ok()) return b.status();
    Status s = insert_change_.Run();
    if (!s.ok()) return s;
  }
  ++pending_.status_changes;
  if (options_.collect_changes) {
    StatusChange change;
    change.id = db_->LastInsertRowId();
    change.company_number = std::string(c.company_number);
    change.timepoint = c.bulk ? std::nullopt : c.timepoint;
    change.published_at = ToOptional(published_at);
    change.old_status = ToOptional(old_status);
    change.old_status_detail = ToOptional(old_detail);
    change.new_status = ToOptional(new_status);
    change.new_status_detail = ToOptional(new_detail);
    change.source = source;
    change.company_name = ToOptional(c.company_name ? c.company_name : stored_.name.view());
    pending_changes_.push_back(std::move(change));
  }
  return Status::Ok();
}

Status RecordApplier::ApplyReject(const RejectRecord& r) {
  ResetOnExit reset(&insert_reject_);
  Binder b(&insert_reject_);
  b.Text(1, r.stream);
  b.Text(2, r.source);
  b.Int(3, r.timepoint);
  b.Text(4, r.reason);
  b.Blob(5, r.raw);
  b.Int(6, static_cast<int64_t>(r.raw_length));
  b.Int(7, RejectHash(r.raw, r.raw_length));
  b.Text(8, Now());
  if (!b.status().ok()) return b.status();
  Status s = insert_reject_.Run();
  if (!s.ok()) return s;
  ++pending_.rejects;
  const bool stored = db_->Changes() > 0;
  if (stored) ++pending_.rejects_stored;
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

Status RecordApplier::ApplyGap(const GapRecord& g) {
  StatusOr<StreamState*> state = State(g.stream);
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
  b.Text(3, Now());
  b.Text(4, g.reason);
  if (!b.status().ok()) return b.status();
  Status s = insert_gap_.Run();
  if (!s.ok()) return s;
  ++pending_.gaps;
  (*state)->awaiting_resume = true;
  LogWarn("gap recorded",
          {{"stream", g.stream}, {"after_timepoint", after}, {"reason", g.reason.value_or("")}});
  return Status::Ok();
}

Status RecordApplier::ApplySnapshotEnd(const SnapshotEndRecord& e) {
  const std::string healed_by = "snapshot:" + std::string(e.as_of_date);
  const std::string cutoff = std::string(e.as_of_date) + "T00:00:00Z";
  {
    ResetOnExit reset(&heal_gaps_);
    Binder b(&heal_gaps_);
    b.Text(1, e.stream);
    b.Text(2, healed_by);
    b.Text(3, Now());
    b.Text(4, cutoff);
    if (!b.status().ok()) return b.status();
    Status s = heal_gaps_.Run();
    if (!s.ok()) return s;
  }
  const int healed = db_->Changes();
  pending_.gaps_healed += static_cast<uint64_t>(healed);
  ResetOnExit reset(&upsert_snapshot_state_);
  Binder b(&upsert_snapshot_state_);
  b.Text(1, e.stream);
  b.Text(2, e.as_of_date);
  b.Int(3, e.rows);
  b.Text(4, Now());
  if (!b.status().ok()) return b.status();
  Status s = upsert_snapshot_state_.Run();
  if (!s.ok()) return s;
  LogInfo("snapshot complete", {{"stream", e.stream},
                                {"as_of", e.as_of_date},
                                {"rows", e.rows.value_or(-1)},
                                {"gaps_healed", healed}});
  return Status::Ok();
}

}  // namespace ch
