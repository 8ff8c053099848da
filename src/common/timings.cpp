#include "cfnsplit/timings.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <ctime>
#include <string_view>
#include <vector>

namespace cfnsplit::timings {
namespace {

struct Row {
  const char* stage;
  double cpu = 0, wall = 0;
  int runs = 0;
};

struct State {
  bool enabled = false;
  std::vector<Row> rows;  // a handful of stages: a linear search beats a map here
  Scope* innermost = nullptr;
  double cpu_origin = 0, wall_origin = 0;
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

}  // namespace

void Enable() {
  State& s = Global();
  s.enabled = true;
  s.cpu_origin = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  s.wall_origin = Seconds(CLOCK_MONOTONIC);
}

bool Enabled() { return Global().enabled; }

Scope::Scope(const char* stage) : stage_(stage) {
  State& s = Global();
  if (!s.enabled) return;
  active_ = true;
  parent_ = s.innermost;
  s.innermost = this;
  cpu_start_ = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  wall_start_ = Seconds(CLOCK_MONOTONIC);
}

Scope::~Scope() {
  if (!active_) return;
  double cpu = Seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start_;
  double wall = Seconds(CLOCK_MONOTONIC) - wall_start_;
  Row& row = RowFor(stage_);
  row.cpu += cpu - child_cpu_;
  row.wall += wall - child_wall_;
  ++row.runs;
  if (parent_) {
    parent_->child_cpu_ += cpu;
    parent_->child_wall_ += wall;
  }
  Global().innermost = parent_;
}

void Print(std::ostream& out) {
  State& s = Global();
  if (!s.enabled) return;
  double total_cpu = Seconds(CLOCK_PROCESS_CPUTIME_ID) - s.cpu_origin;
  double total_wall = Seconds(CLOCK_MONOTONIC) - s.wall_origin;
  double staged_cpu = 0, staged_wall = 0;
  char line[160];
  out << "timings:   stage            cpu s   wall s  runs\n";
  for (const Row& r : s.rows) {
    std::snprintf(line, sizeof line, "timings:   %-14s %7.3f  %7.3f  %4d\n", r.stage, r.cpu, r.wall,
                  r.runs);
    out << line;
    staged_cpu += r.cpu;
    staged_wall += r.wall;
  }
  std::snprintf(line, sizeof line, "timings:   %-14s %7.3f  %7.3f\n", "other",
                total_cpu - staged_cpu, total_wall - staged_wall);
  out << line;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::snprintf(line, sizeof line, "timings:   %-14s %7.3f  %7.3f  peak RSS %.1f MiB\n", "total",
                total_cpu, total_wall, static_cast<double>(usage.ru_maxrss) / 1024.0);
  out << line;
}

}  // namespace cfnsplit::timings
