// StreamHealth: see stream_health.h.
#include "ch-store/stream_health.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "common/json.h"

namespace ch {

namespace {

std::string Trimmed(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& KnownStreams() {
  static const std::vector<std::string> streams = {
      "companies",
      "filings",
      "officers",
      "persons-with-significant-control",
      "persons-with-significant-control-statements",
      "charges",
      "insolvency-cases",
      "disqualified-officers",
      "company-exemptions",
  };
  return streams;
}

StatusOr<std::vector<std::string>> ParseStreamList(const std::string& text) {
  if (Trimmed(text) == "all") return KnownStreams();
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    name = Trimmed(name);
    const auto& known = KnownStreams();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::Config("unknown stream '" + name + "' (the streams: all, or " +
                            "companies, filings, officers, ...)");
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  if (out.empty()) return Status::Config("no stream named");
  return out;
}

std::string ChainStoppedPath(const std::string& db, const std::string& stream) {
  return db + "." + stream + ".stopped";
}

std::optional<ChainStopped> ReadChainStopped(const std::string& db, const std::string& stream) {
  std::ifstream in(ChainStoppedPath(db, stream));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  ChainStopped stopped;
  std::string line = text.str();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  rapidjson::Document doc;
  if (ParseJson(line, &doc).ok() && doc.IsObject()) {
    if (const rapidjson::Value* code = FindMember(doc, "code"); code && code->IsNumber()) {
      stopped.code = static_cast<int>(code->GetDouble());
    }
    if (std::optional<std::string_view> stage = GetString(doc, "stage")) stopped.stage = *stage;
    if (std::optional<std::string_view> time = GetString(doc, "time")) stopped.time = *time;
  }
  return stopped;
}

std::vector<std::string> StreamsWithMarkers(const std::string& db) {
  std::vector<std::string> out;
  for (const std::string& stream : KnownStreams()) {
    std::ifstream in(ChainStoppedPath(db, stream));
    if (in) out.push_back(stream);
  }
  return out;
}

StatusOr<std::vector<std::string>> FollowedStreams(SqliteDb* db, const std::string& db_path,
                                                   const std::string& main,
                                                   const std::optional<std::string>& given,
                                                   bool main_named) {
  if (given) {
    StatusOr<std::vector<std::string>> list = ParseStreamList(*given);
    if (list.ok() && main_named && std::find(list->begin(), list->end(), main) == list->end())
      list->insert(list->begin(), main);
    return list;
  }
  std::set<std::string> others;
  if (db != nullptr) {
    StatusOr<Statement> rows = db->Prepare(
        "SELECT stream FROM stream_state WHERE timepoint IS NOT NULL"
        " UNION SELECT stream FROM gaps WHERE healed_by IS NULL");
    if (!rows.ok()) return rows.status();
    for (;;) {
      StatusOr<bool> row = rows->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      others.insert(std::string(rows->ColumnText(0)));
    }
  }
  for (const std::string& stream : StreamsWithMarkers(db_path)) others.insert(stream);
  others.erase(main);
  std::vector<std::string> out = {main};
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

Status ReadStreamHealth(SqliteDb* db, StreamHealth* health) {
  StatusOr<Statement> state = db->Prepare(
      "SELECT timepoint, last_event_published_at, last_commit_at,"
      " (julianday('now') - julianday(last_commit_at)) * 86400.0"
      " FROM stream_state WHERE stream = ?1");
  if (!state.ok()) return state.status();
  Status s = state->BindText(1, health->stream);
  if (!s.ok()) return s;
  StatusOr<bool> row = state->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    health->checkpoint = state->ColumnOptionalInt64(0);
    health->last_event_published_at = state->ColumnOptionalText(1);
    health->last_commit_at = state->ColumnOptionalText(2);
    if (!state->ColumnIsNull(3)) health->last_commit_age_seconds = state->ColumnDouble(3);
  }
  StatusOr<Statement> gaps =
      db->Prepare("SELECT count(*) FROM gaps WHERE stream = ?1 AND healed_by IS NULL");
  if (!gaps.ok()) return gaps.status();
  s = gaps->BindText(1, health->stream);
  if (!s.ok()) return s;
  row = gaps->Step();
  if (!row.ok()) return row.status();
  health->gaps_open = gaps->ColumnInt64(0);
  return Status::Ok();
}

}  // namespace ch
