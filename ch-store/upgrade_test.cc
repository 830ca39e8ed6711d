// The upgrade from a phase-1 database (schema version 2, written by the
// release before signals) keeps the promise of `leads --after-id`: a
// consumer that resumed before the upgrade neither misses nor repeats a
// lead after it. The phase-1 rows are written here with the phase-1
// statements (status_changes as the phase-1 applier inserted them), then the
// database is migrated up and written to by the current applier.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-store/migrator.h"
#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"

namespace ch {
namespace {

using testing_records::Filing;
using testing_records::Stream;

constexpr const char* kPhaseOneCompanySql =
    "INSERT INTO companies(company_number, company_name, company_status, company_status_detail,"
    " source, timepoint, deleted, updated_at) VALUES(?1, ?2, ?3, ?4, 'stream', ?5, 0, 'x')";
constexpr const char* kPhaseOneChangeSql =
    "INSERT INTO status_changes(company_number, timepoint, published_at, old_status,"
    " old_status_detail, new_status, new_status_detail, source, recorded_at)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'stream', 'x')";

struct PhaseOneChange {
  const char* number;
  int64_t timepoint;
  const char* published_at;
  const char* old_status;  // nullptr: NULL
  const char* old_detail;
  const char* new_status;
  const char* new_detail;
};

std::optional<std::string_view> Opt(const char* text) {
  if (text == nullptr) return std::nullopt;
  return std::string_view(text);
}

std::vector<int64_t> Ids(SqliteDb* db, const std::string& sql) {
  std::vector<int64_t> ids;
  StatusOr<Statement> stmt = db->Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  if (!stmt.ok()) return ids;
  while (*stmt->Step()) ids.push_back(stmt->ColumnInt64(0));
  return ids;
}

// Writes a phase-1 database at `path`: status changes 1..7, of which 2, 4
// and 6 are leads, and the companies as they stand after them.
void WritePhaseOne(const std::string& path) {
  StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->MigrateTo(&*db, 2).ok());
  const PhaseOneChange changes[] = {
      {"00000001", 1, "2024-01-01T00:00:00Z", nullptr, nullptr, "active", nullptr},
      {"00000001", 2, "2024-02-01T00:00:00Z", "active", nullptr, "active",
       "active-proposal-to-strike-off"},
      {"00000002", 3, "2024-02-02T00:00:00Z", nullptr, nullptr, "active", nullptr},
      {"00000001", 4, "2024-03-01T00:00:00Z", "active", "active-proposal-to-strike-off",
       "dissolved", nullptr},
      {"00000002", 5, "2024-03-05T00:00:00Z", "active", nullptr, "liquidation", nullptr},
      {"00000003", 6, "2024-04-01T00:00:00Z", nullptr, nullptr, "dissolved", nullptr},
      {"00000003", 7, "2024-04-02T00:00:00Z", "dissolved", nullptr, "dissolved",
       "petition-to-restore-dissolved"},
  };
  {
    StatusOr<Statement> change = db->Prepare(kPhaseOneChangeSql);
    ASSERT_TRUE(change.ok());
    for (const PhaseOneChange& c : changes) {
      ASSERT_TRUE(change->BindText(1, c.number).ok());
      ASSERT_TRUE(change->BindInt64(2, c.timepoint).ok());
      ASSERT_TRUE(change->BindText(3, c.published_at).ok());
      ASSERT_TRUE(change->BindOptionalText(4, Opt(c.old_status)).ok());
      ASSERT_TRUE(change->BindOptionalText(5, Opt(c.old_detail)).ok());
      ASSERT_TRUE(change->BindOptionalText(6, Opt(c.new_status)).ok());
      ASSERT_TRUE(change->BindOptionalText(7, Opt(c.new_detail)).ok());
      ASSERT_TRUE(change->Run().ok());
      change->Reset();
    }
    StatusOr<Statement> company = db->Prepare(kPhaseOneCompanySql);
    ASSERT_TRUE(company.ok());
    const PhaseOneChange latest[] = {changes[3], changes[4], changes[6]};
    for (const PhaseOneChange& c : latest) {
      ASSERT_TRUE(company->BindText(1, c.number).ok());
      ASSERT_TRUE(company->BindText(2, "ACME LTD").ok());
      ASSERT_TRUE(company->BindOptionalText(3, Opt(c.new_status)).ok());
      ASSERT_TRUE(company->BindOptionalText(4, Opt(c.new_detail)).ok());
      ASSERT_TRUE(company->BindInt64(5, c.timepoint).ok());
      ASSERT_TRUE(company->Run().ok());
      company->Reset();
    }
  }  // the statements are finalized before the database closes
  ASSERT_TRUE(db->Exec("INSERT INTO stream_state(stream, timepoint) VALUES('companies', 7)").ok());
  EXPECT_EQ(Ids(&*db, "SELECT id FROM leads ORDER BY id"), (std::vector<int64_t>{2, 4, 6}));
  ASSERT_TRUE(db->Close().ok());
}

TEST(UpgradeTest, PhaseOneLeadsKeepTheirIdsAndNewLeadsComeAfterEveryOldId) {
  testing_records::TempDir dir;
  const std::string path = dir.File("phase1.db");
  WritePhaseOne(path);
  // The current ch-store opens it: migrated up, then records applied.
  testing_records::StoreFixture f(/*collect_changes=*/true, path);
  EXPECT_EQ(Ids(&f.db(), "SELECT id FROM signals ORDER BY id"), (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(Ids(&f.db(), "SELECT status_change_id FROM signals ORDER BY id"),
            (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(f.One("SELECT signal_key, signal, occurred_on, detail, stream FROM signals"
                  " WHERE id = 4"),
            "status:4|dissolved|2024-03-01|dissolved|companies");
  EXPECT_EQ(f.One("SELECT signal, detail FROM signals WHERE id = 2"),
            "proposal-to-strike-off|active-proposal-to-strike-off");
  EXPECT_EQ(Ids(&f.db(), "SELECT id FROM leads ORDER BY id"), (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(f.One("SELECT company_name, changed_at, new_status FROM leads WHERE id = 6"),
            "ACME LTD|2024-04-01T00:00:00Z|dissolved");

  // After the upgrade: 00000002 gets a strike-off proposal (status change 8).
  f.Apply(Stream(8, "2024-05-01T00:00:00Z", "00000002", "active", "active-proposal-to-strike-off")
              .Line());
  const std::vector<int64_t> all = Ids(&f.db(), "SELECT id FROM leads ORDER BY id");
  ASSERT_EQ(all.size(), 4u);
  // Above every status change id issued before the upgrade (7), so a
  // consumer holding any of them (leads --after-id N) sees it exactly once.
  EXPECT_GT(all[3], 7);
  for (int64_t after : {0, 2, 4, 6, 7}) {
    std::vector<int64_t> expected;
    for (int64_t id : all) {
      if (id > after) expected.push_back(id);
    }
    EXPECT_EQ(
        Ids(&f.db(), "SELECT id FROM leads WHERE id > " + std::to_string(after) + " ORDER BY id"),
        expected)
        << "after " << after;
  }
  ASSERT_EQ(f.applier().committed_signals().size(), 1u);
  EXPECT_EQ(f.applier().committed_signals()[0].id, all[3]);
  EXPECT_EQ(f.applier().committed_signals()[0].signal, "proposal-to-strike-off");

  // Replaying the same record again adds nothing.
  f.Apply(Stream(8, "2024-05-01T00:00:00Z", "00000002", "active", "active-proposal-to-strike-off")
              .Line());
  EXPECT_EQ(f.Count("signals"), 4);
}

TEST(UpgradeTest, AnEmptyPhaseOneDatabaseStartsSignalsAfterItsStatusChanges) {
  testing_records::TempDir dir;
  const std::string path = dir.File("empty.db");
  {
    StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrator::Embedded()->MigrateTo(&*db, 2).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO status_changes(company_number, new_status, source,"
                         " recorded_at) VALUES('1', 'active', 'stream', 'x')")
                    .ok());
  }
  testing_records::StoreFixture f(false, path);
  EXPECT_EQ(f.Count("signals"), 0);
  f.Apply(Stream(1, "2024-05-01T00:00:00Z", "00000009", "dissolved").Line());
  EXPECT_EQ(f.One("SELECT id, signal FROM signals"), "2|dissolved");
}

// Going down to the phase-1 schema drops the resources of every stream: the
// checkpoints of the streams whose records they were must go too, or an
// upgrade would resume those streams after records the database no longer
// holds, losing them without a gap (found by tests/e2e/69_streams_upgrade).
// The companies stream keeps its checkpoint: its companies are kept.
TEST(UpgradeTest, DownToPhaseOneForgetsTheCheckpointsOfTheStreamsItDrops) {
  testing_records::TempDir dir;
  const std::string path = dir.File("down.db");
  {
    testing_records::StoreFixture f(false, path);
    f.Apply(Stream(7, "2024-05-01T00:00:00Z", "00000001", "active").Line());
    testing_records::TestResource filing =
        Filing(40, "2024-05-02T00:00:00Z", "00000001", "TX1", "DS01", "2024-05-01");
    f.Apply(filing.Line());
    EXPECT_EQ(f.Rows("SELECT stream, timepoint FROM stream_state ORDER BY stream"),
              (std::vector<std::string>{"companies|7", "filings|40"}));
  }
  StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->MigrateTo(&*db, 2).ok());
  EXPECT_EQ(Ids(&*db, "SELECT timepoint FROM stream_state ORDER BY stream"),
            (std::vector<int64_t>{7}));
  EXPECT_EQ(
      db->QueryInt64("SELECT count(*) FROM stream_state WHERE stream = 'companies'")->value_or(-1),
      1);
  // Up again: the filings stream starts afresh; the companies stream resumes.
  ASSERT_TRUE(m->MigrateTo(&*db, m->latest()).ok());
  EXPECT_EQ(Ids(&*db, "SELECT timepoint FROM stream_state ORDER BY stream"),
            (std::vector<int64_t>{7}));
  ASSERT_TRUE(db->Close().ok());
}

}  // namespace
}  // namespace ch
