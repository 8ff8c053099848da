// The floor bench/bench_split.py compares cfnsplit with: nlohmann::json parse + dump of the same
// template, in one process, timed by getrusage (CPU seconds, printed on stdout).
#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

static double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: json_floor FILE.json\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  double start = CpuSeconds();
  auto doc = nlohmann::ordered_json::parse(s);
  std::string out = doc.dump(2);
  double parsed_and_dumped = CpuSeconds() - start;
  std::cout << parsed_and_dumped << " " << out.size() << "\n";
  return 0;
}
