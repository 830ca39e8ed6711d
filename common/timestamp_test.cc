#include "common/timestamp.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

std::string Utc(std::string_view text) {
  auto ts = ParseTimestamp(text);
  return ts ? std::string(ts->view()) : "(invalid)";
}

std::string Date(std::string_view text) {
  auto d = ParseCalendarDate(text);
  return d ? std::string(d->view()) : "(invalid)";
}

TEST(TimestampTest, ZonelessIsTakenAsUtc) {
  EXPECT_EQ(Utc("2023-11-04T14:33:29"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04 14:33:29"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("  2023-11-04T14:33:29\t"), "2023-11-04T14:33:29Z");
}

TEST(TimestampTest, FractionsAreTruncatedNotRounded) {
  EXPECT_EQ(Utc("2023-11-03T22:13:03.742120Z"), "2023-11-03T22:13:03Z");
  EXPECT_EQ(Utc("2023-11-03T22:13:03.999999999"), "2023-11-03T22:13:03Z");
  EXPECT_EQ(Utc("2023-11-03T22:13:03,5Z"), "2023-11-03T22:13:03Z");
  EXPECT_EQ(Utc("2023-11-03T22:13:03.Z"), "(invalid)");
}

TEST(TimestampTest, Zulu) {
  EXPECT_EQ(Utc("2023-11-04T14:33:29Z"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04t14:33:29z"), "2023-11-04T14:33:29Z");
}

TEST(TimestampTest, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(Utc("2023-11-04T15:33:29+01:00"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04T15:33:29+0100"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04T15:33:29+01"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04T09:33:29-05:00"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04T15:33:29.123+01:00"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Utc("2023-11-04T05:33:29+05:30"), "2023-11-04T00:03:29Z");
}

TEST(TimestampTest, OffsetsCrossDayMonthAndYearBoundaries) {
  EXPECT_EQ(Utc("2024-01-01T00:30:00+01:00"), "2023-12-31T23:30:00Z");
  EXPECT_EQ(Utc("2024-03-01T00:00:00+00:01"), "2024-02-29T23:59:00Z");
  EXPECT_EQ(Utc("2023-12-31T23:00:00-02:00"), "2024-01-01T01:00:00Z");
}

TEST(TimestampTest, DateOnlyIsMidnightUtc) { EXPECT_EQ(Utc("2025-08-01"), "2025-08-01T00:00:00Z"); }

TEST(TimestampTest, MissingSecondsAreZero) {
  EXPECT_EQ(Utc("2025-08-01T10:11"), "2025-08-01T10:11:00Z");
}

TEST(TimestampTest, RejectsImpossibleValues) {
  EXPECT_EQ(Utc("2023-02-29T00:00:00"), "(invalid)");
  EXPECT_EQ(Utc("2023-02-30"), "(invalid)");
  EXPECT_EQ(Utc("2023-13-01T00:00:00"), "(invalid)");
  EXPECT_EQ(Utc("2023-00-10T00:00:00"), "(invalid)");
  EXPECT_EQ(Utc("2023-04-31T00:00:00"), "(invalid)");
  EXPECT_EQ(Utc("2023-11-04T24:00:00"), "(invalid)");
  EXPECT_EQ(Utc("2023-11-04T23:60:00"), "(invalid)");
  EXPECT_EQ(Utc("2023-11-04T23:59:60"), "(invalid)");
  EXPECT_EQ(Utc("2023-11-04T10:00:00+24:00"), "(invalid)");
  EXPECT_EQ(Utc("0000-01-01T00:00:00"), "(invalid)");
  EXPECT_EQ(Utc("0001-01-01T00:30:00+01:00"), "(invalid)");  // before year 1 in UTC
  EXPECT_EQ(Utc("9999-12-31T23:30:00-01:00"), "(invalid)");  // past year 9999 in UTC
}

TEST(TimestampTest, LeapDaysAreAccepted) {
  EXPECT_EQ(Utc("2024-02-29T12:00:00"), "2024-02-29T12:00:00Z");
  EXPECT_EQ(Utc("2000-02-29"), "2000-02-29T00:00:00Z");
  EXPECT_EQ(Utc("1900-02-29"), "(invalid)");
}

TEST(TimestampTest, RejectsMalformedText) {
  for (const char* bad :
       {"", " ", "abc", "2023-11-4T14:33:29", "23-11-04T14:33:29", "2023/11/04T14:33:29",
        "2023-11-04T14", "2023-11-04T14:3", "2023-11-04T14:33:29 junk", "2023-11-04X14:33:29",
        "2023-11-04T14:33:29+1", "2023-11-04T14:33:29+01:", "2023-11-04T14:33:29+01:0",
        "2023-11-04T14:33:29ZZ", "1699108409", "2023-11-04T-4:33:29"}) {
    EXPECT_EQ(Utc(bad), "(invalid)") << bad;
  }
}

TEST(TimestampTest, EpochConversionRoundTrips) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(std::string(MakeUtcTimestamp(1699108409)->view()), "2023-11-04T14:33:29Z");
  EXPECT_EQ(std::string(MakeUtcTimestamp(-1)->view()), "1969-12-31T23:59:59Z");
}

TEST(IsoDateTest, ParsesOnlyTheExactForm) {
  EXPECT_EQ(std::string(ParseIsoDate("2025-08-01")->view()), "2025-08-01");
  EXPECT_EQ(std::string(ParseIsoDate(" 2025-08-01 ")->view()), "2025-08-01");
  EXPECT_FALSE(ParseIsoDate("2025-8-01"));
  EXPECT_FALSE(ParseIsoDate("2025-08-01T00:00:00"));
  EXPECT_FALSE(ParseIsoDate("01/08/2025"));
  EXPECT_FALSE(ParseIsoDate("2025-02-29"));
  EXPECT_FALSE(ParseIsoDate(""));
}

TEST(CalendarDateTest, DayMonthYearBecomesIso) {
  EXPECT_EQ(Date("29/07/2020"), "2020-07-29");
  EXPECT_EQ(Date("1/7/2020"), "2020-07-01");
  EXPECT_EQ(Date(" 11/09/2012 "), "2012-09-11");
  EXPECT_EQ(Date("29/02/2024"), "2024-02-29");
}

TEST(CalendarDateTest, IsoIsAcceptedToo) { EXPECT_EQ(Date("2006-10-03"), "2006-10-03"); }

TEST(CalendarDateTest, RejectsImpossibleAndMalformedDates) {
  for (const char* bad :
       {"29/02/2023", "31/04/2020", "00/01/2020", "01/13/2020", "32/01/2020", "01/01/20",
        "01-01-2020", "01/01/2020x", "", "2020-02-30", "///", "1/1/12345"}) {
    EXPECT_EQ(Date(bad), "(invalid)") << bad;
  }
}

}  // namespace
}  // namespace ch
