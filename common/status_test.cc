#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "common/exit_code.h"

namespace ch {
namespace {

TEST(StatusTest, MapsEveryCodeToItsDocumentedExitCode) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), 0);
  EXPECT_EQ(ExitCodeFor(Status::Usage("x")), 64);
  EXPECT_EQ(ExitCodeFor(Status::DataError("x")), 65);
  EXPECT_EQ(ExitCodeFor(Status::Internal("x")), 70);
  EXPECT_EQ(ExitCodeFor(Status::IoError("x")), 74);
  EXPECT_EQ(ExitCodeFor(Status::Unavailable("x")), 75);
  EXPECT_EQ(ExitCodeFor(Status::Config("x")), 78);
}

TEST(StatusTest, ErrnoBecomesIoErrorWithContext) {
  Status s = Status::FromErrno("write stdout", ENOSPC);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("write stdout"), std::string::npos);
  EXPECT_EQ(Status::FromErrno("x", EPIPE).code(), StatusCode::kIoError);
  EXPECT_EQ(s.Annotate("flush").message().rfind("flush: write stdout", 0), 0u);
}

TEST(StatusTest, StatusOrHoldsValueOrError) {
  StatusOr<int> v = 5;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 5);
  StatusOr<int> e = Status::Config("bad");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kConfig);
}

}  // namespace
}  // namespace ch
