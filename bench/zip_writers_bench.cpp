// Writes one zip from a file list with cfnsplit's writer (zlib deflate + our own headers) or with
// libzip, at the same deflate level, so bench/bench_package.py can compare them on the same
// files: time, peak memory, size, and whether two runs give the same bytes.
//
//   zip_writers_bench ours|libzip OUT.zip LIST [LEVEL]
//
// LIST has one file per line: name<TAB>source<TAB>size<TAB>executable(0|1). Built by
// bench/bench_package.py (libzip only when its headers are installed: -DWITH_LIBZIP).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "package/zip_writer.hpp"
#ifdef WITH_LIBZIP
#include <zip.h>
#endif

namespace {

struct Item {
  std::string name, source;
  std::uint64_t size = 0;
  bool executable = false;
};

std::vector<Item> ReadList(const char* path) {
  std::vector<Item> items;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    Item item;
    std::string size, exec;
    std::getline(fields, item.name, '\t');
    std::getline(fields, item.source, '\t');
    std::getline(fields, size, '\t');
    std::getline(fields, exec, '\t');
    item.size = std::stoull(size);
    item.executable = exec == "1";
    items.push_back(item);
  }
  return items;
}

bool Ours(const std::string& out, const std::vector<Item>& items, int level) {
  cfnsplit::package::ZipWriter w(level);
  bool ok = w.Open(out);
  for (const Item& i : items) ok = ok && w.AddFile(i.name, i.source, i.size, i.executable);
  ok = ok && w.Finish();
  if (!ok) std::cerr << w.error() << "\n";
  return ok;
}

#ifdef WITH_LIBZIP
bool Libzip(const std::string& out, const std::vector<Item>& items, int level) {
  int error = 0;
  zip_t* z = zip_open(out.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!z) return false;
  for (const Item& i : items) {
    zip_source_t* s = zip_source_file(z, i.source.c_str(), 0, -1);
    zip_int64_t index = s ? zip_file_add(z, i.name.c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      std::cerr << zip_strerror(z) << "\n";
      zip_discard(z);
      return false;
    }
    auto at = static_cast<zip_uint64_t>(index);
    zip_set_file_compression(z, at, ZIP_CM_DEFLATE, static_cast<zip_uint32_t>(level));
    zip_file_set_mtime(z, at, 315532800, 0);  // 1980-01-01
    zip_file_set_external_attributes(z, at, 0, ZIP_OPSYS_UNIX,
                                     (0100000u | (i.executable ? 0755u : 0644u)) << 16);
  }
  if (zip_close(z) != 0) {
    std::cerr << zip_strerror(z) << "\n";
    zip_discard(z);
    return false;
  }
  return true;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: zip_writers_bench ours|libzip OUT.zip LIST [LEVEL]\n";
    return 2;
  }
  std::string which = argv[1];
  int level = argc > 4 ? std::stoi(argv[4]) : 6;
  auto items = ReadList(argv[3]);
  auto start = std::chrono::steady_clock::now();
  bool ok = false;
  if (which == "ours") ok = Ours(argv[2], items, level);
#ifdef WITH_LIBZIP
  if (which == "libzip") ok = Libzip(argv[2], items, level);
#endif
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.3f\n", seconds);
  return ok ? 0 : 1;
}
