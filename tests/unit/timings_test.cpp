// --timings: each stage's row carries the growth of resident memory during it, exclusive of the
// stages nested in it, and the rows add up to the total.
#include "cfnsplit/timings.hpp"

#include <sys/mman.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

// Fresh memory, every page written: a mapping of its own, since a heap block may reuse pages the
// process already has (then resident memory does not grow, and rightly so).
class FreshBlock {
 public:
  explicit FreshBlock(std::size_t bytes) : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    data_ = static_cast<char*>(p);
    std::memset(data_, 1, bytes);
  }
  ~FreshBlock() { munmap(data_, bytes_); }
  FreshBlock(const FreshBlock&) = delete;
  FreshBlock& operator=(const FreshBlock&) = delete;

 private:
  std::size_t bytes_;
  char* data_ = nullptr;
};

// stage → the "+RSS MiB" column of its row (the fifth field on stage rows, the fourth on
// "other" and "total", which have no run count).
std::map<std::string, double> RssGrowthMiB(const std::string& table) {
  std::map<std::string, double> got;
  std::istringstream in(table);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string prefix, stage;
    double cpu = 0, wall = 0, value = 0;
    fields >> prefix >> stage;
    if (prefix != "timings:" || stage == "stage") continue;
    fields >> cpu >> wall >> value;
    if (stage != "other" && stage != "total") fields >> value;  // skip the run count
    got[stage] = value;
  }
  return got;
}

}  // namespace

TEST_CASE("timings: a stage's memory growth excludes what its nested stages touched",
          "[unit][timings]") {
  cfnsplit::timings::Enable();
  std::unique_ptr<FreshBlock> outer_block, inner_block;
  {
    cfnsplit::timings::Scope outer("test-outer");
    outer_block = std::make_unique<FreshBlock>(24 * kMiB);
    cfnsplit::timings::Scope inner("test-inner");
    inner_block = std::make_unique<FreshBlock>(8 * kMiB);
  }
  std::ostringstream table;
  cfnsplit::timings::Print(table);
  INFO(table.str());
  CHECK(table.str().find("runs  +RSS MiB") != std::string::npos);
  std::map<std::string, double> mib = RssGrowthMiB(table.str());
  REQUIRE(mib.count("test-outer") == 1);
  REQUIRE(mib.count("test-inner") == 1);
  // Each block's pages, give or take the test's own pages and, under AddressSanitizer, the
  // eighth more its shadow memory takes; the outer row holding the inner block too would be 32.
  CHECK(mib["test-inner"] >= 7.5);
  CHECK(mib["test-inner"] <= 8 * 1.125 + 1);
  CHECK(mib["test-outer"] >= 23.5);
  CHECK(mib["test-outer"] <= 24 * 1.125 + 1);
  double rows = 0;
  for (const auto& [stage, value] : mib)
    if (stage != "total") rows += value;
  CHECK(mib["total"] >= 32);
  CHECK(rows == Approx(mib["total"]).margin(0.2));  // each row rounded to 0.1
}
