#include "ch-store/stream_health.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::StoreFixture;
using testing_records::TempDir;

TEST(StreamHealthTest, ParsesAListOfStreamsOrAll) {
  StatusOr<std::vector<std::string>> two = ParseStreamList("filings, officers,filings");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, (std::vector<std::string>{"filings", "officers"}));
  StatusOr<std::vector<std::string>> all = ParseStreamList("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 9u);
  EXPECT_EQ(all->front(), "companies");
  StatusOr<std::vector<std::string>> unknown = ParseStreamList("companies,filing");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'filing'"), std::string::npos);
  EXPECT_FALSE(ParseStreamList("").ok());
  EXPECT_FALSE(ParseStreamList("companies,,filings").ok());
}

// By default: the streams with a checkpoint or an open gap, those a
// chain-stopped marker names (a stream stopped by a 404 has neither), and
// --stream, which comes first.
TEST(StreamHealthTest, FollowsTheStreamsTheDatabaseAndTheMarkersName) {
  TempDir dir;
  const std::string db_path = dir.File("x.db");
  StoreFixture f;
  ASSERT_TRUE(f.db()
                  .Exec("INSERT INTO stream_state (stream, timepoint) VALUES ('officers', 5),"
                        " ('charges', NULL);"
                        "INSERT INTO gaps (stream, after_timepoint, detected_at, reason)"
                        " VALUES ('filings', NULL, '2026-01-01T00:00:00Z', 'started-live');"
                        "INSERT INTO gaps (stream, after_timepoint, detected_at, reason, healed_by)"
                        " VALUES ('disqualified-officers', 1, '2026-01-01T00:00:00Z', 'x', 's')")
                  .ok());
  std::ofstream(dir.File("x.db.insolvency-cases.stopped"))
      << "{\"stream\":\"insolvency-cases\",\"code\":78,\"stage\":\"ch-fetch\",\"time\":"
         "\"2026-01-02T03:04:05Z\"}\n";
  StatusOr<std::vector<std::string>> followed =
      FollowedStreams(&f.db(), db_path, "companies", std::nullopt);
  ASSERT_TRUE(followed.ok()) << followed.status().ToString();
  EXPECT_EQ(*followed,
            (std::vector<std::string>{"companies", "filings", "insolvency-cases", "officers"}));
  followed = FollowedStreams(&f.db(), db_path, "companies", std::string("charges"));
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(*followed, std::vector<std::string>{"charges"});
  // A stream named by --stream is judged too, first (an independent run:
  // status --stream officers with CH_STREAMS=companies,filings reported
  // officers' open gap as healthy); the default one is not.
  followed = FollowedStreams(&f.db(), db_path, "officers", std::string("companies,filings"),
                             /*main_named=*/true);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(*followed, (std::vector<std::string>{"officers", "companies", "filings"}));
  followed = FollowedStreams(&f.db(), db_path, "filings", std::string("companies,filings"),
                             /*main_named=*/true);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(*followed, (std::vector<std::string>{"companies", "filings"}));
  followed = FollowedStreams(nullptr, db_path, "filings", std::nullopt);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(*followed, (std::vector<std::string>{"filings", "insolvency-cases"}));
}

TEST(StreamHealthTest, ReadsTheChainStoppedMarker) {
  TempDir dir;
  const std::string db_path = dir.File("x.db");
  EXPECT_FALSE(ReadChainStopped(db_path, "officers").has_value());
  std::ofstream(dir.File("x.db.officers.stopped"))
      << "{\"stream\":\"officers\",\"code\":78,\"stage\":\"ch-fetch\",\"time\":"
         "\"2026-01-02T03:04:05Z\"}\n";
  std::optional<ChainStopped> stopped = ReadChainStopped(db_path, "officers");
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(stopped->code, 78);
  EXPECT_EQ(stopped->stage, "ch-fetch");
  EXPECT_EQ(stopped->time, "2026-01-02T03:04:05Z");
  // Unreadable content still says the chain stopped.
  std::ofstream(dir.File("x.db.filings.stopped")) << "garbage";
  stopped = ReadChainStopped(db_path, "filings");
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(stopped->code, 0);
}

TEST(StreamHealthTest, ReadsEachStreamsOwnFigures) {
  StoreFixture f;
  ASSERT_TRUE(f.db()
                  .Exec("INSERT INTO stream_state (stream, timepoint, last_event_published_at,"
                        " last_commit_at) VALUES ('officers', 7, '2026-01-01T00:00:00Z',"
                        " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"
                        "INSERT INTO gaps (stream, after_timepoint, detected_at, reason)"
                        " VALUES ('officers', 3, '2026-01-01T00:00:00Z', 'timepoint-out-of-range')")
                  .ok());
  StreamHealth officers;
  officers.stream = "officers";
  ASSERT_TRUE(ReadStreamHealth(&f.db(), &officers).ok());
  EXPECT_EQ(officers.checkpoint, 7);
  EXPECT_EQ(officers.last_event_published_at, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(officers.last_commit_age_seconds.has_value());
  EXPECT_LT(*officers.last_commit_age_seconds, 60);
  EXPECT_EQ(officers.gaps_open, 1);
  StreamHealth companies;
  companies.stream = "companies";
  ASSERT_TRUE(ReadStreamHealth(&f.db(), &companies).ok());
  EXPECT_FALSE(companies.checkpoint.has_value());
  EXPECT_EQ(companies.gaps_open, 0);
}

}  // namespace
}  // namespace ch
