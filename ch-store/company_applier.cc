// CompanyApplier: see company_applier.h.
#include "ch-store/company_applier.h"

#include <utility>

#include "ch-store/statement_binder.h"

namespace ch {

namespace {

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

CompanyApplier::CompanyApplier(ApplyTransaction* txn, SignalWriter* signals, Options options)
    : txn_(txn),
      signals_(signals),
      db_(txn->db()),
      options_(options),
      cache_enabled_(!options.collect_changes),
      cache_(options.state_cache_entries) {}

StatusOr<std::unique_ptr<CompanyApplier>> CompanyApplier::Create(ApplyTransaction* txn,
                                                                 SignalWriter* signals,
                                                                 Options options) {
  std::unique_ptr<CompanyApplier> applier(new CompanyApplier(txn, signals, options));
  Status s = applier->Prepare();
  if (!s.ok()) return s;
  return applier;
}

Status CompanyApplier::Prepare() {
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
  };
  for (const auto& s : statements) {
    StatusOr<Statement> stmt = db_->Prepare(s.sql);
    if (!stmt.ok()) return stmt.status();
    *s.stmt = std::move(stmt).value();
  }
  return Status::Ok();
}

bool CompanyApplier::Wins(const CompanyRecord& c, const Stored& stored) {
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

Status CompanyApplier::LoadStored(std::string_view company_number, bool use_cache) {
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

Status CompanyApplier::Apply(const CompanyRecord& c) {
  ApplyCounters& pending = txn_->pending();
  // A new row's pair: without a status there is none, a detail alone is not
  // one (found by the differential tests of issue 13).
  const OptText first_detail = c.company_status ? c.company_status_detail : std::nullopt;
  ApplyTransaction::StreamState* st = nullptr;
  if (!c.bulk) {
    StatusOr<ApplyTransaction::StreamState*> state = txn_->State(c.stream);
    if (!state.ok()) return state.status();
    st = *state;
    if (txn_->Seen(*st, *c.timepoint)) return Status::Ok();
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
        ++pending.bulk_applied;
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
      ++pending.superseded;
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
    ++pending.superseded;
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
    ++pending.bulk_applied;
    return Status::Ok();
  }
  return txn_->Advance(st, *c.timepoint, c.published_at);
}

Status CompanyApplier::WriteCompany(Statement* stmt, const CompanyRecord& c, OptText status,
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
  b.Text(25, txn_->Now());
  if (stmt == &update_company_) b.Int(26, stored_.rowid);
  if (!b.status().ok()) return b.status();
  return stmt->Run();
}

Status CompanyApplier::InsertDeletedStub(const CompanyRecord& c) {
  ResetOnExit reset(&insert_deleted_stub_);
  Binder b(&insert_deleted_stub_);
  b.Text(1, c.company_number);
  b.Text(2, c.as_of);
  b.Text(3, c.bulk ? "bulk" : "stream");
  b.Int(4, c.bulk ? std::nullopt : c.timepoint);
  b.Text(5, txn_->Now());
  if (!b.status().ok()) return b.status();
  return insert_deleted_stub_.Run();
}

Status CompanyApplier::MarkDeleted() {
  ResetOnExit reset(&mark_deleted_);
  Binder b(&mark_deleted_);
  b.Int(1, stored_.rowid);
  b.Text(2, txn_->Now());
  if (!b.status().ok()) return b.status();
  return mark_deleted_.Run();
}

Status CompanyApplier::RecordChange(const CompanyRecord& c, OptText new_status,
                                    OptText new_detail) {
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
    b.Text(9, txn_->Now());
    if (!b.status().ok()) return b.status();
    Status s = insert_change_.Run();
    if (!s.ok()) return s;
  }
  const int64_t change_id = db_->LastInsertRowId();
  ++txn_->pending().status_changes;
  if (options_.collect_changes) {
    StatusChange change;
    change.id = change_id;
    change.company_number = std::string(c.company_number);
    change.timepoint = c.bulk ? std::nullopt : c.timepoint;
    change.published_at = ToOptional(published_at);
    change.old_status = ToOptional(old_status);
    change.old_status_detail = ToOptional(old_detail);
    change.new_status = ToOptional(new_status);
    change.new_status_detail = ToOptional(new_detail);
    change.source = source;
    change.company_name = ToOptional(c.company_name ? c.company_name : stored_.name.view());
    txn_->pending_changes().push_back(std::move(change));
  }
  return RecordSignal(c, change_id, published_at, old_status, old_detail, new_status, new_detail);
}

Status CompanyApplier::RecordSignal(const CompanyRecord& c, int64_t change_id, OptText published_at,
                                    OptText old_status, OptText old_detail, OptText new_status,
                                    OptText new_detail) {
  const std::optional<std::string_view> name =
      StatusChangeSignal(old_status, old_detail, new_status, new_detail);
  if (!name) return Status::Ok();
  signal_key_ = "status:" + std::to_string(change_id);
  signal_uri_ = "/company/";
  signal_uri_.append(c.company_number);
  SignalFields f;
  f.signal = *name;
  f.key = signal_key_;
  f.stream = c.stream;
  f.bulk = c.bulk;
  f.company_number = c.company_number;
  f.timepoint = c.bulk ? std::nullopt : c.timepoint;
  f.published_at = published_at;
  // The date of the change: when it was published (a snapshot: its date).
  if (published_at && published_at->size() >= 10) f.occurred_on = published_at->substr(0, 10);
  f.resource_uri = signal_uri_;
  f.detail = new_detail ? new_detail : new_status;
  f.status_change_id = change_id;
  f.company_name = c.company_name ? c.company_name : stored_.name.view();
  StatusOr<bool> added = signals_->Record(f);
  return added.status();
}

}  // namespace ch
