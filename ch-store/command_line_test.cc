#include "ch-store/command_line.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

namespace ch {
namespace {

// Parses a command line given as words (program name added), in a clean
// environment.
std::optional<int> Parse(std::vector<std::string> words, StoreOptions* options) {
  for (const char* env : {"CH_DB", "CH_STREAM", "CH_BUSY_TIMEOUT", "CH_MAX_COMMIT_AGE",
                          "CH_LOG_LEVEL", "CH_METRICS_DIR", "CH_MAX_LINE_BYTES"}) {
    unsetenv(env);
  }
  words.insert(words.begin(), "ch-store");
  std::vector<char*> argv;
  argv.reserve(words.size());
  for (std::string& w : words) argv.push_back(w.data());
  return ParseStoreCommandLine(static_cast<int>(argv.size()), argv.data(), options);
}

TEST(CommandLineTest, NoCommandMeansApplyWithDefaults) {
  StoreOptions o;
  EXPECT_EQ(Parse({}, &o), std::nullopt);
  EXPECT_EQ(o.command, StoreCommand::kApply);
  EXPECT_EQ(o.db, "companies.db");
  EXPECT_EQ(o.stream, "companies");
  EXPECT_FALSE(o.emit_changes);
  EXPECT_EQ(o.max_line_bytes, 8 << 20);  // ch-parse's default line cap
  StoreOptions e;
  EXPECT_EQ(Parse({"--db", "x.db", "--emit-changes", "--max-line-bytes", "1000", "apply"}, &e),
            std::nullopt);
  EXPECT_TRUE(e.emit_changes);
  EXPECT_EQ(e.db, "x.db");
  EXPECT_EQ(e.max_line_bytes, 1000);
}

TEST(CommandLineTest, CommandsAndTheirOptions) {
  StoreOptions leads;
  EXPECT_EQ(
      Parse({"leads", "--after-id", "42", "--since", "2024-03-01", "--format", "ndjson"}, &leads),
      std::nullopt);
  EXPECT_EQ(leads.command, StoreCommand::kLeads);
  EXPECT_EQ(leads.after_id, 42);
  EXPECT_EQ(leads.since, "2024-03-01T00:00:00Z");
  EXPECT_EQ(leads.format, "ndjson");
  StoreOptions migrate;
  EXPECT_EQ(Parse({"migrate", "--to", "0"}, &migrate), std::nullopt);
  EXPECT_EQ(migrate.to, 0);
  StoreOptions prune;
  EXPECT_EQ(Parse({"--rejects-older-than", "30", "prune"}, &prune), std::nullopt);
  EXPECT_EQ(prune.rejects_older_than_days, 30.0);
  StoreOptions status;
  EXPECT_EQ(Parse({"status", "--max-commit-age", "300", "--stream", "test"}, &status),
            std::nullopt);
  EXPECT_EQ(status.max_commit_age_seconds, 300.0);
  EXPECT_EQ(status.stream, "test");
  EXPECT_EQ(status.max_silence_seconds, 180.0);
  StoreOptions silence;
  EXPECT_EQ(Parse({"status", "--max-silence", "2.5"}, &silence), std::nullopt);
  EXPECT_EQ(silence.max_silence_seconds, 2.5);
  StoreOptions since;
  EXPECT_EQ(Parse({"leads", "--since", "2024-03-01T10:11:12+01:00"}, &since), std::nullopt);
  EXPECT_EQ(since.since, "2024-03-01T09:11:12Z");
}

TEST(CommandLineTest, UsageErrorsAre64) {
  for (const std::vector<std::string>& words :
       std::vector<std::vector<std::string>>{{"frobnicate"},
                                             {"status", "extra"},
                                             {"--no-such-flag"},
                                             {"status", "--emit-changes"},
                                             {"apply", "--after-id", "3"},
                                             {"checkpoint", "--format", "csv"},
                                             {"leads", "--to", "1"},
                                             {"prune"},
                                             {"leads", "--after-id"}}) {
    StoreOptions o;
    EXPECT_EQ(Parse(words, &o), 64) << words[0];
  }
}

TEST(CommandLineTest, InvalidValuesAre78) {
  for (const std::vector<std::string>& words :
       std::vector<std::vector<std::string>>{{"leads", "--format", "xml"},
                                             {"leads", "--since", "yesterday"},
                                             {"leads", "--since", "2024-02-30"},
                                             {"leads", "--after-id", "abc"},
                                             {"status", "--max-commit-age", "0"},
                                             {"status", "--max-silence", "0"},
                                             {"status", "--max-silence", "soon"},
                                             {"prune", "--rejects-older-than", "-1"},
                                             {"--db", ""},
                                             // A directory: "disk I/O error", 74, before.
                                             {"--db", "/tmp"},
                                             {"status", "--db", "/tmp"},
                                             {"leads", "--db", "/"},
                                             // It names ch-store-<stream>.prom.
                                             {"--stream", "../x"},
                                             {"--stream", "a b"},
                                             {"--busy-timeout", "soon"},
                                             {"--max-line-bytes", "0"},
                                             {"--max-line-bytes", "1073741825"}}) {
    StoreOptions o;
    EXPECT_EQ(Parse(words, &o), 78) << words[0] << " " << words[1];
  }
}

TEST(CommandLineTest, EnvironmentConfiguresAndFlagsWin) {
  StoreOptions o;
  std::vector<std::string> words = {"ch-store", "--stream", "flag"};
  std::vector<char*> argv;
  argv.reserve(words.size());
  for (std::string& w : words) argv.push_back(w.data());
  setenv("CH_DB", "env.db", 1);
  setenv("CH_STREAM", "env", 1);
  EXPECT_EQ(ParseStoreCommandLine(static_cast<int>(argv.size()), argv.data(), &o), std::nullopt);
  unsetenv("CH_DB");
  unsetenv("CH_STREAM");
  EXPECT_EQ(o.db, "env.db");
  EXPECT_EQ(o.stream, "flag");
}

TEST(CommandLineTest, HelpAndVersionExitZero) {
  StoreOptions o;
  EXPECT_EQ(Parse({"--version"}, &o), 0);
  EXPECT_EQ(Parse({"--help"}, &o), 0);
}

}  // namespace
}  // namespace ch
