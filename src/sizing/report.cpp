// Text and JSON renderings of a PackageModel. Tables follow bloaty's habits: binary-unit sizes
// padded to 7 columns, percentages, rows sorted by size then name, extra rows folded into
// "[N others]", and a TOTAL row that adds up. JSON carries exact byte counts, sorted by stable
// keys.
#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "sizing/internal.hpp"

namespace cfnsplit {
using namespace sizing;

namespace {

std::string Percent(std::uint64_t part, std::uint64_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

std::string Pad(const std::string& s, std::size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string Status(const FunctionPackage& f, const LambdaLimits& limits) {
  if (f.image) return "image";
  if (f.unzipped_bytes >= limits.unzipped_bytes) return "OVER";
  if (f.layer_count > limits.layers) return "LAYERS";
  if (f.tmp_bytes > f.ephemeral_storage_mb * 1'048'576) return "TMP";
  if (static_cast<double>(f.unzipped_bytes) >=
      limits.near_share * static_cast<double>(limits.unzipped_bytes))
    return "near";
  return "ok";
}

std::vector<std::uint32_t> ArtifactDists(const PackageModel& model, const FunctionPackage& f) {
  std::set<std::uint32_t> out(f.dists.begin(), f.dists.end());
  if (f.packaging != "individual")
    for (const auto& other : model.functions)
      if (other.packaging == f.packaging) out.insert(other.dists.begin(), other.dists.end());
  return {out.begin(), out.end()};
}

void PrintContributors(const PackageModel& model, const FunctionPackage& f,
                       const std::string& title, std::ostream& out, std::size_t top_n) {
  std::vector<std::uint32_t> dists = ArtifactDists(model, f);
  std::sort(dists.begin(), dists.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (model.charged_bytes[a] != model.charged_bytes[b])
      return model.charged_bytes[a] > model.charged_bytes[b];
    return model.dists[a].name < model.dists[b].name;
  });
  std::uint64_t total = f.unzipped_bytes;
  out << title << " — top contributors of " << GroupDigits(total) << " bytes\n";
  out << "  " << Pad("DISTRIBUTION", 28, false) << Pad("VERSION", 12, false)
      << Pad("UNZIPPED", 11, true) << Pad("%", 8, true) << "  " << Pad("SOURCE", 9, false)
      << "PULLED IN BY\n";
  std::uint64_t other_bytes = 0, listed_bytes = 0;
  for (std::size_t i = 0; i < dists.size(); ++i) {
    const Distribution& d = model.dists[dists[i]];
    std::uint64_t bytes = model.charged_bytes[dists[i]];
    listed_bytes += bytes;
    if (i >= top_n) {
      other_bytes += bytes;
      continue;
    }
    std::string by;
    auto it = f.pulled_in_by.find(dists[i]);
    if (it == f.pulled_in_by.end())
      by = "(another function)";
    else
      by = it->second == d.name ? "direct" : it->second;
    if (d.runtime_provided) by += " [runtime provides]";
    out << "  " << Pad(d.name, 28, false) << Pad(d.version.empty() ? "-" : d.version, 12, false)
        << Pad(HumanBytes(bytes), 11, true) << Pad(Percent(bytes, total), 8, true) << "  "
        << Pad(d.size_source, 9, false) << by << "\n";
  }
  if (dists.size() > top_n)
    out << "  " << Pad("[" + std::to_string(dists.size() - top_n) + " others]", 40, false)
        << Pad(HumanBytes(other_bytes), 11, true) << Pad(Percent(other_bytes, total), 8, true)
        << "\n";
  std::uint64_t rest = total > listed_bytes ? total - listed_bytes : 0;
  out << "  " << Pad("[code and layers]", 40, false) << Pad(HumanBytes(rest), 11, true)
      << Pad(Percent(rest, total), 8, true) << "\n";
  out << "  " << Pad("TOTAL", 40, false) << Pad(HumanBytes(total), 11, true)
      << Pad(Percent(total, model.limits.unzipped_bytes), 8, true) << "  of the limit\n";
}

}  // namespace

void PrintSizingText(const PackageModel& model, std::ostream& out, std::size_t top_n) {
  const PackagingSettings& s = model.settings;
  std::string no_deploy;
  for (const auto& n : s.no_deploy) no_deploy += (no_deploy.empty() ? "" : ",") + n;
  out << "Lambda package sizes (packaging: " << model.packaging
      << "; slim: " << (s.slim ? "on" : "off") << "; zip: " << (s.zip ? "on" : "off")
      << "; noDeploy: " << (no_deploy.empty() ? "none" : no_deploy) << ")\n";
  out << "limit: " << GroupDigits(model.limits.unzipped_bytes)
      << " bytes unzipped per function, layers included\n\n";
  std::vector<std::uint32_t> order(model.functions.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto& fa = model.functions[a];
    const auto& fb = model.functions[b];
    if (fa.unzipped_bytes != fb.unzipped_bytes) return fa.unzipped_bytes > fb.unzipped_bytes;
    return fa.function_id < fb.function_id;
  });
  out << "  " << Pad("FUNCTION", 36, false) << Pad("MODE", 11, false) << Pad("UNZIPPED", 11, true)
      << Pad("ZIPPED", 11, true) << Pad("CODE", 11, true) << Pad("LAYERS", 11, true)
      << Pad("%LIMIT", 8, true) << "  STATUS\n";
  for (std::uint32_t i : order) {
    const FunctionPackage& f = model.functions[i];
    out << "  " << Pad(f.function_id, 36, false) << Pad(f.packaging, 11, false)
        << Pad(HumanBytes(f.unzipped_bytes), 11, true) << Pad(HumanBytes(f.zipped_bytes), 11, true)
        << Pad(HumanBytes(f.code_bytes), 11, true) << Pad(HumanBytes(f.layer_bytes), 11, true)
        << Pad(Percent(f.unzipped_bytes, model.limits.unzipped_bytes), 8, true) << "  "
        << Status(f, model.limits) << "\n";
  }
  // Contributors: once per shared unit, and per function that is over or near a limit.
  std::set<std::string> shown_units;
  bool any = false;
  for (std::uint32_t i : order) {
    const FunctionPackage& f = model.functions[i];
    std::string status = Status(f, model.limits);
    if (status == "ok" && (any || i != order.front())) continue;
    if (status == "image") continue;
    std::string unit = f.packaging == "individual" ? f.function_id : f.packaging;
    if (!shown_units.insert(unit).second) continue;
    out << "\n";
    PrintContributors(model, f,
                      f.packaging == "shared"
                          ? "Shared artifact (as " + f.function_id + " ships it)"
                          : f.function_id,
                      out, top_n);
    any = true;
  }
  // Functions that ship the same artifact get the same advice: print it once for all of them.
  std::vector<std::pair<std::vector<std::uint32_t>, std::vector<Recommendation>>> groups;
  std::map<std::string, std::size_t> group_of;  // rendered advice → group
  for (std::uint32_t i : order) {
    auto recommendations = Recommend(model, i, {});
    if (recommendations.empty()) continue;
    std::string key = std::to_string(model.functions[i].unzipped_bytes);
    for (const auto& r : recommendations) key += "|" + r.kind + r.text;
    auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) groups.push_back({{}, recommendations});
    groups[it->second].first.push_back(i);
  }
  for (const auto& [members, recommendations] : groups) {
    const FunctionPackage& f = model.functions[members.front()];
    out << "\nRecommendations for " << f.function_id;
    if (members.size() > 1)
      out << " and " << members.size() - 1 << " more function(s) that ship the same";
    if (f.unzipped_bytes >= model.limits.unzipped_bytes)
      out << " (over by " << GroupDigits(f.unzipped_bytes - model.limits.unzipped_bytes)
          << " bytes)";
    out << ":\n";
    int n = 0;
    for (const auto& r : recommendations)
      out << "  " << ++n << ". " << Pad(r.kind, 13, false)
          << Pad(r.bytes_saved > 0 ? "-" + HumanBytes(static_cast<std::uint64_t>(r.bytes_saved))
                                   : "",
                 11, true)
          << "  " << r.text << (r.sufficient ? "  [enough]" : "") << "\n";
  }
  if (model.unowned_files > 0)
    out << "\nnote: " << model.unowned_files << " files (" << GroupDigits(model.unowned_bytes)
        << " bytes) in site-packages belong to no distribution and are not charged\n";
}

nlohmann::json SizingJson(const PackageModel& model) {
  using nlohmann::json;
  json root;
  root["packaging"] = model.packaging;
  root["limit_unzipped_bytes"] = model.limits.unzipped_bytes;
  root["settings"] = {{"slim", model.settings.slim},
                      {"strip", model.settings.strip},
                      {"zip", model.settings.zip},
                      {"slim_patterns", model.settings.slim_patterns},
                      {"no_deploy", model.settings.no_deploy}};
  json dists = json::array();
  for (std::size_t i = 0; i < model.dists.size(); ++i) {
    const Distribution& d = model.dists[i];
    dists.push_back({{"name", d.name},
                     {"version", d.version},
                     {"unzipped_bytes", d.unzipped_bytes},
                     {"zipped_bytes", d.zipped_bytes},
                     {"size_source", d.size_source},
                     {"zipped_source", d.zipped_source},
                     {"slim_bytes", d.slim_bytes},
                     {"slim_measured", d.slim_measured},
                     {"runtime_provided", d.runtime_provided},
                     {"charged_bytes", i < model.charged_bytes.size() ? model.charged_bytes[i] : 0},
                     {"requires", d.requires},
                     {"top_level", d.top_level},
                     {"evidence", d.evidence}});
  }
  root["distributions"] = dists;
  json layers = json::array();
  for (const auto& l : model.layers)
    layers.push_back(
        {{"name", l.name}, {"unzipped_bytes", l.unzipped_bytes}, {"size_source", l.size_source}});
  root["layers"] = layers;
  std::vector<std::uint32_t> order(model.functions.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return model.functions[a].function_id < model.functions[b].function_id;
  });
  json functions = json::array();
  for (std::uint32_t i : order) {
    const FunctionPackage& f = model.functions[i];
    json shipped = json::array();
    for (std::uint32_t d : f.dists)
      shipped.push_back({{"name", model.dists[d].name},
                         {"charged_bytes", model.charged_bytes[d]},
                         {"pulled_in_by", f.pulled_in_by.count(d) ? f.pulled_in_by.at(d) : ""}});
    json recommendations = json::array();
    for (const auto& r : Recommend(model, i, {}))
      recommendations.push_back({{"kind", r.kind},
                                 {"text", r.text},
                                 {"bytes_saved", r.bytes_saved},
                                 {"sufficient", r.sufficient}});
    const CodeUnit& code = model.code_units[f.code_unit];
    functions.push_back({{"function_id", f.function_id},
                         {"serverless_name", f.serverless_name},
                         {"packaging", f.packaging},
                         {"requirements_from", f.requirements_from},
                         {"unzipped_bytes", f.unzipped_bytes},
                         {"zipped_bytes", f.zipped_bytes},
                         {"code_bytes", f.code_bytes},
                         {"code_source", code.size_source},
                         {"code_path", code.path},
                         {"layer_bytes", f.layer_bytes},
                         {"layer_count", f.layer_count},
                         {"tmp_bytes", f.tmp_bytes},
                         {"ephemeral_storage_mb", f.ephemeral_storage_mb},
                         {"status", Status(f, model.limits)},
                         {"dists", shipped},
                         {"recommendations", recommendations}});
  }
  root["functions"] = functions;
  root["unowned"] = {{"files", model.unowned_files}, {"bytes", model.unowned_bytes}};
  return root;
}

}  // namespace cfnsplit
