// The applying rules of DESIGN.md ("Delivery guarantees", "Database"), one
// test each: lines go in, the tables say what happened.
#include "ch-store/record_applier.h"

#include <gtest/gtest.h>

#include <limits>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::Bulk;
using testing_records::GapLine;
using testing_records::RejectLine;
using testing_records::SnapshotEndLine;
using testing_records::StoreFixture;
using testing_records::Stream;
using testing_records::TempDir;
using testing_records::TestCompany;

constexpr const char* kCompany =
    "SELECT company_name, company_status, company_status_detail, as_of, source, timepoint, deleted"
    " FROM companies WHERE company_number = '00000001'";
constexpr const char* kChanges =
    "SELECT company_number, timepoint, published_at, old_status, old_status_detail, new_status,"
    " new_status_detail, source FROM status_changes ORDER BY id";
constexpr const char* kCheckpoint = "SELECT timepoint FROM stream_state WHERE stream = 'companies'";

TEST(RecordApplierTest, FirstStreamSightingInsertsAndRecordsAChangeFromNull) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T03:04:05Z", "00000001").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|active|NULL|2024-01-02T03:04:05Z|stream|10|0");
  EXPECT_EQ(f.Rows(kChanges), std::vector<std::string>{
                                  "00000001|10|2024-01-02T03:04:05Z|NULL|NULL|active|NULL|stream"});
  EXPECT_EQ(f.One(kCheckpoint), "10");
}

TEST(RecordApplierTest, RecordAtOrBelowTheCheckpointChangesNothing) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  f.Apply(Stream(10, "2024-01-03T00:00:00Z", "00000001", "dissolved").Line());
  f.Apply(Stream(9, "2024-01-04T00:00:00Z", "00000001", "liquidation").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|active|NULL|2024-01-02T00:00:00Z|stream|10|0");
  EXPECT_EQ(f.Count("status_changes"), 1);
  EXPECT_EQ(f.One(kCheckpoint), "10");
  EXPECT_EQ(f.applier().totals().skipped, 2u);
}

// A timepoint more than 2^32 past the checkpoint (record_applier.h) would
// become the checkpoint and make every real record after it a duplicate: a
// reject, which moves nothing. Exactly 2^32 is still a record.
TEST(RecordApplierTest, ATimepointFarPastTheCheckpointIsARejectThatMovesNothing) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  const int64_t jump = int64_t{1} << 32;
  for (const int64_t poisoned : {10 + jump + 1, std::numeric_limits<int64_t>::max()}) {
    TestCompany c = Stream(poisoned, "2024-01-03T00:00:00Z", "00000001");
    c.status = "dissolved";
    f.Apply(c.Line());
  }
  EXPECT_EQ(f.One(kCheckpoint), "10");
  EXPECT_EQ(f.One("SELECT company_status FROM companies"), "active");
  EXPECT_EQ(f.Rows("SELECT stream, timepoint, reason FROM rejects ORDER BY id"),
            (std::vector<std::string>{
                "companies|4294967307|ch-store: timepoint 4294967307 is more than 2^32 past the "
                "checkpoint 10 of its stream: not trusted",
                "companies|9223372036854775807|ch-store: timepoint 9223372036854775807 is more "
                "than 2^32 past the checkpoint 10 of its stream: not trusted"}));
  f.Apply(Stream(11, "2024-01-04T00:00:00Z", "00000001").Line());
  TestCompany far = Stream(11 + jump, "2024-01-05T00:00:00Z", "00000001");
  far.status = "liquidation";
  f.Apply(far.Line());
  EXPECT_EQ(f.One(kCheckpoint), std::to_string(11 + jump));
  EXPECT_EQ(f.One("SELECT company_status FROM companies"), "liquidation");
}

// A stream without a checkpoint counts from 0: a far timepoint as the very
// first record of a new database is a reject too, and the real records
// after it are applied. 2^32 itself is still a record.
TEST(RecordApplierTest, AFarTimepointAsAStreamsFirstRecordIsARejectThatMovesNothing) {
  StoreFixture f;
  f.Apply(Stream(std::numeric_limits<int64_t>::max(), "2024-01-02T00:00:00Z", "00000001").Line());
  EXPECT_EQ(f.Count("companies"), 0);
  EXPECT_EQ(f.Count("stream_state"), 0);
  EXPECT_EQ(f.Rows("SELECT stream, timepoint, reason FROM rejects"),
            (std::vector<std::string>{
                "companies|9223372036854775807|ch-store: timepoint 9223372036854775807 is more "
                "than 2^32 past 0, and its stream has no checkpoint yet: not trusted"}));
  const int64_t jump = int64_t{1} << 32;
  f.Apply(Stream(jump, "2024-01-03T00:00:00Z", "00000001").Line());
  EXPECT_EQ(f.One(kCheckpoint), std::to_string(jump));
  EXPECT_EQ(f.Count("companies"), 1);
}

TEST(RecordApplierTest, DuplicateWithinOneTransactionIsSkipped) {
  StoreFixture f;
  const std::string line = Stream(10, "2024-01-02T00:00:00Z", "00000001").Line();
  f.ApplyAll({line, line, Stream(11, "2024-01-02T00:00:01Z", "00000002").Line(), line});
  EXPECT_EQ(f.Count("companies"), 2);
  EXPECT_EQ(f.Count("status_changes"), 2);
  EXPECT_EQ(f.One(kCheckpoint), "11");
}

TEST(RecordApplierTest, RepublishedUnchangedCompanyWritesNoStatusChange) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  TestCompany again = Stream(11, "2024-01-05T00:00:00Z", "00000001");
  again.name = "ACME HOLDINGS LTD";
  f.Apply(again.Line());
  EXPECT_EQ(f.Count("status_changes"), 1);
  EXPECT_EQ(f.One(kCompany), "ACME HOLDINGS LTD|active|NULL|2024-01-05T00:00:00Z|stream|11|0");
}

TEST(RecordApplierTest, ChangeOfDetailAloneIsAStatusChange) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  f.Apply(Stream(11, "2024-02-02T00:00:00Z", "00000001", "active", "active-proposal-to-strike-off")
              .Line());
  f.Apply(Stream(12, "2024-03-02T00:00:00Z", "00000001", "active").Line());
  EXPECT_EQ(f.Rows(kChanges), (std::vector<std::string>{
                                  "00000001|10|2024-01-02T00:00:00Z|NULL|NULL|active|NULL|stream",
                                  "00000001|11|2024-02-02T00:00:00Z|active|NULL|active|active-"
                                  "proposal-to-strike-off|stream",
                                  "00000001|12|2024-03-02T00:00:00Z|active|active-proposal-to-"
                                  "strike-off|active|NULL|stream"}));
}

TEST(RecordApplierTest, TimepointDecidesAmongStreamRecordsNotPublishedAt) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-05-01T00:00:00Z", "00000001").Line());
  // Published "earlier" but later in the stream: it is the newer state.
  f.Apply(Stream(11, "2024-04-01T00:00:00Z", "00000001", "dissolved").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|dissolved|NULL|2024-04-01T00:00:00Z|stream|11|0");
}

TEST(RecordApplierTest, AbsentStatusKeepsTheStoredPairAndWritesNoChange) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001", "active", "active-proposal-to-strike-off")
              .Line());
  TestCompany unknown = Stream(11, "2024-01-03T00:00:00Z", "00000001", std::nullopt, std::nullopt);
  unknown.postal_code = "AB1 2CD";
  f.Apply(unknown.Line());
  EXPECT_EQ(f.One(kCompany),
            "ACME LTD|active|active-proposal-to-strike-off|2024-01-03T00:00:00Z|stream|11|0");
  EXPECT_EQ(f.One("SELECT postal_code FROM companies"), "AB1 2CD");
  EXPECT_EQ(f.Count("status_changes"), 1);
}

TEST(RecordApplierTest, FirstSightingWithoutStatusStoresNoChange) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001", std::nullopt).Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|NULL|NULL|2024-01-02T00:00:00Z|stream|10|0");
  EXPECT_EQ(f.Count("status_changes"), 0);
  f.Apply(Stream(11, "2024-01-03T00:00:00Z", "00000001", "active").Line());
  EXPECT_EQ(f.Rows(kChanges), std::vector<std::string>{
                                  "00000001|11|2024-01-03T00:00:00Z|NULL|NULL|active|NULL|stream"});
}

// Found by the differential tests (issue 13): a detail without a status is
// no pair, also for a company seen first (the stream's or a snapshot's), so
// the next record with a status is a change from (NULL, NULL) and its lead
// is not lost.
TEST(RecordApplierTest, FirstSightingWithADetailButNoStatusStoresNoPair) {
  StoreFixture f;
  f.Apply(
      Stream(10, "2024-01-02T00:00:00Z", "00000001", std::nullopt, "active-proposal-to-strike-off")
          .Line());
  f.Apply(Bulk("2024-01-01", "00000002", std::nullopt, "active-proposal-to-strike-off").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|NULL|NULL|2024-01-02T00:00:00Z|stream|10|0");
  EXPECT_EQ(f.One("SELECT company_status_detail FROM companies WHERE company_number = '00000002'"),
            "NULL");
  f.Apply(Stream(11, "2024-01-03T00:00:00Z", "00000001", "active", "active-proposal-to-strike-off")
              .Line());
  EXPECT_EQ(f.Rows(kChanges),
            std::vector<std::string>{"00000001|11|2024-01-03T00:00:00Z|NULL|NULL|"
                                     "active|active-proposal-to-strike-off|stream"});
  EXPECT_EQ(f.One("SELECT count(*) FROM leads"), "1");
}

TEST(RecordApplierTest, AbsentNameKeepsTheStoredName) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  TestCompany minimal = Stream(11, "2024-01-03T00:00:00Z", "00000001");
  minimal.name.reset();
  f.Apply(minimal.Line());
  EXPECT_EQ(f.One("SELECT company_name, timepoint FROM companies"), "ACME LTD|11");
}

TEST(RecordApplierTest, DeletedEventOnlySetsTheMark) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001", "dissolved").Line());
  TestCompany deleted = Stream(11, "2024-06-01T00:00:00Z", "00000001", "active");
  deleted.event_type = "deleted";
  deleted.name = "OTHER NAME";
  f.Apply(deleted.Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|dissolved|NULL|2024-01-02T00:00:00Z|stream|10|1");
  EXPECT_EQ(f.Count("status_changes"), 1);
  EXPECT_EQ(f.One(kCheckpoint), "11");
}

TEST(RecordApplierTest, DeletedEventForAnUnknownCompanyCreatesAMarkedRow) {
  StoreFixture f;
  TestCompany deleted = Stream(11, "2024-06-01T00:00:00Z", "00000001", "active");
  deleted.event_type = "deleted";
  f.Apply(deleted.Line());
  EXPECT_EQ(f.One(kCompany), "NULL|NULL|NULL|2024-06-01T00:00:00Z|stream|11|1");
  EXPECT_EQ(f.Count("status_changes"), 0);
}

TEST(RecordApplierTest, LaterChangedEventClearsTheDeletedMark) {
  StoreFixture f;
  TestCompany deleted = Stream(11, "2024-06-01T00:00:00Z", "00000001");
  deleted.event_type = "deleted";
  f.Apply(deleted.Line());
  f.Apply(Stream(12, "2024-06-02T00:00:00Z", "00000001", "active").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|active|NULL|2024-06-02T00:00:00Z|stream|12|0");
  EXPECT_EQ(f.Rows(kChanges), std::vector<std::string>{
                                  "00000001|12|2024-06-02T00:00:00Z|NULL|NULL|active|NULL|stream"});
}

TEST(RecordApplierTest, BulkFirstSightingIsTheBaselineWithoutAChange) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000001", "active", "active-proposal-to-strike-off").Line());
  EXPECT_EQ(f.One(kCompany),
            "ACME LTD|active|active-proposal-to-strike-off|2025-08-01T00:00:00Z|bulk|NULL|0");
  EXPECT_EQ(f.Count("status_changes"), 0);
  // No checkpoint: the row holds only the import's running mark.
  EXPECT_EQ(f.One(kCheckpoint), "NULL");
}

// A company bulk import stopped half-way (ch-store killed, a full disk)
// shows in `status` as the PSC snapshot's does: each commit of its rows
// records it as incomplete with the time of that commit, the end of an
// input without its snapshot_end says it was cut off, and its snapshot_end
// (not older than it) clears both.
TEST(RecordApplierTest, ACompanyBulkImportWithoutItsEndIsRecordedAsRunningThenCutOff) {
  StoreFixture f;
  const char kState[] =
      "SELECT coalesce(last_snapshot_as_of, '-'), coalesce(snapshot_incomplete_as_of, '-'),"
      " coalesce(snapshot_incomplete, '-'), snapshot_running_at IS NOT NULL FROM stream_state"
      " WHERE stream = 'companies'";
  f.ApplyAll({Bulk("2025-08-01", "00000001", "active").Line(),
              Bulk("2025-08-01", "00000002", "active").Line()});
  EXPECT_EQ(f.One(kState),
            "-|2025-08-01|no snapshot_end yet after 2 of its rows (an import running, or one that "
            "stopped: killed, or an error such as a full disk)|1");
  f.Apply(Bulk("2025-08-01", "00000003", "active").Line());
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  EXPECT_EQ(
      f.One(kState),
      "-|2025-08-01|cut off (the input ended without its snapshot_end after 3 of its rows)|0");
  EXPECT_EQ(f.Count("companies"), 3);  // the rows that came are applied
  // The whole file again, with its end: complete, the mark cleared.
  f.ApplyAll({Bulk("2025-08-01", "00000001", "active").Line(),
              R"({"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":1}})"});
  EXPECT_EQ(f.One(kState), "2025-08-01|-|-|0");
  ASSERT_TRUE(f.applier().EndOfInput().ok());  // nothing unfinished: nothing said
  EXPECT_EQ(f.One(kState), "2025-08-01|-|-|0");
  // An older file's end does not clear a newer import stopped half-way.
  f.Apply(Bulk("2025-09-01", "00000001", "active").Line());
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  f.Apply(R"({"snapshot_end":{"stream":"companies","as_of":"2025-07-01","rows":0}})");
  EXPECT_EQ(f.One(kState),
            "2025-07-01|2025-09-01|cut off (the input ended without its snapshot_end after 1 of "
            "its rows)|0");
  EXPECT_EQ(f.One("SELECT count(*) FROM stream_state WHERE snapshot_incomplete IS NOT NULL"), "1");
}

TEST(RecordApplierTest, SameSnapshotTwiceChangesNothing) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000001").Line());
  const std::string before = f.One("SELECT * FROM companies");
  TestCompany again = Bulk("2025-08-01", "00000001", "dissolved");
  f.Apply(again.Line());
  EXPECT_EQ(f.One("SELECT * FROM companies"), before);
  EXPECT_EQ(f.Count("status_changes"), 0);
}

TEST(RecordApplierTest, SnapshotThenStreamThenOlderThenNewerSnapshot) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000001", "active").Line());
  f.Apply(Stream(100, "2025-08-10T12:00:00Z", "00000001", "active", "active-proposal-to-strike-off")
              .Line());
  EXPECT_EQ(f.One(kCompany),
            "ACME LTD|active|active-proposal-to-strike-off|2025-08-10T12:00:00Z|stream|100|0");
  // An older snapshot changes nothing.
  f.Apply(Bulk("2025-07-01", "00000001", "active").Line());
  EXPECT_EQ(f.One("SELECT as_of, source FROM companies"), "2025-08-10T12:00:00Z|stream");
  // A newer snapshot wins and its change is dated by the snapshot.
  f.Apply(Bulk("2025-09-01", "00000001", "dissolved").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|dissolved|NULL|2025-09-01T00:00:00Z|bulk|NULL|0");
  EXPECT_EQ(f.Rows(kChanges),
            (std::vector<std::string>{"00000001|100|2025-08-10T12:00:00Z|active|NULL|active|active-"
                                      "proposal-to-strike-off|stream",
                                      "00000001|NULL|2025-09-01T00:00:00Z|active|active-proposal-"
                                      "to-strike-off|dissolved|NULL|bulk"}));
}

TEST(RecordApplierTest, StreamStateNewerThanASnapshotStaysWhenTheSnapshotArrivesLater) {
  StoreFixture f;
  f.Apply(Stream(100, "2025-08-10T12:00:00Z", "00000001", "dissolved").Line());
  f.Apply(Bulk("2025-08-01", "00000001", "active").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|dissolved|NULL|2025-08-10T12:00:00Z|stream|100|0");
  EXPECT_EQ(f.Count("status_changes"), 1);
}

TEST(RecordApplierTest, StreamRecordOlderThanTheSnapshotLosesButAdvancesTheCheckpoint) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000001", "active").Line());
  f.Apply(Stream(100, "2025-07-31T23:59:59Z", "00000001", "dissolved").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|active|NULL|2025-08-01T00:00:00Z|bulk|NULL|0");
  EXPECT_EQ(f.Count("status_changes"), 0);
  EXPECT_EQ(f.One(kCheckpoint), "100");
  EXPECT_EQ(f.applier().totals().superseded, 1u);
}

TEST(RecordApplierTest, TieBetweenSnapshotAndStreamGoesToTheStream) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000001", "active").Line());
  f.Apply(Stream(100, "2025-08-01T00:00:00Z", "00000001", "dissolved").Line());
  EXPECT_EQ(f.One("SELECT company_status, source FROM companies"), "dissolved|stream");
  // And the same snapshot again does not take it back.
  f.Apply(Bulk("2025-08-01", "00000001", "active").Line());
  EXPECT_EQ(f.One("SELECT company_status, source FROM companies"), "dissolved|stream");
}

TEST(RecordApplierTest, NewerSnapshotClearsTheDeletedMark) {
  StoreFixture f;
  TestCompany deleted = Stream(11, "2025-06-01T00:00:00Z", "00000001");
  deleted.event_type = "deleted";
  f.Apply(deleted.Line());
  f.Apply(Bulk("2025-08-01", "00000001", "active").Line());
  EXPECT_EQ(f.One("SELECT company_status, deleted, source FROM companies"), "active|0|bulk");
  // A snapshot's first status for a row that had none is a change (the
  // company was known to the stream, so this is not the baseline).
  EXPECT_EQ(f.Rows(kChanges), std::vector<std::string>{
                                  "00000001|NULL|2025-08-01T00:00:00Z|NULL|NULL|active|NULL|bulk"});
}

TEST(RecordApplierTest, RejectIsStoredOnceAndNeverMovesTheCheckpoint) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  f.ApplyAll(
      {RejectLine(std::string("bad\0line\xff", 9)), RejectLine(std::string("bad\0line\xff", 9))});
  f.Apply(RejectLine(std::string("bad\0line\xff", 9)));
  EXPECT_EQ(f.Count("rejects"), 1);
  EXPECT_EQ(f.One("SELECT hex(raw), raw_length, reason, timepoint FROM rejects"),
            "626164006C696E65FF|9|invalid JSON|NULL");
  EXPECT_EQ(f.One(kCheckpoint), "10");
  EXPECT_EQ(f.applier().totals().rejects, 3u);
  EXPECT_EQ(f.applier().totals().rejects_stored, 1u);
}

TEST(RecordApplierTest, UnusableLineBecomesAChStoreReject) {
  StoreFixture f;
  f.ApplyAll({"not json at all", "{\"kind\":\"mystery\"}", "[1,2]"});
  EXPECT_EQ(f.Rows("SELECT raw, substr(reason, 1, 10) FROM rejects ORDER BY id"),
            (std::vector<std::string>{"not json at all|ch-store: ",
                                      "{\"kind\":\"mystery\"}|ch-store: ", "[1,2]|ch-store: "}));
}

TEST(RecordApplierTest, GapIsRecordedOnceWhileOpenAndResumedByTheNextStoredRecord) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  f.Apply(GapLine(10));
  f.Apply(GapLine(10));  // a repeated 416 for the same gap
  EXPECT_EQ(f.Count("gaps"), 1);
  // A duplicate does not resume it; the first record stored does.
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  EXPECT_EQ(f.One("SELECT resumed_timepoint FROM gaps"), "NULL");
  f.ApplyAll({Stream(500, "2024-01-09T00:00:00Z", "00000002").Line(),
              Stream(501, "2024-01-09T00:00:01Z", "00000003").Line()});
  EXPECT_EQ(f.One("SELECT stream, after_timepoint, resumed_timepoint, reason, healed_by FROM gaps"),
            "companies|10|500|timepoint-out-of-range|NULL");
  // The same 416 replayed later (a replay of the capture) adds nothing.
  f.Apply(GapLine(10));
  EXPECT_EQ(f.Count("gaps"), 1);
}

TEST(RecordApplierTest, LiveStartGapIsRecordedAgainOnceRecordsArrivedAfterIt) {
  StoreFixture f;
  f.Apply(GapLine(std::nullopt, "started-live"));
  f.Apply(GapLine(std::nullopt, "started-live"));
  EXPECT_EQ(f.Count("gaps"), 1);
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  f.Apply(GapLine(std::nullopt, "started-live"));
  EXPECT_EQ(f.Rows("SELECT after_timepoint, resumed_timepoint FROM gaps ORDER BY id"),
            (std::vector<std::string>{"NULL|10", "NULL|NULL"}));
}

TEST(RecordApplierTest, SnapshotEndHealsOnlyGapsDetectedBeforeItsDate) {
  StoreFixture f;
  f.Apply(GapLine(10));
  ASSERT_TRUE(f.db().Exec("UPDATE gaps SET detected_at = '2025-07-15T10:00:00Z'").ok());
  f.Apply(GapLine(20));
  ASSERT_TRUE(
      f.db()
          .Exec("UPDATE gaps SET detected_at = '2025-08-02T10:00:00Z' WHERE after_timepoint = 20")
          .ok());
  f.Apply(SnapshotEndLine("2025-08-01", 5));
  EXPECT_EQ(
      f.Rows("SELECT after_timepoint, healed_by, healed_at IS NOT NULL FROM gaps ORDER BY id"),
      (std::vector<std::string>{"10|snapshot:2025-08-01|1", "20|NULL|0"}));
  EXPECT_EQ(f.One("SELECT last_snapshot_as_of, last_snapshot_rows, timepoint FROM stream_state"),
            "2025-08-01|5|NULL");
}

// A PSC snapshot's end line (README.md "Record formats").
std::string PscEnd(const std::string& date, const std::string& expected, int64_t pscs,
                   int64_t rejects = 0) {
  return R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
         R"("as_of":")" +
         date + R"(","rows":)" + std::to_string(pscs + 2 + rejects) + R"(,"expected":)" + expected +
         R"(,"received":{"pscs":)" + std::to_string(pscs) +
         R"(,"statements":1,"exemptions":1,"other":0,"rejects":)" + std::to_string(rejects) + "}}}";
}
const char kExpected3[] = R"({"pscs":3,"statements":1,"exemptions":1})";

std::string StreamGap(const std::string& stream, int64_t after) {
  return "{\"gap\":{\"stream\":\"" + stream + "\",\"after_timepoint\":" + std::to_string(after) +
         ",\"reason\":\"timepoint-out-of-range\"}}";
}

// Gaps of the three PSC streams and of companies, one of them detected
// after 00:00Z of 2026-12-05.
void AddGaps(StoreFixture* f) {
  f->Apply(StreamGap("persons-with-significant-control", 10));
  f->Apply(StreamGap("persons-with-significant-control-statements", 20));
  f->Apply(StreamGap("company-exemptions", 30));
  f->Apply(StreamGap("companies", 40));
  f->Apply(StreamGap("persons-with-significant-control", 50));
  ASSERT_TRUE(f->db().Exec("UPDATE gaps SET detected_at = '2026-12-04T10:00:00Z'").ok());
  ASSERT_TRUE(f->db()
                  .Exec("UPDATE gaps SET detected_at = '2026-12-05T00:00:00Z' WHERE "
                        "after_timepoint = 50")
                  .ok());
}

const char kGapState[] =
    "SELECT stream, after_timepoint, coalesce(healed_by, '-') FROM gaps ORDER BY id";
const char kPscState[] =
    "SELECT stream, coalesce(last_snapshot_as_of, '-'), coalesce(last_snapshot_rows, '-'),"
    " coalesce(snapshot_incomplete_as_of, '-'), coalesce(snapshot_incomplete, '-')"
    " FROM stream_state WHERE stream <> 'companies' ORDER BY stream";

TEST(RecordApplierTest, ACompletePscSnapshotHealsTheGapsOfItsThreeStreamsOnly) {
  StoreFixture f;
  AddGaps(&f);
  f.Apply(PscEnd("2026-12-05", kExpected3, 3));
  EXPECT_EQ(f.Rows(kGapState),
            (std::vector<std::string>{
                "persons-with-significant-control|10|snapshot:2026-12-05",
                "persons-with-significant-control-statements|20|snapshot:2026-12-05",
                "company-exemptions|30|snapshot:2026-12-05",
                "companies|40|-",                            // the company bulk file heals those
                "persons-with-significant-control|50|-"}));  // too late
  EXPECT_EQ(
      f.Rows(kPscState),
      (std::vector<std::string>{"company-exemptions|2026-12-05|1|-|-",
                                "persons-with-significant-control|2026-12-05|3|-|-",
                                "persons-with-significant-control-statements|2026-12-05|1|-|-"}));
  EXPECT_EQ(f.applier().totals().gaps_healed, 3u);
  // A company bulk end naming another stream heals nothing (an independent
  // run's hand-written line healed the gaps of filings so).
  f.Apply(StreamGap("filings", 60));
  ASSERT_TRUE(f.db()
                  .Exec("UPDATE gaps SET detected_at = '2026-12-04T10:00:00Z' WHERE stream = "
                        "'filings'")
                  .ok());
  f.Apply("{\"snapshot_end\":{\"stream\":\"filings\",\"as_of\":\"2026-12-05\",\"rows\":1}}");
  EXPECT_EQ(f.One("SELECT count(*) FROM gaps WHERE healed_by IS NOT NULL"), "3");
  // And the company bulk file's end heals companies only.
  f.Apply(SnapshotEndLine("2026-12-05", 9));
  EXPECT_EQ(f.One("SELECT healed_by FROM gaps WHERE stream = 'companies'"), "snapshot:2026-12-05");
  EXPECT_EQ(f.One("SELECT healed_by FROM gaps WHERE after_timepoint = 50"), "NULL");
}

TEST(RecordApplierTest, AnIncompletePscSnapshotHealsNothingAndIsRecordedUntilACompleteOne) {
  StoreFixture f;
  AddGaps(&f);
  // Short of PSCs, a rejected line, no totals line: each heals nothing.
  f.Apply(PscEnd("2026-12-05", kExpected3, 2));
  f.Apply(PscEnd("2026-12-05", kExpected3, 3, /*rejects=*/1));
  f.Apply(PscEnd("2026-12-05", "null", 3));
  EXPECT_EQ(f.One("SELECT count(*) FROM gaps WHERE healed_by IS NOT NULL"), "0");
  EXPECT_EQ(f.Rows(kPscState),
            (std::vector<std::string>{
                "company-exemptions|-|-|2026-12-05|totals line missing (received pscs 3, "
                "statements 1, exemptions 1)",
                "persons-with-significant-control|-|-|2026-12-05|totals line missing (received "
                "pscs 3, statements 1, exemptions 1)",
                "persons-with-significant-control-statements|-|-|2026-12-05|totals line missing "
                "(received pscs 3, statements 1, exemptions 1)"}));
  // An older incomplete one does not hide the newer one.
  f.Apply(PscEnd("2026-12-04", kExpected3, 1));
  EXPECT_EQ(f.One("SELECT snapshot_incomplete_as_of FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "2026-12-05");
  // An older complete one is recorded as the last complete one, and leaves
  // the newer incomplete one on record.
  f.Apply(PscEnd("2026-12-04", kExpected3, 3));
  EXPECT_EQ(f.One("SELECT last_snapshot_as_of, snapshot_incomplete_as_of FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "2026-12-04|2026-12-05");
  // A complete one as new clears it.
  f.Apply(PscEnd("2026-12-05", kExpected3, 3));
  EXPECT_EQ(
      f.Rows(kPscState),
      (std::vector<std::string>{"company-exemptions|2026-12-05|1|-|-",
                                "persons-with-significant-control|2026-12-05|3|-|-",
                                "persons-with-significant-control-statements|2026-12-05|1|-|-"}));
  // An incomplete one older than or as old as the last complete one is no news.
  f.Apply(PscEnd("2026-12-05", kExpected3, 1));
  EXPECT_EQ(f.One("SELECT snapshot_incomplete_as_of FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "NULL");
  // An older complete one does not move the record back.
  f.Apply(PscEnd("2026-12-01", kExpected3, 3));
  EXPECT_EQ(f.One("SELECT last_snapshot_as_of FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "2026-12-05");
}

TEST(RecordApplierTest, BulkRowsAloneHealNothing) {
  StoreFixture f;
  f.Apply(GapLine(10));
  f.Apply(Bulk("2099-01-01", "00000001").Line());
  EXPECT_EQ(f.One("SELECT healed_by FROM gaps"), "NULL");
}

TEST(RecordApplierTest, RollbackForgetsRecordsAndCheckpointTogether) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  ASSERT_TRUE(f.applier().Begin().ok());
  ASSERT_TRUE(f.applier()
                  .Apply(f.decoder().Decode(Stream(11, "2024-01-03T00:00:00Z", "00000002").Line()))
                  .ok());
  f.applier().Rollback();
  EXPECT_EQ(f.Count("companies"), 1);
  EXPECT_EQ(f.One(kCheckpoint), "10");
  // The checkpoint held in memory was rolled back too: 11 applies again.
  f.Apply(Stream(11, "2024-01-03T00:00:00Z", "00000002").Line());
  EXPECT_EQ(f.Count("companies"), 2);
}

TEST(RecordApplierTest, CheckpointIsReadAgainAtEveryBegin) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  // Another writer moved the checkpoint between our transactions.
  ASSERT_TRUE(f.db().Exec("UPDATE stream_state SET timepoint = 50").ok());
  f.Apply(Stream(40, "2024-01-03T00:00:00Z", "00000002").Line());
  EXPECT_EQ(f.Count("companies"), 1);
  EXPECT_EQ(f.One(kCheckpoint), "50");
}

TEST(RecordApplierTest, RolledBackWriteLeavesNoRememberedStateBehind) {
  StoreFixture f;
  ASSERT_TRUE(f.applier().Begin().ok());
  ASSERT_TRUE(f.applier()
                  .Apply(f.decoder().Decode(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line()))
                  .ok());
  f.applier().Rollback();
  // The row never existed: the same record is a first sighting again.
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|active|NULL|2024-01-02T00:00:00Z|stream|10|0");
  EXPECT_EQ(f.Rows(kChanges), std::vector<std::string>{
                                  "00000001|10|2024-01-02T00:00:00Z|NULL|NULL|active|NULL|stream"});
}

TEST(RecordApplierTest, AnotherConnectionsWriteIsSeenByTheNextTransaction) {
  TempDir dir;
  const std::string path = dir.File("two.db");
  StoreFixture f(/*collect_changes=*/false, path);
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  {
    StatusOr<SqliteDb> other = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other->Exec("UPDATE companies SET company_status = 'dissolved'").ok());
  }
  f.Apply(Stream(11, "2024-01-03T00:00:00Z", "00000001").Line());
  // Compared with what the other writer stored, not with what we wrote.
  EXPECT_EQ(f.Rows(kChanges),
            (std::vector<std::string>{
                "00000001|10|2024-01-02T00:00:00Z|NULL|NULL|active|NULL|stream",
                "00000001|11|2024-01-03T00:00:00Z|dissolved|NULL|active|NULL|stream"}));
}

TEST(RecordApplierTest, StreamRecordAfterASnapshotReplacedTheRowComparesWithTheSnapshot) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  f.Apply(Bulk("2024-06-01", "00000001", "dissolved").Line());
  // Published before the snapshot's date: the snapshot's state stays.
  f.Apply(Stream(11, "2024-01-03T00:00:00Z", "00000001").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|dissolved|NULL|2024-06-01T00:00:00Z|bulk|NULL|0");
  EXPECT_EQ(f.applier().totals().superseded, 1u);
  // Published after it: the stream wins, a change from the snapshot's status.
  f.Apply(Stream(12, "2024-07-01T00:00:00Z", "00000001").Line());
  EXPECT_EQ(f.One(kCompany), "ACME LTD|active|NULL|2024-07-01T00:00:00Z|stream|12|0");
  EXPECT_EQ(f.Rows(kChanges).back(),
            "00000001|12|2024-07-01T00:00:00Z|dissolved|NULL|active|NULL|stream");
}

TEST(RecordApplierTest, CollectsCommittedChangesWithTheCompanyName) {
  StoreFixture f(/*collect_changes=*/true);
  f.ApplyAll({Stream(10, "2024-01-02T00:00:00Z", "00000001").Line(),
              Stream(11, "2024-01-03T00:00:00Z", "00000001", "dissolved").Line()});
  ASSERT_EQ(f.applier().committed_changes().size(), 2u);
  const StatusChange& c = f.applier().committed_changes()[1];
  EXPECT_EQ(c.id, 2);
  EXPECT_EQ(c.company_number, "00000001");
  EXPECT_EQ(c.timepoint, 11);
  EXPECT_EQ(c.old_status, "active");
  EXPECT_EQ(c.new_status, "dissolved");
  EXPECT_EQ(c.company_name, "ACME LTD");
  EXPECT_EQ(c.source, "stream");
  f.Apply(Stream(12, "2024-01-04T00:00:00Z", "00000002", std::nullopt).Line());
  EXPECT_TRUE(f.applier().committed_changes().empty());
}

TEST(RecordApplierTest, StoresTheDataTextAndColumns) {
  StoreFixture f;
  TestCompany c = Stream(10, "2024-01-02T00:00:00Z", "00000001");
  c.data = "{\"company_number\":\"00000001\",\"nested\":{\"data\":[1,2]}}";
  c.sic_codes = {"62020", "70229"};
  c.postal_code = "EC1A 1BB";
  f.Apply(c.Line());
  EXPECT_EQ(
      f.One("SELECT data, sic_codes, postal_code, type, jurisdiction, date_of_creation FROM "
            "companies"),
      "{\"company_number\":\"00000001\",\"nested\":{\"data\":[1,2]}}|62020,70229|EC1A 1BB|ltd|"
      "england-wales|2001-02-03");
}

TEST(RecordApplierTest, RecordsOfAnotherStreamHaveTheirOwnCheckpoint) {
  StoreFixture f;
  TestCompany other = Stream(5, "2024-01-02T00:00:00Z", "00000002");
  other.stream = "test";
  f.ApplyAll({Stream(10, "2024-01-02T00:00:00Z", "00000001").Line(), other.Line()});
  EXPECT_EQ(f.Rows("SELECT stream, timepoint FROM stream_state ORDER BY stream"),
            (std::vector<std::string>{"companies|10", "test|5"}));
}

// Issue 13, the deterministic case, at the release size of the state cache:
// fill it, send one more company (the cache starts afresh), intern
// `liquidation` and `dissolved` again, then send that company as dissolved:
// a change and a lead. Without a status it stays active. (The cache used to
// read it back as dissolved: no change then, and `dissolved` written for an
// active company.)
void CheckTheCompanyThatRestartsTheCacheKeepsItsStatus(bool last_has_status) {
  StoreFixture f;
  const size_t full = CompanyStateCache::kDefaultMaxEntries;
  int64_t tp = 0;
  std::vector<std::string> lines;
  auto add = [&](const std::string& number, std::optional<std::string> status) {
    lines.push_back(Stream(++tp, "2024-01-02T00:00:00Z", number, std::move(status)).Line());
  };
  add("L0000000", std::string("liquidation"));
  for (size_t i = 1; i < full; ++i) add("A" + std::to_string(i), std::string("active"));
  add("X0000001", std::string("active"));
  add("L0000001", std::string("liquidation"));
  add("D0000001", std::string("dissolved"));
  f.ApplyAll(lines);
  ASSERT_EQ(f.Count("status_changes"), static_cast<int64_t>(full + 3));
  f.Apply(Stream(++tp, "2024-01-03T00:00:00Z", "X0000001",
                 last_has_status ? std::optional<std::string>("dissolved") : std::nullopt)
              .Line());
  const std::string changes =
      "SELECT old_status, new_status FROM status_changes WHERE company_number = 'X0000001'"
      " ORDER BY id";
  const std::string status =
      "SELECT company_status FROM companies WHERE company_number = 'X0000001'";
  if (last_has_status) {
    EXPECT_EQ(f.Rows(changes), (std::vector<std::string>{"NULL|active", "active|dissolved"}));
    EXPECT_EQ(f.One(status), "dissolved");
    EXPECT_EQ(f.One("SELECT count(*) FROM leads WHERE company_number = 'X0000001'"), "1");
  } else {
    EXPECT_EQ(f.Rows(changes), std::vector<std::string>{"NULL|active"});
    EXPECT_EQ(f.One(status), "active");
  }
}

TEST(RecordApplierTest, CompanyThatRestartsTheStateCacheKeepsItsStatus) {
  CheckTheCompanyThatRestartsTheCacheKeepsItsStatus(/*last_has_status=*/true);
  CheckTheCompanyThatRestartsTheCacheKeepsItsStatus(/*last_has_status=*/false);
}

}  // namespace
}  // namespace ch
