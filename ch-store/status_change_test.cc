#include "ch-store/status_change.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(StatusChangeTest, WritesEveryFieldWithNullsForAbsentValues) {
  StatusChange c;
  c.id = 7;
  c.company_number = "SC123456";
  c.timepoint = 68805561;
  c.published_at = "2023-11-04T14:33:29Z";
  c.old_status = "active";
  c.new_status = "active";
  c.new_status_detail = "active-proposal-to-strike-off";
  c.source = "stream";
  c.company_name = "A \"QUOTED\" LTD";
  std::string out;
  AppendStatusChangeJson(&out, c);
  EXPECT_EQ(
      out,
      "{\"id\":7,\"company_number\":\"SC123456\",\"timepoint\":68805561,\"published_at\":"
      "\"2023-11-04T14:33:29Z\",\"old_status\":\"active\",\"old_status_detail\":null,\"new_"
      "status\":"
      "\"active\",\"new_status_detail\":\"active-proposal-to-strike-off\",\"source\":\"stream\","
      "\"company_name\":\"A \\\"QUOTED\\\" LTD\"}");
}

TEST(StatusChangeTest, BulkChangeHasANullTimepoint) {
  StatusChange c;
  c.id = 1;
  c.company_number = "00000001";
  c.source = "bulk";
  std::string out;
  AppendStatusChangeJson(&out, c);
  EXPECT_NE(out.find("\"timepoint\":null"), std::string::npos);
  EXPECT_NE(out.find("\"company_name\":null"), std::string::npos);
}

}  // namespace
}  // namespace ch
