// RawHash: the identity of a rejected line, so that the same reject seen
// again (a replay, a restart after a crash) is stored once: a UNIQUE index on
// rejects(stream, raw_hash) plus INSERT OR IGNORE. FNV-1a (64 bits) is small,
// fast on short inputs and good enough here: a collision only means a second,
// different bad line with the same hash is not stored, and it is still
// counted in the metrics and logged.
#ifndef CH_STORE_RAW_HASH_H_
#define CH_STORE_RAW_HASH_H_

#include <cstdint>
#include <string_view>

namespace ch {

inline constexpr uint64_t kFnv1a64Offset = 14695981039346656037ull;
inline constexpr uint64_t kFnv1a64Prime = 1099511628211ull;

// FNV-1a over `bytes`, continuing from `hash` (the offset basis to start).
uint64_t Fnv1a64(std::string_view bytes, uint64_t hash = kFnv1a64Offset);

// The hash stored in rejects.raw_hash: the kept bytes and the full length of
// the line (two long lines sharing their first 64 KiB are different rejects),
// as a signed 64-bit integer because that is what SQLite stores.
int64_t RejectHash(std::string_view raw, uint64_t raw_length);

// resources.uri_hash: the key of the index that finds a resource by its URI
// (migrations/0003_resources.sql says why not the URI itself). FNV-1a of
// the URI as a signed 64-bit integer; a collision costs nothing but a look
// at the other row, since the URI is compared too. Stored: never change it
// without a migration that recomputes the column.
int64_t UriHash(std::string_view uri);

}  // namespace ch

#endif  // CH_STORE_RAW_HASH_H_
