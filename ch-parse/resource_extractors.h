// The typed tables of the every-stream database, one extractor each
// (phase2-spec.md section 3 lists their columns). Each is defined in its
// own file, <table>_extractor.cc, with its columns, the members of `data`
// it reads and its extractor; the kinds table (resource_kinds.cc) points
// each resource_kind at one of them.
#ifndef CH_PARSE_RESOURCE_EXTRACTORS_H_
#define CH_PARSE_RESOURCE_EXTRACTORS_H_

#include "ch-parse/resource_table.h"

namespace ch {

extern const ResourceTable kFilingsTable;
extern const ResourceTable kOfficersTable;
extern const ResourceTable kPscsTable;
extern const ResourceTable kPscStatementsTable;
extern const ResourceTable kChargesTable;
extern const ResourceTable kInsolvencyCasesTable;
extern const ResourceTable kDisqualifiedOfficersTable;
extern const ResourceTable kCompanyExemptionsTable;

}  // namespace ch

#endif  // CH_PARSE_RESOURCE_EXTRACTORS_H_
