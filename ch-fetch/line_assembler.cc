// LineAssembler: see line_assembler.h.
#include "ch-fetch/line_assembler.h"

#include <cstring>

namespace ch {

LineAssembler::LineAssembler(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

void LineAssembler::Reset() {
  carry_.clear();
  // A carry that grew for one huge line should not pin its memory.
  if (carry_.capacity() > (1u << 20)) carry_.shrink_to_fit();
  skipping_ = false;
  skipped_ = 0;
}

bool LineAssembler::Hold(std::string_view piece, LineSink* sink) {
  if (skipping_) {
    skipped_ += piece.size();
    return sink->OnOversizedPiece(piece);
  }
  if (carry_.size() + piece.size() > max_line_bytes_) {
    skipping_ = true;
    skipped_ = carry_.size() + piece.size();
    const bool ok = sink->OnOversizedPiece(carry_) && sink->OnOversizedPiece(piece);
    carry_.clear();
    return ok;
  }
  carry_.append(piece);
  return true;
}

bool LineAssembler::Feed(std::string_view chunk, LineSink* sink) {
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (nl == nullptr) return Hold(std::string_view(p, static_cast<size_t>(end - p)), sink);
    const std::string_view piece(p, static_cast<size_t>(nl - p));
    p = nl + 1;
    bool keep_going;
    if (skipping_) {
      keep_going = sink->OnOversizedPiece(piece) && sink->OnOversizedLine(skipped_ + piece.size());
      skipping_ = false;
      skipped_ = 0;
    } else if (carry_.empty()) {
      // The common case: the whole line is inside this chunk; no copy.
      keep_going = piece.size() > max_line_bytes_
                       ? sink->OnOversizedPiece(piece) && sink->OnOversizedLine(piece.size())
                       : sink->OnLine(piece);
    } else if (carry_.size() + piece.size() > max_line_bytes_) {
      keep_going = sink->OnOversizedPiece(carry_) && sink->OnOversizedPiece(piece) &&
                   sink->OnOversizedLine(carry_.size() + piece.size());
      carry_.clear();
    } else {
      carry_.append(piece);
      keep_going = sink->OnLine(carry_);
      carry_.clear();
    }
    if (!keep_going) return false;
  }
  return true;
}

}  // namespace ch
