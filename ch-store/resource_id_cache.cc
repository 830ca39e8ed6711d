// ResourceIdCache: see resource_id_cache.h.
#include "ch-store/resource_id_cache.h"

namespace ch {

namespace {

size_t RoundUpToPowerOfTwo(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

ResourceIdCache::ResourceIdCache(size_t buckets)
    : buckets_(buckets == 0 ? 0 : RoundUpToPowerOfTwo(buckets)) {}

std::optional<int64_t> ResourceIdCache::Find(int64_t uri_hash) const {
  if (entries_.empty()) return std::nullopt;
  const Entry* e = &entries_[2 * Bucket(uri_hash)];
  if (e[0].id != 0 && e[0].uri_hash == uri_hash) return e[0].id;
  if (e[1].id != 0 && e[1].uri_hash == uri_hash) return e[1].id;
  return std::nullopt;
}

void ResourceIdCache::Put(int64_t uri_hash, int64_t id) {
  if (buckets_ == 0 || id < 1) return;
  if (entries_.empty()) entries_.resize(2 * buckets_);
  Entry* e = &entries_[2 * Bucket(uri_hash)];
  // The newest first: an entry already held moves to the front, else the
  // front one moves back and the back one is forgotten.
  if (!(e[0].id != 0 && e[0].uri_hash == uri_hash)) e[1] = e[0];
  e[0] = Entry{uri_hash, id};
}

}  // namespace ch
