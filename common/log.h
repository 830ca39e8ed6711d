// Structured logging: one JSON object per line on stderr, so that the lines
// of all stages can be merged, filtered and shipped by journald or logrotate:
//   {"time":"2026-11-24T05:40:00.123Z","level":"info","program":"ch-store",
//    "message":"committed","records":5000}
// stdout is never touched: it carries data.
#ifndef CH_COMMON_LOG_H_
#define CH_COMMON_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace ch {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn", "error"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

// One key/value pair of a log line. Implicit constructors keep call sites
// short: Log(LogLevel::kInfo, "connected", {{"status", 200}, {"url", url}}).
class LogField {
 public:
  LogField(std::string_view key, std::string_view value);
  LogField(std::string_view key, const char* value);
  LogField(std::string_view key, const std::string& value);
  LogField(std::string_view key, int64_t value);
  LogField(std::string_view key, int value);
  LogField(std::string_view key, uint64_t value);
  LogField(std::string_view key, double value);
  LogField(std::string_view key, bool value);

  std::string_view key() const { return key_; }
  // The value already encoded as JSON.
  const std::string& json() const { return json_; }

 private:
  std::string_view key_;
  std::string json_;
};

// Sets the program name and threshold for all later lines. Call once in main.
void InitLog(std::string program, LogLevel level);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
const std::string& LogProgram();

// Writes one line (if `level` passes the threshold) with a single write(2),
// so lines from concurrent processes sharing stderr never interleave.
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

// UTC wall-clock time as "YYYY-MM-DDTHH:MM:SS.mmmZ" (millis) or, with
// millis=false, "YYYY-MM-DDTHH:MM:SSZ".
std::string UtcNow(bool millis = true);

}  // namespace ch

#endif  // CH_COMMON_LOG_H_
