#include "ch-fetch/stream_key.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace ch {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/ch_fetch_key_XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    Rewrite(content);
  }
  ~TempFile() { unlink(path_.c_str()); }
  void Rewrite(const std::string& content) { std::ofstream(path_, std::ios::trunc) << content; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(StreamKeyTest, ReadsTheVariableTrimmed) {
  KeySource source;
  source.key = "  abc-123\n";
  auto key = LoadStreamKey(source);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "abc-123");
}

TEST(StreamKeyTest, TheFileWinsAndIsReadAgainEachTime) {
  TempFile file("first-key\n");
  KeySource source;
  source.key = "env-key";
  source.file = file.path();
  EXPECT_EQ(LoadStreamKey(source).value(), "first-key");
  file.Rewrite("second-key\n");
  EXPECT_EQ(LoadStreamKey(source).value(), "second-key");
}

TEST(StreamKeyTest, AMissingKeyNamesBothVariables) {
  auto key = LoadStreamKey(KeySource());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kConfig);
  EXPECT_NE(key.status().message().find("CH_STREAM_KEY"), std::string::npos);
  EXPECT_NE(key.status().message().find("CH_STREAM_KEY_FILE"), std::string::npos);
}

TEST(StreamKeyTest, AnUnreadableOrEmptyFileIsAConfigError) {
  KeySource source;
  source.file = "/nonexistent/ch-key";
  auto missing = LoadStreamKey(source);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kConfig);
  EXPECT_NE(missing.status().message().find("CH_STREAM_KEY_FILE"), std::string::npos);
  TempFile empty(" \n");
  source.file = empty.path();
  auto blank = LoadStreamKey(source);
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.status().code(), StatusCode::kConfig);
}

TEST(StreamKeyTest, AKeyWithAColonOrControlCharacterIsRejectedWithoutEchoingIt) {
  KeySource source;
  source.key = "sec:ret";
  auto colon = LoadStreamKey(source);
  ASSERT_FALSE(colon.ok());
  EXPECT_EQ(colon.status().message().find("sec:ret"), std::string::npos);
  source.key = std::string("sec\x01ret");
  EXPECT_FALSE(LoadStreamKey(source).ok());
}

}  // namespace
}  // namespace ch
