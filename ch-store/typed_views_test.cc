// Typed tables that are views over `resources` (resource_applier.h,
// "Derived tables"; migrations/0008_typed_views.sql): their rows are the
// records' cells, kept in resources.typed_row, whatever the view's column
// order; the migration carries every row down to the tables and back; and a
// company's rows are found through the partial indexes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-store/migrator.h"
#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"

namespace ch {
namespace {

using testing_records::Filing;
using testing_records::JsonObject;
using testing_records::JsonText;
using testing_records::Officer;
using testing_records::StoreFixture;
using testing_records::TestResource;

// A view over resources whose row columns come in another order than the
// record's cells: typed_row follows the view.
TEST(TypedViewsTest, ADerivedTableNeedsNoCodeAndFollowsTheViewsColumnOrder) {
  StoreFixture f;
  ASSERT_TRUE(f.db()
                  .Exec("CREATE VIEW widgets AS SELECT resource_uri, company_number,"
                        " typed_row ->> 0 AS size, typed_row ->> 1 AS colour, deleted,"
                        " id AS resource_rowid FROM resources WHERE resource_kind = 'widget'"
                        " AND typed_row IS NOT NULL")
                  .ok());
  const std::string colour = "\"r\u00e9d\"\n\\";  // escaped in typed_row's JSON
  f.Apply(testing_records::Widget(colour).Line());
  EXPECT_EQ(f.One("SELECT colour, size, typeof(size), deleted, resource_rowid FROM widgets"),
            colour + "|3|integer|0|1");
  EXPECT_EQ(f.One("SELECT typed_row FROM resources"), "[3,\"\\\"r\u00e9d\\\"\\n\\\\\"]");
}

// A string is copied into typed_row as the line wrote it (escapes the
// encoder would not choose included) and reads back the same; off the fast
// path it is encoded again.
TEST(TypedViewsTest, AStringKeepsTheEscapesOfItsLineAndReadsBackDecoded) {
  StoreFixture f;
  ASSERT_TRUE(f.db()
                  .Exec("CREATE VIEW widgets AS SELECT resource_uri, company_number,"
                        " typed_row ->> 0 AS colour, typed_row ->> 1 AS size, deleted,"
                        " id AS resource_rowid FROM resources WHERE resource_kind = 'widget'"
                        " AND typed_row IS NOT NULL")
                  .ok());
  TestResource fast = testing_records::Widget("x");
  fast.rows = {"{\"colour\":\"A \\u0026 B\\/C\",\"size\":3}"};
  f.Apply(fast.Line());
  EXPECT_EQ(f.One("SELECT typed_row FROM resources"), "[\"A \\u0026 B\\/C\",3]");
  EXPECT_EQ(f.One("SELECT colour, size FROM widgets"), "A & B/C|3");

  TestResource full = fast;
  full.timepoint = 2;
  full.data = "{}";  // a record without data would keep the stored typed row
  std::string line = full.Line();
  const size_t at = line.find(",\"data\":{}}");
  ASSERT_NE(at, std::string::npos);
  line = "{\"data\":{}," + line.substr(1, at - 1) + "}";  // `data` first: the full parse
  f.Apply(line);
  EXPECT_EQ(f.One("SELECT typed_row FROM resources"), "[\"A & B/C\",3]");
  EXPECT_EQ(f.One("SELECT colour, size FROM widgets"), "A & B/C|3");
}

TEST(TypedViewsTest, MoreThanOneRowForAViewIsARejectAndNoneLeavesTheResourceOut) {
  StoreFixture f;
  TestResource two = Officer(1, "01234567", "a1", "SMITH, John", "director");
  two.rows.push_back(two.rows[0]);
  f.Apply(two.Line());
  EXPECT_EQ(f.Count("resources"), 0);
  EXPECT_EQ(f.applier().totals().rejects, 1u);
  EXPECT_EQ(f.One("SELECT reason FROM rejects"),
            "ch-store: table officers is a view over resources: 2 rows for one resource");
  TestResource none = Officer(2, "01234567", "a1", "SMITH, John", "director");
  none.rows.clear();
  f.Apply(none.Line());
  EXPECT_EQ(f.Count("resources"), 1);
  EXPECT_EQ(f.Count("officers"), 0);
}

// The update that keeps resource_kind and company_number (so that the
// partial indexes are not touched) falls back to the one that sets them.
TEST(TypedViewsTest, AStoredKindOrCompanyNumberThatDiffersIsSetAgain) {
  StoreFixture f;
  f.Apply(Officer(1, "01234567", "a1", "SMITH, John", "director").Line());
  ASSERT_TRUE(f.db().Exec("UPDATE resources SET company_number = 'OTHER'").ok());
  f.Apply(Officer(2, "01234567", "a1", "SMITH, Jane", "director").Line());
  EXPECT_EQ(f.One("SELECT company_number, name FROM officers"), "01234567|SMITH, Jane");
  ASSERT_TRUE(f.db().Exec("UPDATE resources SET resource_kind = 'other'").ok());
  EXPECT_EQ(f.Count("officers"), 0);
  f.Apply(Officer(3, "01234567", "a1", "SMITH, Joan", "director").Line());
  EXPECT_EQ(f.One("SELECT company_number, name FROM officers"), "01234567|SMITH, Joan");
  // A record older than the stored state (past the checkpoint all the
  // same) loses against both statements, and changes nothing.
  ASSERT_TRUE(f.db().Exec("UPDATE resources SET company_number = 'OTHER', timepoint = 10").ok());
  f.Apply(Officer(4, "01234567", "a1", "SMITH, Jo", "director").Line());
  EXPECT_EQ(f.applier().totals().superseded, 1u);
  EXPECT_EQ(f.One("SELECT company_number, name FROM officers"), "OTHER|SMITH, Joan");
  EXPECT_EQ(f.One("SELECT count(*) FROM resources"), "1");
  EXPECT_EQ(f.One("PRAGMA integrity_check"), "ok");
}

// Down to schema 7 the views become the tables they were, with the same
// rows (typed by the tables' affinity again), and up again the same views.
TEST(TypedViewsTest, MigratingDownAndUpKeepsEveryRow) {
  StoreFixture f;
  TestResource deleted_unseen = Officer(3, "07654321", "gone", "X", "director");
  deleted_unseen.event_type = "deleted";
  deleted_unseen.data.reset();
  deleted_unseen.rows = {JsonObject({{"appointment_id", JsonText(std::string("gone"))}})};
  f.ApplyAll({Officer(1, "01234567", "a1", "O'NEIL, \"Jo\"", "director").Line(),
              Officer(2, "01234567", "a2", "SMITH, Jane", "secretary", "2024-06-01").Line(),
              deleted_unseen.Line(),
              Filing(4, "2024-05-02T10:00:00Z", "01234567", "t1", "DS01", "2024-05-01").Line()});
  const char kOfficers[] = "SELECT *, typeof(date_of_birth_year) FROM officers ORDER BY 1";
  const char kFilings[] = "SELECT *, typeof(pages) FROM filings ORDER BY 1";
  const std::vector<std::string> officers = f.Rows(kOfficers);
  const std::vector<std::string> filings = f.Rows(kFilings);
  ASSERT_EQ(officers.size(), 3u);
  EXPECT_EQ(officers[0],
            "/company/01234567/appointments/a1|01234567|a1|O'NEIL, \"Jo\"|director|2010-01-01|"
            "NULL|NULL|NULL|NULL|3|1970|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|1|integer");
  EXPECT_EQ(officers[2],
            "/company/07654321/appointments/gone|07654321|gone|NULL|NULL|NULL|NULL|NULL|NULL|"
            "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1|3|null");
  ASSERT_EQ(filings.size(), 1u);

  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->MigrateTo(&f.db(), 7).ok());
  EXPECT_EQ(f.One("SELECT group_concat(type || ' ' || name, ', ') FROM sqlite_schema"
                  " WHERE name IN ('officers', 'filings')"),
            "table filings, table officers");
  EXPECT_EQ(f.Rows(kOfficers), officers);
  EXPECT_EQ(f.Rows(kFilings), filings);
  EXPECT_EQ(f.One("SELECT count(*) FROM pragma_table_info('resources') WHERE name = 'typed_row'"),
            "0");

  ASSERT_TRUE(m->MigrateTo(&f.db(), m->latest()).ok());
  EXPECT_EQ(f.One("SELECT group_concat(type || ' ' || name, ', ') FROM sqlite_schema"
                  " WHERE name IN ('officers', 'filings')"),
            "view filings, view officers");
  EXPECT_EQ(f.Rows(kOfficers), officers);
  EXPECT_EQ(f.Rows(kFilings), filings);
  EXPECT_EQ(f.One("PRAGMA integrity_check"), "ok");
}

// A company's officers and filings, and the leads view's people to contact,
// are read through the partial indexes, not a scan of every resource.
TEST(TypedViewsTest, ACompanysRowsAreFoundThroughThePartialIndexes) {
  StoreFixture f;
  const auto plan = [&f](const std::string& sql) {
    std::string all;
    for (const std::string& row : f.Rows("EXPLAIN QUERY PLAN " + sql)) all += row + "\n";
    return all;
  };
  EXPECT_NE(plan("SELECT * FROM officers WHERE company_number = '01234567'")
                .find("USING INDEX resources_officers_company_number"),
            std::string::npos);
  EXPECT_NE(plan("SELECT * FROM filings WHERE company_number = '01234567'")
                .find("USING INDEX resources_filings_company_number"),
            std::string::npos);
  EXPECT_NE(
      plan("SELECT officers FROM leads").find("USING INDEX resources_officers_company_number"),
      std::string::npos);
}

}  // namespace
}  // namespace ch
