// The kinds table: see resource_kinds.h. Facts: STREAMS.md (kinds seen in
// real events and in Companies House's own code), DESIGN.md "Every stream".
#include "ch-parse/resource_kinds.h"

#include <algorithm>
#include <iterator>

#include "ch-parse/resource_extractors.h"

namespace ch {

namespace {

using Rule = CompanyNumberRule;

// clang-format off
constexpr ResourceKind kKinds[] = {
  // resource_kind                                stream                                         table                        company number      snapshot data.kind
  {"company-profile",                            "companies",                                   nullptr,                     Rule::kCompanyRecord, ""},
  {"filing-history",                             "filings",                                     &kFilingsTable,              Rule::kFromUri,   ""},
  {"company-officers",                           "officers",                                    &kOfficersTable,             Rule::kFromUri,   ""},
  {"company-psc-individual",                     "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "individual-person-with-significant-control"},
  {"company-psc-corporate",                      "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "corporate-entity-person-with-significant-control"},
  {"company-psc-legal",                          "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "legal-person-person-with-significant-control"},
  {"company-psc-supersecure",                    "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "super-secure-person-with-significant-control"},
  {"individual-beneficial-owner",                "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "individual-beneficial-owner"},
  {"corporate-entity-beneficial-owner",          "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "corporate-entity-beneficial-owner"},
  {"legal-person-beneficial-owner",              "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "legal-person-beneficial-owner"},
  {"super-secure-beneficial-owner",              "persons-with-significant-control",            &kPscsTable,                 Rule::kFromUri,   "super-secure-beneficial-owner"},
  {"persons-with-significant-control-statement", "persons-with-significant-control-statements", &kPscStatementsTable,        Rule::kFromUri,   "persons-with-significant-control-statement"},
  {"company-charges",                            "charges",                                     &kChargesTable,              Rule::kFromUri,   ""},
  {"company-insolvency",                         "insolvency-cases",                            &kInsolvencyCasesTable,      Rule::kFromUri,   ""},
  {"disqualified-officer-natural",               "disqualified-officers",                       &kDisqualifiedOfficersTable, Rule::kNone,      ""},
  {"disqualified-officer-corporate",             "disqualified-officers",                       &kDisqualifiedOfficersTable, Rule::kNone,      ""},
  {"company-exemptions",                         "company-exemptions",                          &kCompanyExemptionsTable,    Rule::kFromUri,   "exemptions"},
};
// clang-format on

}  // namespace

const ResourceKind* ResourceKindList::begin() const { return std::begin(kKinds); }
const ResourceKind* ResourceKindList::end() const { return std::end(kKinds); }

const ResourceKind* FindResourceKind(std::string_view resource_kind) {
  for (const ResourceKind& kind : kKinds) {
    if (kind.resource_kind == resource_kind) return &kind;
  }
  return nullptr;
}

const ResourceKind* FindResourceKindBySnapshotKind(std::string_view data_kind) {
  if (data_kind.empty()) return nullptr;
  for (const ResourceKind& kind : kKinds) {
    if (kind.snapshot_kind == data_kind) return &kind;
  }
  return nullptr;
}

std::vector<const ResourceTable*> AllResourceTables() {
  std::vector<const ResourceTable*> tables;
  for (const ResourceKind& kind : kKinds) {
    if (kind.table != nullptr &&
        std::find(tables.begin(), tables.end(), kind.table) == tables.end())
      tables.push_back(kind.table);
  }
  return tables;
}

}  // namespace ch
