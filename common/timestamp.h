// Timestamps and dates as the pipeline stores them: UTC instants written
// "YYYY-MM-DDTHH:MM:SSZ" and calendar dates written "YYYY-MM-DD".
//
// Sources are lenient and varied: the companies stream sends zone-less
// "2023-11-04T14:33:29", other streams add microseconds and "Z", third-party
// data adds "+01:00" offsets, and the bulk snapshot writes dates as
// "dd/mm/yyyy". Everything is normalised here, in one place, so the stages
// agree byte for byte on what they store and compare. Parsing never
// allocates: it runs once per event on the hot path.
#ifndef CH_COMMON_TIMESTAMP_H_
#define CH_COMMON_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace ch {

// "YYYY-MM-DDTHH:MM:SSZ", held inline.
class UtcTimestamp {
 public:
  static constexpr size_t kLength = 20;
  std::string_view view() const { return std::string_view(text_, kLength); }

 private:
  friend std::optional<UtcTimestamp> MakeUtcTimestamp(int64_t seconds_since_epoch);
  char text_[kLength] = {};
};

// "YYYY-MM-DD", held inline.
class IsoDate {
 public:
  static constexpr size_t kLength = 10;
  std::string_view view() const { return std::string_view(text_, kLength); }

 private:
  friend std::optional<IsoDate> MakeIsoDate(int year, int month, int day);
  char text_[kLength] = {};
};

// True when year/month/day name a real day of the proleptic Gregorian
// calendar in years 1..9999 (2023-02-29 and 2024-13-01 are not).
bool IsValidDate(int year, int month, int day);

// Days since 1970-01-01 of a valid date (negative before 1970).
int64_t DaysFromCivil(int year, int month, int day);

// Builds the text forms; nullopt when the date is impossible or the instant
// falls outside years 1..9999.
std::optional<IsoDate> MakeIsoDate(int year, int month, int day);
std::optional<UtcTimestamp> MakeUtcTimestamp(int64_t seconds_since_epoch);

// Parses a timestamp leniently and returns the same instant in UTC:
//   2023-11-04T14:33:29            (no zone: taken as UTC)
//   2023-11-04 14:33:29            (a space instead of "T")
//   2023-11-04T14:33:29.742120Z    (fractions are truncated, not rounded)
//   2023-11-04T15:33:29+01:00      (also +0100, +01, -05:00; converted)
//   2023-11-04T14:33               (seconds missing: :00)
//   2023-11-04                     (date only: midnight UTC)
// Surrounding ASCII blanks are ignored. Anything else, and impossible values
// (2023-02-30, 24:00:00, 23:59:60, offsets of 24 hours or more), is nullopt.
std::optional<UtcTimestamp> ParseTimestamp(std::string_view text);

// "YYYY-MM-DD" exactly (after trimming blanks), a real date. Used for
// --as-of, where anything looser is more likely a mistake than a format.
std::optional<IsoDate> ParseIsoDate(std::string_view text);

// A calendar date in either the bulk snapshot's "dd/mm/yyyy" form (one-digit
// day or month tolerated) or ISO "YYYY-MM-DD", trimmed, as an ISO date.
std::optional<IsoDate> ParseCalendarDate(std::string_view text);

}  // namespace ch

#endif  // CH_COMMON_TIMESTAMP_H_
