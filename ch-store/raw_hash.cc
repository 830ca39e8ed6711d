// RawHash: see raw_hash.h.
#include "ch-store/raw_hash.h"

#include <cstring>

namespace ch {

uint64_t Fnv1a64(std::string_view bytes, uint64_t hash) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnv1a64Prime;
  }
  return hash;
}

int64_t RejectHash(std::string_view raw, uint64_t raw_length) {
  uint64_t hash = Fnv1a64(raw);
  for (int i = 0; i < 8; ++i) {
    hash ^= (raw_length >> (8 * i)) & 0xFF;
    hash *= kFnv1a64Prime;
  }
  int64_t out;
  std::memcpy(&out, &hash, sizeof out);  // keep the bits, not the value
  return out;
}

int64_t UriHash(std::string_view uri) { return static_cast<int64_t>(Fnv1a64(uri)); }

}  // namespace ch
