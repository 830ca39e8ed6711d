// WalHealth: status names a WAL that checkpoints cannot reset, and its
// likely cause, from the -wal file's size and from ch-store's metrics.
#include "ch-store/wal_health.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "ch-store/health.h"
#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::TempDir;

WalHealth Wal(std::optional<int64_t> bytes, std::optional<double> due) {
  WalHealth wal;
  wal.wal_bytes = bytes;
  wal.checkpoint_due_seconds = due;
  wal.warn_seconds = 30;
  wal.warn_bytes = 1000000000;
  return wal;
}

TEST(WalHealthTest, ASmallWalOrACheckpointDueBrieflyIsFine) {
  EXPECT_FALSE(WalProblem(Wal(std::nullopt, std::nullopt)));
  EXPECT_FALSE(WalProblem(Wal(600000000, 29.9)));
  EXPECT_FALSE(WalProblem(Wal(1000000000, 0)));
}

TEST(WalHealthTest, ACheckpointDueTooLongNamesAReader) {
  EXPECT_EQ(WalProblem(Wal(845000000, 74.6)),
            std::optional<std::string>(
                "WAL not reset by checkpoints for 74 s (845.0 MB): most likely a reader holds a "
                "transaction open (a sqlite3 session, a dashboard, a backup)"));
}

TEST(WalHealthTest, AWalFileTooLargeNamesAReaderWithoutMetrics) {
  EXPECT_EQ(WalProblem(Wal(1680000000, std::nullopt)),
            std::optional<std::string>(
                "WAL is 1.68 GB (more than 1.00 GB): checkpoints cannot reset it; most likely a "
                "reader holds a transaction open (a sqlite3 session, a dashboard, a backup)"));
}

TEST(WalHealthTest, TheLargestFreshDueTimeCountsWithTheFileAge) {
  const std::vector<PromText> files = {
      {"chstream_wal_checkpoint_due_seconds{stream=\"companies\"} 40\n", 2},
      {"# HELP x\nchstream_wal_checkpoint_due_seconds 50\n", 1},
      {"chstream_wal_checkpoint_due_seconds 900\n", 31},  // stale: not running
      {"chstream_wal_bytes 5\n", 0},
  };
  EXPECT_EQ(LargestCheckpointDue(files, 30), std::optional<double>(51));
  // Not due: not made due by the file's age.
  EXPECT_EQ(LargestCheckpointDue({{"chstream_wal_checkpoint_due_seconds 0\n", 5}}, 30),
            std::optional<double>(0));
  EXPECT_FALSE(LargestCheckpointDue({{"chstream_wal_bytes 5\n", 0}}, 30));
}

TEST(WalHealthTest, ReadsTheWalFileAndEveryStoreMetricsFile) {
  TempDir dir;
  const std::string db = dir.File("h.db");
  {
    std::ofstream wal(db + "-wal");
    wal << std::string(5000, 'x');
  }
  const std::string metrics = dir.File("metrics");
  ASSERT_EQ(mkdir(metrics.c_str(), 0755), 0);
  const std::string files[] = {metrics + "/ch-store.prom", metrics + "/ch-store-officers.prom",
                               metrics + "/ch-fetch.prom", metrics + "/ch-store.prom.tmp.1"};
  const int dues[] = {3, 45, 600, 700};
  for (int i = 0; i < 4; ++i) {
    std::ofstream(files[i]) << "chstream_wal_checkpoint_due_seconds " << dues[i] << "\n";
  }
  WritePathLimits limits = WritePathLimits::Defaults();
  limits.wal_warn_bytes = 4000;
  const WalHealth wal = ReadWalHealth(db, metrics, limits);
  for (const std::string& f : files) std::remove(f.c_str());
  rmdir(metrics.c_str());
  EXPECT_EQ(wal.wal_bytes, std::optional<int64_t>(5000));
  ASSERT_TRUE(wal.checkpoint_due_seconds);
  EXPECT_GE(*wal.checkpoint_due_seconds, 45);
  EXPECT_LT(*wal.checkpoint_due_seconds, 100);
  EXPECT_EQ(wal.warn_bytes, 4000);
  // Without a metrics directory only the file is looked at.
  EXPECT_FALSE(ReadWalHealth(db, "", limits).checkpoint_due_seconds);
}

TEST(WalHealthTest, StatusCarriesTheFiguresAndTheProblem) {
  HealthInputs in;
  in.stream = "companies";
  in.database_exists = true;
  in.schema_version = in.schema_version_latest = 2;
  in.wal = Wal(1200000000, 61);
  const HealthReport report = EvaluateHealth(in);
  EXPECT_FALSE(report.healthy);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].rfind("WAL not reset by checkpoints for 61 s (1.20 GB)", 0), 0u);
  const std::string json = FormatStatusJson(in, report);
  EXPECT_NE(json.find(",\"wal_bytes\":1200000000,\"wal_checkpoint_due_seconds\":61,"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace ch
