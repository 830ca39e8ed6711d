// Migrator: see migrator.h.
#include "ch-store/migrator.h"

#include "ch-store/migrations_data.h"
#include "common/log.h"

namespace ch {

namespace {

constexpr std::string_view kUpMarker = "-- +up";
constexpr std::string_view kDownMarker = "-- +down";

// Offset of the line that is exactly `marker` (trailing blanks allowed), or npos.
size_t FindMarkerLine(std::string_view text, std::string_view marker) {
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_start, line_end - line_start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line == marker) return line_start;
    line_start = line_end + 1;
  }
  return std::string_view::npos;
}

size_t EndOfLine(std::string_view text, size_t pos) {
  const size_t nl = text.find('\n', pos);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

}  // namespace

StatusOr<Migration> ParseMigration(int number, std::string_view name, std::string_view text) {
  const size_t up = FindMarkerLine(text, kUpMarker);
  const size_t down = FindMarkerLine(text, kDownMarker);
  if (up == std::string_view::npos || down == std::string_view::npos || down < up) {
    return Status::Internal("migration " + std::string(name) +
                            ": needs a '-- +up' line, then a '-- +down' line");
  }
  Migration m;
  m.number = number;
  m.name = std::string(name);
  const size_t up_body = EndOfLine(text, up);
  m.up = std::string(text.substr(up_body, down - up_body));
  m.down = std::string(text.substr(EndOfLine(text, down)));
  return m;
}

StatusOr<Migrator> Migrator::Embedded() {
  std::vector<Migration> migrations;
  for (int i = 0; i < kEmbeddedMigrationCount; ++i) {
    const EmbeddedMigration& e = kEmbeddedMigrations[i];
    StatusOr<Migration> m = ParseMigration(e.number, e.name, e.sql);
    if (!m.ok()) return m.status();
    migrations.push_back(std::move(m).value());
  }
  Migrator migrator(std::move(migrations));
  Status s = migrator.Validate();
  if (!s.ok()) return s;
  return migrator;
}

Status Migrator::Validate() const {
  for (size_t i = 0; i < migrations_.size(); ++i) {
    if (migrations_[i].number != static_cast<int>(i) + 1) {
      return Status::Internal("migration " + migrations_[i].name + " is numbered " +
                              std::to_string(migrations_[i].number) + ", expected " +
                              std::to_string(i + 1));
    }
  }
  return Status::Ok();
}

StatusOr<int> Migrator::CurrentVersion(SqliteDb* db) {
  StatusOr<std::optional<int64_t>> v = db->QueryInt64("PRAGMA user_version");
  if (!v.ok()) return v.status();
  return static_cast<int>(v->value_or(0));
}

Status Migrator::CheckKnown(int version) const {
  if (version > latest()) {
    return Status::Config("database schema version " + std::to_string(version) +
                          " is newer than this ch-store knows (" + std::to_string(latest()) +
                          "): use a newer ch-store, or migrate down with the one that wrote it");
  }
  if (version < 0)
    return Status::Config("database schema version " + std::to_string(version) + " is invalid");
  return Status::Ok();
}

Status Migrator::MigrateTo(SqliteDb* db, int target) const {
  if (target < 0 || target > latest()) {
    return Status::Config("no schema version " + std::to_string(target) +
                          " (this ch-store knows 0.." + std::to_string(latest()) + ")");
  }
  for (;;) {
    StatusOr<Transaction> txn = Transaction::Begin(db);
    if (!txn.ok()) return txn.status().Annotate("migrate");
    StatusOr<int> current = CurrentVersion(db);
    if (!current.ok()) return current.status();
    Status s = CheckKnown(*current);
    if (!s.ok()) return s;
    if (*current == target) return txn->Commit();
    const bool up = *current < target;
    const Migration& m = migrations_[up ? *current : *current - 1];
    const int next = up ? *current + 1 : *current - 1;
    s = db->Exec(up ? m.up : m.down);
    if (s.ok()) s = db->Exec("PRAGMA user_version = " + std::to_string(next));
    if (s.ok()) s = txn->Commit();
    if (!s.ok()) return s.Annotate(std::string("migration ") + m.name + (up ? " up" : " down"));
    LogInfo(up ? "migrated up" : "migrated down",
            {{"migration", m.name}, {"schema_version", next}});
  }
}

}  // namespace ch
