// Private to the JSON reader and writer: finding the bytes of a string that JSON treats
// specially, eight at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace cfnsplit::json_bytes {

/// True when `c` ends a run of a JSON string's plain characters: '"', '\\' or a control
/// character. UTF-8 sequences are plain.
inline bool IsSpecial(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

/// Whether any of the 8 bytes of `w` is special (the bit tricks of "Bit Twiddling Hacks",
/// Determine if a word has a byte less than n: exact for the whole word).
inline bool WordHasSpecial(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

/// The position of the first special byte of `s` at or after `i`, or s.size(). Strings are
/// most of a template's bytes: a byte at a time was a tenth of reading or rendering one.
inline std::size_t NextSpecial(std::string_view s, std::size_t i) {
  std::uint64_t word;
  while (i + 8 <= s.size() && (std::memcpy(&word, s.data() + i, 8), !WordHasSpecial(word))) i += 8;
  while (i < s.size() && !IsSpecial(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace cfnsplit::json_bytes
