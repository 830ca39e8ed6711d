// Timestamps and dates: see timestamp.h.
#include "common/timestamp.h"

namespace ch {

namespace {

constexpr int64_t kSecondsPerDay = 86400;

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at s[*pos]; false when they are not all there.
bool ReadDigits(std::string_view s, size_t* pos, size_t count, int* value) {
  if (*pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = s[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  *pos += count;
  return true;
}

// Reads one or two digits (a day or month written "7" or "07").
bool ReadOneOrTwoDigits(std::string_view s, size_t* pos, int* value) {
  if (*pos >= s.size() || !IsDigit(s[*pos])) return false;
  const size_t count = (*pos + 1 < s.size() && IsDigit(s[*pos + 1])) ? 2 : 1;
  return ReadDigits(s, pos, count, value);
}

void WriteDigits(char* out, int value, int count) {
  for (int i = count - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// The inverse of DaysFromCivil (Howard Hinnant's civil_from_days).
void CivilFromDays(int64_t days, int* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  *month = static_cast<int>(m);
  *day = static_cast<int>(d);
}

// "YYYY-MM-DD" at s[*pos].
bool ReadIsoDate(std::string_view s, size_t* pos, int* year, int* month, int* day) {
  if (!ReadDigits(s, pos, 4, year)) return false;
  if (*pos >= s.size() || s[*pos] != '-') return false;
  ++*pos;
  if (!ReadDigits(s, pos, 2, month)) return false;
  if (*pos >= s.size() || s[*pos] != '-') return false;
  ++*pos;
  if (!ReadDigits(s, pos, 2, day)) return false;
  return IsValidDate(*year, *month, *day);
}

}  // namespace

bool IsValidDate(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= DaysInMonth(year, month);
}

int64_t DaysFromCivil(int year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<IsoDate> MakeIsoDate(int year, int month, int day) {
  if (!IsValidDate(year, month, day)) return std::nullopt;
  IsoDate date;
  WriteDigits(date.text_, year, 4);
  date.text_[4] = '-';
  WriteDigits(date.text_ + 5, month, 2);
  date.text_[7] = '-';
  WriteDigits(date.text_ + 8, day, 2);
  return date;
}

std::optional<UtcTimestamp> MakeUtcTimestamp(int64_t seconds_since_epoch) {
  // Years 1..9999 only: the text form has four year digits.
  static const int64_t kMin = DaysFromCivil(1, 1, 1) * kSecondsPerDay;
  static const int64_t kMax = (DaysFromCivil(9999, 12, 31) + 1) * kSecondsPerDay - 1;
  if (seconds_since_epoch < kMin || seconds_since_epoch > kMax) return std::nullopt;
  int64_t days = seconds_since_epoch / kSecondsPerDay;
  int64_t rest = seconds_since_epoch % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  int year, month, day;
  CivilFromDays(days, &year, &month, &day);
  UtcTimestamp ts;
  char* t = ts.text_;
  WriteDigits(t, year, 4);
  t[4] = '-';
  WriteDigits(t + 5, month, 2);
  t[7] = '-';
  WriteDigits(t + 8, day, 2);
  t[10] = 'T';
  WriteDigits(t + 11, static_cast<int>(rest / 3600), 2);
  t[13] = ':';
  WriteDigits(t + 14, static_cast<int>(rest / 60 % 60), 2);
  t[16] = ':';
  WriteDigits(t + 17, static_cast<int>(rest % 60), 2);
  t[19] = 'Z';
  return ts;
}

std::optional<UtcTimestamp> ParseTimestamp(std::string_view text) {
  const std::string_view s = Trim(text);
  size_t pos = 0;
  int year, month, day;
  if (!ReadIsoDate(s, &pos, &year, &month, &day)) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  int offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!ReadDigits(s, &pos, 2, &hour)) return std::nullopt;
    if (pos >= s.size() || s[pos] != ':') return std::nullopt;
    ++pos;
    if (!ReadDigits(s, &pos, 2, &minute)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, &pos, 2, &second)) return std::nullopt;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        const size_t first = pos;
        while (pos < s.size() && IsDigit(s[pos])) ++pos;
        if (pos == first) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (pos < s.size()) {
      const char zone = s[pos];
      if (zone == 'Z' || zone == 'z') {
        ++pos;
      } else if (zone == '+' || zone == '-') {
        ++pos;
        int offset_hours = 0, offset_minutes = 0;
        if (!ReadDigits(s, &pos, 2, &offset_hours)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') {
          ++pos;
          if (!ReadDigits(s, &pos, 2, &offset_minutes)) return std::nullopt;
        } else if (pos < s.size() && !ReadDigits(s, &pos, 2, &offset_minutes)) {
          return std::nullopt;
        }
        if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
        offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (zone == '+' ? 1 : -1);
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  // Local time minus its offset is UTC.
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + int64_t{hour} * 3600 +
                          int64_t{minute} * 60 + second - offset_seconds;
  return MakeUtcTimestamp(seconds);
}

std::optional<IsoDate> ParseIsoDate(std::string_view text) {
  const std::string_view s = Trim(text);
  size_t pos = 0;
  int year, month, day;
  if (!ReadIsoDate(s, &pos, &year, &month, &day) || pos != s.size()) return std::nullopt;
  return MakeIsoDate(year, month, day);
}

std::optional<IsoDate> ParseCalendarDate(std::string_view text) {
  const std::string_view s = Trim(text);
  if (s.size() == IsoDate::kLength && s[4] == '-') return ParseIsoDate(s);
  size_t pos = 0;
  int year, month, day;
  if (!ReadOneOrTwoDigits(s, &pos, &day)) return std::nullopt;
  if (pos >= s.size() || s[pos] != '/') return std::nullopt;
  ++pos;
  if (!ReadOneOrTwoDigits(s, &pos, &month)) return std::nullopt;
  if (pos >= s.size() || s[pos] != '/') return std::nullopt;
  ++pos;
  if (!ReadDigits(s, &pos, 4, &year) || pos != s.size()) return std::nullopt;
  return MakeIsoDate(year, month, day);
}

}  // namespace ch
