#include "common/output_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

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
