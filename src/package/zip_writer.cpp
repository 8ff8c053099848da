// ZipWriter: local header, streamed raw deflate (or stored), header patched with CRC and sizes,
// then the central directory. Output is buffered and written with pwrite, so a header can be
// patched after its data has gone to disk.
#include "package/zip_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/zip_format.hpp"

namespace cfnsplit::package {
namespace {

constexpr std::uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
constexpr std::uint16_t kMadeByUnix = (3 << 8) | 20;
constexpr std::uint16_t kUtf8Flag = 0x0800;
constexpr std::uint64_t kMax32 = 0xFFFFFFFFull;
constexpr std::size_t kChunk = 1 << 18;
// zlib's largest hash table (as zip(1) and libzip use): faster and a little smaller than the
// default 8 on package files. Part of the bytes, like the level.
constexpr int kMemLevel = 9;
constexpr std::size_t kFlushAt = 1 << 20;

void Put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

bool NonAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

std::string LocalHeader(const WrittenEntry& e, std::uint16_t method) {
  std::string h;
  Put(h, zip_format::kLocalHeaderSignature, 4);
  Put(h, 20, 2);
  Put(h, NonAscii(e.name) ? kUtf8Flag : 0, 2);
  Put(h, method, 2);
  Put(h, 0, 2);  // 00:00:00
  Put(h, kDosDate1980, 2);
  Put(h, e.crc, 4);
  Put(h, e.compressed, 4);
  Put(h, e.size, 4);
  Put(h, e.name.size(), 2);
  Put(h, 0, 2);
  h += e.name;
  return h;
}

// Reads the whole of `fd` in chunks, calling `take` for each; false on a read error.
template <typename Take>
bool ReadChunks(int fd, std::vector<unsigned char>& chunk, std::uint64_t* total, Take take) {
  *total = 0;
  while (true) {
    ssize_t got = read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return false;
    if (got == 0) return true;
    *total += static_cast<std::uint64_t>(got);
    if (!take(chunk.data(), static_cast<std::size_t>(got))) return false;
  }
}

}  // namespace

std::uint32_t Crc32(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

ZipWriter::ZipWriter(int level) : level_(level) {}

ZipWriter::~ZipWriter() {
  if (fd_ >= 0) close(fd_);
}

bool ZipWriter::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool ZipWriter::Open(const std::string& path) {
  path_ = path;
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Fail("cannot create '" + path + "': " + std::strerror(errno));
  buffer_.reserve(kFlushAt + kChunk);
  return true;
}

bool ZipWriter::Flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                       static_cast<off_t>(flushed_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail("cannot write '" + path_ + "': " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  flushed_ += buffer_.size();
  buffer_.clear();
  return true;
}

bool ZipWriter::Append(const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  buffer_.insert(buffer_.end(), p, p + n);
  position_ += n;
  return buffer_.size() < kFlushAt || Flush();
}

bool ZipWriter::PatchAt(std::uint64_t offset, const std::string& bytes) {
  // Bytes still in the buffer are patched there; the rest on disk.
  std::size_t i =
      offset < flushed_
          ? static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), flushed_ - offset))
          : 0;
  if (i > 0) {
    ssize_t n = pwrite(fd_, bytes.data(), i, static_cast<off_t>(offset));
    if (n != static_cast<ssize_t>(i)) return Fail("cannot write '" + path_ + "'");
  }
  for (std::size_t k = i; k < bytes.size(); ++k) buffer_[offset + k - flushed_] = bytes[k];
  return true;
}

bool ZipWriter::RewindTo(std::uint64_t offset) {
  if (offset >= flushed_) {
    buffer_.resize(static_cast<std::size_t>(offset - flushed_));
  } else {
    buffer_.clear();
    flushed_ = offset;
  }
  position_ = offset;
  return true;
}

bool ZipWriter::BeginEntry(const std::string& name, std::uint64_t size, bool executable) {
  if (fd_ < 0) return Fail("archive not open");
  if (name.empty() || name.size() > 0xFFFF) return Fail("bad entry name '" + name + "'");
  if (size >= kMax32) return Fail("'" + name + "' is 4 GiB or larger");
  WrittenEntry e;
  e.name = name;
  e.size = size;
  e.executable = executable;
  e.local_offset = position_;
  std::string header = LocalHeader(e, 8);
  entries_.push_back(std::move(e));
  return Append(header.data(), header.size());
}

bool ZipWriter::EndEntry() {
  WrittenEntry& e = entries_.back();
  return PatchAt(e.local_offset, LocalHeader(e, e.stored ? 0 : 8));
}

bool ZipWriter::AddBytes(const std::string& name, std::string_view data, bool executable) {
  if (!BeginEntry(name, data.size(), executable)) return false;
  WrittenEntry& e = entries_.back();
  e.crc = Crc32(data);
  uLong bound = compressBound(static_cast<uLong>(data.size()));
  std::vector<unsigned char> out(bound + 16);
  z_stream z{};
  if (deflateInit2(&z, level_, Z_DEFLATED, -15, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
    return Fail("zlib: cannot initialise deflate");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  std::size_t produced = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Fail("zlib: deflate failed for '" + name + "'");
  if (produced >= data.size()) {
    e.stored = true;
    e.compressed = data.size();
    if (!Append(data.data(), data.size())) return false;
  } else {
    e.compressed = produced;
    if (!Append(out.data(), produced)) return false;
  }
  return EndEntry();
}

bool ZipWriter::AddFile(const std::string& name, const std::string& source,
                        std::uint64_t expected_size, bool executable) {
  if (!BeginEntry(name, expected_size, executable)) return false;
  const std::uint64_t data_start = position_;
  int in = open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Fail("cannot read '" + source + "': " + std::strerror(errno));
  std::vector<unsigned char> chunk(kChunk), out(kChunk);
  z_stream z{};
  if (deflateInit2(&z, level_, Z_DEFLATED, -15, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    close(in);
    return Fail("zlib: cannot initialise deflate");
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  std::uint64_t compressed = 0, total = 0;
  bool ok = ReadChunks(in, chunk, &total, [&](const unsigned char* p, std::size_t n) {
    crc = crc32(crc, p, static_cast<uInt>(n));
    z.next_in = const_cast<Bytef*>(p);
    z.avail_in = static_cast<uInt>(n);
    while (z.avail_in > 0) {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      if (deflate(&z, Z_NO_FLUSH) == Z_STREAM_ERROR) return false;
      std::size_t produced = out.size() - z.avail_out;
      compressed += produced;
      if (!Append(out.data(), produced)) return false;
    }
    return true;
  });
  int rc = Z_OK;
  while (ok && rc != Z_STREAM_END) {
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    rc = deflate(&z, Z_FINISH);
    if (rc == Z_STREAM_ERROR) ok = false;
    std::size_t produced = out.size() - z.avail_out;
    compressed += produced;
    ok = ok && Append(out.data(), produced);
  }
  deflateEnd(&z);
  if (!ok) {
    close(in);
    return Fail(error_.empty() ? "cannot read '" + source + "': " + std::strerror(errno) : error_);
  }
  if (total != expected_size) {
    close(in);
    return Fail("'" + source + "' has " + std::to_string(total) + " bytes, expected " +
                std::to_string(expected_size) + " (changed while it was being read)");
  }
  WrittenEntry& e = entries_.back();
  e.crc = static_cast<std::uint32_t>(crc);
  e.compressed = compressed;
  if (compressed >= total && total > 0) {
    // Deflate could not shrink it: store it, reading it again (and checking it did not change).
    RewindTo(data_start);
    uLong again = crc32(0L, Z_NULL, 0);
    if (lseek(in, 0, SEEK_SET) != 0 ||
        !ReadChunks(in, chunk, &total, [&](const unsigned char* p, std::size_t n) {
          again = crc32(again, p, static_cast<uInt>(n));
          return Append(p, n);
        })) {
      close(in);
      return Fail("cannot read '" + source + "' again: " + std::strerror(errno));
    }
    if (again != crc || total != expected_size) {
      close(in);
      return Fail("'" + source + "' changed while it was being read");
    }
    e.stored = true;
    e.compressed = total;
  }
  close(in);
  return EndEntry();
}

bool ZipWriter::Finish() {
  if (fd_ < 0) return Fail("archive not open");
  const std::uint64_t cd_offset = position_;
  for (const WrittenEntry& e : entries_) {
    bool big_offset = e.local_offset >= kMax32;
    std::string h;
    Put(h, zip_format::kCentralHeaderSignature, 4);
    Put(h, big_offset ? (3 << 8) | 45 : kMadeByUnix, 2);
    Put(h, big_offset ? 45 : 20, 2);
    Put(h, NonAscii(e.name) ? kUtf8Flag : 0, 2);
    Put(h, e.stored ? 0 : 8, 2);
    Put(h, 0, 2);
    Put(h, kDosDate1980, 2);
    Put(h, e.crc, 4);
    Put(h, e.compressed, 4);
    Put(h, e.size, 4);
    Put(h, e.name.size(), 2);
    Put(h, big_offset ? 12 : 0, 2);
    Put(h, 0, 2);  // comment
    Put(h, 0, 2);  // disk
    Put(h, 0, 2);  // internal attributes
    std::uint32_t mode = 0100000u | (e.executable ? 0755u : 0644u);
    Put(h, static_cast<std::uint64_t>(mode) << 16, 4);
    Put(h, big_offset ? kMax32 : e.local_offset, 4);
    h += e.name;
    if (big_offset) {
      Put(h, 1, 2);
      Put(h, 8, 2);
      Put(h, e.local_offset, 8);
    }
    if (!Append(h.data(), h.size())) return false;
  }
  const std::uint64_t cd_size = position_ - cd_offset;
  const std::uint64_t count = entries_.size();
  bool zip64 = count >= 0xFFFF || cd_offset >= kMax32 || cd_size >= kMax32;
  std::string end;
  if (zip64) {
    const std::uint64_t record = position_;
    Put(end, zip_format::kZip64EndOfCentralDirSignature, 4);
    Put(end, 44, 8);
    Put(end, (3 << 8) | 45, 2);
    Put(end, 45, 2);
    Put(end, 0, 4);
    Put(end, 0, 4);
    Put(end, count, 8);
    Put(end, count, 8);
    Put(end, cd_size, 8);
    Put(end, cd_offset, 8);
    Put(end, zip_format::kZip64LocatorSignature, 4);
    Put(end, 0, 4);
    Put(end, record, 8);
    Put(end, 1, 4);
  }
  Put(end, zip_format::kEndOfCentralDirSignature, 4);
  Put(end, 0, 2);
  Put(end, 0, 2);
  Put(end, zip64 ? 0xFFFF : count, 2);
  Put(end, zip64 ? 0xFFFF : count, 2);
  Put(end, zip64 ? kMax32 : cd_size, 4);
  Put(end, zip64 ? kMax32 : cd_offset, 4);
  Put(end, 0, 2);
  if (!Append(end.data(), end.size()) || !Flush()) return false;
  if (ftruncate(fd_, static_cast<off_t>(position_)) != 0)
    return Fail("cannot finish '" + path_ + "': " + std::strerror(errno));
  int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) return Fail("cannot close '" + path_ + "': " + std::strerror(errno));
  return true;
}

}  // namespace cfnsplit::package
