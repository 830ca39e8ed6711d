// The psc_statements table (the persons-with-significant-control-statements
// stream, resource_kind persons-with-significant-control-statement): what a
// company states about its persons with significant control when it cannot
// name one ("no-individual-or-entity-with-signficant-control", [sic]). No
// real line of this stream is known (STREAMS.md); the fields are the REST
// resource's.

#include <iterator>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/resource_uri.h"

namespace ch {

namespace {

enum : size_t {
  kStatementId,
  kStatement,
  kNotifiedOn,
  kCeasedOn,
  kLinkedPscName,
};

constexpr Column kColumns[] = {
    {"statement_id", ColumnType::kText},    {"statement", ColumnType::kText},
    {"notified_on", ColumnType::kText},     {"ceased_on", ColumnType::kText},
    {"linked_psc_name", ColumnType::kText},
};
static_assert(std::size(kColumns) == kLinkedPscName + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {"statement", "notified_on", "ceased_on", "linked_psc_name"};

void ExtractPscStatements(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* data = in.data;
  const size_t row = out->AddRow();
  // /company/{n}/persons-with-significant-control-statements/{statement_id}
  out->SetText(
      row, kStatementId,
      SegmentAfter(in.resource_uri, "company/*/persons-with-significant-control-statements"));
  out->SetText(row, kStatement, TextOf(MemberOf(data, "statement"), out));
  out->SetText(row, kNotifiedOn, DateOf(MemberOf(data, "notified_on"), out));
  out->SetText(row, kCeasedOn, DateOf(MemberOf(data, "ceased_on"), out));
  out->SetText(row, kLinkedPscName, TextOf(MemberOf(data, "linked_psc_name"), out));
}

}  // namespace

extern const ResourceTable kPscStatementsTable =
    MakeResourceTable("psc_statements", kColumns, kDataMembers, &ExtractPscStatements);

}  // namespace ch
