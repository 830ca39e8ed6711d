// Redact: see redact.h.
#include "ch-fetch/redact.h"

#include <algorithm>
#include <vector>

#include "common/json.h"

namespace ch {

namespace {

constexpr std::string_view kMask = "***";
// A base64 core shorter than this could match ordinary words.
constexpr size_t kMinCoreChars = 8;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool EqualsNoCase(std::string_view text, size_t pos, std::string_view lower_word) {
  if (pos + lower_word.size() > text.size()) return false;
  for (size_t i = 0; i < lower_word.size(); ++i) {
    if (Lower(text[pos + i]) != lower_word[i]) return false;
  }
  return true;
}

// Characters of an Authorization value's tokens: base64, base64url, JWTs,
// and percent-encoded text.
bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=' || c == '-' || c == '_' || c == '.' || c == '~' || c == '%';
}

std::string ReplaceAll(std::string_view text, std::string_view needle) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (;;) {
    const size_t hit = text.find(needle, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(kMask);
    pos = hit + needle.size();
  }
  out.append(text.substr(pos));
  return out;
}

std::string WithoutPadding(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

// The forms of the key to look for, longest first, so that a longer form
// is replaced whole before a shorter one could cut it.
std::vector<std::string> KeyForms(std::string_view key) {
  std::vector<std::string> forms;
  if (key.empty()) return forms;
  forms.emplace_back(key);
  forms.push_back(Base64Encode(std::string(key) + ":"));
  forms.push_back(WithoutPadding(forms.back()));
  forms.push_back(Base64Encode(key));
  forms.push_back(WithoutPadding(forms.back()));
  // Inside a longer base64 text the key starts at one of three byte
  // offsets modulo 3; from its first whole 3-byte group on, its encoding
  // is the same whatever precedes it.
  for (size_t skip = 0; skip < 3 && skip < key.size(); ++skip) {
    const size_t whole = (key.size() - skip) / 3 * 3;
    std::string core = Base64Encode(key.substr(skip, whole));
    if (core.size() >= kMinCoreChars) forms.push_back(std::move(core));
  }
  std::sort(forms.begin(), forms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

// Replaces the value after every "authorization" name ("Authorization:
// Basic x", "\"authorization\":\"Bearer x\"", "authorization=x"): a
// scheme followed by a credential keeps the scheme.
std::string RedactAuthorizationValues(std::string_view text) {
  constexpr std::string_view kName = "authorization";
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!EqualsNoCase(text, pos, kName)) {
      ++pos;
      continue;
    }
    size_t i = pos + kName.size();
    while (i < text.size() && (text[i] == '"' || text[i] == '\'' || text[i] == ' ' ||
                               text[i] == '\t' || text[i] == '\\')) {
      ++i;
    }
    if (i >= text.size() || (text[i] != ':' && text[i] != '=')) {
      pos += kName.size();
      continue;
    }
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '"' ||
                               text[i] == '\'' || text[i] == '\\')) {
      ++i;
    }
    size_t first_end = i;
    while (first_end < text.size() && IsTokenChar(text[first_end])) ++first_end;
    if (first_end == i) {
      pos = i;
      continue;
    }
    size_t second = first_end;
    while (second < text.size() && (text[second] == ' ' || text[second] == '\t')) ++second;
    size_t second_end = second;
    while (second_end < text.size() && IsTokenChar(text[second_end])) ++second_end;
    size_t from = i;
    size_t to = first_end;
    if (second > first_end && second_end > second) {
      from = second;  // "Basic <credential>": the scheme is no secret
      to = second_end;
    }
    out.append(text.substr(copied, from - copied));
    out.append(kMask);
    copied = to;
    pos = to;
  }
  out.append(text.substr(copied));
  return out;
}

bool EndsUrl(char c) {
  return static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' ||
         c == '`' || c == 0x7f;
}

}  // namespace

std::string RedactCredentials(std::string_view text, std::string_view key) {
  std::string out = RedactAuthorizationValues(text);
  for (const std::string& form : KeyForms(key)) out = ReplaceAll(out, form);
  return out;
}

std::string SafeExcerpt(std::string_view collected, bool cut_off, std::string_view key,
                        size_t limit) {
  std::string text = RedactUrlQueries(RedactCredentials(collected, key));
  if (cut_off) {
    // The body went on: its last collected bytes may be the first bytes of
    // a secret whose rest was never read.
    size_t longest = 0;
    for (const std::string& form : KeyForms(key)) {
      for (size_t n = std::min(form.size() - 1, text.size()); n > longest; --n) {
        if (text.compare(text.size() - n, n, form, 0, n) == 0) {
          longest = n;
          break;
        }
      }
    }
    if (longest > 0) text.replace(text.size() - longest, longest, kMask);
  }
  if (text.size() > limit) text.resize(limit);
  return text;
}

std::string RedactUrlQuery(std::string_view url) {
  const size_t cut = url.find_first_of("?#");
  if (cut == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, cut + 1));
  out.append(kMask);
  return out;
}

std::string RedactUrlQueries(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string_view::npos) {
    size_t end = pos + 3;
    while (end < text.size() && !EndsUrl(text[end])) ++end;
    const size_t cut = text.substr(pos, end - pos).find_first_of("?#");
    if (cut != std::string_view::npos) {
      out.append(text.substr(copied, pos + cut + 1 - copied));
      out.append(kMask);
      copied = end;
    }
    pos = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace ch
