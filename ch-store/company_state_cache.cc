// CompanyStateCache: see company_state_cache.h.
#include "ch-store/company_state_cache.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace ch {

namespace {

// Company numbers are 1-10 characters (DESIGN.md).
constexpr size_t kMaxNumberBytes = 10;
// Open addressing at a load of at most one half keeps probe runs short.
size_t SlotsFor(size_t max_entries) {
  size_t slots = 2;
  while (slots < 2 * max_entries) slots *= 2;
  return slots;
}

constexpr uint8_t kValid = 1;  // the slot's state is known (else: forgotten)
constexpr uint8_t kDeleted = 2;

uint64_t Hash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

// 24 bytes: the table for kDefaultMaxEntries companies is 1.5 MiB.
struct CompanyStateCache::Entry {
  char number[kMaxNumberBytes];
  uint8_t number_length;  // 0: an empty slot
  uint8_t flags;
  uint8_t status;  // text ids, 0 for null
  uint8_t detail;
  int64_t rowid;
};

void CompanyStateCache::Free::operator()(Entry* e) const { std::free(e); }

CompanyStateCache::CompanyStateCache(size_t max_entries)
    : max_entries_(max_entries < 1 ? 1 : max_entries), slots_(SlotsFor(max_entries_)) {
  static_assert(sizeof(Entry) == 24, "entries stay small");
  texts_.reserve(kMaxTexts);
}
CompanyStateCache::~CompanyStateCache() = default;

CompanyStateCache::Entry* CompanyStateCache::Slot(std::string_view company_number) const {
  size_t i = Hash(company_number) & (slots_ - 1);
  for (;;) {
    Entry* e = &entries_[i];
    if (e->number_length == 0) return e;
    if (e->number_length == company_number.size() &&
        std::memcmp(e->number, company_number.data(), company_number.size()) == 0) {
      return e;
    }
    i = (i + 1) & (slots_ - 1);
  }
}

bool CompanyStateCache::Find(std::string_view company_number, CompanyState* out) const {
  if (!entries_ || company_number.empty() || company_number.size() > kMaxNumberBytes) return false;
  const Entry* e = Slot(company_number);
  if (e->number_length == 0 || (e->flags & kValid) == 0) return false;
  // Ids index a table that never shrinks (see the header), so this holds;
  // were it ever broken, a miss is safe where a wrong text is not.
  if (e->status > texts_.size() || e->detail > texts_.size()) return false;
  auto text = [this](uint8_t id) -> std::optional<std::string_view> {
    if (id == 0) return std::nullopt;
    return texts_[id - 1];
  };
  out->rowid = e->rowid;
  out->deleted = (e->flags & kDeleted) != 0;
  out->status = text(e->status);
  out->detail = text(e->detail);
  return true;
}

int CompanyStateCache::TextId(const std::optional<std::string_view>& text) {
  if (!text) return 0;
  for (size_t i = 0; i < texts_.size(); ++i) {
    if (texts_[i] == *text) return static_cast<int>(i + 1);
  }
  if (texts_.size() >= kMaxTexts) return -1;
  texts_.emplace_back(*text);
  return static_cast<int>(texts_.size());
}

void CompanyStateCache::Put(std::string_view company_number, const CompanyState& state) {
  if (company_number.empty() || company_number.size() > kMaxNumberBytes) return;
  // Interning never drops a text, and nothing below drops one either: the
  // ids stay valid whatever happens to the entries afterwards.
  const int status = TextId(state.status);
  const int detail = TextId(state.detail);
  if (status < 0 || detail < 0) {
    Forget(company_number);
    return;
  }
  if (!entries_) Allocate();
  Entry* e = Slot(company_number);
  if (e->number_length == 0) {
    if (size_ >= max_entries_) {
      Clear();  // the entries only
      Allocate();
      e = Slot(company_number);
    }
    std::memcpy(e->number, company_number.data(), company_number.size());
    e->number_length = static_cast<uint8_t>(company_number.size());
    ++size_;
  }
  e->flags = static_cast<uint8_t>(kValid | (state.deleted ? kDeleted : 0));
  e->status = static_cast<uint8_t>(status);
  e->detail = static_cast<uint8_t>(detail);
  e->rowid = state.rowid;
}

void CompanyStateCache::Allocate() {
  entries_.reset(static_cast<Entry*>(std::calloc(slots_, sizeof(Entry))));
  if (!entries_) throw std::bad_alloc();
}

void CompanyStateCache::Forget(std::string_view company_number) {
  if (!entries_ || company_number.empty() || company_number.size() > kMaxNumberBytes) return;
  // The key stays so that later keys of the same probe run are still found.
  Entry* e = Slot(company_number);
  if (e->number_length != 0) e->flags = 0;
}

void CompanyStateCache::Clear() {
  entries_.reset();  // a fresh calloc is cheaper than touching every page
  size_ = 0;
  // texts_ stays: dropping a text is what let an id outlive it (issue 13).
}

}  // namespace ch
