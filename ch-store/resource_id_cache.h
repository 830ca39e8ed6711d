// ResourceIdCache: the `resources` ids of resources this process wrote or
// read lately, by the hash of their URI, so that a re-published resource is
// updated by its id without first being looked up.
//
// Applying a stream record costs a SELECT (is the resource stored, under
// which id?) and then an INSERT or an UPDATE. A stream re-publishes
// resources all the time (43 % of the bench's officer events name an
// appointment seen before), and for those the SELECT searches the URI-hash
// index and reads the row only to learn the id this process already had.
//
// An id found here is a hint, never a fact: the UPDATE that uses it
// (ResourceApplier) matches only the row with that id AND the record's URI,
// kind and company number, AND the precedence rule. When it changes no row
// (another connection deleted the resource and the id went to another one,
// a rolled-back transaction's id, an older record, a collision of hashes),
// the applier takes the path without the cache. So the cache needs no
// invalidation: a stale entry costs one UPDATE that changes nothing.
//
// Bounded: a fixed table of buckets of two entries (the newest first),
// 16 bytes each; a new id pushes the older of its bucket out. The default
// holds 131,072 resources in 2 MiB, allocated on the first Put (a process
// that applies no stream resource, a snapshot import, pays nothing).
#ifndef CH_STORE_RESOURCE_ID_CACHE_H_
#define CH_STORE_RESOURCE_ID_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ch {

class ResourceIdCache {
 public:
  static constexpr size_t kDefaultBuckets = size_t{1} << 16;

  // `buckets` is rounded up to a power of two; 0 disables the cache.
  explicit ResourceIdCache(size_t buckets = kDefaultBuckets);

  // The id last put for `uri_hash`, if it is still held.
  std::optional<int64_t> Find(int64_t uri_hash) const;
  // Remembers `id` (>= 1, as SQLite assigns them) for `uri_hash`.
  void Put(int64_t uri_hash, int64_t id);

  size_t capacity() const { return 2 * buckets_; }

 private:
  struct Entry {
    int64_t uri_hash = 0;
    int64_t id = 0;  // 0: empty
  };
  size_t Bucket(int64_t uri_hash) const {
    // FNV-1a's low bits depend on every byte; the high ones folded in anyway.
    const auto h = static_cast<uint64_t>(uri_hash);
    return static_cast<size_t>(h ^ (h >> 32)) & (buckets_ - 1);
  }

  size_t buckets_;
  std::vector<Entry> entries_;  // 2 per bucket; empty until the first Put
};

}  // namespace ch

#endif  // CH_STORE_RESOURCE_ID_CACHE_H_
