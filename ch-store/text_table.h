// TextTable: rows for a person at a terminal, as aligned columns that fit
// its width. `ch-store leads` prints one when stdout is a terminal (or with
// --format table); a pipe gets CSV, which programs read.
//
// Every cell is made safe to print first: a control character (C0, DEL,
// C1: an escape sequence in a company name must not drive the terminal) or
// a line break becomes a space, and a byte that is not valid UTF-8 becomes
// '?'. Widths are counted in terminal columns: two for East Asian wide
// characters and emoji, none for combining marks, one for the rest (the
// main blocks only: a rare character outside them misaligns its row by a
// column, nothing worse). Columns marked `flexible` share what the
// others leave of the width: each gets its natural width when all fit,
// otherwise the narrowest ones theirs and the rest equal shares, cut with
// an ellipsis ("…"); never narrower than kMinFlexibleWidth, so on a very
// narrow terminal rows are wider than it. The other columns are never cut.
// Cells are separated by two spaces, and no line ends in spaces.
#ifndef CH_STORE_TEXT_TABLE_H_
#define CH_STORE_TEXT_TABLE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ch {

class TextTable {
 public:
  struct Column {
    std::string header;
    /// May be cut to fit the width.
    bool flexible = false;
    /// Numbers line up on the right.
    bool right_aligned = false;
  };

  static constexpr size_t kMinFlexibleWidth = 4;
  static constexpr size_t kSeparatorWidth = 2;

  explicit TextTable(std::vector<Column> columns);

  // Adds a row of one cell per column (missing cells are empty, extra ones
  // dropped); cells are made safe to print here.
  void AddRow(const std::vector<std::string>& cells);

  size_t rows() const { return rows_.size(); }

  // The header line and the rows, each ending in '\n', no wider than
  // `width` columns when the fixed columns and the minimum widths allow.
  std::string Format(size_t width) const;

  // The width of each column for `width` (exposed for the tests).
  std::vector<size_t> ColumnWidths(size_t width) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> natural_;  // widest cell or header of each column
};

// `text` with control characters and line breaks as spaces and invalid
// UTF-8 bytes as '?'.
std::string PrintableText(std::string_view text);

// The columns valid UTF-8 `text` takes on a terminal.
size_t DisplayWidth(std::string_view text);

// `text` (printable) cut to at most `width` columns, its last one an
// ellipsis when anything was cut.
std::string FitToWidth(std::string_view text, size_t width);

// The terminal's width for output on `fd`: COLUMNS when it is a positive
// number, else the terminal's own (TIOCGWINSZ), else `fallback`.
size_t TerminalWidth(int fd, size_t fallback);

}  // namespace ch

#endif  // CH_STORE_TEXT_TABLE_H_
