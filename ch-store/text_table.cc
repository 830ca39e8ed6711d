// TextTable: see text_table.h.
#include "ch-store/text_table.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "common/utf8.h"

namespace ch {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026, one column

// The code point of the valid sequence of `len` bytes at p.
uint32_t CodePoint(const unsigned char* p, size_t len) {
  if (len == 1) return p[0];
  uint32_t cp = p[0] & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[k] & 0x3F);
  return cp;
}

// Characters that would move the cursor, start an escape sequence, break
// the line or reorder what follows them on the screen.
bool IsUnprintable(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Columns a terminal gives the code point: 0 for combining marks, zero-width
// characters and variation selectors, 2 for East Asian wide and full-width
// characters and emoji, 1 otherwise. The main blocks of Unicode's
// EastAsianWidth W/F classes, not all of them: enough for names.
size_t CodePointWidth(uint32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
      (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
      (cp >= 0xFE20 && cp <= 0xFE2F)) {
    return 0;
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
      (cp >= 0x3041 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
      (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F680 && cp <= 0x1F6FF) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x1FA70 && cp <= 0x1FAFF) ||
      (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

// The length of the UTF-8 sequence starting with `lead` (1 for a stray byte).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

void AppendPadded(std::string* line, const std::string& text, size_t width, bool right) {
  const size_t pad = width - std::min(width, DisplayWidth(text));
  if (right) line->append(pad, ' ');
  line->append(text);
  if (!right) line->append(pad, ' ');
}

}  // namespace

std::string PrintableText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = Utf8SequenceLength(p + i, text.size() - i);
    if (len == 0) {
      out.push_back('?');
      ++i;
      continue;
    }
    if (IsUnprintable(CodePoint(p + i, len))) {
      out.push_back(' ');
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

size_t DisplayWidth(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t len = std::min(SequenceLength(p[i]), text.size() - i);
    width += CodePointWidth(CodePoint(p + i, len));
    i += len;
  }
  return width;
}

std::string FitToWidth(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return std::string();
  // Keep what fits in width - 1 columns, then the ellipsis.
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t kept = 0;
  size_t end = 0;
  while (end < text.size()) {
    const size_t len = std::min(SequenceLength(p[end]), text.size() - end);
    const size_t w = CodePointWidth(CodePoint(p + end, len));
    if (kept + w > width - 1) break;
    kept += w;
    end += len;
  }
  std::string out(text.substr(0, end));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out.append(kEllipsis);
  return out;
}

size_t TerminalWidth(int fd, size_t fallback) {
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0 && n <= 100000) return static_cast<size_t>(n);
  }
  struct winsize ws {};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return fallback;
}

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {
  for (const Column& c : columns_) natural_.push_back(DisplayWidth(PrintableText(c.header)));
}

void TextTable::AddRow(const std::vector<std::string>& cells) {
  std::vector<std::string> row(columns_.size());
  for (size_t i = 0; i < row.size() && i < cells.size(); ++i) {
    row[i] = PrintableText(cells[i]);
    natural_[i] = std::max(natural_[i], DisplayWidth(row[i]));
  }
  rows_.push_back(std::move(row));
}

std::vector<size_t> TextTable::ColumnWidths(size_t width) const {
  std::vector<size_t> widths = natural_;
  if (columns_.empty()) return widths;
  size_t fixed = kSeparatorWidth * (columns_.size() - 1);
  size_t flexible_natural = 0;
  std::vector<size_t> flexible;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].flexible) {
      flexible.push_back(i);
      flexible_natural += natural_[i];
    } else {
      fixed += natural_[i];
    }
  }
  size_t remaining = width > fixed ? width - fixed : 0;
  if (flexible_natural <= remaining) return widths;
  // The narrowest flexible columns keep their width while it is no more
  // than an equal share of what is left; the others share the rest.
  std::vector<size_t> by_width = flexible;
  std::stable_sort(by_width.begin(), by_width.end(),
                   [this](size_t a, size_t b) { return natural_[a] < natural_[b]; });
  size_t satisfied = 0;
  while (satisfied < by_width.size() &&
         natural_[by_width[satisfied]] <= remaining / (by_width.size() - satisfied)) {
    remaining -= natural_[by_width[satisfied]];
    ++satisfied;
  }
  std::vector<size_t> cut(by_width.begin() + static_cast<std::ptrdiff_t>(satisfied),
                          by_width.end());
  std::sort(cut.begin(), cut.end());  // the extra columns go to the leftmost
  const size_t share = cut.empty() ? 0 : remaining / cut.size();
  size_t extra = cut.empty() ? 0 : remaining % cut.size();
  for (const size_t i : cut) {
    size_t w = share;
    if (extra > 0) {
      ++w;
      --extra;
    }
    widths[i] = std::max(w, std::min(kMinFlexibleWidth, natural_[i]));
  }
  return widths;
}

std::string TextTable::Format(size_t width) const {
  const std::vector<size_t> widths = ColumnWidths(width);
  std::string out;
  std::string line;
  const auto append_line = [&](const auto& cell_of) {
    line.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) line.append(kSeparatorWidth, ' ');
      AppendPadded(&line, FitToWidth(cell_of(i), widths[i]), widths[i], columns_[i].right_aligned);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.append(line);
    out.push_back('\n');
  };
  append_line([this](size_t i) { return PrintableText(columns_[i].header); });
  for (const std::vector<std::string>& row : rows_) {
    append_line([&row](size_t i) -> const std::string& { return row[i]; });
  }
  return out;
}

}  // namespace ch
