// Structured stderr logging: see log.h.
#include "common/log.h"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/json.h"

namespace ch {

namespace {

std::string& Program() {
  static std::string program = "chstream";
  return program;
}

LogLevel g_level = LogLevel::kInfo;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  if (text == "debug") {
    *level = LogLevel::kDebug;
  } else if (text == "info") {
    *level = LogLevel::kInfo;
  } else if (text == "warn" || text == "warning") {
    *level = LogLevel::kWarn;
  } else if (text == "error") {
    *level = LogLevel::kError;
  } else {
    return false;
  }
  return true;
}

LogField::LogField(std::string_view key, std::string_view value) : key_(key) {
  AppendJsonString(&json_, value);
}
LogField::LogField(std::string_view key, const char* value)
    : LogField(key, std::string_view(value)) {}
LogField::LogField(std::string_view key, const std::string& value)
    : LogField(key, std::string_view(value)) {}
LogField::LogField(std::string_view key, int64_t value) : key_(key), json_(std::to_string(value)) {}
LogField::LogField(std::string_view key, int value) : key_(key), json_(std::to_string(value)) {}
LogField::LogField(std::string_view key, uint64_t value)
    : key_(key), json_(std::to_string(value)) {}
LogField::LogField(std::string_view key, double value) : key_(key) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  json_ = buf;
}
LogField::LogField(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}

void InitLog(std::string program, LogLevel level) {
  Program() = std::move(program);
  g_level = level;
}

void SetLogLevel(LogLevel level) { g_level = level; }

bool LogEnabled(LogLevel level) { return level >= g_level; }

const std::string& LogProgram() { return Program(); }

std::string UtcNow(bool millis) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char buf[96];
  if (millis) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(tv.tv_usec / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  std::string line;
  line.reserve(128);
  line.append("{\"time\":\"");
  line.append(UtcNow());
  line.append("\",\"level\":\"");
  line.append(LevelName(level));
  line.append("\",\"program\":");
  AppendJsonString(&line, Program());
  line.append(",\"message\":");
  AppendJsonString(&line, message);
  for (const LogField& f : fields) {
    line.push_back(',');
    AppendJsonString(&line, f.key());
    line.push_back(':');
    line.append(f.json());
  }
  line.append("}\n");
  // Best effort: a log line that cannot be written must not stop the data.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace ch
