// What serverless-python-requirements' `slim` removes, measured on real files.
//
// slim deletes whatever its globs match (a matching directory goes whole, as glob + rimraf do) and
// runs `strip` on every `*.so` (aws-facts §4.3). The strip saving is read from ELF64 section
// headers: the symbol table, its string table and debug sections, plus their section headers.
// `.comment` is kept, because GNU strip keeps it (checked with binutils: it survives `strip`).
#include <fcntl.h>
#include <unistd.h>

#include <functional>

#include "sizing/internal.hpp"

namespace cfnsplit::sizing {
namespace {

// fnmatch for one path segment: `*`, `?` and `[...]` (with `!`/`^` negation), no `/` inside.
bool SegmentMatch(std::string_view p, std::string_view s) {
  std::size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_s = si;
      continue;
    }
    bool matched = false;
    std::size_t next = pi + 1;
    if (pi < p.size() && p[pi] == '?') {
      matched = true;
    } else if (pi < p.size() && p[pi] == '[') {
      std::size_t close = p.find(']', pi + 2);
      if (close != std::string_view::npos) {
        std::size_t k = pi + 1;
        bool negate = p[k] == '!' || p[k] == '^';
        if (negate) ++k;
        bool in_class = false;
        for (; k < close; ++k) {
          if (k + 2 < close && p[k + 1] == '-') {
            in_class |= s[si] >= p[k] && s[si] <= p[k + 2];
            k += 2;
          } else {
            in_class |= s[si] == p[k];
          }
        }
        matched = in_class != negate;
        next = close + 1;
      } else {
        matched = s[si] == '[';
      }
    } else if (pi < p.size()) {
      matched = p[pi] == s[si];
    }
    if (matched) {
      pi = next;
      ++si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t slash = s.find('/');
    parts.push_back(s.substr(0, slash));
    if (slash == std::string_view::npos) break;
    s.remove_prefix(slash + 1);
  }
  return parts;
}

bool MatchSegments(const std::vector<std::string_view>& p, std::size_t pi,
                   const std::vector<std::string_view>& s, std::size_t si) {
  while (pi < p.size()) {
    if (p[pi] == "**") {
      for (std::size_t skip = si; skip <= s.size(); ++skip)
        if (MatchSegments(p, pi + 1, s, skip)) return true;
      return false;
    }
    if (si >= s.size() || !SegmentMatch(p[pi], s[si])) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

std::uint64_t Le(std::string_view d, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(d[at + static_cast<std::size_t>(i)]);
  return v;
}

bool Removable(std::string_view name) {
  return name == ".symtab" || name == ".strtab" || name.substr(0, 6) == ".debug" ||
         name.substr(0, 7) == ".zdebug";
}

using ReadAt = std::function<bool(std::uint64_t offset, std::uint64_t length, std::string& out)>;

// All reads go through `read`, which fails on anything outside the file.
std::uint64_t StripSavings(const ReadAt& read, std::uint64_t file_size) {
  constexpr std::uint64_t kSectionHeader = 64;
  std::string header;
  if (!read(0, 64, header) || header.compare(0, 4,
                                             "\x7f"
                                             "ELF") != 0)
    return 0;
  if (header[4] != 2 || header[5] != 1) return 0;  // ELF64 little-endian only
  std::uint64_t shoff = Le(header, 0x28, 8), entsize = Le(header, 0x3A, 2),
                shnum = Le(header, 0x3C, 2), shstrndx = Le(header, 0x3E, 2);
  if (entsize != kSectionHeader || shnum == 0 || shstrndx >= shnum) return 0;
  std::string table;
  if (shoff > file_size || shnum * kSectionHeader > file_size - shoff ||
      !read(shoff, shnum * kSectionHeader, table))
    return 0;
  std::uint64_t names_offset = Le(table, shstrndx * kSectionHeader + 24, 8);
  std::uint64_t names_size = Le(table, shstrndx * kSectionHeader + 32, 8);
  std::string names;
  if (names_size > (16u << 20) || names_offset > file_size ||
      names_size > file_size - names_offset || !read(names_offset, names_size, names))
    return 0;
  std::uint64_t saved = 0;
  for (std::uint64_t i = 0; i < shnum; ++i) {
    std::size_t at = static_cast<std::size_t>(i * kSectionHeader);
    std::uint64_t name_at = Le(table, at, 4), type = Le(table, at + 4, 4);
    std::uint64_t offset = Le(table, at + 24, 8), size = Le(table, at + 32, 8);
    if (name_at >= names.size()) continue;
    std::string_view name(names.c_str() + name_at);
    if (!Removable(name)) continue;
    if (type == 8 /* SHT_NOBITS */ || offset > file_size || size > file_size - offset) continue;
    saved += size + kSectionHeader;
  }
  return saved > file_size ? file_size : saved;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return MatchSegments(Split(pattern), 0, Split(text), 0);
}

bool GlobMatchesPathOrParent(std::string_view pattern, std::string_view path) {
  auto pattern_parts = Split(pattern);
  auto parts = Split(path);
  for (std::size_t n = 1; n <= parts.size(); ++n) {
    std::vector<std::string_view> prefix(parts.begin(), parts.begin() + static_cast<long>(n));
    if (MatchSegments(pattern_parts, 0, prefix, 0)) return true;
  }
  return false;
}

const std::vector<std::string>& DefaultSlimPatterns() {
  static const std::vector<std::string> patterns = {"**/*.py[c|o]", "**/__pycache__*",
                                                    "**/*.dist-info*"};
  return patterns;
}

std::uint64_t ElfStripSavings(std::string_view data) {
  ReadAt read = [&](std::uint64_t offset, std::uint64_t length, std::string& out) {
    if (offset > data.size() || length > data.size() - offset) return false;
    out.assign(data.substr(offset, length));
    return true;
  };
  return StripSavings(read, data.size());
}

std::uint64_t ElfStripSavingsOfFile(const std::string& path, std::uint64_t file_size) {
  if (file_size < 64) return 0;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  ReadAt read = [&](std::uint64_t offset, std::uint64_t length, std::string& out) {
    if (offset > file_size || length > file_size - offset) return false;
    out.assign(static_cast<std::size_t>(length), '\0');
    ssize_t got = pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
    return got == static_cast<ssize_t>(length);
  };
  std::uint64_t saved = StripSavings(read, file_size);
  close(fd);
  return saved;
}

std::uint64_t SlimRemovedBytes(const std::vector<InstalledFile>& files,
                               const std::vector<std::string>& patterns, bool strip) {
  std::vector<std::vector<std::string_view>> compiled;
  for (const auto& p : patterns) compiled.push_back(Split(p));
  std::uint64_t removed = 0;
  for (const auto& file : files) {
    auto parts = Split(file.path);
    bool deleted = false;
    for (std::size_t n = 1; n <= parts.size() && !deleted; ++n) {
      std::vector<std::string_view> prefix(parts.begin(), parts.begin() + static_cast<long>(n));
      for (const auto& pattern : compiled)
        if (MatchSegments(pattern, 0, prefix, 0)) {
          deleted = true;
          break;
        }
    }
    if (deleted)
      removed += file.size;
    else if (strip && file.path.size() > 3 &&
             file.path.compare(file.path.size() - 3, 3, ".so") == 0)
      removed += std::min(file.strip_savings, file.size);
  }
  return removed;
}

}  // namespace cfnsplit::sizing
