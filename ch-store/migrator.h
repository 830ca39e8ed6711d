// Migrator: brings the database schema to a wanted version with the numbered
// SQL migrations in migrations/ (embedded at build time). Each step, up or
// down, runs in one immediate transaction together with the new
// PRAGMA user_version, so a crash leaves the schema at a whole version. A
// database newer than this program knows is refused (configuration error,
// exit 78): writing to a schema we do not understand could corrupt it.
#ifndef CH_STORE_MIGRATOR_H_
#define CH_STORE_MIGRATOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

struct Migration {
  int number = 0;  // the user_version once applied
  std::string name;
  std::string up;
  std::string down;
};

// Splits one migration file into its up and down parts at the marker lines
// "-- +up" and "-- +down" (text before "-- +up" is a comment). Both markers
// are required, up before down.
StatusOr<Migration> ParseMigration(int number, std::string_view name, std::string_view text);

class Migrator {
 public:
  // REQUIRES: migrations numbered 1..N in order (see Validate()).
  explicit Migrator(std::vector<Migration> migrations) : migrations_(std::move(migrations)) {}

  // The migrations compiled into this binary.
  static StatusOr<Migrator> Embedded();

  // Checks the numbering (1, 2, ... without holes); an Internal error if not.
  Status Validate() const;

  // The newest schema version this binary knows.
  int latest() const { return static_cast<int>(migrations_.size()); }

  // PRAGMA user_version of `db`.
  static StatusOr<int> CurrentVersion(SqliteDb* db);

  // A Config error when `version` is newer than latest().
  Status CheckKnown(int version) const;

  // Migrates up or down, one transaction per step, until user_version is
  // `target`. The version is re-read inside each transaction, so two
  // processes migrating at once do not apply a step twice.
  // REQUIRES: 0 <= target <= latest().
  Status MigrateTo(SqliteDb* db, int target) const;

 private:
  std::vector<Migration> migrations_;
};

}  // namespace ch

#endif  // CH_STORE_MIGRATOR_H_
