// PscSnapshotCheck: see psc_snapshot_check.h.
#include "ch-store/psc_snapshot_check.h"

namespace ch {

namespace {

void AppendPart(std::string* out, const std::string& part) {
  if (!out->empty()) out->append("; ");
  out->append(part);
}

// "1 rejected line", "3 lines of unknown kinds": `before` goes before the
// noun, `after` after it.
std::string Lines(int64_t n, std::string_view before, std::string_view after) {
  return WithThousands(n) + std::string(before) + (n == 1 ? " line" : " lines") +
         std::string(after);
}

}  // namespace

std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  const size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, first);
  for (size_t i = first; i < digits.size(); i += 3) {
    out.push_back(',');
    out.append(digits, i, 3);
  }
  return n < 0 ? "-" + out : out;
}

PscSnapshotVerdict CheckPscSnapshot(const SnapshotEndRecord& e) {
  PscSnapshotVerdict v;
  const PscSnapshotReceived& got = e.received;
  if (!e.expected) {
    AppendPart(&v.missing, "totals line missing (received pscs " + WithThousands(got.pscs) +
                               ", statements " + WithThousands(got.statements) + ", exemptions " +
                               WithThousands(got.exemptions) + ")");
  } else {
    const struct {
      const char* name;
      int64_t received;
      int64_t expected;
    } families[] = {{"pscs", got.pscs, e.expected->pscs},
                    {"statements", got.statements, e.expected->statements},
                    {"exemptions", got.exemptions, e.expected->exemptions}};
    // Lines of unknown kinds are either not in the totals line's counts, or
    // counted in the family they belong to (a new kind of PSC, most
    // likely): complete when no family got more than announced and what
    // the known families lack is nothing, or exactly the unknown lines.
    int64_t lacking = 0;
    bool over = false;
    for (const auto& f : families) {
      lacking += f.expected - f.received;
      over = over || f.received > f.expected;
    }
    if (over || (lacking != 0 && lacking != got.other)) {
      for (const auto& f : families) {
        if (f.received != f.expected) {
          AppendPart(&v.missing, std::string(f.name) + " " + WithThousands(f.received) + " of " +
                                     WithThousands(f.expected));
        }
      }
    }
  }
  if (got.rejects > 0) AppendPart(&v.missing, Lines(got.rejects, " rejected", ""));
  v.complete = v.missing.empty();
  if (!v.complete && got.other > 0)
    AppendPart(&v.missing, Lines(got.other, "", " of unknown kinds"));
  return v;
}

int64_t PscSnapshotRowsOf(const SnapshotEndRecord& e, std::string_view stream) {
  if (stream == kPscSnapshotStreams[1]) return e.received.statements;
  if (stream == kPscSnapshotStreams[2]) return e.received.exemptions;
  return e.received.pscs;
}

}  // namespace ch
