// The SQL migrations embedded at build time (tests/tools/embed_migrations.sh
// generates the table from migrations/NNNN_name.sql). Each text holds an up
// part and a down part, separated by the marker lines "-- +up" and "-- +down".
#ifndef CH_STORE_MIGRATIONS_DATA_H_
#define CH_STORE_MIGRATIONS_DATA_H_

namespace ch {

struct EmbeddedMigration {
  int number;        // 1, 2, ...: the PRAGMA user_version after applying it
  const char* name;  // file name without .sql
  const char* sql;   // the whole file
};

extern const EmbeddedMigration kEmbeddedMigrations[];
extern const int kEmbeddedMigrationCount;

}  // namespace ch

#endif  // CH_STORE_MIGRATIONS_DATA_H_
