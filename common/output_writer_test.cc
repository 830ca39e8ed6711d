#include "common/output_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace ch {
namespace {

TEST(OutputWriterTest, DevFullIsAnIoError) {
  const int fd = open("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  OutputWriter out(fd);
  EXPECT_TRUE(out.WriteLine("{}").ok());  // buffered
  Status s = out.Flush();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  close(fd);
}

TEST(OutputWriterTest, ClosedPipeIsAnIoError) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  OutputWriter out(fds[1]);
  ASSERT_TRUE(out.WriteLine("x").ok());
  EXPECT_EQ(out.Flush().code(), StatusCode::kIoError);
  close(fds[1]);
}

TEST(OutputWriterTest, WritesLinesInOrderIncludingOnesLargerThanTheBuffer) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  OutputWriter out(fds[1], 16);
  ASSERT_TRUE(out.WriteLine("a").ok());
  ASSERT_TRUE(out.WriteLine(std::string(40, 'b')).ok());
  ASSERT_TRUE(out.WriteLine("c").ok());
  ASSERT_TRUE(out.Flush().ok());
  close(fds[1]);
  std::string got;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) got.append(buf, n);
  close(fds[0]);
  EXPECT_EQ(got, "a\n" + std::string(40, 'b') + "\nc\n");
}

}  // namespace
}  // namespace ch

namespace ch {
namespace {

// A reader that stops reading: the writer waits in slices, telling the
// handler how long it has been blocked (so a stage can keep its metrics
// fresh), then 0 once the write went through; nothing is lost.
TEST(OutputWriterBlockedTest, ReportsHowLongAWriteWaitsForTheReader) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<double> reports;
  std::string data(300 * 1024, 'x');
  {
    OutputWriter out(fds[1]);
    ASSERT_TRUE(out.SetBlockedHandler([&reports](double s) { reports.push_back(s); },
                                      std::chrono::milliseconds(30)));
    std::string got;
    std::thread reader([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      char buf[65536];
      while (got.size() < data.size()) {
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
    });
    ASSERT_TRUE(out.WriteRaw(data).ok());
    ASSERT_TRUE(out.Flush().ok());
    reader.join();
    EXPECT_EQ(got, data);
  }
  ASSERT_GE(reports.size(), 3u);
  EXPECT_GT(reports[reports.size() - 2], 0.1);
  for (size_t i = 1; i + 1 < reports.size(); ++i) EXPECT_GE(reports[i], reports[i - 1]);
  EXPECT_EQ(reports.back(), 0);
  // The descriptor is blocking again once the writer is gone.
  EXPECT_EQ(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
  close(fds[0]);
  close(fds[1]);
}

TEST(OutputWriterBlockedTest, OnlyForAPipe) {
  const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  OutputWriter out(fd);
  EXPECT_FALSE(out.SetBlockedHandler([](double) {}));
  EXPECT_TRUE(out.WriteLine("a").ok());
  EXPECT_TRUE(out.Flush().ok());
  close(fd);
}

}  // namespace
}  // namespace ch
