#include "cfnsplit/timings.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cfnsplit::timings {
namespace {

struct Row {
  const char* stage;
  double cpu = 0, wall = 0;
  long rss_growth = 0;
  int runs = 0;
};

struct State {
  bool enabled = false;
  std::vector<Row> rows;  // a handful of stages: a linear search beats a map here
  Scope* innermost = nullptr;
  double cpu_origin = 0, wall_origin = 0;
  long rss_origin = 0;
  std::string heap_pages;
};

State& Global() {
  static State state;
  return state;
}

double Seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

Row& RowFor(const char* stage) {
  for (Row& r : Global().rows)
    if (std::string_view(r.stage) == stage) return r;  // no allocation per scope
  Global().rows.push_back({stage});
  return Global().rows.back();
}

// Resident memory now, in bytes (/proc/self/statm; 0 where it cannot be read). A stage's growth
// is the memory it touched for the first time and kept: on a virtual machine whose host backs
// memory on first touch that costs microseconds a page, so it is part of the stage's time
// (docs/bench.md). Page faults would not do: with 2 MiB pages one fault brings 512 pages.
long ResidentBytes() {
  static const long page = sysconf(_SC_PAGESIZE);
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[128];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return 0;
  text[n] = '\0';
  long size = 0, resident = 0;
  if (std::sscanf(text, "%ld %ld", &size, &resident) != 2) return 0;
  return resident * page;
}

double MiB(long bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

void Enable() {
  State& s = Global();
  s.enabled = true;
  s.cpu_origin = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  s.wall_origin = Seconds(CLOCK_MONOTONIC);
  s.rss_origin = ResidentBytes();
}

bool Enabled() { return Global().enabled; }

void NoteHeapPages(std::string choice) { Global().heap_pages = std::move(choice); }

Scope::Scope(const char* stage) : stage_(stage) {
  State& s = Global();
  if (!s.enabled) return;
  active_ = true;
  parent_ = s.innermost;
  s.innermost = this;
  cpu_start_ = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  wall_start_ = Seconds(CLOCK_MONOTONIC);
  rss_start_ = ResidentBytes();
}

Scope::~Scope() {
  if (!active_) return;
  double cpu = Seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start_;
  double wall = Seconds(CLOCK_MONOTONIC) - wall_start_;
  long growth = ResidentBytes() - rss_start_;
  Row& row = RowFor(stage_);
  row.cpu += cpu - child_cpu_;
  row.wall += wall - child_wall_;
  row.rss_growth += growth - child_rss_;
  ++row.runs;
  if (parent_) {
    parent_->child_cpu_ += cpu;
    parent_->child_wall_ += wall;
    parent_->child_rss_ += growth;
  }
  Global().innermost = parent_;
}

void Print(std::ostream& out) {
  State& s = Global();
  if (!s.enabled) return;
  double total_cpu = Seconds(CLOCK_PROCESS_CPUTIME_ID) - s.cpu_origin;
  double total_wall = Seconds(CLOCK_MONOTONIC) - s.wall_origin;
  long total_growth = ResidentBytes() - s.rss_origin;
  double staged_cpu = 0, staged_wall = 0;
  long staged_growth = 0;
  char line[160];
  out << "timings:   stage            cpu s   wall s  runs  +RSS MiB\n";
  for (const Row& r : s.rows) {
    std::snprintf(line, sizeof line, "timings:   %-14s %7.3f  %7.3f  %4d  %8.1f\n", r.stage, r.cpu,
                  r.wall, r.runs, MiB(r.rss_growth));
    out << line;
    staged_cpu += r.cpu;
    staged_wall += r.wall;
    staged_growth += r.rss_growth;
  }
  std::snprintf(line, sizeof line, "timings:   %-14s %7.3f  %7.3f        %8.1f\n", "other",
                total_cpu - staged_cpu, total_wall - staged_wall,
                MiB(total_growth - staged_growth));
  out << line;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::snprintf(
      line, sizeof line, "timings:   %-14s %7.3f  %7.3f        %8.1f  peak RSS %.1f MiB\n", "total",
      total_cpu, total_wall, MiB(total_growth), static_cast<double>(usage.ru_maxrss) / 1024.0);
  out << line;
  if (!s.heap_pages.empty()) out << "timings:   heap: " << s.heap_pages << "\n";
}

}  // namespace cfnsplit::timings
