// Planner: the state of one BuildPackageModel run. plan.cpp decides, per function, its
// requirements, code, layers and packaging mode and computes closures; totals.cpp turns the
// result into a PackageModel (stable indexes, charged bytes, totals, findings).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/imports.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit::sizing {

/// True when `path` names a regular file; an unreadable path is not one (no exception).
bool IsRegularFile(const std::string& path);

/// One function before sizing.
struct FunctionPlan {
  const FunctionInfo* info = nullptr;
  const ManifestFunction* manifest = nullptr;
  const ServerlessFunction* serverless = nullptr;
  std::vector<Requirement> roots;
  std::string requirements_from = "none";
  std::string code_dir;  ///< "" when unknown
  std::string packaging;
  std::vector<std::string> manifest_layers;  ///< names of manifest layers it uses
  std::uint32_t layer_count = 0;
  const ArtifactContents* artifact = nullptr;
  MarkerEnv env;
  std::string env_key;
  const struct ClosureResult* closure = nullptr;  ///< owned by Planner's cache
};

struct ClosureResult {
  std::map<std::string, std::string> pulled_in_by;  ///< dist name → first root that needs it
  std::set<std::string> roots;
};

class Planner {
 public:
  Planner(const std::vector<FunctionInfo>& functions, const SizingOptions& options,
          SourceManager& sources, DiagnosticSink& sink);
  std::optional<PackageModel> Run();

 private:
  // plan.cpp
  bool LoadInputs();
  void ResolveSettings();
  void PlanFunction(const FunctionInfo& info, FunctionPlan& plan);
  std::vector<Requirement> ReadList(const std::vector<Located>& files,
                                    const std::vector<Located>& packages);
  std::vector<Requirement> ServiceRequirements();
  const ClosureResult& Closure(const std::vector<Requirement>& roots, const MarkerEnv& env,
                               const std::string& env_key);
  void Expand(ClosureResult& result, const std::vector<Requirement>& roots, const MarkerEnv& env,
              const std::string& env_key);
  /// Dists reachable from one requirement (name + extras) in one environment, sorted; cached.
  const std::vector<std::string>& RootClosure(const Requirement& root, const MarkerEnv& env,
                                              const std::string& env_key);
  KnownDist& Lookup(const std::string& name);
  // infer.cpp
  void PrepareInference();
  imports::ImportResolver& Resolver();
  /// Requirements from the handler's imports, or nullopt to fall back (off, no handler, a
  /// syntax error).
  std::optional<std::vector<Requirement>> InferRequirements(const FunctionInfo& info,
                                                            const FunctionPlan& plan);
  std::string FindCodeRoot(const FunctionInfo& info, const FunctionPlan& plan,
                           const std::string& handler_path);
  void FindUnusedRequirements(PackageModel& model);
  void PlanLayers();
  std::string DefaultPackaging() const;

  // totals.cpp
  PackageModel Assemble();
  void AssignDists(PackageModel& model);
  void ChargeDists(PackageModel& model);
  std::uint32_t CodeUnitFor(const FunctionPlan& plan, PackageModel& model);
  void ComputeTotals(PackageModel& model);
  void ReportFindings(const PackageModel& model);

  const std::vector<FunctionInfo>& functions_;
  const SizingOptions& options_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  RequirementsReader reader_;
  ServiceSpec spec_;
  Catalog catalog_;
  Universe universe_;
  PackagingSettings settings_;
  std::vector<FunctionPlan> plans_;
  std::map<std::string, ClosureResult> closure_cache_;
  std::map<std::string, std::vector<std::string>> root_closure_cache_;
  std::map<std::string, std::vector<std::string>> layer_dists_;  ///< manifest layer → dists
  std::set<std::string> warned_;                                 ///< keys of once-only warnings
  std::map<std::string, std::uint32_t> code_unit_index_;
  /// Manifest and serverless.yml functions by every name that may denote them (key, logical id).
  std::map<std::string, const ManifestFunction*> manifest_by_name_;
  std::map<std::string, const ServerlessFunction*> serverless_by_name_;
  std::set<const ManifestFunction*> matched_manifest_;
  /// Marker results by (environment, extra, marker): thousands of closures share them.
  std::map<std::string, bool> marker_cache_;
  /// SpecifierAllows by (version, specifier): every function's `numpy==1.26.4` asks the same.
  std::map<std::string, bool> allows_cache_;
  bool Allows(const std::string& specifier, const std::string& version);
  bool MarkerHolds(const std::string& marker, const MarkerEnv& env, const std::string& env_key,
                   const std::string& extra);
  std::vector<Requirement> service_requirements_;
  std::vector<std::uint64_t> zipped_charge_;  ///< per model dist: zipped bytes as shipped
  std::vector<std::uint64_t> deps_unzipped_;  ///< per model dist: unzipped bytes as shipped
  bool service_requirements_read_ = false;
  // Import inference (infer.cpp).
  std::string infer_mode_ = "off";
  imports::ImportRules import_rules_;
  imports::ModuleProviders providers_;
  std::unique_ptr<imports::ImportResolver> resolver_;
  std::map<std::string, imports::FunctionImports> inferred_;
  std::map<std::string, Requirement> service_by_name_;  ///< first service line per distribution
};

}  // namespace cfnsplit::sizing
