// SignalWriter: a key is added once; only new signals count and are collected.
#include "ch-store/signal_writer.h"

#include <gtest/gtest.h>

#include "ch-store/test_records.h"

namespace ch {
namespace {

TEST(SignalWriterTest, AddsAKeyOnceAndCollectsOnlyNewSignals) {
  testing_records::StoreFixture f;
  ASSERT_TRUE(f.db()
                  .Exec("INSERT INTO companies(company_number, company_name, source, updated_at)"
                        " VALUES('01234567', 'NAMED LTD', 'stream', 'x')")
                  .ok());
  StatusOr<std::unique_ptr<ApplyTransaction>> txn = ApplyTransaction::Create(&f.db());
  ASSERT_TRUE(txn.ok());
  StatusOr<std::unique_ptr<SignalWriter>> writer = SignalWriter::Create(txn->get(), true);
  ASSERT_TRUE(writer.ok());
  SignalFields s;
  s.signal = "liquidation";
  s.key = "insolvency:01234567:1:compulsory-liquidation";
  s.stream = "insolvency-cases";
  s.company_number = "01234567";
  s.timepoint = 4;
  s.occurred_on = "2024-01-02";
  ASSERT_TRUE((*txn)->Begin().ok());
  EXPECT_TRUE(*(*writer)->Record(s));
  s.timepoint = 5;
  EXPECT_FALSE(*(*writer)->Record(s));
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ((*txn)->totals().signals, 1u);
  ASSERT_EQ((*txn)->committed_signals().size(), 1u);
  EXPECT_EQ((*txn)->committed_signals()[0].company_name, "NAMED LTD");
  EXPECT_EQ((*txn)->committed_signals()[0].timepoint, 4);
  EXPECT_EQ(f.One("SELECT timepoint, source, recorded_at IS NOT NULL FROM signals"), "4|stream|1");
}

}  // namespace
}  // namespace ch
