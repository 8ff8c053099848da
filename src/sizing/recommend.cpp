// The playbook for a function over Lambda's unzipped limit, in the order a team should try it
// (aws-facts §4, and the field report in reference 000_26d7ab2f: SPR options first, then a stack
// split, then a container image). slim, noDeploy, individually and zip are applied cumulatively;
// layer, split and container are judged after slim and noDeploy, since they replace packaging
// rather than add to it. Every figure comes from the model; nothing here reads files.
#include <algorithm>
#include <cmath>
#include <set>

#include "sizing/internal.hpp"

namespace cfnsplit {
using namespace sizing;

namespace {

constexpr std::uint64_t kMiB = 1'048'576;

std::uint64_t Scale(std::uint64_t bytes, std::uint64_t numerator, std::uint64_t denominator) {
  if (denominator == 0) return 0;
  return static_cast<std::uint64_t>(static_cast<long double>(bytes) * numerator / denominator +
                                    0.5L);
}

std::string Verdict(std::uint64_t total, std::uint64_t limit) {
  if (total < limit) return "; result " + GroupDigits(total) + " bytes: fits";
  return "; result " + GroupDigits(total) + " bytes: still over by " + GroupDigits(total - limit);
}

// The dists that ship in this function's artifact (or layer): the unit its total is made of.
std::vector<std::uint32_t> ShippedDists(const PackageModel& model, const FunctionPackage& f) {
  std::set<std::uint32_t> out;
  for (const auto& other : model.functions)
    if ((f.packaging == "shared" || f.packaging == "layer") && other.packaging == f.packaging)
      out.insert(other.dists.begin(), other.dists.end());
  if (f.packaging == "individual") out.insert(f.dists.begin(), f.dists.end());
  return {out.begin(), out.end()};
}

// Runtime-provided dists that noDeploy would take out. When requirements are zipped or in a
// layer, SPR only drops requirement lines, so a runtime dist another dependency needs stays.
std::set<std::uint32_t> NoDeployRemovable(const PackageModel& model, const FunctionPackage& f,
                                          const std::vector<std::uint32_t>& shipped) {
  std::set<std::uint32_t> runtime;
  for (std::uint32_t d : shipped)
    if (model.dists[d].runtime_provided) runtime.insert(d);
  if (!model.settings.zip && f.packaging != "layer") return runtime;
  std::set<std::uint32_t> reachable;
  std::vector<std::uint32_t> stack;
  for (std::uint32_t r : f.roots)
    if (!runtime.count(r)) stack.push_back(r);
  while (!stack.empty()) {
    std::uint32_t d = stack.back();
    stack.pop_back();
    if (!reachable.insert(d).second) continue;
    for (const auto& name : model.dists[d].requires) {
      long next = model.DistIndex(name);
      if (next >= 0) stack.push_back(static_cast<std::uint32_t>(next));
    }
  }
  std::set<std::uint32_t> out;
  for (std::uint32_t d : runtime)
    if (!reachable.count(d)) out.insert(d);
  return out;
}

struct State {
  std::uint64_t total = 0;
  std::vector<std::uint64_t> charge;  // per model dist, as it would ship after the steps so far
};

std::uint64_t Sum(const State& s, const std::vector<std::uint32_t>& dists) {
  std::uint64_t total = 0;
  for (std::uint32_t d : dists) total += s.charge[d];
  return total;
}

}  // namespace

std::vector<Recommendation> Recommend(const PackageModel& model, std::uint32_t function_index,
                                      const SizingOptions& options) {
  (void)options;
  const LambdaLimits& limits = model.limits;
  std::vector<Recommendation> out;
  if (function_index >= model.functions.size()) return out;
  const FunctionPackage& f = model.functions[function_index];
  bool tmp_too_small = f.tmp_bytes > f.ephemeral_storage_mb * kMiB;
  bool over = f.unzipped_bytes >= limits.unzipped_bytes;
  if (f.image || (!over && f.layer_count <= limits.layers && !tmp_too_small)) return out;
  const PackagingSettings& settings = model.settings;
  std::vector<std::uint32_t> shipped = ShippedDists(model, f);
  State s{f.unzipped_bytes, model.charged_bytes};

  if (!settings.slim) {
    std::uint64_t saved = 0;
    bool measured = true;
    for (std::uint32_t d : shipped) {
      const Distribution& dist = model.dists[d];
      std::uint64_t cut =
          Scale(s.charge[d], std::min(dist.slim_bytes, dist.unzipped_bytes), dist.unzipped_bytes);
      s.charge[d] -= cut;
      saved += cut;
      measured &= dist.slim_measured || cut == 0;
    }
    s.total -= saved;
    out.push_back(
        {"slim",
         "set `slim: true` (serverless-python-requirements): removes " + GroupDigits(saved) +
             " bytes of bytecode, __pycache__, *.dist-info and .so symbols" +
             (measured ? " (measured on the files)" : " (partly estimated: no files to measure)") +
             Verdict(s.total, limits.unzipped_bytes),
         static_cast<std::int64_t>(saved), s.total < limits.unzipped_bytes});
  }

  std::set<std::uint32_t> removable = NoDeployRemovable(model, f, shipped);
  if (!removable.empty()) {
    std::uint64_t saved = 0;
    std::set<std::string> entries;
    for (std::uint32_t d : removable) {
      saved += s.charge[d];
      s.charge[d] = 0;
      for (const auto& top : model.dists[d].top_level) entries.insert(top);
      std::string prefix = model.dists[d].name;
      std::replace(prefix.begin(), prefix.end(), '-', '_');
      entries.insert(prefix);  // the dist-info folder's first segment
    }
    s.total -= saved;
    std::string list;
    for (const auto& e : entries) list += (list.empty() ? "" : ", ") + e;
    out.push_back({"nodeploy",
                   "add to noDeploy [" + list +
                       "]: the Lambda Python runtime already provides them (" + GroupDigits(saved) +
                       " bytes); SPR's noDeploy default is empty since v5.0.0, and AWS updates the "
                       "runtime copy, so pin your own only if you need exact versions" +
                       Verdict(s.total, limits.unzipped_bytes),
                   static_cast<std::int64_t>(saved), s.total < limits.unzipped_bytes});
  }
  const State after_cleanup = s;
  // What this function needs on its own. In layer mode its dependencies are already in the
  // layers it lists (the one requirements layer holds every layer-mode function's), so they
  // are not added a second time.
  const std::uint64_t own_code = model.code_units[f.code_unit].unzipped_bytes;
  std::uint64_t own = f.packaging == "layer"
                          ? after_cleanup.total
                          : own_code + f.layer_bytes + Sum(after_cleanup, f.dists);

  if (f.packaging == "shared" && own < s.total) {
    std::uint64_t saved = s.total - own;
    s.total = own;
    out.push_back({"individually",
                   "package individually (`package: individually: true` with a per-function "
                   "`module` requirements.txt): this function needs only " +
                       std::to_string(f.dists.size()) + " of " + std::to_string(shipped.size()) +
                       " distributions" + Verdict(s.total, limits.unzipped_bytes),
                   static_cast<std::int64_t>(saved), s.total < limits.unzipped_bytes});
    shipped = f.dists;
  }

  if (!settings.zip && f.packaging != "layer") {
    std::uint64_t deps = Sum(s, shipped), zipped = 0;
    for (std::uint32_t d : shipped)
      zipped += Scale(model.dists[d].zipped_bytes, s.charge[d], model.dists[d].unzipped_bytes);
    std::uint64_t saved = deps > zipped ? deps - zipped : 0;
    s.total -= saved;
    std::uint64_t need_mb = (deps + kMiB - 1) / kMiB;
    std::string tmp =
        need_mb <= f.ephemeral_storage_mb
            ? "fits the function's " + std::to_string(f.ephemeral_storage_mb) + " MB of /tmp"
        : need_mb <= limits.tmp_max_mb
            ? "needs EphemeralStorage of at least " + std::to_string(need_mb) + " MB (now " +
                  std::to_string(f.ephemeral_storage_mb) + ")"
            : "cannot fit /tmp even at the 10,240 MB maximum";
    out.push_back({"zip",
                   "set `zip: true`: the package keeps a " + GroupDigits(zipped) +
                       "-byte .requirements.zip instead of " + GroupDigits(deps) +
                       " bytes; each cold start extracts " + GroupDigits(deps) +
                       " bytes into /tmp, which " + tmp + Verdict(s.total, limits.unzipped_bytes),
                   static_cast<std::int64_t>(saved),
                   s.total < limits.unzipped_bytes && need_mb <= limits.tmp_max_mb});
  }

  if (f.packaging != "layer" || f.layer_count > limits.layers) {
    std::string text =
        f.layer_count > limits.layers
            ? "merge layers: this function uses " + std::to_string(f.layer_count) +
                  " layers and Lambda allows 5"
            : "moving dependencies into a layer does not help this limit: layers count toward the "
              "same " +
                  GroupDigits(limits.unzipped_bytes) +
                  " bytes (they only shrink and share the function zip; at most 5 layers)";
    out.push_back({"layer", text, 0, false});
  }

  std::size_t sharing = static_cast<std::size_t>(
      std::count_if(model.functions.begin(), model.functions.end(),
                    [&](const FunctionPackage& o) { return o.packaging == f.packaging; }));
  if (f.packaging == "layer" && sharing > 1) {
    // Splitting stacks leaves the requirements layer whole; per-stack artifacts do not.
    std::uint64_t requirements_layer = 0;
    for (const LayerInfo& l : model.layers)
      if (l.python_requirements) requirements_layer = l.unzipped_bytes;
    std::uint64_t other_layers =
        f.layer_bytes > requirements_layer ? f.layer_bytes - requirements_layer : 0;
    std::uint64_t alone = own_code + other_layers + Sum(after_cleanup, f.dists);
    out.push_back(
        {"split",
         "split the stack and drop `layer: true`: the requirements layer holds the dependencies "
         "of all " +
             std::to_string(sharing) + " layer-mode functions (" + GroupDigits(requirements_layer) +
             " bytes) whatever stack each function is in, so splitting alone does not shrink it; "
             "with per-stack artifacts (`cfnsplit split --build`) each stack ships only its "
             "functions' dependencies, and this function alone needs " +
             GroupDigits(alone),
         static_cast<std::int64_t>(after_cleanup.total > alone ? after_cleanup.total - alone : 0),
         alone < limits.unzipped_bytes});
  }
  if (f.packaging == "shared" && sharing > 1) {
    std::uint64_t union_bytes = Sum(after_cleanup, ShippedDists(model, f));
    std::set<std::uint32_t> code;
    for (const auto& other : model.functions)
      if (other.packaging == f.packaging) code.insert(other.code_unit);
    for (std::uint32_t c : code) union_bytes += model.code_units[c].unzipped_bytes;
    std::uint64_t stacks = std::max<std::uint64_t>(
        2, (union_bytes + limits.unzipped_bytes - 1) / limits.unzipped_bytes);
    out.push_back(
        {"split",
         "split the stack: its " + std::to_string(sharing) + " functions share " +
             GroupDigits(union_bytes) + " bytes of dependencies and code, so at least " +
             std::to_string(stacks) +
             " stacks are needed (lower bound, each with its own artifact); this function alone "
             "needs " +
             GroupDigits(own),
         static_cast<std::int64_t>(after_cleanup.total > own ? after_cleanup.total - own : 0),
         own < limits.unzipped_bytes});
  }

  bool solved =
      std::any_of(out.begin(), out.end(), [](const Recommendation& r) { return r.sufficient; });
  if (!solved)
    out.push_back({"container",
                   "package it as a container image (10 GB limit, no layers): an existing zip "
                   "function cannot be converted, so create a new function (new logical id), move "
                   "its event sources, aliases and permissions, then delete the old one",
                   0, own <= limits.image_bytes});
  return out;
}

}  // namespace cfnsplit
