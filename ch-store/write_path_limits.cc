// WritePathLimits: see write_path_limits.h.
#include "ch-store/write_path_limits.h"

#include <cstdlib>
#include <string_view>

#include "ch-store/apply_loop.h"
#include "ch-store/background_checkpointer.h"
#include "ch-store/company_state_cache.h"
#include "ch-store/record_source.h"
#include "ch-store/resource_id_cache.h"
#include "ch-store/store_db.h"
#include "ch-store/wal_watch.h"

namespace ch {

namespace {

// The value of `text` if it is a decimal integer in 1..max.
bool ParsePositive(std::string_view text, int64_t max, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > max) return false;
  *out = n;
  return true;
}

}  // namespace

WritePathLimits WritePathLimits::Defaults() {
  const ApplyLoop::Options loop;
  const BackgroundCheckpointer::Options checkpointer;
  const WalWatch::Options wal_watch;
  WritePathLimits l;
  l.state_cache_entries = CompanyStateCache::kDefaultMaxEntries;
  l.resource_id_buckets = ResourceIdCache::kDefaultBuckets;
  l.stream_batch_records = loop.stream_batch_records;
  l.bulk_batch_records = loop.bulk_batch_records;
  l.checkpoint_start_frames = checkpointer.start_frames;
  l.checkpoint_inline_frames = checkpointer.inline_frames;
  l.reader_slots = ThreadedRecordSource::kSlots;
  l.reader_wake_batch = ThreadedRecordSource::kWakeBatch;
  l.journal_size_limit_bytes = kJournalSizeLimitBytes;
  l.wal_autocheckpoint_frames = kWalAutocheckpointPages;
  l.wal_warn_seconds = wal_watch.warn_seconds;
  l.wal_warn_bytes = wal_watch.warn_bytes;
  return l;
}

StatusOr<WritePathLimits> WritePathLimits::Parse(const std::string& spec) {
  WritePathLimits l = Defaults();
  constexpr int64_t kIntMax = 1ll << 30;
  std::string_view rest = spec;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    int64_t n = 0;
    if (eq == std::string_view::npos || !ParsePositive(item.substr(eq + 1), int64_t{1} << 50, &n)) {
      return Status::Config("CH_TEST_LIMITS: want name=positive-integer, got '" +
                            std::string(item) + "'");
    }
    const auto as_int = [&](int* field) {
      if (n > kIntMax) return false;
      *field = static_cast<int>(n);
      return true;
    };
    bool ok = true;
    if (name == "state_cache_entries") {
      l.state_cache_entries = static_cast<size_t>(n);
    } else if (name == "resource_id_buckets") {
      l.resource_id_buckets = static_cast<size_t>(n);
    } else if (name == "stream_batch_records") {
      l.stream_batch_records = static_cast<size_t>(n);
    } else if (name == "bulk_batch_records") {
      l.bulk_batch_records = static_cast<size_t>(n);
    } else if (name == "checkpoint_start_frames") {
      ok = as_int(&l.checkpoint_start_frames);
    } else if (name == "checkpoint_inline_frames") {
      ok = as_int(&l.checkpoint_inline_frames);
    } else if (name == "reader_slots") {
      ok = as_int(&l.reader_slots);
    } else if (name == "reader_wake_batch") {
      l.reader_wake_batch = static_cast<size_t>(n);
    } else if (name == "journal_size_limit_bytes") {
      l.journal_size_limit_bytes = n;
    } else if (name == "wal_autocheckpoint_frames") {
      ok = as_int(&l.wal_autocheckpoint_frames);
    } else if (name == "wal_warn_seconds") {
      ok = as_int(&l.wal_warn_seconds);
    } else if (name == "wal_warn_bytes") {
      l.wal_warn_bytes = n;
    } else {
      return Status::Config("CH_TEST_LIMITS: unknown limit '" + std::string(name) + "'");
    }
    if (!ok) return Status::Config("CH_TEST_LIMITS: too large: '" + std::string(item) + "'");
  }
  return l;
}

StatusOr<WritePathLimits> WritePathLimits::FromEnvironment() {
  const char* spec = std::getenv("CH_TEST_LIMITS");
  if (spec == nullptr) return Defaults();
  return Parse(spec);
}

bool WritePathLimits::operator==(const WritePathLimits& o) const {
  return state_cache_entries == o.state_cache_entries &&
         resource_id_buckets == o.resource_id_buckets &&
         stream_batch_records == o.stream_batch_records &&
         bulk_batch_records == o.bulk_batch_records &&
         checkpoint_start_frames == o.checkpoint_start_frames &&
         checkpoint_inline_frames == o.checkpoint_inline_frames && reader_slots == o.reader_slots &&
         reader_wake_batch == o.reader_wake_batch &&
         journal_size_limit_bytes == o.journal_size_limit_bytes &&
         wal_autocheckpoint_frames == o.wal_autocheckpoint_frames &&
         wal_warn_seconds == o.wal_warn_seconds && wal_warn_bytes == o.wal_warn_bytes;
}

}  // namespace ch
