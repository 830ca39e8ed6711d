// Metrics textfile writer: see metrics.h.
#include "common/metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <set>

namespace ch {

namespace {

// "a_total{x=\"y\"}" -> "a_total": HELP/TYPE lines are per family.
std::string FamilyOf(const std::string& name) { return name.substr(0, name.find('{')); }

}  // namespace

std::string MetricsFileName(const std::string& program, const std::string& stream) {
  if (stream.empty() || stream == "companies") return program + ".prom";
  return program + "-" + stream + ".prom";
}

Metrics::Metrics(std::string dir, std::string program, std::string stream,
                 std::chrono::milliseconds interval)
    : dir_(std::move(dir)),
      program_(std::move(program)),
      stream_(std::move(stream)),
      interval_(interval) {}

void Metrics::Set(const std::string& name, double value, const std::string& help) {
  Sample& s = samples_[name];
  s.value = value;
  if (!help.empty()) s.help = help;
}

void Metrics::Add(const std::string& name, double delta, const std::string& help) {
  Sample& s = samples_[name];
  s.value += delta;
  if (!help.empty()) s.help = help;
}

void Metrics::Remove(const std::string& name) { samples_.erase(name); }

Status Metrics::MaybeWrite() {
  if (!enabled()) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (now - last_write_ < interval_) return Status::Ok();
  return Write();
}

Status Metrics::Write() {
  if (!enabled()) return Status::Ok();
  last_write_ = std::chrono::steady_clock::now();
  std::string text;
  std::set<std::string> described;
  // Stream names and program names are [a-z-]: nothing to escape.
  const std::string labels = "program=\"" + program_ + "\",stream=\"" + stream_ + "\"";
  for (const auto& [name, sample] : samples_) {
    const std::string family = "chstream_" + FamilyOf(name);
    if (described.insert(family).second) {
      if (!sample.help.empty()) text += "# HELP " + family + " " + sample.help + "\n";
      const bool counter = family.size() > 6 && family.compare(family.size() - 6, 6, "_total") == 0;
      text += "# TYPE " + family + (counter ? " counter\n" : " gauge\n");
    }
    // Add the program and stream labels to every sample.
    std::string sample_name = "chstream_" + name;
    const size_t brace = sample_name.find('{');
    if (brace == std::string::npos) {
      sample_name += "{" + labels + "}";
    } else {
      sample_name.insert(brace + 1, labels + ",");
    }
    char value[64];
    if (std::isfinite(sample.value) && sample.value == std::floor(sample.value) &&
        std::fabs(sample.value) < 1e15) {
      std::snprintf(value, sizeof value, "%.0f", sample.value);
    } else {
      std::snprintf(value, sizeof value, "%.17g", sample.value);
    }
    text += sample_name + " " + value + "\n";
  }
  const std::string path = dir_ + "/" + MetricsFileName(program_, stream_);
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + tmp, errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return Status::FromErrno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return Status::FromErrno("close " + tmp, err);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return Status::FromErrno("rename " + path, err);
  }
  return Status::Ok();
}

}  // namespace ch
