#include "ch-parse/parse_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ch-parse/resource_extractors.h"
#include "common/json.h"
#include "common/signals.h"

namespace ch {
namespace {

const char kEvent[] =
    R"({"resource_kind":"company-profile","resource_id":"01234567","data":{"company_number":"01234567",)"
    R"("company_status":"active"},"event":{"timepoint":5,"published_at":"2023-11-04T14:33:29","type":"changed"}})";

std::string BulkHeader() {
  return "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, "
         "RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
         "RegAddress.PostCode,"
         "CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts."
         "AccountRefDay,"
         "Accounts.AccountRefMonth,Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts."
         "AccountCategory,"
         "Returns.NextDueDate,Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages."
         "NumMortOutstanding,"
         "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode."
         "SicText_2,"
         "SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,"
         "LimitedPartnerships.NumLimPartners,"
         "URI,PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE, "
         "PreviousName_2.CompanyName,"
         "PreviousName_3.CONDATE, PreviousName_3.CompanyName,PreviousName_4.CONDATE, "
         "PreviousName_4.CompanyName,"
         "PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE, "
         "PreviousName_6.CompanyName,"
         "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE, "
         "PreviousName_8.CompanyName,"
         "PreviousName_9.CONDATE, PreviousName_9.CompanyName,PreviousName_10.CONDATE, "
         "PreviousName_10.CompanyName,"
         "ConfStmtNextDueDate, ConfStmtLastMadeUpDate\r\n";
}

std::string BulkRow(const std::string& name, const std::string& number,
                    const std::string& status = "Active") {
  std::string row = "\"" + name + "\",\"" + number + "\"";
  for (int i = 2; i < 55; ++i) row += i == 11 ? ",\"" + status + "\"" : ",\"\"";
  return row + "\r\n";
}

// Writes `input` to a temporary file and returns a descriptor reading it.
int InputFd(const std::string& input) {
  std::FILE* f = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), f);
  std::fflush(f);
  const int fd = dup(fileno(f));
  std::fclose(f);
  lseek(fd, 0, SEEK_SET);
  return fd;
}

struct RunResult {
  Status status;
  std::vector<std::string> lines;
  bool snapshot_complete = false;
};

RunResult RunParser(const ParseOptions& options, const std::string& input, ParseMetrics* metrics) {
  const int in = InputFd(input);
  std::FILE* out_file = std::tmpfile();
  const int out = fileno(out_file);
  RunResult result;
  {
    ParseRunner runner(options, in, out, metrics);
    result.status = runner.Run();
    result.snapshot_complete = runner.snapshot_complete();
  }
  close(in);
  std::rewind(out_file);
  std::string text;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, out_file)) > 0;) text.append(buf, n);
  std::fclose(out_file);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) result.lines.push_back(line);
  return result;
}

std::string Kind(const std::string& line) {
  rapidjson::Document doc;
  if (!ParseJson(line, &doc).ok() || !doc.IsObject()) return "(bad output)";
  if (doc.HasMember("kind")) return doc["kind"].GetString();
  return doc.MemberBegin()->name.GetString();
}

ParseOptions BulkOptions() {
  ParseOptions options;
  options.format = InputFormat::kBulkCsv;
  options.as_of = ParseIsoDate("2025-08-01");
  return options;
}

class ParseRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { ResetStopForTest(); }
  void TearDown() override { ResetStopForTest(); }
};

TEST_F(ParseRunnerTest, StreamLinesBecomeRecordsRejectsAndControlLines) {
  ParseOptions options;
  ParseMetrics metrics("");
  const std::string input =
      std::string(kEvent) + "\n\n   \r\nnot json\n" +
      R"({"gap":{"stream":"companies","after_timepoint":4,"reason":"timepoint-out-of-range"}})" +
      "\n" + std::string(200, 'x') + "\n" + kEvent;  // no final newline
  options.max_line_bytes = 150;
  const RunResult r = RunParser(options, input, &metrics);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  // The event is longer than 150 bytes too: every line but the gap is a reject here.
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_EQ(Kind(r.lines[0]), "reject");
  EXPECT_NE(r.lines[0].find("line too long"), std::string::npos);
  EXPECT_EQ(Kind(r.lines[1]), "reject");
  EXPECT_EQ(Kind(r.lines[2]), "gap");
  EXPECT_EQ(metrics.lines(), 7u);
  EXPECT_EQ(metrics.rejects(RejectClass::kLineTooLong), 3u);
  EXPECT_EQ(metrics.rejects(RejectClass::kInvalidJson), 1u);
  EXPECT_EQ(metrics.control_lines(), 1u);

  ParseMetrics metrics2("");
  options.max_line_bytes = 8 << 20;
  const RunResult r2 = RunParser(options, input, &metrics2);
  ASSERT_EQ(r2.lines.size(), 5u);
  EXPECT_EQ(Kind(r2.lines[0]), "company");
  EXPECT_EQ(Kind(r2.lines[4]), "company");
  EXPECT_EQ(metrics2.records(), 2u);
}

TEST_F(ParseRunnerTest, ResourceRecordsAreCountedByTable) {
  ParseOptions options;
  options.stream = "filings";
  ParseMetrics metrics("");
  const std::string filing =
      R"({"resource_kind":"filing-history","resource_uri":"/company/1/filing-history/T",)"
      R"("data":{"type":"GAZ1"},"event":{"timepoint":6,"type":"changed"}})";
  const std::string unknown =
      R"({"resource_kind":"company-new-kind","resource_uri":"/x/1","data":{},)"
      R"("event":{"timepoint":7,"type":"changed"}})";
  const RunResult r = RunParser(options, filing + "\n" + unknown + "\n" + kEvent + "\n", &metrics);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(Kind(r.lines[0]), "resource");
  EXPECT_NE(r.lines[0].find(R"("stream":"filings")"), std::string::npos) << r.lines[0];
  EXPECT_EQ(Kind(r.lines[1]), "resource");
  EXPECT_EQ(Kind(r.lines[2]), "company");
  EXPECT_EQ(metrics.records(), 3u);
  EXPECT_EQ(metrics.resource_records(&kFilingsTable), 1u);
  EXPECT_EQ(metrics.resource_records(nullptr), 1u);
  EXPECT_EQ(metrics.rejects(), 0u);
}

TEST_F(ParseRunnerTest, FlushesAsSoonAsTheInputGoesIdle) {
  int in_pipe[2], out_pipe[2];
  ASSERT_EQ(pipe(in_pipe), 0);
  ASSERT_EQ(pipe(out_pipe), 0);
  ParseOptions options;
  ParseMetrics metrics("");
  Status status;
  std::thread runner_thread([&] {
    ParseRunner runner(options, in_pipe[0], out_pipe[1], &metrics);
    status = runner.Run();
  });
  const std::string line = std::string(kEvent) + "\n";
  ASSERT_EQ(write(in_pipe[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
  // The record must arrive while the input is still open.
  struct pollfd pfd {
    out_pipe[0], POLLIN, 0
  };
  ASSERT_EQ(poll(&pfd, 1, 5000), 1);
  char buf[8192];
  const ssize_t n = read(out_pipe[0], buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(Kind(std::string(buf, static_cast<size_t>(n) - 1)), "company");
  close(in_pipe[1]);
  runner_thread.join();
  EXPECT_TRUE(status.ok());
  close(in_pipe[0]);
  close(out_pipe[0]);
  close(out_pipe[1]);
}

TEST_F(ParseRunnerTest, AStopRequestEndsTheRunCleanly) {
  RequestStop(SIGTERM);
  ParseOptions options;
  ParseMetrics metrics("");
  const RunResult r = RunParser(options, std::string(kEvent) + "\n", &metrics);
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.lines.empty());
  const RunResult b = RunParser(BulkOptions(), BulkHeader() + BulkRow("A LTD", "1"), &metrics);
  EXPECT_TRUE(b.status.ok());
  EXPECT_FALSE(b.snapshot_complete);
  for (const auto& line : b.lines) EXPECT_NE(Kind(line), "snapshot_end");
}

TEST_F(ParseRunnerTest, AFullOutputIsAnIoError) {
  const int in = InputFd(std::string(kEvent) + "\n");
  const int out = open("/dev/full", O_WRONLY);
  ASSERT_GE(out, 0);
  ParseOptions options;
  ParseMetrics metrics("");
  ParseRunner runner(options, in, out, &metrics);
  EXPECT_EQ(runner.Run().code(), StatusCode::kIoError);
  close(in);
  close(out);
}

TEST_F(ParseRunnerTest, BulkRowsThenSnapshotEnd) {
  ParseMetrics metrics("");
  const std::string input = "\xEF\xBB\xBF" + BulkHeader() + BulkRow("A LTD", "1") +
                            BulkRow("B LTD", "SC000002", "Active - Proposal to Strike off") +
                            "\r\n" + BulkRow("BAD", "12-34") + BulkHeader() +  // a second part file
                            BulkRow("C \"\"X\"\" LTD", "NI000003", "Struck off");
  const RunResult r = RunParser(BulkOptions(), input, &metrics);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_EQ(Kind(r.lines[0]), "company");
  EXPECT_NE(r.lines[0].find("\"company_number\":\"00000001\""), std::string::npos);
  EXPECT_NE(r.lines[1].find("\"company_status_detail\":\"active-proposal-to-strike-off\""),
            std::string::npos);
  EXPECT_EQ(Kind(r.lines[2]), "reject");
  EXPECT_NE(r.lines[2].find("\"source\":\"bulk\""), std::string::npos);
  EXPECT_NE(r.lines[3].find("\"company_name\":\"C \\\"X\\\" LTD\""), std::string::npos);
  EXPECT_EQ(r.lines[4], R"({"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":4}})");
  EXPECT_TRUE(r.snapshot_complete);
  EXPECT_EQ(metrics.bulk_rows(), 4u);
  EXPECT_EQ(metrics.records(), 3u);
  EXPECT_EQ(metrics.rejects(RejectClass::kCompanyNumber), 1u);
  EXPECT_EQ(metrics.unknown_status(), 1u);
  EXPECT_EQ(metrics.control_lines(), 1u);
}

TEST_F(ParseRunnerTest, BulkHeaderOnlyIsACompleteEmptySnapshot) {
  ParseMetrics metrics("");
  const RunResult r = RunParser(BulkOptions(), BulkHeader(), &metrics);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], R"({"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":0}})");
}

TEST_F(ParseRunnerTest, TruncatedBulkInputGetsNoSnapshotEnd) {
  ParseMetrics metrics("");
  const std::string cut = "\"B LTD\",\"2\",\"an address cut off\r\n in the middle";
  const RunResult r =
      RunParser(BulkOptions(), BulkHeader() + BulkRow("A LTD", "1") + cut, &metrics);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(Kind(r.lines[0]), "company");
  EXPECT_EQ(Kind(r.lines[1]), "reject");
  EXPECT_NE(r.lines[1].find("unterminated quoted field"), std::string::npos);
  EXPECT_FALSE(r.snapshot_complete);
}

TEST_F(ParseRunnerTest, BulkHeaderProblemsAreDataErrors) {
  ParseMetrics metrics("");
  std::string wrong = BulkHeader();
  wrong.replace(wrong.find("CompanyStatus"), 13, "Status");
  RunResult r = RunParser(BulkOptions(), wrong + BulkRow("A LTD", "1"), &metrics);
  EXPECT_EQ(r.status.code(), StatusCode::kDataError);
  EXPECT_NE(r.status.message().find("'CompanyStatus'"), std::string::npos) << r.status.message();
  EXPECT_TRUE(r.lines.empty());
  r = RunParser(BulkOptions(), "", &metrics);
  EXPECT_EQ(r.status.code(), StatusCode::kDataError);
  r = RunParser(BulkOptions(), BulkRow("A LTD", "1"), &metrics);  // no header at all
  EXPECT_EQ(r.status.code(), StatusCode::kDataError);
  // A different header in a later part: the rows before it are passed on, no snapshot_end.
  r = RunParser(BulkOptions(), BulkHeader() + BulkRow("A LTD", "1") + wrong, &metrics);
  EXPECT_EQ(r.status.code(), StatusCode::kDataError);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(Kind(r.lines[0]), "company");
}

ParseOptions PscOptions() {
  ParseOptions options;
  options.format = InputFormat::kPscSnapshot;
  options.as_of = ParseIsoDate("2026-12-05");
  return options;
}

const char kPscLine[] =
    R"({"company_number":"01234567","data":{"kind":"individual-person-with-significant-control",)"
    R"("links":{"self":"/company/01234567/persons-with-significant-control/individual/P1"},)"
    R"("name":"Mr A"}})";
const char kStatementLine[] =
    R"({"company_number":"01234567","data":{"kind":"persons-with-significant-control-statement",)"
    R"("links":{"self":"/company/01234567/persons-with-significant-control-statements/S1"}}})";
const char kTotalsLine[] =
    R"({"data":{"kind":"totals#persons-of-significant-control-snapshot",)"
    R"("persons_of_significant_control_count":1,"statements_count":1,"exemptions_count":0,)"
    R"("generated_at":"2026-12-05T03:40:50+00:00"}})";

TEST_F(ParseRunnerTest, PscSnapshotLinesThenSnapshotEndWithTheCounts) {
  ParseMetrics metrics("");
  // The totals line first (the parts concatenated in another order), a
  // blank line, a bad line, no final newline.
  const std::string input =
      std::string(kTotalsLine) + "\n" + kStatementLine + "\r\n\nnot json\n" + kPscLine;
  const RunResult r = RunParser(PscOptions(), input, &metrics);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(Kind(r.lines[0]), "resource");
  EXPECT_NE(r.lines[0].find(R"("stream":"persons-with-significant-control-statements")"),
            std::string::npos);
  EXPECT_EQ(Kind(r.lines[1]), "reject");
  EXPECT_EQ(Kind(r.lines[2]), "resource");
  EXPECT_EQ(
      r.lines[3],
      R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
      R"("as_of":"2026-12-05","rows":3,"expected":{"pscs":1,"statements":1,"exemptions":0},)"
      R"("received":{"pscs":1,"statements":1,"exemptions":0,"other":0,"rejects":1}}})");
  EXPECT_TRUE(r.snapshot_complete);
  EXPECT_EQ(metrics.lines(), 5u);
  EXPECT_EQ(metrics.bulk_rows(), 3u);
  EXPECT_EQ(metrics.records(), 2u);
  EXPECT_EQ(metrics.resource_records(&kPscsTable), 1u);
  EXPECT_EQ(metrics.resource_records(&kPscStatementsTable), 1u);
  EXPECT_EQ(metrics.rejects(RejectClass::kInvalidJson), 1u);
  EXPECT_EQ(metrics.control_lines(), 1u);
}

TEST_F(ParseRunnerTest, AStoppedPscSnapshotGetsNoSnapshotEnd) {
  ParseMetrics metrics("");
  RequestStop(SIGTERM);
  const RunResult r =
      RunParser(PscOptions(), std::string(kPscLine) + "\n" + kTotalsLine + "\n", &metrics);
  EXPECT_TRUE(r.status.ok());
  EXPECT_FALSE(r.snapshot_complete);
  for (const auto& line : r.lines) EXPECT_NE(Kind(line), "snapshot_end");
}

TEST_F(ParseRunnerTest, AnEmptyPscSnapshotStillEndsWithItsCounts) {
  ParseMetrics metrics("");
  const RunResult r = RunParser(PscOptions(), "", &metrics);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.lines[0].find(R"("rows":0,"expected":null)"), std::string::npos) << r.lines[0];
}

}  // namespace
}  // namespace ch
