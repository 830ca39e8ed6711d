// The charges table (the charges stream, resource_kind company-charges): one
// row per charge (a mortgage or debenture), with the lenders entitled to it.
// Satisfaction arrives as `changed` with satisfied_on and a status
// fully-satisfied.

#include <iterator>

#include "ch-parse/resource_extractors.h"
#include "ch-parse/resource_uri.h"

namespace ch {

namespace {

enum : size_t {
  kChargeId,
  kChargeCode,
  kChargeNumber,
  kStatus,
  kClassification,
  kCreatedOn,
  kDeliveredOn,
  kSatisfiedOn,
  kPersonsEntitled,
};

// charge_number is an integer in the REST resource (and in every real line),
// so it stays one, as pages does for filings.
constexpr Column kColumns[] = {
    {"charge_id", ColumnType::kText},        {"charge_code", ColumnType::kText},
    {"charge_number", ColumnType::kInteger}, {"status", ColumnType::kText},
    {"classification", ColumnType::kText},   {"created_on", ColumnType::kText},
    {"delivered_on", ColumnType::kText},     {"satisfied_on", ColumnType::kText},
    {"persons_entitled", ColumnType::kText},
};
static_assert(std::size(kColumns) == kPersonsEntitled + 1, "a column for each index above");

constexpr const char* kDataMembers[] = {"charge_code",    "charge_number",   "status",
                                        "classification", "created_on",      "delivered_on",
                                        "satisfied_on",   "persons_entitled"};

void ExtractCharges(const ExtractInput& in, ResourceRows* out) {
  const rapidjson::Value* data = in.data;
  const size_t row = out->AddRow();
  // The identity is the URI's: /company/{n}/charges/{charge_id}.
  out->SetText(row, kChargeId, SegmentAfter(in.resource_uri, "company/*/charges"));
  out->SetText(row, kChargeCode, TextOf(MemberOf(data, "charge_code"), out));
  out->SetInteger(row, kChargeNumber, IntegerOf(MemberOf(data, "charge_number")));
  out->SetText(row, kStatus, TextOf(MemberOf(data, "status"), out));
  out->SetText(row, kClassification,
               TextOf(MemberOf(MemberOf(data, "classification"), "description"), out));
  out->SetText(row, kCreatedOn, DateOf(MemberOf(data, "created_on"), out));
  out->SetText(row, kDeliveredOn, DateOf(MemberOf(data, "delivered_on"), out));
  out->SetText(row, kSatisfiedOn, DateOf(MemberOf(data, "satisfied_on"), out));
  out->SetText(row, kPersonsEntitled,
               JoinedTexts(MemberOf(data, "persons_entitled"), "name", "; ", out));
}

}  // namespace

extern const ResourceTable kChargesTable =
    MakeResourceTable("charges", kColumns, kDataMembers, &ExtractCharges);

}  // namespace ch
