// What `cfnsplit package` reports: the table of built artifacts against the plan's figures, the
// /tmp check of `zip: true` stacks, and packages/artifacts.json.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cfnsplit/numbers.hpp"
#include "cfnsplit/package.hpp"
#include "cfnsplit/python_files.hpp"

namespace cfnsplit {
namespace {

std::string Percent(std::uint64_t part, std::uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole ? 100.0 * part / whole : 0.0);
  return buf;
}

std::string Signed(long long v) {
  if (v == 0) return "0";
  return (v > 0 ? "+" : "-") + GroupDigits(static_cast<std::uint64_t>(v > 0 ? v : -v));
}

// Why a stack's artifact differs from the plan's figure, in bytes the plan counted or not.
std::string Reasons(const BuiltArtifact& a) {
  std::string why;
  auto add = [&](std::uint64_t bytes, const char* what) {
    if (bytes) why += (why.empty() ? "" : ", ") + GroupDigits(bytes) + " " + what;
  };
  add(a.delta.pycache, "of __pycache__ not shipped");
  add(a.delta.slimmed, "removed by slim");
  add(a.delta.stripped, "removed by strip");
  add(a.delta.no_deploy, "removed by noDeploy");
  if (a.tmp_bytes)
    why += (why.empty() ? "" : ", ") + std::string("dependencies shipped as .requirements.zip ") +
           "(the plan estimates their zipped size from a ratio)";
  if (a.delta.code != 0)
    why += (why.empty() ? "" : ", ") + Signed(a.delta.code) +
           " of code (the plan measures code only from the manifest's or CodeUri folders)";
  return why;
}

}  // namespace

void PrintArtifactTable(const std::vector<BuiltArtifact>& artifacts, std::ostream& out) {
  auto name_of = [](const BuiltArtifact& a) {
    return a.layer.empty() ? a.stack : a.stack + "-" + a.layer + " (layer)";
  };
  int width = 28;
  for (const BuiltArtifact& a : artifacts)
    width = std::max(width, static_cast<int>(std::min<std::size_t>(name_of(a).size(), 120)));
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s %8s %14s %14s %7s %14s %14s\n", width, "STACK", "FILES",
                "UNZIPPED", "ZIPPED", "%LIMIT", "PLAN", "DIFF");
  out << line;
  std::vector<std::string> reasons;
  for (const BuiltArtifact& a : artifacts) {
    const std::string name = name_of(a);
    // The plan's figure counts a stack's functions' layers, as %LIMIT does.
    long long diff =
        static_cast<long long>(a.unzipped + a.layer_bytes) - static_cast<long long>(a.plan_bytes);
    std::snprintf(line, sizeof line, "  %-*s %8s %14s %14s %7s %14s %14s\n", width, name.c_str(),
                  GroupDigits(a.files).c_str(), GroupDigits(a.unzipped).c_str(),
                  GroupDigits(a.zipped).c_str(),
                  Percent(a.unzipped + a.layer_bytes, a.limit_bytes).c_str(),
                  GroupDigits(a.plan_bytes).c_str(), Signed(diff).c_str());
    out << line;
    if (diff == 0) continue;
    std::string why = Reasons(a);
    reasons.push_back(name + ": " + Signed(diff) + " bytes (" +
                      Percent(static_cast<std::uint64_t>(diff > 0 ? diff : -diff), a.plan_bytes) +
                      " of the plan's figure)" + (why.empty() ? "" : ": " + why));
  }
  bool any_layers = std::any_of(artifacts.begin(), artifacts.end(),
                                [](const BuiltArtifact& a) { return a.layer_bytes > 0; });
  if (any_layers)
    out << "%LIMIT and DIFF count each stack's zip plus the layers of its function that lists the "
           "most (built layers by their zips, others as sized), as the plan's figure does.\n";
  if (!reasons.empty()) {
    out << "Differences from the plan's figures:\n";
    for (const auto& r : reasons) out << "  " << r << "\n";
  }
  bool any_tmp = std::any_of(artifacts.begin(), artifacts.end(),
                             [](const BuiltArtifact& a) { return a.tmp_bytes > 0; });
  if (!any_tmp) return;
  out << "zip: true: .requirements.zip is extracted into /tmp at the first cold start "
         "(unzip_requirements.py):\n";
  std::snprintf(line, sizeof line, "  %-28s %14s %14s %7s\n", "STACK", "/TMP UNZIPPED", "EPHEMERAL",
                "%TMP");
  out << line;
  for (const BuiltArtifact& a : artifacts) {
    if (!a.tmp_bytes) continue;
    std::snprintf(line, sizeof line, "  %-28s %14s %14s %7s\n", a.stack.c_str(),
                  GroupDigits(a.tmp_bytes).c_str(), GroupDigits(a.ephemeral_bytes).c_str(),
                  Percent(a.tmp_bytes, a.ephemeral_bytes).c_str());
    out << line;
  }
}

std::string ArtifactsJson(const std::vector<BuiltArtifact>& artifacts,
                          const std::vector<EmittedStack>& stacks) {
  nlohmann::ordered_json root;
  root["format_version"] = 1;
  nlohmann::ordered_json list = nlohmann::ordered_json::object();
  auto name_of = [](const BuiltArtifact* a) {
    return a->layer.empty() ? a->stack : a->stack + "-" + a->layer;
  };
  std::vector<const BuiltArtifact*> sorted;
  for (const auto& a : artifacts) sorted.push_back(&a);
  std::sort(sorted.begin(), sorted.end(), [&](const BuiltArtifact* a, const BuiltArtifact* b) {
    return name_of(a) < name_of(b);
  });
  for (const BuiltArtifact* a : sorted) {
    nlohmann::ordered_json e;
    e["file"] = a->file;
    for (const EmittedStack& s : stacks) {
      if (s.name != a->stack) continue;
      if (a->layer.empty() && s.artifact) {
        e["key"] = s.artifact->key;
        e["parameter"] = s.artifact->parameter;
      }
      for (const LayerArtifactRef& l : s.layers)
        if (!a->layer.empty() && l.layer == a->layer) {
          e["key"] = l.key;
          e["parameter"] = l.parameter;
        }
    }
    if (!a->layer.empty()) e["layer"] = a->layer;
    e["sha256"] = a->sha256;
    e["files"] = a->files;
    e["unzipped"] = a->unzipped;
    e["zipped"] = a->zipped;
    e["plan_unzipped"] = a->plan_bytes;
    e["layers"] = a->layer_bytes;
    if (a->tmp_bytes) {
      e["tmp_unzipped"] = a->tmp_bytes;
      e["ephemeral_storage"] = a->ephemeral_bytes;
    }
    list[name_of(a)] = e;
  }
  root["artifacts"] = list;
  return root.dump(2) + "\n";
}

}  // namespace cfnsplit
