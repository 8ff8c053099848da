// Fixtures of the sizing tests: a tiny zip writer (stored and stored-block "deflate" entries,
// optional Zip64 records, lying and truncated variants) and a synthetic ELF64 shared object
// (scratch directories, files and codes come from tests/support/). Every byte a test measures is
// written by the test itself.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "support/diagnostics.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace sizing_test {

using cfnsplit::testing::Codes;
using cfnsplit::testing::FindCode;
using cfnsplit::testing::HasCode;
using cfnsplit::testing::TempDir;
using cfnsplit::testing::WriteFile;

/// A file of exactly `size` bytes.
inline void WriteSized(const std::string& path, std::size_t size) {
  WriteFile(path, std::string(size, 'x'));
}

inline void PutLe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

inline std::uint32_t Crc32(const std::string& data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

struct ZipSpec {
  struct Entry {
    Entry(std::string n, std::string d, bool deflate = false)
        : name(std::move(n)), data(std::move(d)), deflate_stored_blocks(deflate) {}
    std::string name;
    std::string data;
    bool deflate_stored_blocks = false;  ///< method 8 with stored deflate blocks
    std::string raw_deflate;             ///< method 8 with these exact compressed bytes
    std::uint64_t claimed_uncompressed = UINT64_MAX;  ///< lie in the central directory
    std::uint64_t claimed_compressed = UINT64_MAX;
  };
  std::vector<Entry> entries;
  bool zip64 = false;                          ///< Zip64 extra fields and end records
  std::uint64_t claimed_entries = UINT64_MAX;  ///< lie about the entry count
};

/// Wraps data in stored deflate blocks (valid RFC 1951, no compression).
inline std::string StoredDeflate(const std::string& data) {
  std::string out;
  std::size_t pos = 0;
  do {
    std::size_t n = std::min<std::size_t>(65535, data.size() - pos);
    bool last = pos + n >= data.size();
    out += static_cast<char>(last ? 1 : 0);
    PutLe(out, n, 2);
    PutLe(out, n ^ 0xFFFF, 2);
    out += data.substr(pos, n);
    pos += n;
  } while (pos < data.size());
  return out;
}

inline std::string BuildZip(const ZipSpec& spec) {
  std::string out, directory;
  for (const auto& e : spec.entries) {
    std::string payload = !e.raw_deflate.empty()    ? e.raw_deflate
                          : e.deflate_stored_blocks ? StoredDeflate(e.data)
                                                    : e.data;
    std::uint16_t method = (!e.raw_deflate.empty() || e.deflate_stored_blocks) ? 8 : 0;
    std::uint64_t offset = out.size();
    std::uint64_t uncompressed =
        e.claimed_uncompressed != UINT64_MAX ? e.claimed_uncompressed : e.data.size();
    std::uint64_t compressed =
        e.claimed_compressed != UINT64_MAX ? e.claimed_compressed : payload.size();
    std::uint32_t crc = Crc32(e.data);
    // Local header (sizes written plainly; readers must use the central directory).
    PutLe(out, 0x04034b50, 4);
    PutLe(out, 20, 2);
    PutLe(out, 0, 2);
    PutLe(out, method, 2);
    PutLe(out, 0, 4);
    PutLe(out, crc, 4);
    PutLe(out, payload.size(), 4);
    PutLe(out, e.data.size(), 4);
    PutLe(out, e.name.size(), 2);
    PutLe(out, 0, 2);
    out += e.name;
    out += payload;
    std::string extra;
    if (spec.zip64) {
      PutLe(extra, 1, 2);
      PutLe(extra, 24, 2);
      PutLe(extra, uncompressed, 8);
      PutLe(extra, compressed, 8);
      PutLe(extra, offset, 8);
    }
    PutLe(directory, 0x02014b50, 4);
    PutLe(directory, 45, 2);
    PutLe(directory, 45, 2);
    PutLe(directory, 0, 2);
    PutLe(directory, method, 2);
    PutLe(directory, 0, 4);
    PutLe(directory, crc, 4);
    PutLe(directory, spec.zip64 ? 0xFFFFFFFF : compressed, 4);
    PutLe(directory, spec.zip64 ? 0xFFFFFFFF : uncompressed, 4);
    PutLe(directory, e.name.size(), 2);
    PutLe(directory, extra.size(), 2);
    PutLe(directory, 0, 2);
    PutLe(directory, 0, 2);
    PutLe(directory, 0, 2);
    PutLe(directory, 0, 4);
    PutLe(directory, spec.zip64 ? 0xFFFFFFFF : offset, 4);
    directory += e.name;
    directory += extra;
  }
  std::uint64_t cd_offset = out.size();
  out += directory;
  std::uint64_t entries =
      spec.claimed_entries != UINT64_MAX ? spec.claimed_entries : spec.entries.size();
  if (spec.zip64) {
    std::uint64_t record = out.size();
    PutLe(out, 0x06064b50, 4);
    PutLe(out, 44, 8);
    PutLe(out, 45, 2);
    PutLe(out, 45, 2);
    PutLe(out, 0, 4);
    PutLe(out, 0, 4);
    PutLe(out, entries, 8);
    PutLe(out, entries, 8);
    PutLe(out, directory.size(), 8);
    PutLe(out, cd_offset, 8);
    PutLe(out, 0x07064b50, 4);
    PutLe(out, 0, 4);
    PutLe(out, record, 8);
    PutLe(out, 1, 4);
  }
  PutLe(out, 0x06054b50, 4);
  PutLe(out, 0, 2);
  PutLe(out, 0, 2);
  PutLe(out, spec.zip64 ? 0xFFFF : entries, 2);
  PutLe(out, spec.zip64 ? 0xFFFF : entries, 2);
  PutLe(out, spec.zip64 ? 0xFFFFFFFF : directory.size(), 4);
  PutLe(out, spec.zip64 ? 0xFFFFFFFF : cd_offset, 4);
  PutLe(out, 0, 2);
  return out;
}

/// A minimal ELF64 little-endian file: sections .text, .symtab, .strtab, .debug_info, .comment,
/// .shstrtab with the given sizes. strip would remove .symtab, .strtab and .debug_info.
inline std::string BuildElf(std::size_t text, std::size_t symtab, std::size_t strtab,
                            std::size_t debug, std::size_t comment) {
  const std::vector<std::string> names = {
      "", ".text", ".symtab", ".strtab", ".debug_info", ".comment", ".shstrtab"};
  std::string shstrtab;
  std::vector<std::size_t> name_offsets;
  for (const auto& n : names) {
    name_offsets.push_back(shstrtab.size());
    shstrtab += n;
    shstrtab += '\0';
  }
  const std::vector<std::size_t> sizes = {0, text, symtab, strtab, debug, comment, shstrtab.size()};
  const std::vector<std::uint32_t> types = {0, 1, 2, 3, 1, 1, 3};
  std::string body;
  std::vector<std::size_t> offsets;
  std::size_t cursor = 64;
  for (std::size_t i = 0; i < names.size(); ++i) {
    offsets.push_back(cursor);
    body += i == 6 ? shstrtab : std::string(sizes[i], '\x01');
    cursor += sizes[i];
  }
  std::string out;
  out +=
      "\x7f"
      "ELF";
  out += '\x02';  // 64-bit
  out += '\x01';  // little-endian
  out += '\x01';
  out += std::string(9, '\0');
  PutLe(out, 3, 2);   // ET_DYN
  PutLe(out, 62, 2);  // x86-64
  PutLe(out, 1, 4);
  PutLe(out, 0, 8);
  PutLe(out, 0, 8);
  PutLe(out, cursor, 8);  // e_shoff: headers after the sections
  PutLe(out, 0, 4);
  PutLe(out, 64, 2);
  PutLe(out, 0, 2);
  PutLe(out, 0, 2);
  PutLe(out, 64, 2);
  PutLe(out, names.size(), 2);
  PutLe(out, 6, 2);
  out += body;
  for (std::size_t i = 0; i < names.size(); ++i) {
    PutLe(out, name_offsets[i], 4);
    PutLe(out, types[i], 4);
    PutLe(out, 0, 8);
    PutLe(out, 0, 8);
    PutLe(out, offsets[i], 8);
    PutLe(out, sizes[i], 8);
    PutLe(out, 0, 4);
    PutLe(out, 0, 4);
    PutLe(out, 1, 8);
    PutLe(out, 0, 8);
  }
  return out;
}

}  // namespace sizing_test
