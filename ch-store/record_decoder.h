// RecordDecoder: turns one input line (a normalized record from ch-parse, see
// "Record formats" in README.md) into a typed Record that the applier can
// store without further checks. It never fails: a line ch-store cannot use
// (not JSON, an unknown kind, a company record missing what the database
// needs) comes back as a reject whose reason starts with "ch-store: ", so bad
// input is kept in `rejects` and never stops the stream.
//
// Company and resource records take the same fast path.
//
// It runs once per event on the hot path, so it avoids allocation: the parse
// tree lives in a reused arena, every text is a view into the line or into
// the decoder, and the `data` object is taken from the line as it was written
// (it is always the last member) instead of being serialised again.
#ifndef CH_STORE_RECORD_DECODER_H_
#define CH_STORE_RECORD_DECODER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_validator.h"
#include "common/status.h"
#include "rapidjson/document.h"

namespace ch {

using OptText = std::optional<std::string_view>;

// The registered-office address members, in the order of the columns of
// `companies` that hold them.
inline constexpr std::array<std::string_view, 9> kAddressFields = {
    "address_line_1", "address_line_2", "locality", "region",  "postal_code",
    "country",        "care_of",        "po_box",   "premises"};

// At most this much of a rejected line is stored (DESIGN.md: up to 64 KiB).
inline constexpr size_t kMaxRejectRawBytes = 64u << 10;

enum class RecordKind {
  kBlank,        // an empty or all-blank line: nothing to do
  kCompany,      // a company state from the stream or a bulk snapshot
  kResource,     // any other resource of any stream (a filing, an officer...)
  kReject,       // a line that could not be used (by ch-parse or ch-store)
  kGap,          // {"gap":{...}}: events were lost upstream
  kSnapshotEnd,  // {"snapshot_end":{...}}: a bulk import read to its end
};

struct CompanyRecord {
  std::string_view stream;
  bool bulk = false;                 // source "bulk" (else "stream")
  bool deleted = false;              // event_type "deleted" (else "changed")
  std::optional<int64_t> timepoint;  // always set for stream records
  OptText published_at;
  OptText as_of;  // "YYYY-MM-DDTHH:MM:SSZ"; always set for bulk records
  std::string_view company_number;
  OptText company_name;
  OptText company_status;  // nullopt: unknown, keep the stored pair
  OptText company_status_detail;
  OptText company_status_raw;
  OptText type;
  OptText type_raw;
  OptText jurisdiction;
  OptText date_of_creation;
  OptText date_of_cessation;
  std::array<OptText, kAddressFields.size()> address;
  OptText sic_codes;      // comma-separated
  OptText data;           // JSON text
  std::string_view line;  // the whole line (for a reject made by the applier)
};

// One value of a typed row: the column it goes in and the value.
struct RowCell {
  enum class Type { kNull, kInteger, kText };
  std::string_view column;
  Type type = Type::kNull;
  int64_t integer = 0;    // kInteger (also true/false as 1/0)
  std::string_view text;  // kText (also a number that is no integer, as written)
  // kText from a JSON string: the string as written in the line, quotes and
  // escapes included (valid JSON: the line was validated), so that the typed
  // row of a view is built by copying it; empty when not known (the full
  // parse), and then `text` is encoded again.
  std::string_view json;
};

// A signal the extractor found in a resource (phase2-spec section 4).
struct ResourceSignal {
  std::string_view signal;
  std::string_view key;
  OptText occurred_on;
  OptText detail;
};

// A resource record (README.md "Record formats"; phase2-spec section 1).
struct ResourceRecord {
  std::string_view stream;
  bool bulk = false;                 // source "bulk" (else "stream")
  bool deleted = false;              // event_type "deleted" (else "changed")
  std::optional<int64_t> timepoint;  // always set for stream records
  OptText published_at;
  OptText as_of;  // "YYYY-MM-DDTHH:MM:SSZ"; always set for bulk records
  std::string_view resource_kind;
  std::string_view resource_uri;
  // UriHash(resource_uri) (raw_hash.h), computed by the reading thread: the
  // applying thread is the one that limits a replay.
  int64_t uri_hash = 0;
  OptText resource_id;
  OptText company_number;  // valid (1-10 of A-Z0-9) when set
  OptText table;           // the typed table; nullopt for a kind without one
  // The rows: row i is the row_sizes[i] cells after those of rows 0..i-1.
  std::vector<RowCell> cells;
  std::vector<uint32_t> row_sizes;
  std::vector<ResourceSignal> signals;
  OptText data;           // JSON text; nullopt when the event had none
  std::string_view line;  // the whole line (for a reject made by the applier)
};

struct RejectRecord {
  std::string_view stream;
  OptText source;
  std::optional<int64_t> timepoint;
  std::string_view reason;
  std::string_view raw;  // at most kMaxRejectRawBytes
  uint64_t raw_length = 0;
};

struct GapRecord {
  std::string_view stream;
  std::optional<int64_t> after_timepoint;
  OptText reason;
};

// The counts a PSC snapshot's snapshot_end carries (README.md "Record
// formats"): what its totals line announced, and the lines ch-parse read,
// by the kinds table's family.
struct PscSnapshotExpected {
  int64_t pscs = 0;
  int64_t statements = 0;
  int64_t exemptions = 0;
};
struct PscSnapshotReceived {
  int64_t pscs = 0;
  int64_t statements = 0;
  int64_t exemptions = 0;
  int64_t other = 0;  // kinds ch-parse does not know
  int64_t rejects = 0;
};

struct SnapshotEndRecord {
  std::string_view stream;
  std::string_view as_of_date;  // "YYYY-MM-DD"
  std::optional<int64_t> rows;
  // "format":"psc-snapshot": the daily PSC snapshot (else the company bulk
  // file, whose line has no format).
  bool psc_snapshot = false;
  std::optional<PscSnapshotExpected> expected;  // null: no totals line was read
  PscSnapshotReceived received;
};

struct Record {
  RecordKind kind = RecordKind::kBlank;
  CompanyRecord company;           // kind == kCompany
  ResourceRecord resource;         // kind == kResource
  RejectRecord reject;             // kind == kReject
  GapRecord gap;                   // kind == kGap
  SnapshotEndRecord snapshot_end;  // kind == kSnapshotEnd
};

// True for "YYYY-MM-DDTHH:MM:SSZ" (shape only: digits where digits belong).
bool IsUtcTimestampText(std::string_view text);
// True for "YYYY-MM-DD" (shape only).
bool IsIsoDateText(std::string_view text);
// True for 1-10 characters A-Z0-9.
bool IsCompanyNumber(std::string_view text);

class RecordDecoder {
 public:
  // `default_stream` files records that name no stream (--stream).
  explicit RecordDecoder(std::string default_stream);
  RecordDecoder(const RecordDecoder&) = delete;
  RecordDecoder& operator=(const RecordDecoder&) = delete;

  // Decodes one line (without its '\n'). The result refers to `line` and to
  // memory owned by the decoder: valid until the next call.
  const Record& Decode(std::string_view line);

  // A line longer than the input cap: only `prefix` was kept.
  const Record& DecodeOversized(std::string_view prefix, uint64_t full_length);

  // Frees what the last line needed beyond a company record's usual
  // buffers: the full parse (its tree and 64 KiB arena, made for a reject or
  // control line) and any buffer a long line grew past kKeepBufferBytes.
  // ch-store keeps a decoder per reading slot: kept for good, the arenas
  // alone grew to 128 x 64 KiB (8 MiB of RSS) once every slot had met a
  // reject. Cheap when there is nothing to free. The record decoded last is
  // invalid afterwards.
  void ReleaseScratch();
  static constexpr size_t kKeepBufferBytes = 16u << 10;

 private:
  const Record& RejectLine(std::string_view line, uint64_t full_length, const std::string& reason);
  // Parses `text` into a fresh tree (doc_), fully checked (ParseJson).
  Status Parse(std::string_view text);
  // The fast path for company and resource records, whose `data` is the
  // last member: validates the line in one pass, then reads the members
  // before `data` straight from the text, and takes the data text as it is
  // in the line. False when the line is anything else: the full parse then
  // decides.
  bool DecodeFast(std::string_view line);
  // Fills record_.company from the members of `root` except `data`. Value
  // is a rapidjson::Value (the full parse) or a TextValue (the fast path).
  template <typename Value>
  bool DecodeCompany(const Value& root);
  // Remembers the first `data` member of the full parse (a TextValue has none).
  void NoteData(const rapidjson::Value& v) {
    if (data_member_ == nullptr) data_member_ = &v;
  }
  template <typename Value>
  void NoteData(const Value&) {}
  // The checks company and resource records share: a stream record's
  // timepoint (stored into *timepoint_out), a valid `as_of` when present
  // (into *as_of_out), and a bulk record's `as_of`.
  bool DecodeTime(std::optional<int64_t> timepoint, bool as_of_present, OptText as_of, bool bulk,
                  std::optional<int64_t>* timepoint_out, OptText* as_of_out);
  // Fills record_.resource from the members of `root` except `data`.
  template <typename Value>
  bool DecodeResource(const Value& root);
  template <typename Value>
  bool DecodeRows(const Value& rows);
  template <typename Value>
  bool DecodeSignals(const Value& signals);
  bool DecodeReject(const rapidjson::Value& root);
  bool DecodeGap(const rapidjson::Value& gap);
  bool DecodeSnapshotEnd(const rapidjson::Value& snapshot_end);
  // Sets the reason for the reject that DecodeX() failing leads to.
  bool Fail(std::string reason);

  std::string default_stream_;
  Record record_;
  std::string failure_;  // why the last Decode* failed
  // The first `data` member DecodeCompany saw (the slow path stores it).
  const rapidjson::Value* data_member_ = nullptr;
  std::string reason_;               // reject reason made by ch-store
  std::string raw_;                  // decoded raw_base64
  std::string sic_codes_;            // joined sic_codes
  std::string data_;                 // data re-serialised when it cannot be sliced
  JsonMembers members_;              // where the members of the line are (fast path)
  std::deque<std::string> scratch_;  // strings with escapes, decoded (fast path)
  std::string as_of_date_;           // snapshot_end as_of normalised
  // The full parse of the slow path, made on first use: the tree lives in
  // `pool`, whose first chunk is `arena`, reused for every line (larger trees
  // spill into heap chunks, released before the next line: RapidJSON never
  // frees inside a pool, so a reused document would otherwise grow).
  struct FullParse {
    FullParse();
    std::vector<char> arena;
    rapidjson::MemoryPoolAllocator<> pool;
    rapidjson::Document doc;
  };
  std::unique_ptr<FullParse> full_;
};

}  // namespace ch

#endif  // CH_STORE_RECORD_DECODER_H_
