// WalHealth: see wal_health.h.
#include "ch-store/wal_health.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <string_view>
#include <utility>

#include "ch-store/fetch_metrics_reader.h"
#include "ch-store/wal_watch.h"

namespace ch {

namespace {

constexpr const char* kDueMetric = "chstream_wal_checkpoint_due_seconds";
constexpr const char* kLikelyCause =
    "most likely a reader holds a transaction open (a sqlite3 session, a dashboard, a backup)";

double UnixNow() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// ch-store.prom (the companies stream) or ch-store-<stream>.prom.
bool IsStoreMetricsFile(const std::string& name) {
  constexpr std::string_view kPrefix = "ch-store-";
  constexpr std::string_view kSuffix = ".prom";
  if (name == "ch-store.prom") return true;
  return name.size() > kPrefix.size() + kSuffix.size() &&
         name.compare(0, kPrefix.size(), kPrefix) == 0 &&
         name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

// The text of `path` and its age by its mtime; unset when it cannot be read.
std::optional<PromText> ReadPromFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  PromText file;
  bool ok = fstat(fd, &st) == 0;
  char buf[4096];
  while (ok) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    file.text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!ok) return std::nullopt;
  const double mtime =
      static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
  file.age_seconds = std::max(0.0, UnixNow() - mtime);
  return file;
}

std::string WholeSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", std::floor(seconds));
  return text;
}

}  // namespace

std::optional<double> LargestCheckpointDue(const std::vector<PromText>& files,
                                           double stale_seconds) {
  std::optional<double> largest;
  for (const PromText& file : files) {
    // A ch-store that stopped rewriting its file is judged elsewhere (not
    // running, or stuck); its last figures say nothing about now.
    if (file.age_seconds > stale_seconds) continue;
    const std::map<std::string, double> samples = ParsePromSamples(file.text);
    auto it = samples.find(kDueMetric);
    if (it == samples.end() || !std::isfinite(it->second)) continue;
    // Still due when read: the time since the file was written counts too.
    const double due = it->second > 0 ? it->second + file.age_seconds : 0;
    largest = std::max(largest.value_or(0), due);
  }
  return largest;
}

WalHealth ReadWalHealth(const std::string& db, const std::string& metrics_dir,
                        const WritePathLimits& limits) {
  WalHealth wal;
  wal.warn_seconds = limits.wal_warn_seconds;
  wal.warn_bytes = limits.wal_warn_bytes;
  StatusOr<WalFileState> file = ReadWalFileState(db + "-wal");
  if (file.ok()) wal.wal_bytes = file->bytes;
  if (!metrics_dir.empty()) {
    std::vector<PromText> files;
    if (DIR* dir = opendir(metrics_dir.c_str())) {
      while (const struct dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (!IsStoreMetricsFile(name)) continue;
        if (std::optional<PromText> text = ReadPromFile(metrics_dir + "/" + name))
          files.push_back(std::move(*text));
      }
      closedir(dir);
    }
    wal.checkpoint_due_seconds = LargestCheckpointDue(files, kFetchMetricsStaleSeconds);
  }
  return wal;
}

std::optional<std::string> WalProblem(const WalHealth& wal) {
  const std::string size = wal.wal_bytes ? FormatByteSize(*wal.wal_bytes) : "size unknown";
  if (wal.checkpoint_due_seconds && *wal.checkpoint_due_seconds >= wal.warn_seconds) {
    return "WAL not reset by checkpoints for " + WholeSeconds(*wal.checkpoint_due_seconds) +
           " s (" + size + "): " + kLikelyCause;
  }
  if (wal.wal_bytes && *wal.wal_bytes > wal.warn_bytes) {
    return "WAL is " + size + " (more than " + FormatByteSize(wal.warn_bytes) +
           "): checkpoints cannot reset it; " + kLikelyCause;
  }
  return std::nullopt;
}

void AppendWalHealthJson(std::string* out, const WalHealth& wal) {
  out->append(",\"wal_bytes\":");
  out->append(wal.wal_bytes ? std::to_string(*wal.wal_bytes) : "null");
  out->append(",\"wal_checkpoint_due_seconds\":");
  out->append(wal.checkpoint_due_seconds ? WholeSeconds(*wal.checkpoint_due_seconds) : "null");
}

}  // namespace ch
