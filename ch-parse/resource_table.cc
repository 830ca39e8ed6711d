// ResourceTable and ResourceRows: see resource_table.h.
#include "ch-parse/resource_table.h"

#include "common/json.h"
#include "common/timestamp.h"

namespace ch {

void ResourceRows::Reset(const ResourceTable* table) {
  table_ = table;
  rows_ = 0;
  cells_.clear();
  signals_.clear();
  texts_used_ = 0;
}

size_t ResourceRows::AddRow() {
  // REQUIRES: a table (extractors exist only for kinds that have one).
  cells_.resize(cells_.size() + table_->column_count);
  return rows_++;
}

void ResourceRows::SetText(size_t row, size_t column, std::optional<std::string_view> text) {
  Cell& c = cells_[row * table_->column_count + column];
  if (text) {
    c.type = Cell::Type::kText;
    c.text = *text;
  } else {
    c.type = Cell::Type::kNull;
  }
}

void ResourceRows::SetInteger(size_t row, size_t column, std::optional<int64_t> value) {
  Cell& c = cells_[row * table_->column_count + column];
  if (value) {
    c.type = Cell::Type::kInteger;
    c.integer = *value;
  } else {
    c.type = Cell::Type::kNull;
  }
}

std::string* ResourceRows::NewText() {
  if (texts_used_ == texts_.size()) texts_.emplace_back();
  std::string* text = &texts_[texts_used_++];
  text->clear();
  return text;
}

const rapidjson::Value* MemberOf(const rapidjson::Value* object, const char* name) {
  if (object == nullptr) return nullptr;
  return FindMember(*object, name);
}

std::optional<std::string_view> TextOf(const rapidjson::Value* value, ResourceRows* rows) {
  if (value == nullptr) return std::nullopt;
  if (value->IsString()) {
    if (value->GetStringLength() == 0) return std::nullopt;
    return std::string_view(value->GetString(), value->GetStringLength());
  }
  if (value->IsNumber()) {
    std::string* text = rows->NewText();
    AppendJsonValue(text, *value);
    return std::string_view(*text);
  }
  return std::nullopt;
}

std::optional<std::string_view> DateOf(const rapidjson::Value* value, ResourceRows* rows) {
  if (value == nullptr || !value->IsString()) return std::nullopt;
  const auto date =
      ParseCalendarDate(std::string_view(value->GetString(), value->GetStringLength()));
  if (!date) return std::nullopt;
  std::string* text = rows->NewText();
  text->assign(date->view());
  return std::string_view(*text);
}

std::optional<std::string_view> EndDateOf(const rapidjson::Value* value, ResourceRows* rows) {
  const std::optional<std::string_view> date = DateOf(value, rows);
  if (date) return date;
  const std::optional<std::string_view> text = TextOf(value, rows);
  if (!text || text->find_first_not_of(" \t") == std::string_view::npos) return std::nullopt;
  return text;
}

std::optional<int64_t> IntegerOf(const rapidjson::Value* value) {
  if (value == nullptr) return std::nullopt;
  return ToInt64(*value);
}

std::optional<std::string_view> JoinedTexts(const rapidjson::Value* array, const char* member,
                                            std::string_view separator, ResourceRows* rows) {
  if (array == nullptr || !array->IsArray()) return std::nullopt;
  std::string* joined = nullptr;
  for (const rapidjson::Value& element : array->GetArray()) {
    const rapidjson::Value* value = member != nullptr ? MemberOf(&element, member) : &element;
    // A number's text lands in a scratch string of its own: copy it over.
    const auto text = TextOf(value, rows);
    if (!text) continue;
    if (joined == nullptr) {
      joined = rows->NewText();
    } else {
      joined->append(separator);
    }
    joined->append(*text);
  }
  if (joined == nullptr) return std::nullopt;
  return std::string_view(*joined);
}

std::optional<std::string_view> LastSegment(std::string_view uri) {
  while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  const size_t slash = uri.rfind('/');
  const std::string_view segment = slash == std::string_view::npos ? uri : uri.substr(slash + 1);
  if (segment.empty()) return std::nullopt;
  return segment;
}

}  // namespace ch
