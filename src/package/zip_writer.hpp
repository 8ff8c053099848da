// A deterministic zip writer over zlib's raw deflate, with our own headers and central directory.
//
// Why our own writer (bench/bench_zip_writers.py, docs/package.md): every byte of the archive is
// ours to fix — entries in the order given, DOS time 1980-01-01 00:00, Unix permissions 0644 or
// 0755, no extra fields, one compression level — so the same files give the same bytes on every
// machine, and each file is streamed once (constant memory) with its size checked as it is read.
// A file that deflate cannot shrink is stored instead, as zip(1) does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cfnsplit::package {

/// One entry as written, for the caller's totals (the read-back check uses the file itself).
struct WrittenEntry {
  std::string name;
  std::uint64_t size = 0, compressed = 0;
  std::uint32_t crc = 0;
  std::uint64_t local_offset = 0;
  bool executable = false;
  bool stored = false;
};

class ZipWriter {
 public:
  /// `level` is zlib's 1..9; fixed per archive so equal inputs give equal bytes.
  explicit ZipWriter(int level = 6);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  /// Creates (truncates) `path`. False with `error()` set on failure.
  bool Open(const std::string& path);
  /// Adds the regular file at `source` as `name`, reading exactly `expected_size` bytes: a file
  /// that is shorter or longer than that (changed while we read it) is an error.
  bool AddFile(const std::string& name, const std::string& source, std::uint64_t expected_size,
               bool executable);
  /// Adds in-memory bytes as `name`.
  bool AddBytes(const std::string& name, std::string_view data, bool executable);
  /// Writes the central directory (Zip64 records when counts or offsets need them) and closes.
  bool Finish();

  const std::string& error() const { return error_; }
  const std::vector<WrittenEntry>& entries() const { return entries_; }
  std::uint64_t bytes_written() const { return position_; }

 private:
  bool BeginEntry(const std::string& name, std::uint64_t size, bool executable);
  bool EndEntry();
  bool Fail(std::string message);

  int level_;
  int fd_ = -1;
  std::string path_;
  std::string error_;
  std::uint64_t position_ = 0;  // logical end of the archive
  std::vector<char> buffer_;    // bytes [flushed_, position_) not yet written
  std::uint64_t flushed_ = 0;
  std::vector<WrittenEntry> entries_;
  bool Append(const void* data, std::size_t n);
  bool PatchAt(std::uint64_t offset, const std::string& bytes);
  bool RewindTo(std::uint64_t offset);
  bool Flush();
};

/// CRC-32 (zlib's) of a byte string; exposed for tests.
std::uint32_t Crc32(std::string_view data);

}  // namespace cfnsplit::package
