// ContractModel, and the applier compared with it: random record sequences
// far past every bound of the write path (made small: the state cache, the
// batch sizes, the checkpoint thresholds, the reading slots), in one run and
// across restarts, must leave exactly the tables the model says, change by
// change.
#include "ch-store/contract_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ch-store/apply_loop.h"
#include "ch-store/background_checkpointer.h"
#include "ch-store/record_source.h"
#include "ch-store/store_db.h"
#include "ch-store/test_records.h"
#include "ch-store/wal_write_coalescer.h"
#include "common/line_reader.h"
#include "common/metrics.h"

namespace ch {
namespace {

using testing_records::Bulk;
using testing_records::StoreFixture;
using testing_records::Stream;
using testing_records::TempDir;
using testing_records::TestCompany;

// Applies `lines` to the model as one committed transaction each.
void Feed(ContractModel* model, const std::vector<std::string>& lines) {
  RecordDecoder decoder("companies");
  for (const std::string& line : lines) {
    const Record& r = decoder.Decode(line);
    ASSERT_EQ(r.kind, RecordKind::kCompany) << line;
    model->Apply(r.company);
    model->Commit();
  }
}

TEST(ContractModelTest, ModelsTheRulesOfDesignMd) {
  ContractModel m;
  Feed(&m, {Bulk("2024-01-01", "00000001", "active").Line(),
            Stream(10, "2024-01-01T00:00:00Z", "00000001", "dissolved").Line(),  // a tie: stream
            Stream(10, "2024-01-05T00:00:00Z", "00000001", "active").Line(),     // seen already
            Bulk("2024-01-01", "00000001", "liquidation").Line(),                // not newer
            Stream(11, "2024-01-02T00:00:00Z", "00000002", std::nullopt, "x").Line(),
            Bulk("2024-01-03", "00000001", "active").Line()});
  ASSERT_EQ(m.changes().size(), 2u);
  EXPECT_EQ(ContractModel::Describe(m.changes()[0]),
            "00000001 at 10 ('2024-01-01T00:00:00Z'): 'active'/NULL -> 'dissolved'/NULL stream");
  EXPECT_EQ(ContractModel::Describe(m.changes()[1]),
            "00000001 at NULL ('2024-01-03T00:00:00Z'): 'dissolved'/NULL -> 'active'/NULL bulk");
  EXPECT_EQ(ContractModel::Describe(m.companies().at("00000002")),
            "name 'ACME LTD', status NULL, detail NULL, as_of '2024-01-02T00:00:00Z', source "
            "stream, deleted 0");
  EXPECT_EQ(m.checkpoint("companies"), 11);
}

TEST(ContractModelTest, RollbackForgetsTheOpenTransaction) {
  ContractModel m;
  Feed(&m, {Stream(1, "2024-01-01T00:00:00Z", "00000001").Line()});
  RecordDecoder decoder("companies");
  TestCompany deleted = Stream(3, "2024-01-01T00:00:01Z", "00000001");
  deleted.event_type = "deleted";
  for (const std::string& line : {Stream(2, "2024-01-01T00:00:01Z", "00000001", "dissolved").Line(),
                                  deleted.Line(), Stream(4, "2024-01-01T00:00:01Z", "9").Line()}) {
    m.Apply(decoder.Decode(line).company);
  }
  EXPECT_EQ(m.changes().size(), 3u);
  m.Rollback();
  EXPECT_EQ(m.changes().size(), 1u);
  EXPECT_EQ(m.companies().size(), 1u);
  EXPECT_EQ(m.companies().at("00000001").status, "active");
  EXPECT_FALSE(m.companies().at("00000001").deleted);
  EXPECT_EQ(m.checkpoint("companies"), 1);
}

// Random company records: many more companies than the small cache holds,
// status flips, re-publications, records without a status, deletes,
// duplicates and older timepoints, and snapshot rows among them.
class RecordGenerator {
 public:
  RecordGenerator(uint64_t seed, int companies) : rng_(seed), companies_(companies) {
    pairs_.resize(static_cast<size_t>(companies));
  }

  std::string Next() {
    const int r = Uniform(100);
    if (r < 4 && !recent_.empty()) return recent_[Uniform(static_cast<int>(recent_.size()))];
    const std::string number = Number();
    const int index = std::stoi(number.substr(2));
    std::pair<int, int>& pair = pairs_[static_cast<size_t>(index)];
    const int what = Uniform(100);
    if (what < 30) pair = {Uniform(kStatuses), Uniform(kDetails)};  // a flip
    const std::optional<std::string> status = kStatus[pair.first];
    const std::optional<std::string> detail = kDetail[pair.second];
    if (r < 12) {
      // A snapshot row, dated around the stream's own dates.
      const std::string date = "2024-01-0" + std::to_string(1 + Uniform(4));
      return Bulk(date, number, status ? status : std::string("active"), detail).Line();
    }
    tp_ += Uniform(10) == 0 ? 1 + Uniform(50) : 1;
    const std::string when = "2024-01-0" + std::to_string(1 + Uniform(4)) + "T00:00:0" +
                             std::to_string(Uniform(3)) + "Z";
    TestCompany c = Stream(tp_, when, number, status, detail);
    if (what >= 30 && what < 38) c.status.reset();  // an event without a status
    if (what >= 38 && what < 41) c.event_type = "deleted";
    if (what >= 41 && what < 44) c.name.reset();
    if (what >= 44 && what < 47) c.name = "RENAMED " + number;
    std::string line = c.Line();
    recent_.push_back(line);
    if (recent_.size() > 40) recent_.erase(recent_.begin());
    return line;
  }

  int Uniform(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

 private:
  static constexpr int kStatuses = 6;
  static constexpr int kDetails = 4;
  const std::optional<std::string> kStatus[kStatuses] = {
      std::string("active"),         std::string("dissolved"),    std::string("liquidation"),
      std::string("administration"), std::string("receivership"), std::nullopt};
  const std::optional<std::string> kDetail[kDetails] = {
      std::nullopt, std::nullopt, std::string("active-proposal-to-strike-off"),
      std::string("petition-to-restore-dissolved")};

  std::string Number() {
    // A fifth of the records go to a hot tenth of the companies.
    const int hot = companies_ / 10 > 0 ? companies_ / 10 : 1;
    const int i = Uniform(5) == 0 ? Uniform(hot) : Uniform(companies_);
    char text[16];
    std::snprintf(text, sizeof text, "SC%06d", i);
    return text;
  }

  std::mt19937_64 rng_;
  const int companies_;
  int64_t tp_ = 1000;
  std::vector<std::pair<int, int>> pairs_;
  std::vector<std::string> recent_;
};

// The applier alone, in memory, with a state cache of 8 companies: 30,000
// records over 2,000 companies in transactions of 1 to 60 records, a few
// rolled back, compared with the model after every 100th commit.
TEST(ApplierDifferentialTest, MatchesTheModelFarPastTheStateCacheBound) {
  for (const uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RecordApplier::Options options;
    options.state_cache_entries = 8;
    StoreFixture f(options);
    ContractModel model;
    RecordGenerator gen(seed, 2000);
    int commits = 0;
    for (int applied = 0; applied < 30000;) {
      ASSERT_TRUE(f.applier().Begin().ok());
      const int batch = 1 + gen.Uniform(60);
      for (int i = 0; i < batch; ++i, ++applied) {
        const std::string line = gen.Next();  // the record refers to it
        const Record& r = f.decoder().Decode(line);
        ASSERT_TRUE(f.applier().Apply(r).ok());
        model.Apply(r.company);
      }
      if (gen.Uniform(30) == 0) {
        f.applier().Rollback();
        model.Rollback();
      } else {
        ASSERT_TRUE(f.applier().Commit().ok());
        model.Commit();
      }
      if (++commits % 100 == 0) {
        ASSERT_EQ(model.CompareWith(&f.db()), "") << "commit " << commits;
      }
    }
    ASSERT_EQ(model.CompareWith(&f.db()), "");
    EXPECT_GT(model.changes().size(), 5000u);
  }
}

// ch-store's whole write path in this process, with every bound small: a
// pipe, the reading thread (3 slots, handing over 2 at a time), the apply
// loop (7 stream records, 11 bulk records a transaction), the applier (8
// companies remembered), the checkpoint thread (at 40 WAL frames, the writer
// itself at 120) and a 16 KiB WAL size limit, on a file. The input is
// applied in several runs, each a fresh "process" on the same file, each
// starting a little before the previous one ended (as a restart replays from
// an older point); the result must be the model's for the input in order.
class WritePath {
 public:
  explicit WritePath(const std::string& path) : path_(path) {}

  // Runs the write path over `lines` as one ch-store process would.
  void Run(const std::vector<std::string>& lines, uint64_t seed) {
    ASSERT_TRUE(InstallWalWriteCoalescer().ok());
    StatusOr<SqliteDb> db = OpenStoreForWriting(path_, 5000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    StatusOr<Migrator> migrator = Migrator::Embedded();
    ASSERT_TRUE(migrator.ok());
    ASSERT_TRUE(MigrateUp(&*db, *migrator).ok());
    ASSERT_TRUE(db->Exec("PRAGMA journal_size_limit = 16384").ok());
    RecordApplier::Options applier_options;
    applier_options.state_cache_entries = 8;
    StatusOr<std::unique_ptr<RecordApplier>> applier = RecordApplier::Create(&*db, applier_options);
    ASSERT_TRUE(applier.ok());
    BackgroundCheckpointer::Options checkpoint_options;
    checkpoint_options.start_frames = 40;
    checkpoint_options.inline_frames = 120;
    StatusOr<std::unique_ptr<BackgroundCheckpointer>> checkpointer =
        BackgroundCheckpointer::Start(path_, &*db, checkpoint_options);
    ASSERT_TRUE(checkpointer.ok());
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    // The writer pauses now and then, so that batches end on idle input too.
    std::thread writer([&lines, fd = fds[1], seed] {
      std::mt19937 rng(static_cast<unsigned>(seed));
      for (const std::string& line : lines) {
        const std::string text = line + "\n";
        if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) break;
        if (rng() % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
      }
      close(fd);
    });
    {
      LineReader reader(fds[0]);
      ThreadedRecordSource source(&reader, "companies", /*slots=*/3, /*wake_batch=*/2);
      Metrics metrics("", "ch-store");
      ApplyLoop::Options loop_options;
      loop_options.stream_batch_records = 7;
      loop_options.bulk_batch_records = 11;
      ApplyLoop loop(&source, applier->get(), nullptr, &metrics, loop_options);
      Status s = loop.Run();
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    writer.join();
    close(fds[0]);
    checkpointer->reset();
    applier->reset();
    ASSERT_TRUE(db->Close().ok());
  }

 private:
  std::string path_;
};

TEST(ApplierDifferentialTest, WholeWritePathWithSmallBoundsAcrossRestarts) {
  TempDir dir;
  const std::string path = dir.File("bounds.db");
  RecordGenerator gen(7, 1500);
  std::vector<std::string> lines;
  for (int i = 0; i < 12000; ++i) lines.push_back(gen.Next());
  ContractModel model;
  Feed(&model, lines);
  // Four runs; each after the first starts up to 300 lines before where the
  // previous one stopped.
  WritePath write_path(path);
  size_t begin = 0;
  for (const size_t end : {size_t{2500}, size_t{6100}, size_t{9000}, lines.size()}) {
    write_path.Run(std::vector<std::string>(lines.begin() + static_cast<long>(begin),
                                            lines.begin() + static_cast<long>(end)),
                   end);
    if (HasFatalFailure()) return;
    begin = end - std::min<size_t>(end, 1 + static_cast<size_t>(gen.Uniform(300)));
  }
  StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(model.CompareWith(&*db), "");
  EXPECT_GT(model.changes().size(), 2500u);
}

}  // namespace
}  // namespace ch
