// ResourceApplier: every rule of phase2-spec section 3, through the public
// RecordApplier as ch-store runs it (records written by hand as ch-parse
// writes them).
#include "ch-store/resource_applier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"

namespace ch {
namespace {

using testing_records::CompletePscSnapshotEnd;
using testing_records::Filing;
using testing_records::Insolvency;
using testing_records::JsonObject;
using testing_records::JsonText;
using testing_records::Officer;
using testing_records::Psc;
using testing_records::SnapshotPsc;
using testing_records::StoreFixture;
using testing_records::TempDir;
using testing_records::TestResource;

const char kUri[] = "/company/01234567/filing-history/MzAwMDAwMDAwMQ";

TestResource Ds01(int64_t timepoint, const std::string& published_at = "2024-05-02T10:00:00Z") {
  return Filing(timepoint, published_at, "01234567", "MzAwMDAwMDAwMQ", "DS01", "2024-05-01");
}

TEST(ResourceApplierTest, NewFilingStoresTheResourceItsRowItsSignalAndTheCheckpoint) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  EXPECT_EQ(f.One("SELECT resource_uri, stream, resource_kind, resource_id, company_number,"
                  " timepoint, published_at, as_of, source, deleted, data FROM resources"),
            std::string(kUri) +
                "|filings|filing-history|MzAwMDAwMDAwMQ|01234567|10|2024-05-02T10:00:00Z|"
                "2024-05-02T10:00:00Z|stream|0|{\"transaction_id\":\"MzAwMDAwMDAwMQ\","
                "\"type\":\"DS01\"}");
  EXPECT_EQ(f.One("SELECT resource_uri, company_number, transaction_id, type, category, "
                  "subcategory, description, date, action_date, barcode, pages, deleted"
                  " FROM filings"),
            std::string(kUri) +
                "|01234567|MzAwMDAwMDAwMQ|DS01|gazette|NULL|some-description|2024-05-01|NULL|"
                "NULL|1|0");
  EXPECT_EQ(f.One("SELECT typeof(pages) FROM filings"), "integer");
  EXPECT_EQ(f.One("SELECT company_number, signal, stream, timepoint, published_at, occurred_on,"
                  " resource_uri, detail, signal_key, status_change_id, source FROM signals"),
            "01234567|strike-off-applied|filings|10|2024-05-02T10:00:00Z|2024-05-01|" +
                std::string(kUri) + "|DS01|filing:" + kUri + "|NULL|stream");
  EXPECT_EQ(f.One("SELECT stream, timepoint FROM stream_state"), "filings|10");
  EXPECT_EQ(f.applier().totals().signals, 1u);
  EXPECT_EQ(f.applier().totals().resources, 1u);
}

TEST(ResourceApplierTest, RecordAtOrBelowTheCheckpointChangesNothing) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  TestResource older = Filing(9, "2024-05-03T00:00:00Z", "01234567", "X", "GAZ1", "2024-05-03");
  f.ApplyAll({Ds01(10).Line(), older.Line()});
  EXPECT_EQ(f.Count("resources"), 1);
  EXPECT_EQ(f.Count("signals"), 1);
  EXPECT_EQ(f.applier().totals().skipped, 2u);
}

TEST(ResourceApplierTest, ATimepointFarPastTheCheckpointIsAReject) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  f.Apply(Ds01((int64_t{1} << 32) + 11).Line());  // 2^32 + 1 past
  EXPECT_EQ(f.One("SELECT timepoint FROM stream_state"), "10");
  EXPECT_EQ(f.One("SELECT timepoint FROM resources"), "10");
  EXPECT_EQ(
      f.One("SELECT stream, timepoint, reason LIKE '%2^32 past the checkpoint 10 %' FROM rejects"),
      "filings|4294967307|1");
  EXPECT_EQ(f.applier().totals().rejects, 1u);
}

TEST(ResourceApplierTest, HigherTimepointOfTheSameStreamWins) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  TestResource newer = Ds01(11);
  newer.rows = {JsonObject({{"transaction_id", JsonText(std::string("MzAwMDAwMDAwMQ"))},
                            {"type", JsonText(std::string("DS01"))},
                            {"pages", "3"}})};
  f.Apply(newer.Line());
  EXPECT_EQ(f.One("SELECT timepoint FROM resources"), "11");
  EXPECT_EQ(f.One("SELECT pages, category FROM filings"), "3|NULL");
  // With the checkpoint set back by hand, the older state still loses.
  ASSERT_TRUE(f.db().Exec("UPDATE stream_state SET timepoint = 0").ok());
  f.Apply(Ds01(10).Line());
  EXPECT_EQ(f.One("SELECT timepoint FROM resources"), "11");
  EXPECT_EQ(f.One("SELECT pages FROM filings"), "3");
  EXPECT_EQ(f.applier().totals().superseded, 1u);
  EXPECT_EQ(f.One("SELECT timepoint FROM stream_state"), "10");  // still advanced
}

TestResource Snapshot(const std::string& date, std::optional<std::string> name) {
  return SnapshotPsc(date, "abc", name);
}

TEST(ResourceApplierTest, SnapshotAndStreamCompareAsOfATieGoesToTheStream) {
  StoreFixture f;
  f.Apply(Snapshot("2024-06-01", "FROM SNAPSHOT 1").Line());
  EXPECT_EQ(f.One("SELECT source, timepoint, as_of FROM resources"),
            "bulk|NULL|2024-06-01T00:00:00Z");
  // A snapshot moves no checkpoint (its rows say the import is running).
  EXPECT_EQ(f.One("SELECT count(*) FROM stream_state WHERE timepoint IS NOT NULL"), "0");
  // The same snapshot again, and an older one: nothing.
  f.Apply(Snapshot("2024-06-01", "AGAIN").Line());
  f.Apply(Snapshot("2024-05-01", "OLDER").Line());
  EXPECT_EQ(f.One("SELECT name FROM pscs"), "FROM SNAPSHOT 1");
  // A stream record older than the snapshot loses (and moves its checkpoint).
  TestResource old = testing_records::Psc(5, "01234567", "company-psc-individual", "abc", "OLD");
  old.published_at = "2024-05-31T23:59:59Z";
  f.Apply(old.Line());
  EXPECT_EQ(f.One("SELECT name FROM pscs"), "FROM SNAPSHOT 1");
  EXPECT_EQ(f.One("SELECT timepoint FROM stream_state WHERE timepoint IS NOT NULL"), "5");
  // A tie goes to the stream.
  TestResource tie = testing_records::Psc(6, "01234567", "company-psc-individual", "abc", "TIE");
  tie.published_at = "2024-06-01T00:00:00Z";
  f.Apply(tie.Line());
  EXPECT_EQ(f.One("SELECT name, source FROM pscs JOIN resources USING (resource_uri)"),
            "TIE|stream");
  // A newer snapshot replaces the stream's state; an equal one does not.
  f.Apply(Snapshot("2024-06-01", "EQUAL").Line());
  EXPECT_EQ(f.One("SELECT name FROM pscs"), "TIE");
  f.Apply(Snapshot("2024-06-02", "NEWER").Line());
  EXPECT_EQ(f.One("SELECT name, deleted FROM pscs"), "NEWER|0");
  EXPECT_EQ(f.applier().totals().superseded, 4u);
}

// A stream record whose date is unknown (no readable published_at) is not
// held back by a snapshot's date, as between two streams: it lost, and as
// its checkpoint moved on, the change was gone for good (an audit run).
TEST(ResourceApplierTest, AStreamRecordOfUnknownDateReplacesASnapshotState) {
  StoreFixture f;
  f.Apply(Snapshot("2024-06-01", "FROM SNAPSHOT").Line());
  TestResource undated =
      testing_records::Psc(5, "01234567", "company-psc-individual", "abc", "UNDATED");
  undated.published_at = std::nullopt;
  f.Apply(undated.Line());
  EXPECT_EQ(f.One("SELECT name, source FROM pscs JOIN resources USING (resource_uri)"),
            "UNDATED|stream");
  EXPECT_EQ(f.applier().totals().superseded, 0u);
}

// ch-parse died (or ch-store was stopped) before the snapshot's totals
// line: no snapshot_end comes, and only the end of the input can say the
// import is short (an audit run found `status` silent).
TEST(ResourceApplierTest, ASnapshotWithoutItsEndIsRecordedIncompleteAtTheEndOfInput) {
  StoreFixture f;
  f.Apply(Snapshot("2024-06-01", "ONE").Line());
  f.Apply(Snapshot("2024-06-01", "TWO").Line());
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  EXPECT_EQ(f.One("SELECT snapshot_incomplete_as_of, snapshot_incomplete FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "2024-06-01|cut off (the input ended without its totals line after 2 of its lines)");
  EXPECT_EQ(f.Count("gaps"), 0);
  // Said once: the next end of input has nothing unfinished.
  ASSERT_TRUE(f.db().Exec("UPDATE stream_state SET snapshot_incomplete = 'seen'").ok());
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  EXPECT_EQ(f.One("SELECT DISTINCT snapshot_incomplete FROM stream_state"), "seen");
}

TEST(ResourceApplierTest, ASnapshotNotNewerThanTheLastCompleteOneAddsNoResource) {
  StoreFixture f;
  // The complete snapshot of 2024-06-02 lacked PSC "gone": it was removed
  // from the register since 2024-06-01, whose snapshot held it.
  ASSERT_TRUE(f.db()
                  .Exec("INSERT INTO stream_state(stream, last_snapshot_as_of, last_snapshot_rows)"
                        " VALUES('persons-with-significant-control', '2024-06-02', 1)")
                  .ok());
  auto snapshot = [](const std::string& date, const std::string& id) {
    return SnapshotPsc(date, id, std::string("X"));
  };
  f.Apply(snapshot("2024-06-01", "gone").Line());
  f.Apply(snapshot("2024-06-02", "gone").Line());  // the same day again
  EXPECT_EQ(f.Count("resources"), 0);
  EXPECT_EQ(f.Count("pscs"), 0);
  EXPECT_EQ(f.applier().totals().superseded, 2u);
  // A newer snapshot adds it; a stream record is never held back.
  f.Apply(snapshot("2024-06-03", "new").Line());
  TestResource stream = testing_records::Psc(7, "01234567", "company-psc-individual", "s", "S");
  stream.published_at = "2024-05-01T00:00:00Z";
  f.Apply(stream.Line());
  EXPECT_EQ(f.One("SELECT group_concat(psc_id, ',') FROM (SELECT psc_id FROM pscs ORDER BY 1)"),
            "new,s");
}

// The answer to "is a complete snapshot at least as new recorded?" is kept
// between lines (resource_applier.h): it must not outlive a totals line that
// completes the snapshot, nor a transaction after which another writer
// completed one.
TEST(ResourceApplierTest, ALineAfterItsSnapshotCompletedOrANewerOneAddsNoResource) {
  TempDir dir;
  const std::string path = dir.File("memo.db");
  StoreFixture f(/*collect_changes=*/false, path);
  auto line = [](const std::string& date, const std::string& id) {
    return SnapshotPsc(date, id, std::string("X")).Line();
  };
  const std::string end = CompletePscSnapshotEnd("2024-06-03", 1);
  // One transaction: a line, its complete end, and a line of the same day
  // again (a part repeated after the totals line).
  f.ApplyAll({line("2024-06-03", "a"), end, line("2024-06-03", "late")});
  EXPECT_EQ(f.One("SELECT last_snapshot_as_of FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "2024-06-03");
  // Another transaction: a newer day is taken; then another writer records a
  // complete snapshot newer still, and the same newer day is no longer.
  f.Apply(line("2024-06-04", "b"));
  {
    StatusOr<SqliteDb> other = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other
                    ->Exec("UPDATE stream_state SET last_snapshot_as_of = '2024-06-05'"
                           " WHERE stream = 'persons-with-significant-control'")
                    .ok());
  }
  f.Apply(line("2024-06-04", "c"));
  EXPECT_EQ(f.One("SELECT group_concat(psc_id, ',') FROM (SELECT psc_id FROM pscs ORDER BY 1)"),
            "a,b");
}

// Each commit of snapshot lines without their totals line records the
// snapshot as incomplete with the time of that commit, in the same
// transaction: an import killed or stopped by a full disk still shows in
// `status` (health.h). The end of the input, or the totals line, replaces it.
TEST(ResourceApplierTest, SnapshotLinesWithoutTheirTotalsLineAreRecordedAsARunningImport) {
  StoreFixture f;
  auto line = [](const std::string& id, const std::string& date = "2024-06-03") {
    return SnapshotPsc(date, id, std::string("X")).Line();
  };
  const char kState[] =
      "SELECT stream, coalesce(snapshot_incomplete_as_of, '-'), coalesce(snapshot_incomplete, '-'),"
      " snapshot_running_at IS NOT NULL FROM stream_state ORDER BY stream";
  const std::string running =
      " of its lines (an import running, or one that stopped: killed, or an error such as a full "
      "disk)|1";
  f.ApplyAll({line("a"), line("b")});
  EXPECT_EQ(
      f.Rows(kState),
      (std::vector<std::string>{
          "company-exemptions|2024-06-03|no totals line yet after 2" + running,
          "persons-with-significant-control|2024-06-03|no totals line yet after 2" + running,
          "persons-with-significant-control-statements|2024-06-03|no totals line yet after 2" +
              running}));
  f.Apply(line("c"));
  EXPECT_EQ(f.One("SELECT snapshot_incomplete FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "no totals line yet after 3" + running.substr(0, running.size() - 2));
  // The end of the input says it was cut off: no longer running.
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  EXPECT_EQ(f.One("SELECT snapshot_incomplete, snapshot_running_at FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "cut off (the input ended without its totals line after 3 of its lines)|NULL");
  // A newer snapshot, whole, with its totals line: complete, all cleared.
  const std::string next = "2024-06-04";
  f.ApplyAll({line("a", next), line("b", next), line("c", next), CompletePscSnapshotEnd(next, 3)});
  EXPECT_EQ(f.Rows(kState),
            (std::vector<std::string>{"company-exemptions|-|-|0",
                                      "persons-with-significant-control|-|-|0",
                                      "persons-with-significant-control-statements|-|-|0"}));
  // Lines of a snapshot no newer than the complete one record nothing.
  f.Apply(line("d", next));
  EXPECT_EQ(f.One("SELECT count(*) FROM stream_state WHERE snapshot_incomplete IS NOT NULL"), "0");
}

TEST(ResourceApplierTest, DeletedWithDataMarksEverythingAndStoresThatData) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  TestResource deleted = Ds01(11);
  deleted.event_type = "deleted";
  deleted.signals.clear();
  deleted.data = "{\"transaction_id\":\"MzAwMDAwMDAwMQ\",\"type\":\"DS01\",\"pages\":2}";
  f.Apply(deleted.Line());
  EXPECT_EQ(f.One("SELECT deleted, data FROM resources"),
            "1|{\"transaction_id\":\"MzAwMDAwMDAwMQ\",\"type\":\"DS01\",\"pages\":2}");
  EXPECT_EQ(f.One("SELECT deleted, type, date FROM filings"), "1|DS01|2024-05-01");
  // A later changed event clears the mark.
  f.Apply(Ds01(12).Line());
  EXPECT_EQ(f.One("SELECT deleted FROM resources"), "0");
  EXPECT_EQ(f.One("SELECT deleted FROM filings"), "0");
  EXPECT_EQ(f.Count("signals"), 1);
}

TestResource DeletedWithoutData(int64_t timepoint, const std::string& table) {
  TestResource r;
  r.event_type = "deleted";
  r.timepoint = timepoint;
  r.published_at = "2024-06-01T00:00:00Z";
  r.uri = std::string(kUri);
  r.resource_id = "MzAwMDAwMDAwMQ";
  r.company_number = "01234567";
  r.table = table;
  // The extractor's identity-only stub row.
  r.rows = {JsonObject({{"transaction_id", JsonText(std::string("MzAwMDAwMDAwMQ"))},
                        {"type", "null"},
                        {"category", "null"},
                        {"subcategory", "null"},
                        {"description", "null"},
                        {"date", "null"},
                        {"action_date", "null"},
                        {"barcode", "null"},
                        {"pages", "null"}})};
  r.data.reset();
  return r;
}

TEST(ResourceApplierTest, DeletedWithoutDataKeepsTheLastDataAndRowValues) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  f.Apply(DeletedWithoutData(11, "filings").Line());
  EXPECT_EQ(f.One("SELECT deleted, timepoint, data FROM resources"),
            "1|11|{\"transaction_id\":\"MzAwMDAwMDAwMQ\",\"type\":\"DS01\"}");
  EXPECT_EQ(f.One("SELECT deleted, type, date, pages FROM filings"), "1|DS01|2024-05-01|1");
  EXPECT_EQ(f.Count("filings"), 1);
}

TEST(ResourceApplierTest, UnseenDeleteWithoutDataCreatesMarkedRowsFromTheStub) {
  StoreFixture f;
  f.Apply(DeletedWithoutData(11, "filings").Line());
  EXPECT_EQ(f.One("SELECT deleted, data IS NULL, resource_kind FROM resources"),
            "1|1|filing-history");
  EXPECT_EQ(f.One("SELECT transaction_id, company_number, type, deleted FROM filings"),
            "MzAwMDAwMDAwMQ|01234567|NULL|1");
  EXPECT_EQ(f.Count("signals"), 0);
}

TEST(ResourceApplierTest, UnseenInsolvencyDeleteWithoutDataHasNoRows) {
  StoreFixture f;
  TestResource r = Insolvency(3, "2024-06-01T00:00:00Z", "01234567", {});
  r.event_type = "deleted";
  r.data.reset();
  f.Apply(r.Line());
  EXPECT_EQ(f.One("SELECT deleted, resource_uri FROM resources"), "1|/company/01234567/insolvency");
  EXPECT_EQ(f.Count("insolvency_cases"), 0);
}

// A changed event without data (phase2-spec.md section 7): the resource
// exists and is not deleted; what is known of it stays.
TEST(ResourceApplierTest, ChangedWithoutDataKeepsTheStoredDataAndRowsAndClearsTheMark) {
  StoreFixture f;
  f.Apply(Ds01(10).Line());
  f.Apply(DeletedWithoutData(11, "filings").Line());
  EXPECT_EQ(f.One("SELECT deleted FROM filings"), "1");
  TestResource changed = DeletedWithoutData(12, "filings");
  changed.event_type = "changed";
  f.Apply(changed.Line());
  EXPECT_EQ(f.One("SELECT deleted, timepoint, data FROM resources"),
            "0|12|{\"transaction_id\":\"MzAwMDAwMDAwMQ\",\"type\":\"DS01\"}");
  EXPECT_EQ(f.One("SELECT deleted, type, date, pages FROM filings"), "0|DS01|2024-05-01|1");
  EXPECT_EQ(f.Count("filings"), 1);
  EXPECT_EQ(f.Count("signals"), 1);
  EXPECT_EQ(f.One("SELECT timepoint FROM stream_state WHERE stream = 'filings'"), "12");
}

TEST(ResourceApplierTest, UnseenChangedWithoutDataCreatesUnmarkedStubRows) {
  StoreFixture f;
  TestResource changed = DeletedWithoutData(11, "filings");
  changed.event_type = "changed";
  f.Apply(changed.Line());
  EXPECT_EQ(f.One("SELECT deleted, data IS NULL, resource_kind FROM resources"),
            "0|1|filing-history");
  EXPECT_EQ(f.One("SELECT transaction_id, company_number, type, deleted FROM filings"),
            "MzAwMDAwMDAwMQ|01234567|NULL|0");
  EXPECT_EQ(f.Count("signals"), 0);
  // An insolvency resource without data has no stub rows; stored cases stay.
  TestResource insolvency = Insolvency(3, "2024-06-01T00:00:00Z", "01234567",
                                       {{"1", "creditors-voluntary-liquidation", "2024-05-01"}});
  f.Apply(insolvency.Line());
  TestResource deleted = Insolvency(13, "2024-06-02T00:00:00Z", "01234567", {});
  deleted.event_type = "deleted";
  deleted.signals.clear();
  deleted.data.reset();
  f.Apply(deleted.Line());
  EXPECT_EQ(f.One("SELECT count(*), sum(deleted) FROM insolvency_cases"), "1|1");
  TestResource changed_again = deleted;
  changed_again.timepoint = 14;
  changed_again.event_type = "changed";
  f.Apply(changed_again.Line());
  EXPECT_EQ(f.One("SELECT case_number, case_type, deleted FROM insolvency_cases"),
            "1|creditors-voluntary-liquidation|0");
  EXPECT_EQ(f.Count("signals"), 1);
}

TEST(ResourceApplierTest, DeletedEventAddsNoSignalEvenWhenTheRecordCarriesOne) {
  StoreFixture f;
  TestResource deleted = Ds01(10);
  deleted.event_type = "deleted";
  f.Apply(deleted.Line());
  EXPECT_EQ(f.Count("signals"), 0);
  EXPECT_EQ(f.One("SELECT deleted FROM filings"), "1");
}

TEST(ResourceApplierTest, SupersededRecordAddsNoSignal) {
  StoreFixture f;
  TestResource newer = Ds01(20);
  newer.signals.clear();
  newer.rows.clear();
  f.Apply(newer.Line());
  ASSERT_TRUE(f.db().Exec("UPDATE stream_state SET timepoint = 0").ok());
  f.Apply(Ds01(10).Line());
  EXPECT_EQ(f.Count("signals"), 0);
  EXPECT_EQ(f.applier().totals().superseded, 1u);
}

TEST(ResourceApplierTest, InsolvencyRowsAreReplacedWhenACaseIsAddedOrDropped) {
  StoreFixture f;
  f.Apply(Insolvency(1, "2024-06-01T00:00:00Z", "01234567",
                     {{"1", "members-voluntary-liquidation", "2024-05-20"}})
              .Line());
  EXPECT_EQ(f.Rows("SELECT case_index, case_number, case_type, started_on, deleted"
                   " FROM insolvency_cases ORDER BY case_index"),
            (std::vector<std::string>{"0|1|members-voluntary-liquidation|2024-05-20|0"}));
  f.Apply(Insolvency(2, "2024-06-02T00:00:00Z", "01234567",
                     {{"1", "members-voluntary-liquidation", "2024-05-20"},
                      {"2", "creditors-voluntary-liquidation", "2024-06-01"}})
              .Line());
  EXPECT_EQ(f.Rows("SELECT case_index, case_number, case_type FROM insolvency_cases"
                   " ORDER BY case_index"),
            (std::vector<std::string>{"0|1|members-voluntary-liquidation",
                                      "1|2|creditors-voluntary-liquidation"}));
  // One signal per case, each once: the re-sent first case adds nothing.
  EXPECT_EQ(f.Rows("SELECT signal, occurred_on, detail, signal_key FROM signals ORDER BY id"),
            (std::vector<std::string>{
                "members-voluntary-liquidation|2024-05-20|members-voluntary-liquidation|"
                "insolvency:01234567:1:members-voluntary-liquidation",
                "liquidation|2024-06-01|creditors-voluntary-liquidation|"
                "insolvency:01234567:2:creditors-voluntary-liquidation"}));
  f.Apply(Insolvency(3, "2024-06-03T00:00:00Z", "01234567",
                     {{"2", "creditors-voluntary-liquidation", "2024-06-01"}})
              .Line());
  EXPECT_EQ(f.Rows("SELECT case_index, case_number FROM insolvency_cases"),
            (std::vector<std::string>{"0|2"}));
  EXPECT_EQ(f.Count("signals"), 2);
}

TEST(ResourceApplierTest, SignalIsAddedOnceWhateverComesAgain) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  {
    StoreFixture f(false, path);
    f.Apply(Ds01(10).Line());
    // Re-published with a new timepoint and the same transaction.
    f.Apply(Ds01(11, "2024-05-09T00:00:00Z").Line());
    // The same capture replayed.
    f.ApplyAll({Ds01(10).Line(), Ds01(11, "2024-05-09T00:00:00Z").Line()});
    EXPECT_EQ(f.Count("signals"), 1);
    EXPECT_EQ(f.applier().totals().signals, 1u);
  }
  // A restart, and a second pass over the capture with the checkpoint set
  // back (a resource that won again still adds no signal).
  StoreFixture g(false, path);
  ASSERT_TRUE(g.db().Exec("UPDATE stream_state SET timepoint = NULL").ok());
  ASSERT_TRUE(g.db().Exec("DELETE FROM resources").ok());
  g.ApplyAll({Ds01(10).Line(), Ds01(11, "2024-05-09T00:00:00Z").Line(), Ds01(12).Line()});
  EXPECT_EQ(g.Count("signals"), 1);
  EXPECT_EQ(g.One("SELECT timepoint, published_at FROM signals"), "10|2024-05-02T10:00:00Z");
}

TEST(ResourceApplierTest, RollbackTakesDataSignalsAndCheckpointTogether) {
  StoreFixture f;
  ASSERT_TRUE(f.applier().Begin().ok());
  ASSERT_TRUE(f.applier().Apply(f.decoder().Decode(Ds01(10).Line())).ok());
  f.applier().Rollback();
  EXPECT_EQ(f.Count("resources"), 0);
  EXPECT_EQ(f.Count("filings"), 0);
  EXPECT_EQ(f.Count("signals"), 0);
  EXPECT_EQ(f.Count("stream_state"), 0);
  f.Apply(Ds01(10).Line());
  EXPECT_EQ(f.Count("signals"), 1);
}

TEST(ResourceApplierTest, UnknownKindIsStoredInResourcesOnly) {
  StoreFixture f;
  TestResource r;
  r.stream = "filings";
  r.kind = "company-something-new";
  r.table.reset();
  r.timepoint = 3;
  r.published_at = "2024-06-01T00:00:00Z";
  r.uri = "/company/01234567/something/1";
  r.company_number = "01234567";
  r.data = "{\"a\":1}";
  f.Apply(r.Line());
  EXPECT_EQ(f.One("SELECT resource_kind, company_number, data FROM resources"),
            "company-something-new|01234567|{\"a\":1}");
  EXPECT_EQ(f.One("SELECT timepoint FROM stream_state"), "3");
  EXPECT_EQ(f.Count("rejects"), 0);
}

// The kind decides the table: a URI re-published under another kind (not
// seen in real events) leaves its old kind's rows, which had stayed live
// beside the new ones (found by an independent hostile-input run).
TEST(ResourceApplierTest, AResourceThatChangesKindLeavesItsOldTable) {
  StoreFixture f;
  TestResource insolvency = Insolvency(
      1, "2024-06-01T00:00:00Z", "01234567",
      {{"1", "in-administration", "2024-05-20"}, {"2", "compulsory-liquidation", "2024-05-21"}});
  f.Apply(insolvency.Line());
  ASSERT_EQ(f.Count("insolvency_cases"), 2);
  // The same URI as a PSC: its row in pscs, none left in insolvency_cases.
  TestResource psc = Psc(2, "01234567", "individual-person-with-significant-control", "P1",
                         std::string("A PERSON"));
  psc.stream = insolvency.stream;
  psc.uri = insolvency.uri;
  f.Apply(psc.Line());
  EXPECT_EQ(f.Count("insolvency_cases"), 0);
  EXPECT_EQ(f.Rows("SELECT resource_uri, name FROM pscs"),
            (std::vector<std::string>{insolvency.uri + "|A PERSON"}));
  // Then as a kind without a table: only resources holds it.
  TestResource unknown = insolvency;
  unknown.timepoint = 3;
  unknown.kind = "company-something-new";
  unknown.table.reset();
  unknown.rows.clear();
  unknown.signals.clear();
  f.Apply(unknown.Line());
  EXPECT_EQ(f.Count("pscs"), 0);
  EXPECT_EQ(f.Count("insolvency_cases"), 0);
  EXPECT_EQ(f.One("SELECT resource_kind FROM resources"), "company-something-new");
  // Back to its first kind: its rows again.
  insolvency.timepoint = 4;
  f.Apply(insolvency.Line());
  EXPECT_EQ(f.Count("insolvency_cases"), 2);
  EXPECT_EQ(f.Count("pscs"), 0);
  EXPECT_EQ(f.Count("resources"), 1);
}

TEST(ResourceApplierTest, DisqualifiedOfficerHasNoCompanyNumber) {
  StoreFixture f;
  TestResource r;
  r.stream = "disqualified-officers";
  r.kind = "disqualified-officer-natural";
  r.table = "disqualified_officers";
  r.timepoint = 102;
  r.published_at = "2022-08-04T00:00:00Z";
  r.uri = "/disqualified-officers/natural/abc";
  r.resource_id = "abc";
  r.rows = {JsonObject({{"officer_id", JsonText(std::string("abc"))},
                        {"officer_kind", JsonText(std::string("natural"))},
                        {"name", JsonText(std::string("JOHN SMITH"))}})};
  f.Apply(r.Line());
  EXPECT_EQ(f.One("SELECT company_number IS NULL, officer_id, officer_kind, name, date_of_birth"
                  " FROM disqualified_officers"),
            "1|abc|natural|JOHN SMITH|NULL");
}

TEST(ResourceApplierTest, ARecordThatDisagreesWithTheSchemaIsAReject) {
  StoreFixture f;
  TestResource unknown_table = Ds01(10);
  unknown_table.table = "no_such_table";
  TestResource unknown_column = Ds01(11);
  unknown_column.rows = {JsonObject(
      {{"transaction_id", JsonText(std::string("x"))}, {"colour", JsonText(std::string("blue"))}})};
  TestResource filled_by_store = Ds01(12);
  filled_by_store.rows = {JsonObject({{"deleted", "1"}})};
  TestResource not_typed = Ds01(13);
  not_typed.table = "resources";
  f.ApplyAll(
      {unknown_table.Line(), unknown_column.Line(), filled_by_store.Line(), not_typed.Line()});
  EXPECT_EQ(f.Rows("SELECT reason FROM rejects ORDER BY id"),
            (std::vector<std::string>{
                "ch-store: no typed table \"no_such_table\"",
                "ch-store: row member \"colour\" is not a row column of table filings",
                "ch-store: row member \"deleted\" is not a row column of table filings",
                "ch-store: no typed table \"resources\""}));
  EXPECT_EQ(f.One("SELECT raw FROM rejects ORDER BY id LIMIT 1"), unknown_table.Line());
  EXPECT_EQ(f.Count("resources"), 0);
  EXPECT_EQ(f.Count("filings"), 0);
  EXPECT_EQ(f.Count("signals"), 0);
  EXPECT_EQ(f.Count("stream_state"), 0);  // a reject never moves the checkpoint
  EXPECT_EQ(f.applier().totals().rejects, 4u);
}

// A row without a value for a NOT NULL column (insolvency_cases.case_index)
// failed the whole transaction with exit 70, and again at every restart
// (found by an independent hostile-input run). It is the record's reject;
// the records around it, in the same transaction, are applied.
TEST(ResourceApplierTest, ARowWithoutARequiredColumnIsARejectAndTheBatchGoesOn) {
  StoreFixture f;
  const TestResource before = Insolvency(1, "2024-06-01T00:00:00Z", "01234567",
                                         {{"1", "compulsory-liquidation", "2024-05-20"}});
  TestResource null_index = Insolvency(2, "2024-06-01T00:00:00Z", "07654321",
                                       {{"1", "compulsory-liquidation", "2024-05-20"}});
  null_index.rows = {JsonObject({{"case_index", "null"}, {"case_number", JsonText("1")}})};
  TestResource no_index = null_index;
  no_index.timepoint = 3;
  no_index.rows = {JsonObject({{"case_number", JsonText("1")}})};
  const TestResource after =
      Insolvency(4, "2024-06-01T00:00:00Z", "07777777", {{"1", "in-administration", "2024-05-21"}});
  f.ApplyAll({before.Line(), null_index.Line(), no_index.Line(), after.Line()});
  EXPECT_EQ(f.Rows("SELECT reason FROM rejects ORDER BY id"),
            (std::vector<std::string>{
                "ch-store: a row of table insolvency_cases has no value for case_index",
                "ch-store: a row of table insolvency_cases has no value for case_index"}));
  EXPECT_EQ(f.Rows("SELECT company_number FROM insolvency_cases ORDER BY company_number"),
            (std::vector<std::string>{"01234567", "07777777"}));
  EXPECT_EQ(f.Count("resources"), 2);
  EXPECT_EQ(f.Count("signals"), 2);
  EXPECT_EQ(f.One("SELECT timepoint FROM stream_state"), "4");
}

TEST(ResourceApplierTest, RowValuesMayBeBooleansAndFractionsAndMayOmitColumns) {
  StoreFixture f;
  TestResource r = Ds01(10);
  r.rows = {JsonObject({{"pages", "2.5"}, {"barcode", "true"}, {"type", JsonText("DS01")}})};
  f.Apply(r.Line());
  EXPECT_EQ(f.One("SELECT pages, barcode, type, transaction_id, deleted FROM filings"),
            "2.5|1|DS01|NULL|0");
}

TEST(ResourceApplierTest, ANewTypedTableNeedsNoCode) {
  StoreFixture f;
  ASSERT_TRUE(f.db()
                  .Exec("CREATE TABLE widgets (resource_uri TEXT NOT NULL, company_number TEXT,"
                        " colour TEXT, size INTEGER, deleted INTEGER NOT NULL DEFAULT 0,"
                        " resource_rowid INTEGER PRIMARY KEY)")
                  .ok());
  f.Apply(testing_records::Widget("red").Line());
  EXPECT_EQ(f.One("SELECT w.* FROM widgets AS w JOIN resources AS r ON r.id = w.resource_rowid"),
            "/company/01234567/widgets/1|01234567|red|3|0|1");
}

TEST(ResourceApplierTest, OfficersResignAndStayWithTheirEndDate) {
  StoreFixture f;
  f.Apply(Officer(1, "01234567", "a1", "SMITH, John", "director").Line());
  f.Apply(Officer(2, "01234567", "a1", "SMITH, John", "director", "2024-06-01").Line());
  EXPECT_EQ(f.One("SELECT name, officer_role, resigned_on, date_of_birth_year, deleted"
                  " FROM officers"),
            "SMITH, John|director|2024-06-01|1970|0");
}

// A stored row is rewritten in place (its index entries stay), and
// replaced when its URI or company number is not the record's (they come
// from the URI: no real record does that).
TEST(ResourceApplierTest, AStoredRowIsUpdatedInPlaceOrReplacedWhenItsKeyColumnsDiffer) {
  StoreFixture f;
  const std::string kind = "individual-person-with-significant-control";
  f.Apply(testing_records::Psc(1, "01234567", kind, "p1", std::string("SMITH, John")).Line());
  f.Apply(testing_records::Psc(2, "01234567", kind, "p1", std::string("SMITH, Jane")).Line());
  const char kRow[] =
      "SELECT resource_uri, company_number, name, resource_rowid FROM pscs"
      " INDEXED BY pscs_company_number WHERE company_number = '01234567'";
  const std::string uri = "/company/01234567/persons-with-significant-control/individual/p1";
  EXPECT_EQ(f.Rows(kRow), (std::vector<std::string>{uri + "|01234567|SMITH, Jane|1"}));
  ASSERT_TRUE(f.db().Exec("UPDATE pscs SET company_number = 'OTHER'").ok());
  f.Apply(testing_records::Psc(3, "01234567", kind, "p1", std::string("SMITH, Joan")).Line());
  EXPECT_EQ(f.Rows(kRow), (std::vector<std::string>{uri + "|01234567|SMITH, Joan|1"}));
  ASSERT_TRUE(f.db().Exec("UPDATE pscs SET resource_uri = 'other'").ok());
  f.Apply(testing_records::Psc(4, "01234567", kind, "p1", std::string("SMITH, Jo")).Line());
  EXPECT_EQ(f.One("SELECT resource_uri, name FROM pscs"), uri + "|SMITH, Jo");
  EXPECT_EQ(f.One("SELECT count(*) FROM pscs"), "1");
  EXPECT_EQ(f.One("PRAGMA integrity_check"), "ok");
}

TEST(ResourceApplierTest, CollectsNewSignalsWithTheCompanyName) {
  StoreFixture f(/*collect_changes=*/true);
  f.Apply(testing_records::Stream(1, "2024-01-01T00:00:00Z", "01234567").Line());
  f.Apply(Ds01(10).Line());
  ASSERT_EQ(f.applier().committed_signals().size(), 1u);
  const Signal& s = f.applier().committed_signals()[0];
  EXPECT_EQ(s.signal, "strike-off-applied");
  EXPECT_EQ(s.company_name, "ACME LTD");
  EXPECT_EQ(s.resource_uri, kUri);
  EXPECT_EQ(s.timepoint, 10);
  f.Apply(Ds01(11).Line());
  EXPECT_TRUE(f.applier().committed_signals().empty());
}

}  // namespace
}  // namespace ch
