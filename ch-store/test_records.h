// Test helpers for ch-store's unit tests: normalized record lines as ch-parse
// writes them (README.md "Record formats"), built from a few fields, and a
// migrated in-memory database with an applier, so a test reads as "these
// lines went in, this is what the tables hold".
#ifndef CH_STORE_TEST_RECORDS_H_
#define CH_STORE_TEST_RECORDS_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ch-store/migrator.h"
#include "ch-store/record_applier.h"
#include "ch-store/record_decoder.h"
#include "common/json.h"
#include "common/sqlite_db.h"

namespace ch {
namespace testing_records {

// One company record; unset optionals are written as null.
struct TestCompany {
  std::string source = "stream";
  std::optional<int64_t> timepoint;
  std::optional<std::string> published_at;  // also as_of for stream records
  std::optional<std::string> as_of;         // overrides
  std::string event_type = "changed";
  std::string number = "00000001";
  std::optional<std::string> name = std::string("ACME LTD");
  std::optional<std::string> status = std::string("active");
  std::optional<std::string> detail;
  std::optional<std::string> postal_code;
  std::vector<std::string> sic_codes;
  std::string data = "{\"company_number\":\"00000001\"}";
  std::string stream = "companies";

  std::string Line() const {
    auto text = [](std::string* out, const std::optional<std::string>& v) {
      if (v) {
        AppendJsonString(out, *v);
      } else {
        out->append("null");
      }
    };
    std::string s = "{\"kind\":\"company\",\"stream\":";
    AppendJsonString(&s, stream);
    s += ",\"source\":";
    AppendJsonString(&s, source);
    s += ",\"timepoint\":" + (timepoint ? std::to_string(*timepoint) : std::string("null"));
    s += ",\"published_at\":";
    text(&s, published_at);
    s += ",\"as_of\":";
    text(&s, as_of ? as_of : published_at);
    s += ",\"event_type\":";
    AppendJsonString(&s, event_type);
    s += ",\"company_number\":";
    AppendJsonString(&s, number);
    s += ",\"company_name\":";
    text(&s, name);
    s += ",\"company_status\":";
    text(&s, status);
    s += ",\"company_status_detail\":";
    text(&s, detail);
    s += ",\"company_status_raw\":";
    text(&s, status);
    s += ",\"type\":\"ltd\",\"jurisdiction\":\"england-wales\",\"date_of_creation\":\"2001-02-03\"";
    s += ",\"date_of_cessation\":null,\"registered_office_address\":{";
    if (postal_code) {
      s += "\"postal_code\":";
      AppendJsonString(&s, *postal_code);
    }
    s += "},\"sic_codes\":[";
    for (size_t i = 0; i < sic_codes.size(); ++i) {
      if (i > 0) s += ",";
      AppendJsonString(&s, sic_codes[i]);
    }
    s += "],\"data\":" + data + "}";
    return s;
  }
};

// A stream record: timepoint, published_at (= as_of), number, status, detail.
inline TestCompany Stream(int64_t timepoint, std::string published_at, std::string number,
                          std::optional<std::string> status = std::string("active"),
                          std::optional<std::string> detail = std::nullopt) {
  TestCompany c;
  c.timepoint = timepoint;
  c.published_at = std::move(published_at);
  c.number = std::move(number);
  c.status = std::move(status);
  c.detail = std::move(detail);
  return c;
}

// A bulk record of the snapshot dated `date` (as_of = date at 00:00Z).
inline TestCompany Bulk(const std::string& date, std::string number,
                        std::optional<std::string> status = std::string("active"),
                        std::optional<std::string> detail = std::nullopt) {
  TestCompany c;
  c.source = "bulk";
  c.as_of = date + "T00:00:00Z";
  c.number = std::move(number);
  c.status = std::move(status);
  c.detail = std::move(detail);
  return c;
}

inline std::string RejectLine(const std::string& raw, const std::string& reason = "invalid JSON",
                              const std::string& stream = "companies") {
  std::string s = "{\"kind\":\"reject\",\"stream\":";
  AppendJsonString(&s, stream);
  s += ",\"source\":\"stream\",\"timepoint\":null,\"reason\":";
  AppendJsonString(&s, reason);
  s += ",\"raw_length\":" + std::to_string(raw.size()) + ",\"raw_base64\":\"" + Base64Encode(raw) +
       "\"}";
  return s;
}

inline std::string GapLine(std::optional<int64_t> after,
                           const std::string& reason = "timepoint-out-of-range") {
  return "{\"gap\":{\"stream\":\"companies\",\"after_timepoint\":" +
         (after ? std::to_string(*after) : std::string("null")) + ",\"reason\":\"" + reason +
         "\"}}";
}

inline std::string SnapshotEndLine(const std::string& date, int64_t rows = 1) {
  return "{\"snapshot_end\":{\"stream\":\"companies\",\"as_of\":\"" + date +
         "\",\"rows\":" + std::to_string(rows) + "}}";
}

// A temporary directory, removed with its files (not subdirectories).
class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/ch-store-test.XXXXXX";
    const char* made = mkdtemp(templ);
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? made : "/tmp";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      for (const std::string& name : files_) std::remove((path_ + "/" + name + suffix).c_str());
    }
    rmdir(path_.c_str());
  }
  // A path in the directory, removed (with its -wal/-shm) at the end.
  std::string File(const std::string& name) {
    files_.push_back(name);
    return path_ + "/" + name;
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

// A migrated database (in memory unless `path` names a file) and the objects
// that write to it.
class StoreFixture {
 public:
  explicit StoreFixture(bool collect_changes = false, const std::string& path = ":memory:")
      : StoreFixture(OptionsCollecting(collect_changes), path) {}
  explicit StoreFixture(const RecordApplier::Options& options, const std::string& path = ":memory:")
      : decoder_("companies") {
    StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    EXPECT_TRUE(db.ok());
    db_ = std::move(db).value();
    StatusOr<Migrator> migrator = Migrator::Embedded();
    EXPECT_TRUE(migrator.ok());
    EXPECT_TRUE(migrator->MigrateTo(&db_, migrator->latest()).ok());
    StatusOr<std::unique_ptr<RecordApplier>> applier = RecordApplier::Create(&db_, options);
    EXPECT_TRUE(applier.ok()) << applier.status().ToString();
    applier_ = std::move(applier).value();
  }

  // Applies the lines in one transaction and commits.
  void ApplyAll(const std::vector<std::string>& lines) {
    ASSERT_TRUE(applier_->Begin().ok());
    for (const std::string& line : lines) {
      Status s = applier_->Apply(decoder_.Decode(line));
      ASSERT_TRUE(s.ok()) << s.ToString() << " for " << line;
    }
    Status s = applier_->Commit();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Apply(const std::string& line) { ApplyAll({line}); }

  // The rows of a query, each row's columns joined by '|', NULL as "NULL".
  std::vector<std::string> Rows(const std::string& sql) {
    std::vector<std::string> rows;
    StatusOr<Statement> stmt = db_.Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return rows;
    for (;;) {
      StatusOr<bool> row = stmt->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      std::string r;
      for (int i = 0; i < stmt->ColumnCount(); ++i) {
        if (i > 0) r += "|";
        r += stmt->ColumnIsNull(i) ? std::string("NULL") : std::string(stmt->ColumnText(i));
      }
      rows.push_back(r);
    }
    return rows;
  }
  std::string One(const std::string& sql) {
    std::vector<std::string> rows = Rows(sql);
    return rows.empty() ? std::string("<none>") : rows[0];
  }
  int64_t Count(const std::string& table) {
    return db_.QueryInt64("SELECT count(*) FROM " + table)->value_or(-1);
  }

  SqliteDb& db() { return db_; }
  RecordApplier& applier() { return *applier_; }

  static RecordApplier::Options OptionsCollecting(bool collect_changes) {
    RecordApplier::Options options;
    options.collect_changes = collect_changes;
    return options;
  }
  RecordDecoder& decoder() { return decoder_; }

 private:
  SqliteDb db_;
  RecordDecoder decoder_;
  std::unique_ptr<RecordApplier> applier_;
};

}  // namespace testing_records
}  // namespace ch

#endif  // CH_STORE_TEST_RECORDS_H_
