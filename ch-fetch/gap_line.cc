// GapLine: see gap_line.h.
#include "ch-fetch/gap_line.h"

#include "common/json.h"

namespace ch {

std::string GapLine(std::string_view stream, std::optional<int64_t> after_timepoint,
                    std::string_view reason) {
  std::string line = "{\"gap\":{";
  AppendJsonKey(&line, "stream");
  AppendJsonString(&line, stream);
  line.push_back(',');
  AppendJsonKey(&line, "after_timepoint");
  line.append(after_timepoint ? std::to_string(*after_timepoint) : "null");
  line.push_back(',');
  AppendJsonKey(&line, "reason");
  AppendJsonString(&line, reason);
  line.append("}}");
  return line;
}

}  // namespace ch
