// LineDocument: see line_document.h.
#include "ch-parse/line_document.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "common/json.h"
#include "common/json_validator.h"
#include "common/utf8.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"

namespace ch {

namespace {

constexpr size_t kPoolBufferBytes = 128u << 10;
constexpr size_t kKeepBufferBytes = 1u << 20;

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

// Builds tree values straight from the text of a value that
// IsValidJsonValue() accepted and that holds no \u escape and no large
// number, giving what RapidJSON's parse (with LineDocument's Handler) gives.
class TextTreeBuilder {
 public:
  TextTreeBuilder(rapidjson::Document* doc, std::string* scratch) : doc_(doc), scratch_(scratch) {}

  // The value starting at s[i]; returns the index just past it.
  size_t Value(std::string_view s, size_t i) {
    switch (s[i]) {
      case '{':
        return Object(s, i);
      case '[':
        return Array(s, i);
      case '"':
        return QuotedString(s, i, /*key=*/false);
      case 't':
        doc_->Bool(true);
        return i + 4;
      case 'f':
        doc_->Bool(false);
        return i + 5;
      case 'n':
        doc_->Null();
        return i + 4;
      default: {
        const size_t end = SkipJsonValue(s, i);
        // Cannot fail: no exponent, fewer than 300 characters.
        if (!AddJsonNumber(s.substr(i, end - i), doc_)) doc_->Double(0);
        return end;
      }
    }
  }

  // A string's content as written between its quotes (escapes undone).
  void String(std::string_view body, bool key) {
    if (body.find('\\') == std::string_view::npos) {
      Plain(body, key);
      return;
    }
    Escaped(body, key);
  }

 private:
  // The string starting at s[i] == '"'; returns the index past its closing
  // quote. One pass finds both the end and whether there are escapes: the
  // strings inside the values built here are short, and two memchr calls
  // per string cost more than the loop.
  size_t QuotedString(std::string_view s, size_t i, bool key) {
    size_t j = i + 1;
    while (s[j] != '"' && s[j] != '\\') ++j;
    if (s[j] == '"') {
      Plain(s.substr(i + 1, j - i - 1), key);
      return j + 1;
    }
    const size_t end = SkipJsonString(s, i);
    Escaped(s.substr(i + 1, end - i - 2), key);
    return end;
  }

  void Plain(std::string_view body, bool key) {
    const auto n = static_cast<rapidjson::SizeType>(body.size());
    key ? doc_->Key(body.data(), n, false) : doc_->String(body.data(), n, false);
  }

  void Escaped(std::string_view body, bool key) {
    scratch_->clear();
    AppendJsonStringContent(body, scratch_);
    const auto n = static_cast<rapidjson::SizeType>(scratch_->size());
    key ? doc_->Key(scratch_->data(), n, true) : doc_->String(scratch_->data(), n, true);
  }

  size_t Object(std::string_view s, size_t i) {
    doc_->StartObject();
    rapidjson::SizeType members = 0;
    i = SkipJsonBlanks(s, i + 1);
    while (s[i] != '}') {
      const size_t key_end = QuotedString(s, i, /*key=*/true);
      i = SkipJsonBlanks(s, SkipJsonBlanks(s, key_end) + 1);  // past ':'
      i = SkipJsonBlanks(s, Value(s, i));
      ++members;
      if (s[i] == ',') i = SkipJsonBlanks(s, i + 1);
    }
    doc_->EndObject(members);
    return i + 1;
  }

  size_t Array(std::string_view s, size_t i) {
    doc_->StartArray();
    rapidjson::SizeType elements = 0;
    i = SkipJsonBlanks(s, i + 1);
    while (s[i] != ']') {
      i = SkipJsonBlanks(s, Value(s, i));
      ++elements;
      if (s[i] == ',') i = SkipJsonBlanks(s, i + 1);
    }
    doc_->EndArray(elements);
    return i + 1;
  }

  rapidjson::Document* doc_;
  std::string* scratch_;
};

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (n == name) return true;
  }
  return false;
}

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

LineDocument::LineDocument(Shape shape) : LineDocument() { shape_ = std::move(shape); }

bool LineDocument::ParseShaped(std::string_view text) {
  if (!IsValidJsonValue(text, &members_, "data", &data_members_) || !members_.complete ||
      members_.unicode_escapes || members_.large_numbers) {
    return false;
  }
  // The first "data" member, when it is an object, is built from the
  // validator's table of its members: all must have fitted, and an escaped
  // name could be one of the shape's. (A later "data" member is built whole,
  // as the full parse builds it.)
  int data_index = -1;
  int kind_index = -1;
  for (int i = 0; i < members_.count; ++i) {
    const JsonMembers::Member& m = members_.members[i];
    const std::string_view key = text.substr(m.key_begin, m.key_end - m.key_begin);
    if (key.find('\\') != std::string_view::npos || !Contains(shape_->members, key)) return false;
    if (key == "data" && data_index < 0) data_index = i;
    if (kind_index < 0 && key == shape_->kind_member) kind_index = i;
  }
  // The members of `data` the reader wants, as the first kind member (the
  // one FindMember finds) says.
  const std::vector<std::string>* data_shape = &shape_->data_members;
  if (kind_index >= 0) {
    const JsonMembers::Member& m = members_.members[kind_index];
    const std::string_view value = text.substr(m.value_begin, m.value_end - m.value_begin);
    if (value.size() >= 2 && value.front() == '"') {
      const std::string_view kind = value.substr(1, value.size() - 2);
      bool listed = false;
      for (const auto& [name, members] : shape_->data_members_by_kind) {
        if (name == kind) {
          data_shape = &members;
          listed = true;
          break;
        }
      }
      // A kind written with escapes could still be a listed one once
      // decoded: rare, left to the full parse.
      if (!listed && kind.find('\\') != std::string_view::npos) return false;
    }
  }
  if (data_index >= 0 && text[members_.members[data_index].value_begin] == '{') {
    if (!data_members_.complete) return false;
    for (int k = 0; k < data_members_.count; ++k) {
      const JsonMembers::Member& d = data_members_.members[k];
      if (text.substr(d.key_begin, d.key_end - d.key_begin).find('\\') != std::string_view::npos)
        return false;
    }
  } else {
    data_index = -1;  // no object to prune
  }
  auto generate = [&](rapidjson::Document& doc) {
    TextTreeBuilder build(&doc, &unescaped_);
    doc.StartObject();
    for (int i = 0; i < members_.count; ++i) {
      const JsonMembers::Member& m = members_.members[i];
      const std::string_view key = text.substr(m.key_begin, m.key_end - m.key_begin);
      const std::string_view value = text.substr(m.value_begin, m.value_end - m.value_begin);
      build.String(key, /*key=*/true);
      if (i != data_index) {
        build.Value(value, 0);
        continue;
      }
      raw_data_ = value;
      doc.StartObject();
      rapidjson::SizeType kept = 0;
      for (int k = 0; k < data_members_.count; ++k) {
        const JsonMembers::Member& d = data_members_.members[k];
        const std::string_view name = text.substr(d.key_begin, d.key_end - d.key_begin);
        if (!Contains(*data_shape, name)) continue;
        build.String(name, /*key=*/true);
        build.Value(text.substr(d.value_begin, d.value_end - d.value_begin), 0);
        ++kept;
      }
      doc.EndObject(kept);
    }
    return doc.EndObject(static_cast<rapidjson::SizeType>(members_.count));
  };
  doc_.Populate(generate);
  return true;
}

Status LineDocument::Parse(std::string_view text) {
  raw_data_.reset();
  // The previous line's values live in the pool: drop them, keep the memory.
  doc_.SetNull();
  pool_.Clear();
  shaped_ = shape_ && ParseShaped(text);
  if (shaped_) return Status::Ok();
  if (!IsValidUtf8Fast(text)) return Status::DataError("invalid JSON: Invalid encoding in string.");
  // After an exceptionally large line, give the memory back instead of
  // keeping megabytes for ordinary 2 KB events. (Only now: the previous
  // DOM's strings pointed into the buffer until this call.)
  if (buffer_.capacity() > kKeepBufferBytes && text.size() < kKeepBufferBytes) {
    std::vector<char>().swap(buffer_);
  }
  buffer_.assign(text.begin(), text.end());
  buffer_.push_back('\0');

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
