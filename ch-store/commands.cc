// The commands of ch-store: see commands.h.
#include "ch-store/commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "ch-store/apply_loop.h"
#include "ch-store/background_checkpointer.h"
#include "ch-store/health.h"
#include "ch-store/leads.h"
#include "ch-store/migrator.h"
#include "ch-store/record_applier.h"
#include "ch-store/record_decoder.h"
#include "ch-store/record_source.h"
#include "ch-store/store_db.h"
#include "ch-store/wal_watch.h"
#include "ch-store/wal_write_coalescer.h"
#include "ch-store/write_path_limits.h"
#include "ch-store/writer_queue.h"
#include "common/exit_code.h"
#include "common/line_reader.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/output_writer.h"
#include "common/signals.h"

namespace ch {

namespace {

constexpr int kInputPipeBytes = 1 << 20;

}  // namespace

int ExitWithError(const Status& status) {
  LogError(status.message(), {{"error", status.ToString()}});
  return ExitCodeFor(status);
}

int RunStoreCommand(const StoreOptions& options) {
  switch (options.command) {
    case StoreCommand::kApply:
      return RunApply(options);
    case StoreCommand::kCheckpoint:
      return RunCheckpoint(options);
    case StoreCommand::kStatus:
      return RunStatus(options);
    case StoreCommand::kLeads:
      return RunLeads(options);
    case StoreCommand::kMigrate:
      return RunMigrate(options);
    case StoreCommand::kPrune:
      return RunPrune(options);
  }
  return kExitSoftware;
}

int RunApply(const StoreOptions& options) {
  TuneSqliteForOneWriter();
  StatusOr<WritePathLimits> limits = WritePathLimits::FromEnvironment();
  if (!limits.ok()) return ExitWithError(limits.status());
  StatusOr<Migrator> migrator = Migrator::Embedded();
  if (!migrator.ok()) return ExitWithError(migrator.status());
  Status installed = InstallWalWriteCoalescer();
  if (!installed.ok()) return ExitWithError(installed);
  StatusOr<SqliteDb> db = OpenStoreForWriting(options.db, options.busy_timeout_ms);
  if (!db.ok()) return ExitWithError(db.status());
  Status s = MigrateUp(&*db, *migrator);
  if (s.ok()) s = ApplyTestLimits(&*db);
  if (s.ok() && !(*limits == WritePathLimits::Defaults())) {
    LogWarn("test limits: the write path's bounds are not the release ones",
            {{"CH_TEST_LIMITS", std::getenv("CH_TEST_LIMITS")}});
    // Before the checkpoint thread installs its hook, which the
    // wal_autocheckpoint pragma would replace.
    s = db->Exec(
        "PRAGMA journal_size_limit = " + std::to_string(limits->journal_size_limit_bytes) +
        "; PRAGMA wal_autocheckpoint = " + std::to_string(limits->wal_autocheckpoint_frames) + ";");
  }
  if (!s.ok()) return ExitWithError(s);

  // Other ch-store processes (one per stream) may write this database:
  // take turns with them (writer_queue.h). CH_TEST_NO_WRITER_QUEUE=1 leaves
  // SQLite's own busy handler alone, to measure what the queue is for.
  std::unique_ptr<WriterQueue> writer_queue;
  const char* no_queue = std::getenv("CH_TEST_NO_WRITER_QUEUE");
  if (options.db != ":memory:" && (no_queue == nullptr || std::string(no_queue) != "1")) {
    WriterQueue::Options queue_options;
    queue_options.busy_timeout_ms = options.busy_timeout_ms;
    StatusOr<std::unique_ptr<WriterQueue>> queue =
        WriterQueue::Open(options.db + "-writers", &*db, queue_options);
    if (queue.ok()) {
      writer_queue = std::move(queue).value();
    } else {
      // Writing still works, only without taking turns fairly.
      LogWarn("writers do not take turns", {{"error", queue.status().ToString()}});
    }
  }
  RecordApplier::Options applier_options;
  applier_options.collect_changes = options.emit_changes;
  applier_options.writer_queue = writer_queue.get();
  applier_options.state_cache_entries = limits->state_cache_entries;
  applier_options.resource_id_buckets = limits->resource_id_buckets;
  StatusOr<std::unique_ptr<RecordApplier>> applier = RecordApplier::Create(&*db, applier_options);
  if (!applier.ok()) return ExitWithError(applier.status());
  // A first PSC snapshot import that stopped before its end left its index
  // unbuilt (deferred_psc_index.h): readers need it.
  s = (*applier)->EnsurePscIndex();
  if (!s.ok()) return ExitWithError(s);
  // A 1 MiB pipe (Linux allows it unprivileged) lets ch-parse run ~500
  // records ahead instead of ~30, so the two stages stop less often to wait
  // for each other. Not a pipe, or not allowed: nothing to do.
  (void)fcntl(STDIN_FILENO, F_SETPIPE_SZ, kInputPipeBytes);
  // Checkpoints run on a thread of their own (see background_checkpointer.h);
  // without it SQLite checkpoints inline, as it always does.
  std::unique_ptr<BackgroundCheckpointer> checkpointer;
  if (options.db != ":memory:") {
    BackgroundCheckpointer::Options checkpointer_options;
    checkpointer_options.start_frames = limits->checkpoint_start_frames;
    checkpointer_options.inline_frames = limits->checkpoint_inline_frames;
    WriterQueue* queue = writer_queue.get();
    const int busy_timeout_ms = options.busy_timeout_ms;
    checkpointer_options.restore_busy_handler = [queue, busy_timeout_ms](sqlite3* writer) {
      if (queue != nullptr) {
        queue->InstallBusyHandler();
      } else {
        sqlite3_busy_timeout(writer, busy_timeout_ms);
      }
    };
    StatusOr<std::unique_ptr<BackgroundCheckpointer>> started =
        BackgroundCheckpointer::Start(options.db, &*db, checkpointer_options);
    if (started.ok()) {
      checkpointer = std::move(started).value();
    } else {
      LogWarn("checkpoints stay inline", {{"error", started.status().ToString()}});
    }
  }
  LineReader::Options reader_options;
  reader_options.max_line_bytes =
      static_cast<size_t>(options.max_line_bytes) * LineReader::kRecordBytesPerLineByte;
  LineReader reader(STDIN_FILENO, reader_options);
  // Reading and decoding run on a second thread (see record_source.h).
  std::optional<ThreadedRecordSource> source(std::in_place, &reader, options.stream,
                                             limits->reader_slots, limits->reader_wake_batch);
  OutputWriter out(STDOUT_FILENO);
  Metrics metrics(options.common.metrics_dir, "ch-store", options.stream);
  if (metrics.enabled()) {
    metrics.Set(
        "output_blocked_seconds", 0,
        "seconds the current write to stdout has waited for the notifier to read (0: not blocked)");
    if (options.emit_changes) {
      // Blocked on the notifier: keep the metrics fresh and say so.
      out.SetBlockedHandler([&metrics](double seconds) {
        metrics.Set("output_blocked_seconds", seconds);
        (void)metrics.Write();
      });
    }
  }
  ApplyLoop::Options loop_options;
  loop_options.stream_batch_records = limits->stream_batch_records;
  loop_options.bulk_batch_records = limits->bulk_batch_records;
  ApplyLoop loop(&*source, applier->get(), options.emit_changes ? &out : nullptr, &metrics,
                 loop_options);
  // Says when checkpoints stop resetting the WAL (a reader holding a
  // transaction open), as a metric and a warn line (wal_watch.h).
  std::optional<WalWatch> wal_watch;
  if (checkpointer) {
    StatusOr<std::optional<int64_t>> page_size = db->QueryInt64("PRAGMA page_size");
    WalWatch::Options watch_options;
    watch_options.due_bytes = WalBytesForFrames(limits->checkpoint_start_frames,
                                                page_size.ok() ? page_size->value_or(4096) : 4096);
    watch_options.warn_seconds = limits->wal_warn_seconds;
    watch_options.warn_bytes = limits->wal_warn_bytes;
    wal_watch.emplace(options.db + "-wal", &metrics, watch_options);
    loop.set_wal_watch(&*wal_watch);
    BackgroundCheckpointer* idle = checkpointer.get();
    loop.set_idle_checkpoint([idle] { idle->CheckpointWhileIdle(); });
  }
  LogInfo("applying records", {{"db", options.db}, {"stream", options.stream}});

  s = loop.Run();
  source.reset();  // stops the reading thread
  const int background_checkpoints = checkpointer ? checkpointer->background_checkpoints() : 0;
  const int inline_checkpoints = checkpointer ? checkpointer->inline_checkpoints() : 0;
  checkpointer.reset();  // interrupts a checkpoint under way: the next one resumes it
  const ApplyCounters& t = (*applier)->totals();
  const std::optional<int64_t> checkpoint = (*applier)->last_committed_checkpoint();
  LogInfo(s.ok() ? (StopRequested() ? "stopped" : "end of input") : "stopped on error",
          {{"records", static_cast<int64_t>(t.records)},
           {"applied", static_cast<int64_t>(t.stream_applied + t.bulk_applied)},
           {"skipped", static_cast<int64_t>(t.skipped)},
           {"superseded", static_cast<int64_t>(t.superseded)},
           {"rejects", static_cast<int64_t>(t.rejects)},
           {"status_changes", static_cast<int64_t>(t.status_changes)},
           {"resources", static_cast<int64_t>(t.resources)},
           {"signals", static_cast<int64_t>(t.signals)},
           {"gaps", static_cast<int64_t>(t.gaps)},
           {"commits", static_cast<int64_t>(loop.commits())},
           {"yields", static_cast<int64_t>(writer_queue ? writer_queue->yields() : 0)},
           {"background_checkpoints", background_checkpoints},
           {"inline_checkpoints", inline_checkpoints},
           {"checkpoint", checkpoint ? std::to_string(*checkpoint) : std::string()}});
  Status metrics_written = metrics.Write();
  if (!metrics_written.ok())
    LogWarn("metrics not written", {{"error", metrics_written.ToString()}});
  applier->reset();  // finalizes the statements before the database closes
  writer_queue.reset();
  if (!s.ok()) return ExitWithError(s);
  s = LeaveWalAtClose(&*db, limits->wal_warn_bytes);
  if (s.ok()) s = db->Close();
  if (!s.ok()) return ExitWithError(s);
  return kExitOk;
}

int RunCheckpoint(const StoreOptions& options) {
  StatusOr<Migrator> migrator = Migrator::Embedded();
  if (!migrator.ok()) return ExitWithError(migrator.status());
  StatusOr<ReadOnlyStore> store =
      OpenStoreForReading(options.db, *migrator, options.busy_timeout_ms);
  if (!store.ok()) return ExitWithError(store.status());
  if (!store->db) return kExitOk;
  StatusOr<Statement> stmt =
      store->db->Prepare("SELECT timepoint FROM stream_state WHERE stream = ?1");
  if (!stmt.ok()) return ExitWithError(stmt.status());
  Status s = stmt->BindText(1, options.stream);
  if (!s.ok()) return ExitWithError(s);
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return ExitWithError(row.status());
  if (!*row || stmt->ColumnIsNull(0)) return kExitOk;
  OutputWriter out(STDOUT_FILENO);
  s = out.WriteLine(std::to_string(stmt->ColumnInt64(0)));
  if (s.ok()) s = out.Flush();
  if (!s.ok()) return ExitWithError(s);
  return kExitOk;
}

int RunMigrate(const StoreOptions& options) {
  StatusOr<Migrator> migrator = Migrator::Embedded();
  if (!migrator.ok()) return ExitWithError(migrator.status());
  const int target = options.to.value_or(migrator->latest());
  if (target < 0 || target > migrator->latest()) {
    return ExitWithError(Status::Config("invalid value for --to: " + std::to_string(target) +
                                        " (this ch-store knows schema versions 0.." +
                                        std::to_string(migrator->latest()) + ")"));
  }
  StatusOr<SqliteDb> db = OpenStoreForWriting(options.db, options.busy_timeout_ms);
  if (!db.ok()) return ExitWithError(db.status());
  StatusOr<int> before = Migrator::CurrentVersion(&*db);
  if (!before.ok()) return ExitWithError(before.status());
  Status s = CheckChstreamDatabase(&*db, *before);
  if (s.ok()) s = migrator->MigrateTo(&*db, target);
  if (!s.ok()) return ExitWithError(s);
  LogInfo("schema version", {{"db", options.db}, {"from", *before}, {"to", target}});
  s = db->Close();
  if (!s.ok()) return ExitWithError(s);
  return kExitOk;
}

int RunPrune(const StoreOptions& options) {
  StatusOr<Migrator> migrator = Migrator::Embedded();
  if (!migrator.ok()) return ExitWithError(migrator.status());
  OutputWriter out(STDOUT_FILENO);
  int64_t deleted = 0;
  // A missing database has no rejects: do not create one just to say so.
  if (StoreFileHasContent(options.db)) {
    StatusOr<SqliteDb> db = OpenStoreForWriting(options.db, options.busy_timeout_ms);
    if (!db.ok()) return ExitWithError(db.status());
    StatusOr<int> version = Migrator::CurrentVersion(&*db);
    if (!version.ok()) return ExitWithError(version.status());
    Status s = migrator->CheckKnown(*version);
    if (!s.ok()) return ExitWithError(s);
    if (*version > 0) {
      StatusOr<Statement> stmt = db->Prepare(
          "DELETE FROM rejects WHERE received_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1)");
      if (!stmt.ok()) return ExitWithError(stmt.status());
      char modifier[64];
      std::snprintf(modifier, sizeof modifier, "-%.6f days", *options.rejects_older_than_days);
      s = stmt->BindText(1, modifier);
      if (s.ok()) s = stmt->Run();
      if (!s.ok()) return ExitWithError(s);
      deleted = db->Changes();
    }
    LogInfo("rejects pruned", {{"db", options.db}, {"deleted", deleted}});
  }
  Status s = out.WriteLine(std::to_string(deleted));
  if (s.ok()) s = out.Flush();
  if (!s.ok()) return ExitWithError(s);
  return kExitOk;
}

}  // namespace ch
