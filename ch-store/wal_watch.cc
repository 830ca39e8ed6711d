// WalWatch: see wal_watch.h.
#include "ch-store/wal_watch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "common/log.h"

namespace ch {

namespace {

// The WAL header (https://www.sqlite.org/fileformat2.html#walformat): a
// magic number (big-endian, its last bit the checksum byte order), the
// format version, the page size, the checkpoint sequence number, two
// salts and a checksum.
constexpr size_t kWalHeaderBytes = 32;
constexpr int64_t kWalFrameHeaderBytes = 24;
constexpr uint32_t kWalMagic = 0x377f0682;

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

double SteadyNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t WholeSeconds(double seconds) { return static_cast<int64_t>(std::floor(seconds)); }

}  // namespace

StatusOr<WalFileState> ReadWalFileState(const std::string& path) {
  WalFileState state;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return state;
    return Status::FromErrno("open " + path, errno);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return Status::FromErrno("stat " + path, err);
  }
  state.bytes = static_cast<int64_t>(st.st_size);
  unsigned char header[kWalHeaderBytes];
  const ssize_t n = pread(fd, header, sizeof header, 0);
  close(fd);
  if (n == static_cast<ssize_t>(sizeof header) && (BigEndian32(header) & ~1u) == kWalMagic) {
    state.generation = BigEndian32(header + 12);
  }
  return state;
}

int64_t WalBytesForFrames(int64_t frames, int64_t page_size) {
  return static_cast<int64_t>(kWalHeaderBytes) + frames * (page_size + kWalFrameHeaderBytes);
}

WalWatch::WalWatch(std::string wal_path, Metrics* metrics, const Options& options)
    : wal_path_(std::move(wal_path)), metrics_(metrics), options_(options) {}

WalWatch::Verdict WalWatch::Observe(const WalFileState& state, double now) {
  if (!started_) {
    started_ = true;
    reset_at_ = now;
  } else {
    // Started afresh: a new sequence number, or the file gone (the last
    // connection checkpointed everything and removed it).
    const bool renewed = state.generation && generation_ && *state.generation != *generation_;
    const bool removed = !state.generation && generation_;
    if (renewed || removed) {
      resets_ += renewed && *state.generation > *generation_ ? *state.generation - *generation_ : 1;
      previous_reset_interval_ = now - reset_at_;
      reset_at_ = now;
      due_since_.reset();
    }
  }
  generation_ = state.generation;
  bytes_ = state.bytes;
  if (bytes_ >= options_.due_bytes && options_.due_bytes > 0) {
    if (!due_since_) due_since_ = now;
  } else {
    due_since_.reset();
  }
  if (Trouble(now)) {
    if (!warned_ || now - warned_at_ >= options_.repeat_seconds) {
      warned_ = true;
      warned_at_ = now;
      return Verdict::kWarn;
    }
    return Verdict::kQuiet;
  }
  if (warned_) {
    warned_ = false;
    return Verdict::kRecovered;
  }
  return Verdict::kQuiet;
}

bool WalWatch::Trouble(double now) const {
  return checkpoint_due_seconds(now) >= options_.warn_seconds || bytes_ > options_.warn_bytes;
}

double WalWatch::checkpoint_due_seconds(double now) const {
  return due_since_ ? now - *due_since_ : 0;
}

double WalWatch::not_reset_seconds(double now) const { return started_ ? now - reset_at_ : 0; }

void WalWatch::Poll() {
  const double now = SteadyNow();
  if (last_poll_ && now - *last_poll_ < options_.poll_seconds) return;
  last_poll_ = now;
  StatusOr<WalFileState> state = ReadWalFileState(wal_path_);
  if (!state.ok()) return;  // judged again at the next poll
  switch (Observe(*state, now)) {
    case Verdict::kWarn:
      LogWarn(
          "the WAL is not being reset: checkpoints cannot complete; most likely a reader holds a "
          "transaction open (a sqlite3 session, a dashboard, a backup): end it",
          {{"wal", wal_path_},
           {"wal_bytes", bytes_},
           {"wal_size", FormatByteSize(bytes_)},
           {"not_reset_seconds", WholeSeconds(not_reset_seconds(now))},
           {"checkpoint_due_seconds", WholeSeconds(checkpoint_due_seconds(now))}});
      break;
    case Verdict::kRecovered:
      LogInfo("the WAL is being reset again",
              {{"wal", wal_path_},
               {"wal_bytes", bytes_},
               {"not_reset_seconds", WholeSeconds(previous_reset_interval_)}});
      break;
    case Verdict::kQuiet:
      break;
  }
  if (metrics_ != nullptr && metrics_->enabled()) {
    metrics_->Set("wal_bytes", static_cast<double>(bytes_), "size of the database's -wal file");
    metrics_->Set("wal_checkpoint_due_seconds", std::floor(checkpoint_due_seconds(now)),
                  "seconds a checkpoint has been due (the WAL past the checkpoint threshold) "
                  "without the WAL being reset; 0 when none is due");
    metrics_->Set("wal_resets_total", static_cast<double>(resets_),
                  "times the WAL was seen started afresh after a checkpoint");
  }
}

std::string FormatByteSize(int64_t bytes) {
  char text[32];
  const double b = static_cast<double>(bytes);
  if (b >= 1e9) {
    std::snprintf(text, sizeof text, "%.2f GB", b / 1e9);
  } else if (b >= 1e6) {
    std::snprintf(text, sizeof text, "%.1f MB", b / 1e6);
  } else if (b >= 1e3) {
    std::snprintf(text, sizeof text, "%.0f kB", b / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%lld bytes", static_cast<long long>(bytes));
  }
  return text;
}

}  // namespace ch
