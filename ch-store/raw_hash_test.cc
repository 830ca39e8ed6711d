#include "ch-store/raw_hash.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(RawHashTest, Fnv1a64MatchesTheReferenceValues) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(RawHashTest, RejectHashDependsOnBytesAndFullLength) {
  EXPECT_EQ(RejectHash("abc", 3), RejectHash("abc", 3));
  EXPECT_NE(RejectHash("abc", 3), RejectHash("abd", 3));
  // Two long lines sharing the kept prefix are still different rejects.
  EXPECT_NE(RejectHash("abc", 100000), RejectHash("abc", 100001));
  EXPECT_NE(RejectHash(std::string("a\0", 2), 2), RejectHash("a", 1));
}

TEST(RawHashTest, UriHashIsFnv1aAsSigned) {
  // Stored in resources.uri_hash: the value must never change.
  EXPECT_EQ(UriHash("foobar"), static_cast<int64_t>(0x85944171f73967e8ull));
  EXPECT_LT(UriHash("foobar"), 0);
  EXPECT_NE(UriHash("/company/01234567/charges/a"), UriHash("/company/01234567/charges/b"));
}

}  // namespace
}  // namespace ch
