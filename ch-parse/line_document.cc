// LineDocument: see line_document.h.
#include "ch-parse/line_document.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "common/json.h"
#include "common/utf8.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"

namespace ch {

namespace {

constexpr size_t kPoolBufferBytes = 128u << 10;
constexpr size_t kKeepBufferBytes = 1u << 20;
constexpr size_t kSimdPadding = 16;

// Forwards SAX events to the Document while enforcing the nesting limit
// and noting the span of the top-level "data" object.
class Handler {
 public:
  Handler(rapidjson::Document* doc, rapidjson::InsituStringStream* stream)
      : doc_(doc), stream_(stream) {}

  bool Null() { return Scalar() && doc_->Null(); }
  bool Bool(bool b) { return Scalar() && doc_->Bool(b); }
  bool Int(int i) { return Scalar() && doc_->Int(i); }
  bool Uint(unsigned u) { return Scalar() && doc_->Uint(u); }
  bool Int64(int64_t i) { return Scalar() && doc_->Int64(i); }
  bool Uint64(uint64_t u) { return Scalar() && doc_->Uint64(u); }
  bool Double(double d) { return Scalar() && doc_->Double(d); }
  // Numbers arrive as text (kParseNumbersAsStringsFlag): see AddJsonNumber.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool /*copy*/) {
    if (!Scalar()) return false;
    if (AddJsonNumber(std::string_view(s, n), doc_)) return true;
    too_big_number_ = true;
    return false;
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar() && doc_->String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    // A member of the root object named "data", the first such.
    if (depth_ == 1 && !data_seen_ && n == 4 && std::memcmp(s, "data", 4) == 0) {
      data_seen_ = true;
      data_next_ = true;
    }
    return doc_->Key(s, n, copy);
  }
  bool StartObject() {
    if (++depth_ > kMaxJsonDepth) return TooDeep();
    if (data_next_) {
      data_next_ = false;
      data_depth_ = depth_;
      data_begin_ = stream_->Tell() - 1;  // the '{' was just taken
    }
    return doc_->StartObject();
  }
  bool EndObject(rapidjson::SizeType members) {
    if (depth_ == data_depth_) {
      data_end_ = stream_->Tell();  // the '}' was just taken
      data_depth_ = -1;
    }
    --depth_;
    return doc_->EndObject(members);
  }
  bool StartArray() {
    if (++depth_ > kMaxJsonDepth) return TooDeep();
    data_next_ = false;
    return doc_->StartArray();
  }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_->EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }
  bool too_big_number() const { return too_big_number_; }
  // [begin, end) of the data object in the text, when there was one.
  bool data_span(size_t* begin, size_t* end) const {
    if (data_end_ == 0) return false;
    *begin = data_begin_;
    *end = data_end_;
    return true;
  }

 private:
  bool Scalar() {
    data_next_ = false;
    return true;
  }
  bool TooDeep() {
    too_deep_ = true;
    return false;
  }

  rapidjson::Document* doc_;
  rapidjson::InsituStringStream* stream_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool too_big_number_ = false;
  bool data_seen_ = false;
  bool data_next_ = false;
  int data_depth_ = -1;
  size_t data_begin_ = 0;
  size_t data_end_ = 0;
};

}  // namespace

bool IsValidUtf8Fast(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

LineDocument::LineDocument()
    : pool_buffer_(new char[kPoolBufferBytes]),
      pool_(pool_buffer_.get(), kPoolBufferBytes),
      doc_(&pool_) {
  buffer_.reserve(64u << 10);
}

Status LineDocument::Parse(std::string_view text) {
  raw_data_.reset();
  // The previous line's values live in the pool: drop them, keep the memory.
  doc_.SetNull();
  pool_.Clear();
  if (!IsValidUtf8Fast(text)) return Status::DataError("invalid JSON: Invalid encoding in string.");
  // After an exceptionally large line, give the memory back instead of
  // keeping megabytes for ordinary 2 KB events. (Only now: the previous
  // DOM's strings pointed into the buffer until this call.)
  if (buffer_.capacity() > kKeepBufferBytes && text.size() < kKeepBufferBytes) {
    std::vector<char>().swap(buffer_);
  }
  // The NUL ends the text for the parser; the padding after it is there
  // because RapidJSON's SSE2 string and whitespace scans (RAPIDJSON_SSE2, set
  // in the Makefile) load whole aligned 16-byte blocks, and the block that
  // holds the terminator may reach past it.
  buffer_.assign(text.begin(), text.end());
  buffer_.insert(buffer_.end(), 1 + kSimdPadding, '\0');

  rapidjson::InsituStringStream stream(buffer_.data());
  Handler handler(&doc_, &stream);
  rapidjson::Reader reader;
  // Numbers come as text and are converted by the handler, correctly rounded,
  // so they keep their value if a caller re-serialises them (RapidJSON's own
  // full-precision conversion is broken for "0e99": see AddJsonNumber).
  constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
  auto generate = [&](rapidjson::Document&) {
    return !reader.Parse<kFlags>(stream, handler).IsError();
  };
  doc_.Populate(generate);
  if (handler.too_deep())
    return Status::DataError("JSON nested deeper than " + std::to_string(kMaxJsonDepth));
  if (reader.HasParseError()) {
    const rapidjson::ParseErrorCode code =
        handler.too_big_number() ? rapidjson::kParseErrorNumberTooBig : reader.GetParseErrorCode();
    return Status::DataError(std::string("invalid JSON: ") + rapidjson::GetParseError_En(code) +
                             " at offset " + std::to_string(reader.GetErrorOffset()));
  }
  size_t begin, end;
  if (handler.data_span(&begin, &end)) raw_data_ = text.substr(begin, end - begin);
  return Status::Ok();
}

}  // namespace ch
