// Evaluates a simdjson front end for cfnsplit's JSON loading (issue #13 asked for it): the same
// template read, in one process, by
//   cfnsplit      ParseJson: cfnsplit's reader, a positioned Value with duplicate keys refused
//   simdjson-dom  simdjson's DOM parser alone: a tape, no positions, duplicate keys kept
//   dom->Value    that tape turned into cfnsplit's Value (still no positions, no duplicate check;
//                 numbers re-printed, so not even the same text): a floor no front end beats
//   ondemand      simdjson's On-Demand parser building the Value a front end must give: number
//                 text as written, line:col of every node and key (from the byte offsets simdjson
//                 exposes, counted forward), duplicate keys refused, as ParseJson does
//   nlohmann      nlohmann::ordered_json::parse, the floor bench_split.py divides by (parse only)
// Prints each one's median CPU milliseconds over --runs repetitions. Built and run by
// bench/bench_json_frontends.py; needs libsimdjson-dev (not a build dependency of cfnsplit).
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "cfnsplit/load.hpp"

namespace {

using cfnsplit::SourceLoc;
using cfnsplit::Value;

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
          static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-3);
}

// dom::element → Value, without positions (the tape keeps none).
Value FromDom(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      Value m = Value::Map();
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) m.AppendEntry(std::string(field.key), FromDom(field.value));
      return m;
    }
    case element_type::ARRAY: {
      Value l = Value::List();
      simdjson::dom::array array = e.get_array().value_unsafe();
      for (auto item : array) l.Append(FromDom(item));
      return l;
    }
    case element_type::STRING:
      return Value::String(std::string(e.get_string().value_unsafe()));
    case element_type::BOOL:
      return Value::Bool(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Value::Null();
    default:
      return Value::Number(simdjson::to_string(e));
  }
}

// On-Demand → Value with positions and the duplicate-key check: what a front end must deliver.
class OnDemandReader {
 public:
  OnDemandReader(const char* base) : base_(base) {}

  Value Read(simdjson::ondemand::value v) {
    SourceLoc loc = LocOf(v.raw_json_token().data());
    switch (v.type().value_unsafe()) {
      case simdjson::ondemand::json_type::object: {
        Value m = Value::Map(loc);
        std::unordered_set<std::string> big;  // keys of a map past 24 entries, as ParseJson
        simdjson::ondemand::object object = v.get_object().value_unsafe();
        for (auto field : object) {
          SourceLoc key_loc = LocOf(field.key().value_unsafe().raw() - 1);
          std::string key(field.unescaped_key().value_unsafe());
          if (Duplicate(m, big, key)) throw std::runtime_error("duplicate key " + key);
          m.AppendEntry(std::move(key), Read(field.value().value_unsafe()), key_loc);
        }
        return m;
      }
      case simdjson::ondemand::json_type::array: {
        Value l = Value::List(loc);
        simdjson::ondemand::array array = v.get_array().value_unsafe();
        for (auto item : array) l.Append(Read(item.value_unsafe()));
        return l;
      }
      case simdjson::ondemand::json_type::string:
        return Value::String(std::string(v.get_string().value_unsafe()), loc);
      case simdjson::ondemand::json_type::boolean:
        return Value::Bool(v.get_bool().value_unsafe(), loc);
      case simdjson::ondemand::json_type::null:
        return Value::Null(loc);
      case simdjson::ondemand::json_type::number: {
        std::string_view text = v.raw_json_token();
        while (!text.empty() && std::strchr(" \t\r\n", text.back())) text.remove_suffix(1);
        return Value::Number(std::string(text), loc);
      }
    }
    return Value::Null(loc);
  }

 private:
  // Linear below 24 keys, hashed above (ParseJson's switch).
  static bool Duplicate(const Value& m, std::unordered_set<std::string>& big,
                        const std::string& key) {
    if (m.size() < 24)
      return std::any_of(m.keys().begin(), m.keys().end(),
                         [&](const Value::Key& k) { return k.name == key; });
    if (big.empty())
      for (const Value::Key& k : m.keys()) big.insert(k.name);
    return !big.insert(key).second;
  }
  // Offsets only grow in document order, so lines are counted forward once.
  SourceLoc LocOf(const char* at) {
    while (scanned_ < at) {
      const void* nl = std::memchr(scanned_, '\n', static_cast<std::size_t>(at - scanned_));
      if (!nl) {
        scanned_ = at;
        break;
      }
      scanned_ = static_cast<const char*>(nl) + 1;
      ++line_;
      line_start_ = scanned_;
    }
    return SourceLoc{1, line_, static_cast<std::uint32_t>(at - line_start_ + 1)};
  }
  const char* base_;
  const char* scanned_ = base_;
  const char* line_start_ = base_;
  std::uint32_t line_ = 1;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Time(int runs, const std::function<std::size_t()>& body, std::size_t& check) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double start = CpuMs();
    check = body();
    times.push_back(CpuMs() - start);
  }
  return Median(times);
}

std::size_t CountNodes(const Value& v) {
  std::size_t n = 1;
  if (v.is_list() || v.is_map())
    for (const Value& child : v.items()) n += CountNodes(child);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: json_frontends FILE.json [RUNS]\n";
    return 2;
  }
  const int runs = argc > 2 ? std::stoi(argv[2]) : 7;
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  cfnsplit::SourceManager sources;
  const std::uint32_t file = sources.Add(argv[1], text);
  simdjson::padded_string padded(text);
  simdjson::dom::parser dom;
  simdjson::ondemand::parser ondemand;
  std::size_t nodes = 0;

  struct Row {
    const char* name;
    double ms;
    std::size_t nodes;
  };
  std::vector<Row> rows;
  auto add = [&](const char* name, const std::function<std::size_t()>& body) {
    double ms = Time(runs, body, nodes);
    rows.push_back({name, ms, nodes});
  };
  add("cfnsplit ParseJson", [&] {
    cfnsplit::DiagnosticSink sink;
    auto v = cfnsplit::ParseJson(file, sources, sink);
    if (!v) throw std::runtime_error("cfnsplit could not parse the file");
    return CountNodes(*v);
  });
  add("simdjson DOM (tape only)", [&] {
    simdjson::dom::element root = dom.parse(padded);
    return static_cast<std::size_t>(root.is_object());
  });
  add("simdjson DOM -> Value", [&] { return CountNodes(FromDom(dom.parse(padded))); });
  add("simdjson On-Demand -> Value", [&] {
    auto doc = ondemand.iterate(padded);
    OnDemandReader reader(padded.data());
    return CountNodes(reader.Read(doc.get_value().value_unsafe()));
  });
  add("nlohmann parse", [&] { return nlohmann::ordered_json::parse(text).size(); });

  std::cout << "file " << argv[1] << ", " << text.size() << " bytes, median of " << runs
            << " runs (CPU ms)\n";
  for (const Row& r : rows)
    std::cout << "  " << r.name << std::string(32 - std::strlen(r.name), ' ') << r.ms << "  (nodes "
              << r.nodes << ")\n";
  return 0;
}
