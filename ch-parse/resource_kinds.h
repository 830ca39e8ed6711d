// The kinds table: every `resource_kind` the service sends, in one table in
// the spirit of curl's option table. A row says which stream sends the kind,
// which typed table its rows go to (and so which extractor makes them), how
// the company number is found, and the PSC snapshot's `data.kind` for it
// (the daily snapshot names kinds its own way).
//
// Adding a kind of an existing table is adding a row here (and a test);
// adding a table is adding its extractor (resource_extractors.h) too. A kind
// that is not in the table is still stored, generically (DESIGN.md: the
// service adds kinds): see kUnknownKindNumberRule.
#ifndef CH_PARSE_RESOURCE_KINDS_H_
#define CH_PARSE_RESOURCE_KINDS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ch-parse/resource_table.h"

namespace ch {

enum class CompanyNumberRule : uint8_t {
  // company-profile: not a resource record but a company record, whose
  // number is data.company_number, else resource_id, else the URI's end.
  kCompanyRecord,
  // The segment after "/company/" in the URI; an event without a valid one
  // is a reject.
  kFromUri,
  // The kind belongs to no company (disqualified officers): null.
  kNone,
  // Unknown kinds: from a "/company/{n}" prefix of the URI when it holds a
  // valid number, else null (never a reject).
  kFromUriIfAny,
};

struct ResourceKind {
  std::string_view resource_kind;
  // The stream that sends it (the path ch-fetch requests).
  std::string_view stream;
  // The typed table; nullptr for company-profile (the companies table is
  // ch-store's own, fed by company records).
  const ResourceTable* table;
  CompanyNumberRule company_number;
  // `data.kind` of the same resource in the daily PSC snapshot; "" when
  // the snapshot does not carry the kind.
  std::string_view snapshot_kind;
};

// The row of `resource_kind`, matched exactly; nullptr for a kind not in
// the table.
const ResourceKind* FindResourceKind(std::string_view resource_kind);

// The row whose snapshot_kind is `data_kind`; nullptr when none is.
const ResourceKind* FindResourceKindBySnapshotKind(std::string_view data_kind);

// Every row, in table order.
struct ResourceKindList {
  const ResourceKind* begin() const;
  const ResourceKind* end() const;
};
inline ResourceKindList AllResourceKinds() { return {}; }

// The typed tables, each once, in the order the kinds table first names them.
std::vector<const ResourceTable*> AllResourceTables();

inline constexpr CompanyNumberRule kUnknownKindNumberRule = CompanyNumberRule::kFromUriIfAny;

}  // namespace ch

#endif  // CH_PARSE_RESOURCE_KINDS_H_
