// CompanyStateCache: what the applier knows of the companies it read or
// wrote recently, so that it need not SELECT a row it has just written.
//
// Applying a stream record costs a SELECT (is the stored state older? what
// was the status?) and an UPDATE. A replay sees the same company again and
// again (a company files several documents in a day, and each one republishes
// its profile), and for those the SELECT is a b-tree search repeated only to
// learn what this process wrote a moment ago: about a sixth of ch-store's
// time on a 100,000-event replay.
//
// The cache holds the columns the applying rules read when a stream record
// meets a row that a stream record wrote (rowid, status, detail, the deleted
// mark: as_of matters only against a snapshot, whose rows are never cached),
// for at most max_entries companies, in one flat table of 24-byte entries
// (1.5 MB for the default 32,768, allocated on first use). It is only ever a
// copy of the database as this connection left it: the applier forgets
// everything when a transaction rolls back and when another connection has
// written since its last commit (PRAGMA data_version), and it puts the new
// state after every write.
//
// Status and detail texts are stored once, in a table of at most kMaxTexts,
// and an entry holds their one-byte ids. That table only ever grows: an id,
// once given, names the same text for the life of the cache, so neither a
// full table starting afresh nor Clear() can leave an entry whose id now
// decodes to another text. (Until issue 13, Put took the ids, then started
// the table afresh together with its texts, then stored the stale ids: after
// 32,768 companies a company could read back as `dissolved` when it was
// `active`.) A state whose text no longer fits is simply not cached: the
// next record reads the row again. The normalised keys are about twenty;
// only unknown detail texts, which ch-parse passes on as sent, can fill it.
#ifndef CH_STORE_COMPANY_STATE_CACHE_H_
#define CH_STORE_COMPANY_STATE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ch {

// The stored columns of one company, written by a stream record, that the
// applying rules read for the next stream record.
struct CompanyState {
  int64_t rowid = 0;
  bool deleted = false;
  // Views: into the caller's memory for Put, into the cache for Find (valid
  // for the life of the cache: texts are never dropped).
  std::optional<std::string_view> status;
  std::optional<std::string_view> detail;
};

class CompanyStateCache {
 public:
  // Companies held at most by default; reaching the bound starts the entries
  // afresh (a replay of recent events is what the cache is for: anything
  // older is cheap to re-read).
  static constexpr size_t kDefaultMaxEntries = 1u << 15;
  // Distinct status and detail texts held at most (ids are one byte, 0 is
  // null).
  static constexpr size_t kMaxTexts = 255;

  // REQUIRES: max_entries >= 1 (tests use a few; ch-store the default, or
  // CH_TEST_LIMITS: see test_limits.h).
  explicit CompanyStateCache(size_t max_entries = kDefaultMaxEntries);
  ~CompanyStateCache();
  CompanyStateCache(const CompanyStateCache&) = delete;
  CompanyStateCache& operator=(const CompanyStateCache&) = delete;

  // The state remembered for `company_number`, if any.
  bool Find(std::string_view company_number, CompanyState* out) const;
  // Remembers `state` as the stored state of `company_number` (or forgets
  // the number when the state cannot be held). When the table is full and
  // the number new, every entry is forgotten first (the texts stay).
  void Put(std::string_view company_number, const CompanyState& state);
  void Forget(std::string_view company_number);
  // Forgets every company (the texts stay: see the top of this file).
  void Clear();
  // Companies held (forgotten ones included until the table starts afresh).
  size_t size() const { return size_; }
  size_t max_entries() const { return max_entries_; }
  size_t texts() const { return texts_.size(); }

 private:
  struct Entry;
  // The slot holding `company_number`, or the empty slot where it would go.
  Entry* Slot(std::string_view company_number) const;
  void Allocate();
  // The id of `text` (0: null), interning it; -1 when the table is full.
  int TextId(const std::optional<std::string_view>& text);

  const size_t max_entries_;
  const size_t slots_;  // a power of two, at least twice max_entries_
  // slots_ entries, zeroed (an all-zero entry is empty), allocated on first
  // Put: by calloc, so that pages no entry uses are never touched (resident).
  struct Free {
    void operator()(Entry* e) const;
  };
  std::unique_ptr<Entry[], Free> entries_;
  size_t size_ = 0;
  // id - 1 -> text. Reserved up front and never shrunk, so that neither the
  // ids nor the views Find hands out ever move.
  std::vector<std::string> texts_;
};

}  // namespace ch

#endif  // CH_STORE_COMPANY_STATE_CACHE_H_
