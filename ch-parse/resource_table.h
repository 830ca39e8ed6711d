// ResourceTable: one typed table of the every-stream database (filings,
// officers, pscs, ...) as ch-parse fills it: its columns in the order the
// rows are written (README.md "Record formats"), the members of `data` its
// extractor reads, and the extractor itself. ResourceRows is what an
// extractor fills: the rows of one resource record and the signals (the
// events a lead team acts on) that its data shows.
//
// Rows are not built as JSON by the extractors: they set cells by column,
// and RecordWriter writes every row with every column of its table, in the
// table's order (absent = null). So a row cannot lack a key or have them in
// another order, whatever the extractor forgets to set.
//
// The helpers at the end read untrusted `data` defensively (FindMember and
// type checks; a missing object reads as absent), so that an extractor is
// the same code with data and without: a deleted event without data gives
// the identity-only "stub" row (identity from the URI, the rest null).
#ifndef CH_PARSE_RESOURCE_TABLE_H_
#define CH_PARSE_RESOURCE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapidjson/document.h"

namespace ch {

enum class ColumnType : uint8_t { kText, kInteger };

struct Column {
  std::string_view name;
  ColumnType type;
};

// What an extractor is given.
struct ExtractInput {
  std::string_view resource_kind;
  // Normalised: exactly one leading '/'.
  std::string_view resource_uri;
  // Nullopt for kinds that have none (disqualified officers).
  std::optional<std::string_view> company_number;
  // The event's `data` object; nullptr when the event has none.
  const rapidjson::Value* data = nullptr;
};

class ResourceRows;
using Extractor = void (*)(const ExtractInput& in, ResourceRows* out);

struct ResourceTable {
  std::string_view name;
  const Column* columns;
  size_t column_count;
  // The top-level members of `data` the extractor reads: the parse may
  // leave out every other (see LineDocument's shape). Reading another
  // member means naming it here.
  const char* const* data_members;
  size_t data_member_count;
  Extractor extract;
};

// A table from its arrays: MakeResourceTable("filings", kColumns,
// kDataMembers, &ExtractFilings).
template <size_t kColumnCount, size_t kDataMemberCount>
constexpr ResourceTable MakeResourceTable(std::string_view name,
                                          const Column (&columns)[kColumnCount],
                                          const char* const (&data_members)[kDataMemberCount],
                                          Extractor extract) {
  return {name, columns, kColumnCount, data_members, kDataMemberCount, extract};
}

// One signal (README.md "Signals"): `key` makes it unique in the database.
struct ParsedSignal {
  std::string_view signal;
  std::string_view key;
  std::optional<std::string_view> occurred_on;  // YYYY-MM-DD
  std::optional<std::string_view> detail;
};

// The rows and signals of one resource record. Texts set into it must stay
// valid until the record is written: views into the parsed line, string
// literals, or NewText() strings.
class ResourceRows {
 public:
  struct Cell {
    enum class Type : uint8_t { kNull, kText, kInteger };
    Type type = Type::kNull;
    int64_t integer = 0;
    std::string_view text;
  };

  // Starts a record of `table` (nullptr: a kind without a table, no rows).
  // Everything of the previous record is dropped; memory is kept.
  void Reset(const ResourceTable* table);

  // A new row, every cell null; returns its index.
  size_t AddRow();
  void SetText(size_t row, size_t column, std::optional<std::string_view> text);
  void SetInteger(size_t row, size_t column, std::optional<int64_t> value);

  // An empty string that stays where it is until the next Reset.
  std::string* NewText();

  void AddSignal(const ParsedSignal& signal) { signals_.push_back(signal); }
  void ClearSignals() { signals_.clear(); }

  const ResourceTable* table() const { return table_; }
  size_t row_count() const { return rows_; }
  const Cell& cell(size_t row, size_t column) const {
    return cells_[row * table_->column_count + column];
  }
  const std::vector<ParsedSignal>& signals() const { return signals_; }

 private:
  const ResourceTable* table_ = nullptr;
  size_t rows_ = 0;
  std::vector<Cell> cells_;
  std::vector<ParsedSignal> signals_;
  std::deque<std::string> texts_;  // a deque: growing never moves a string
  size_t texts_used_ = 0;
};

// ---- Reading `data` for an extractor.

// The member `name` of `object` when `object` is an object that has it;
// nullptr otherwise (also for a null `object`).
const rapidjson::Value* MemberOf(const rapidjson::Value* object, const char* name);

// A text value: a non-empty string as it is; a number as its JSON text
// (numbers and numeric strings are both accepted everywhere); anything else
// (null, "", objects, arrays, booleans, absent) is nullopt.
std::optional<std::string_view> TextOf(const rapidjson::Value* value, ResourceRows* rows);

// A calendar date as YYYY-MM-DD: an ISO date or dd/mm/yyyy (blanks
// trimmed); anything else is nullopt.
std::optional<std::string_view> DateOf(const rapidjson::Value* value, ResourceRows* rows);

// The date a person left (an officer's resigned_on, a PSC's ceased_on): as
// DateOf, but a value present that is no date we read keeps its text (as
// TextOf), rather than NULL, which would count a leaver as current in the
// leads' people to contact (PSC-SNAPSHOT.md: do not drop a line over a date).
std::optional<std::string_view> EndDateOf(const rapidjson::Value* value, ResourceRows* rows);

// An integer, or a string of one ("5", " 5 "); nullopt otherwise.
std::optional<int64_t> IntegerOf(const rapidjson::Value* value);

// The texts of the elements of `array` (or, with `member`, of that member
// of each element) joined by `separator`, skipping the ones TextOf finds
// absent (JSON null among them); nullopt when none is left or `array` is
// not an array.
std::optional<std::string_view> JoinedTexts(const rapidjson::Value* array, const char* member,
                                            std::string_view separator, ResourceRows* rows);

// The last non-empty '/'-segment of a URI ("/company/1/charges/X" -> "X");
// nullopt when there is none.
std::optional<std::string_view> LastSegment(std::string_view uri);

}  // namespace ch

#endif  // CH_PARSE_RESOURCE_TABLE_H_
