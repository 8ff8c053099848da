// Zip central directories (wheels and built artifacts) read without extracting anything.
//
// Sizes come from the central directory, as Lambda's own check does (aws-facts §1.3, §6.4). The
// archive is untrusted: every offset and length is checked against the bytes that exist, entry
// counts against the directory's size, stored sizes against each other and deflate sizes against
// deflate's maximum ratio, and names against `..`, absolute and drive paths. Nothing is written.
// A small inflater (RFC 1951) reads a wheel's METADATA, which is almost always deflated.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "cfnsplit/files.hpp"
#include "common/zip_format.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit::sizing {
namespace {

constexpr std::uint64_t kDeflateMaxRatio = 1032;  // deflate cannot expand more than ~1032:1

std::uint64_t Le(std::string_view data, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(data[at + static_cast<std::size_t>(i)]);
  return v;
}

// a + b <= limit without overflow.
bool FitsWithin(std::uint64_t a, std::uint64_t b, std::uint64_t limit) {
  return a <= limit && b <= limit - a;
}

bool UnsafeName(std::string name) {
  std::replace(name.begin(), name.end(), '\\', '/');
  if (name.empty() || name.front() == '/') return true;
  if (name.size() >= 2 && name[1] == ':') return true;  // C:...
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    if (name.compare(start, slash - start, "..") == 0 && slash - start == 2) return true;
    start = slash + 1;
  }
  return false;
}

struct Eocd {
  std::uint64_t entries = 0, cd_size = 0, cd_offset = 0, end_of_data = 0;
};

// Finds the (Zip64) end-of-central-directory record; throws InputError on malformed input.
Eocd FindEocd(std::string_view data, std::uint32_t file) {
  if (data.size() < 22) throw InputError("E6010", {file, 0, 0}, "not a zip file: too short");
  std::size_t lowest = data.size() > 22 + 65535 ? data.size() - 22 - 65535 : 0;
  std::size_t pos = data.size() - 22 + 1;
  bool found = false;
  while (pos-- > lowest) {
    if (Le(data, pos, 4) == zip_format::kEndOfCentralDirSignature &&
        pos + 22 + Le(data, pos + 20, 2) <= data.size()) {
      found = true;
      break;
    }
  }
  if (!found)
    throw InputError("E6010", {file, 0, 0},
                     "not a zip file or truncated: no end of central directory");
  if (Le(data, pos + 4, 2) != 0 || Le(data, pos + 6, 2) != 0)
    throw InputError("E6010", {file, 0, 0}, "multi-disk zip archives are not supported");
  Eocd e{Le(data, pos + 10, 2), Le(data, pos + 12, 4), Le(data, pos + 16, 4), pos};
  bool saturated = e.entries == 0xFFFF || e.cd_size == 0xFFFFFFFF || e.cd_offset == 0xFFFFFFFF;
  bool has_locator = pos >= 20 && Le(data, pos - 20, 4) == zip_format::kZip64LocatorSignature;
  if (!saturated && !has_locator) return e;
  if (!has_locator)
    throw InputError("E6010", {file, 0, 0}, "zip64 archive without a zip64 locator (truncated?)");
  std::uint64_t record = Le(data, pos - 20 + 8, 8);
  if (!FitsWithin(record, 56, pos - 20) ||
      Le(data, record, 4) != zip_format::kZip64EndOfCentralDirSignature)
    throw InputError("E6010", {file, 0, 0},
                     "zip64 end of central directory record is missing or out of bounds");
  e.entries = Le(data, record + 32, 8);
  e.cd_size = Le(data, record + 40, 8);
  e.cd_offset = Le(data, record + 48, 8);
  e.end_of_data = record;
  return e;
}

// Applies the Zip64 extra field (ID 1): 8-byte values only for saturated fields, in the order
// uncompressed, compressed, local header offset.
void ApplyZip64Extra(std::string_view extra, ZipEntry& entry, bool big_uncompressed,
                     bool big_compressed, bool big_offset, std::uint32_t file) {
  std::size_t q = 0;
  bool seen = false;
  while (q + 4 <= extra.size()) {
    std::uint64_t id = Le(extra, q, 2), size = Le(extra, q + 2, 2);
    if (q + 4 + size > extra.size())
      throw InputError("E6012", {file, 0, 0},
                       "entry '" + entry.name + "': extra field runs past its header");
    if (id == 1) {
      std::size_t v = q + 4, end = q + 4 + size;
      auto take = [&](std::uint64_t& field) {
        if (v + 8 > end)
          throw InputError("E6012", {file, 0, 0},
                           "entry '" + entry.name + "': zip64 extra field too short");
        field = Le(extra, v, 8);
        v += 8;
      };
      if (big_uncompressed) take(entry.uncompressed);
      if (big_compressed) take(entry.compressed);
      if (big_offset) take(entry.local_offset);
      seen = true;
    }
    q += 4 + size;
  }
  if ((big_uncompressed || big_compressed || big_offset) && !seen)
    throw InputError("E6012", {file, 0, 0},
                     "entry '" + entry.name + "' has 0xFFFFFFFF sizes but no zip64 extra field");
}

// The data of an entry must lie before the central directory, and sizes must be plausible.
void CheckEntryData(std::string_view data, const ZipEntry& entry, std::uint16_t flags,
                    std::uint64_t data_limit, std::uint32_t file) {
  const std::string where = "entry '" + entry.name + "'";
  if (!FitsWithin(entry.local_offset, 30, data_limit) ||
      Le(data, entry.local_offset, 4) != zip_format::kLocalHeaderSignature)
    throw InputError("E6012", {file, 0, 0}, where + ": local header missing or out of bounds");
  std::uint64_t start = entry.local_offset + 30 + Le(data, entry.local_offset + 26, 2) +
                        Le(data, entry.local_offset + 28, 2);
  if (!FitsWithin(start, entry.compressed, data_limit))
    throw InputError("E6012", {file, 0, 0},
                     where + " claims " + std::to_string(entry.compressed) +
                         " compressed bytes past the end of the data (truncated or lying)");
  bool encrypted = flags & 1;
  if (entry.method == 0 && !encrypted && entry.compressed != entry.uncompressed)
    throw InputError("E6012", {file, 0, 0},
                     where + " is stored but claims " + std::to_string(entry.uncompressed) +
                         " bytes uncompressed and " + std::to_string(entry.compressed) + " stored");
  if (entry.method == 8 && entry.uncompressed / kDeflateMaxRatio > entry.compressed + 1)
    throw InputError("E6012", {file, 0, 0},
                     where + " claims " + std::to_string(entry.uncompressed) + " bytes from " +
                         std::to_string(entry.compressed) + ", beyond deflate's maximum ratio");
}

// Entries whose local header and data overlap another's are the layout of zip bombs (one
// compressed stream counted many times): the archive lies about what it holds. Call after
// CheckEntryData, which bounds every span.
void CheckNoOverlap(std::string_view data, const std::vector<ZipEntry>& entries,
                    std::uint32_t file) {
  std::vector<std::pair<std::uint64_t, std::size_t>> starts;  // local header offset, entry
  starts.reserve(entries.size());
  for (std::size_t k = 0; k < entries.size(); ++k) starts.emplace_back(entries[k].local_offset, k);
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 1; i < starts.size(); ++i) {
    const ZipEntry& prev = entries[starts[i - 1].second];
    std::uint64_t prev_end = prev.local_offset + 30 + Le(data, prev.local_offset + 26, 2) +
                             Le(data, prev.local_offset + 28, 2) + prev.compressed;
    if (starts[i].first < prev_end)
      throw InputError("E6012", {file, 0, 0},
                       "entries '" + prev.name + "' and '" + entries[starts[i].second].name +
                           "' overlap in the archive (a zip bomb's layout)");
  }
}

std::vector<ZipEntry> ListEntries(std::string_view data, std::uint32_t file,
                                  const ZipLimits& limits) {
  Eocd e = FindEocd(data, file);
  if (!FitsWithin(e.cd_offset, e.cd_size, e.end_of_data))
    throw InputError("E6010", {file, 0, 0}, "central directory lies outside the file (truncated?)");
  if (e.entries > limits.max_entries || e.cd_size > limits.max_directory_bytes)
    throw InputError("E6012", {file, 0, 0},
                     "absurd archive: " + std::to_string(e.entries) + " entries, " +
                         std::to_string(e.cd_size) + "-byte directory");
  if (e.entries > e.cd_size / 46)
    throw InputError("E6012", {file, 0, 0},
                     "archive claims " + std::to_string(e.entries) +
                         " entries but its directory holds at most " +
                         std::to_string(e.cd_size / 46));
  std::vector<ZipEntry> entries;
  entries.reserve(static_cast<std::size_t>(e.entries));
  std::uint64_t p = e.cd_offset, cd_end = e.cd_offset + e.cd_size;
  for (std::uint64_t k = 0; k < e.entries; ++k) {
    if (!FitsWithin(p, 46, cd_end) || Le(data, p, 4) != zip_format::kCentralHeaderSignature)
      throw InputError("E6010", {file, 0, 0},
                       "central directory entry " + std::to_string(k) + " is malformed");
    std::uint64_t name_len = Le(data, p + 28, 2), extra_len = Le(data, p + 30, 2),
                  comment_len = Le(data, p + 32, 2);
    if (!FitsWithin(p + 46, name_len + extra_len + comment_len, cd_end))
      throw InputError("E6010", {file, 0, 0},
                       "central directory entry " + std::to_string(k) + " runs past the directory");
    ZipEntry entry;
    entry.method = static_cast<std::uint16_t>(Le(data, p + 10, 2));
    auto flags = static_cast<std::uint16_t>(Le(data, p + 8, 2));
    entry.compressed = Le(data, p + 20, 4);
    entry.uncompressed = Le(data, p + 24, 4);
    entry.local_offset = Le(data, p + 42, 4);
    entry.name = std::string(data.substr(p + 46, name_len));
    ApplyZip64Extra(data.substr(p + 46 + name_len, extra_len), entry,
                    entry.uncompressed == 0xFFFFFFFF, entry.compressed == 0xFFFFFFFF,
                    entry.local_offset == 0xFFFFFFFF, file);
    if (UnsafeName(entry.name))
      throw InputError("E6011", {file, 0, 0},
                       "entry '" + entry.name + "' has an unsafe path (absolute or '..')");
    CheckEntryData(data, entry, flags, e.cd_offset, file);
    entries.push_back(std::move(entry));
    p += 46 + name_len + extra_len + comment_len;
  }
  CheckNoOverlap(data, entries, file);
  return entries;
}

// ---- inflate (RFC 1951), after the structure of zlib's contrib/puff ----

class Inflater {
 public:
  Inflater(std::string_view in, std::uint64_t max_out) : in_(in), max_out_(max_out) {}

  std::optional<std::string> Run() {
    int last = 0;
    do {
      last = Bits(1);
      int type = Bits(2);
      bool ok = type == 0 ? Stored() : type == 1 ? Fixed() : type == 2 ? Dynamic() : false;
      if (!ok || error_) return std::nullopt;
    } while (!last);
    return out_;
  }

 private:
  struct Huffman {
    std::array<short, 16> count{};
    std::vector<short> symbol;
  };

  int Bits(int need) {
    std::uint64_t value = bitbuf_;
    while (bitcnt_ < need) {
      if (pos_ >= in_.size()) {
        error_ = true;
        return 0;
      }
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_++])) << bitcnt_;
      bitcnt_ += 8;
    }
    bitbuf_ = value >> need;
    bitcnt_ -= need;
    return static_cast<int>(value & ((1ull << need) - 1));
  }

  bool Stored() {
    bitbuf_ = 0;
    bitcnt_ = 0;
    if (pos_ + 4 > in_.size()) return false;
    std::size_t len = static_cast<std::size_t>(Le(in_, pos_, 2));
    if ((len ^ 0xFFFF) != Le(in_, pos_ + 2, 2)) return false;
    pos_ += 4;
    if (pos_ + len > in_.size() || out_.size() + len > max_out_) return false;
    out_.append(in_.substr(pos_, len));
    pos_ += len;
    return true;
  }

  static bool Build(Huffman& h, const short* lengths, int n) {
    h.count.fill(0);
    for (int s = 0; s < n; ++s) ++h.count[static_cast<std::size_t>(lengths[s])];
    if (h.count[0] == n) return true;  // no codes: fine unless used
    int left = 1;
    for (std::size_t len = 1; len < 16; ++len) {
      left <<= 1;
      left -= h.count[len];
      if (left < 0) return false;  // over-subscribed
    }
    std::array<short, 16> offs{};
    for (std::size_t len = 1; len < 15; ++len)
      offs[len + 1] = static_cast<short>(offs[len] + h.count[len]);
    h.symbol.assign(static_cast<std::size_t>(n), 0);
    for (int s = 0; s < n; ++s)
      if (lengths[s] != 0)
        h.symbol[static_cast<std::size_t>(offs[static_cast<std::size_t>(lengths[s])]++)] =
            static_cast<short>(s);
    return true;
  }

  int Decode(const Huffman& h) {
    int code = 0, first = 0, index = 0;
    for (std::size_t len = 1; len < 16; ++len) {
      code |= Bits(1);
      if (error_) return -1;
      int count = h.count[len];
      if (code - count < first) return h.symbol[static_cast<std::size_t>(index + (code - first))];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    return -1;
  }

  bool Codes(const Huffman& lencode, const Huffman& distcode) {
    static const short kLenBase[] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                     15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                     67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const short kLenExtra[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const int kDistBase[] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static const short kDistExtra[] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    while (true) {
      int symbol = Decode(lencode);
      if (symbol < 0) return false;
      if (symbol < 256) {
        if (out_.size() >= max_out_) return false;
        out_ += static_cast<char>(symbol);
      } else if (symbol == 256) {
        return true;
      } else {
        symbol -= 257;
        if (symbol >= 29) return false;
        std::size_t len = static_cast<std::size_t>(kLenBase[symbol] + Bits(kLenExtra[symbol]));
        int dist_symbol = Decode(distcode);
        if (dist_symbol < 0 || dist_symbol >= 30) return false;
        std::size_t dist =
            static_cast<std::size_t>(kDistBase[dist_symbol] + Bits(kDistExtra[dist_symbol]));
        if (error_ || dist > out_.size() || out_.size() + len > max_out_) return false;
        for (std::size_t i = 0; i < len; ++i) out_ += out_[out_.size() - dist];
      }
    }
  }

  bool Fixed() {
    std::array<short, 288> lengths{};
    for (int s = 0; s < 288; ++s)
      lengths[static_cast<std::size_t>(s)] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    Huffman lencode, distcode;
    Build(lencode, lengths.data(), 288);
    std::array<short, 30> dist_lengths;
    dist_lengths.fill(5);
    Build(distcode, dist_lengths.data(), 30);
    return Codes(lencode, distcode);
  }

  bool Dynamic() {
    static const short kOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                     11, 4,  12, 3, 13, 2, 14, 1, 15};
    int nlen = Bits(5) + 257, ndist = Bits(5) + 1, ncode = Bits(4) + 4;
    if (error_ || nlen > 286 || ndist > 30) return false;
    std::array<short, 320> lengths{};
    for (int i = 0; i < ncode; ++i)
      lengths[static_cast<std::size_t>(kOrder[i])] = static_cast<short>(Bits(3));
    Huffman lencode, distcode;
    if (!Build(lencode, lengths.data(), 19)) return false;
    int index = 0;
    while (index < nlen + ndist) {
      int symbol = Decode(lencode);
      if (symbol < 0) return false;
      if (symbol < 16) {
        lengths[static_cast<std::size_t>(index++)] = static_cast<short>(symbol);
        continue;
      }
      short repeat_value = 0;
      int repeat = 0;
      if (symbol == 16) {
        if (index == 0) return false;
        repeat_value = lengths[static_cast<std::size_t>(index - 1)];
        repeat = 3 + Bits(2);
      } else {
        repeat = symbol == 17 ? 3 + Bits(3) : 11 + Bits(7);
      }
      if (error_ || index + repeat > nlen + ndist) return false;
      while (repeat--) lengths[static_cast<std::size_t>(index++)] = repeat_value;
    }
    if (lengths[256] == 0) return false;
    if (!Build(lencode, lengths.data(), nlen)) return false;
    if (!Build(distcode, lengths.data() + nlen, ndist)) return false;
    return Codes(lencode, distcode);
  }

  std::string_view in_;
  std::uint64_t max_out_;
  std::size_t pos_ = 0;
  std::uint64_t bitbuf_ = 0;
  int bitcnt_ = 0;
  bool error_ = false;
  std::string out_;
};

}  // namespace

std::optional<std::string> Inflate(std::string_view in, std::uint64_t max_out) {
  return Inflater(in, max_out).Run();
}

std::optional<std::vector<ZipEntry>> ReadZipDirectory(std::string_view data,
                                                      const std::string& display,
                                                      std::uint32_t file, DiagnosticSink& sink,
                                                      const ZipLimits& limits) {
  try {
    return ListEntries(data, file, limits);
  } catch (const InputError& e) {
    sink.Error(e.code(), e.loc(), file == 0 ? display + ": " + e.what() : e.what());
  } catch (const std::exception& e) {
    sink.Error("E6010", {file, 0, 0}, std::string("cannot read zip: ") + e.what());
  }
  return std::nullopt;
}

std::optional<std::vector<ZipEntry>> ReadZipFile(const std::string& path, SourceManager& sources,
                                                 DiagnosticSink& sink, const ZipLimits& limits,
                                                 std::string* dist_info_metadata) {
  std::uint32_t file = sources.Add(path, "");
  // O_NONBLOCK: opening a FIFO must not wait for a writer; only regular files are read.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    sink.Error("E6009", {file, 0, 0}, "cannot open zip file: " + std::string(std::strerror(errno)));
    return std::nullopt;
  }
  if (std::string kind = NonRegularFileKind(st.st_mode); !kind.empty()) {
    close(fd);
    sink.Error("E6009", {file, 0, 0},
               "cannot open zip file: it is " + kind + ", not a regular file");
    return std::nullopt;
  }
  std::size_t size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    sink.Error("E6010", {file, 0, 0}, "not a zip file: empty");
    return std::nullopt;
  }
  // mmap: only the directory and the local headers are touched, never the compressed data.
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    sink.Error("E6009", {file, 0, 0}, "cannot map zip file: " + std::string(std::strerror(errno)));
    return std::nullopt;
  }
  std::string_view data(static_cast<const char*>(map), size);
  auto result = ReadZipDirectory(data, path, file, sink, limits);
  if (result && dist_info_metadata) {
    for (const auto& entry : *result) {
      std::size_t slash = entry.name.find('/');
      bool is_metadata = slash != std::string::npos && slash >= 10 &&
                         entry.name.compare(slash, std::string::npos, "/METADATA") == 0 &&
                         entry.name.compare(slash - 10, 10, ".dist-info") == 0;
      if (!is_metadata) continue;
      if (auto text = ReadZipMember(data, entry)) *dist_info_metadata = std::move(*text);
      break;
    }
  }
  munmap(map, size);
  return result;
}

std::optional<std::string> ReadZipMember(std::string_view data, const ZipEntry& entry,
                                         std::uint64_t max_bytes) {
  if (!FitsWithin(entry.local_offset, 30, data.size())) return std::nullopt;
  std::uint64_t start = entry.local_offset + 30 + Le(data, entry.local_offset + 26, 2) +
                        Le(data, entry.local_offset + 28, 2);
  if (!FitsWithin(start, entry.compressed, data.size()) || entry.uncompressed > max_bytes)
    return std::nullopt;
  std::string_view raw = data.substr(start, entry.compressed);
  if (entry.method == 0) return std::string(raw);
  if (entry.method == 8) return Inflate(raw, entry.uncompressed);
  return std::nullopt;
}

std::optional<WheelName> ParseWheelName(const std::string& file_name) {
  if (file_name.size() < 5 || file_name.compare(file_name.size() - 4, 4, ".whl") != 0)
    return std::nullopt;
  std::vector<std::string> parts;
  std::string stem = file_name.substr(0, file_name.size() - 4);
  std::size_t start = 0;
  while (true) {
    std::size_t dash = stem.find('-', start);
    parts.push_back(stem.substr(start, dash - start));
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  if (parts.size() != 5 && parts.size() != 6) return std::nullopt;
  std::size_t n = parts.size();
  return WheelName{NormalizeDistName(parts[0]), parts[1], parts[n - 3], parts[n - 2], parts[n - 1]};
}

}  // namespace cfnsplit::sizing
