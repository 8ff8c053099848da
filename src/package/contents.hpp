// Contents: which files one stack's artifact holds (see contents.cpp).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/model.hpp"
#include "cfnsplit/package.hpp"
#include "cfnsplit/sizing.hpp"
#include "package/internal.hpp"

namespace cfnsplit::package {

struct StackContents {
  std::string stack;
  std::string layer_id;        ///< a layer's zip: the LayerVersion (items under `python/`)
  std::vector<ZipItem> items;  ///< sorted by name, unique
  /// `zip: true`: the distributions' files, packed into `.requirements.zip` (sorted, unique).
  std::vector<ZipItem> requirements;
  std::uint64_t ephemeral_bytes = 0;  ///< the smallest /tmp among its zip functions
  std::uint64_t tmp_bytes = 0;        ///< `.requirements.zip` unzipped, as read back (Builder)
  /// Per zip function with sizing data: the layers it lists (PackageModel::layers indexes).
  std::vector<std::vector<std::uint32_t>> function_layers;
  std::map<std::string, std::size_t> by_name;
  std::vector<std::string> zip_functions, image_functions;
  std::uint64_t layer_bytes = 0;  ///< the largest layer total among its zip functions (Builder)
  std::uint64_t code_bytes = 0;
  SizeDelta delta;
  std::uint64_t total() const {
    std::uint64_t t = 0;
    for (const auto& i : items) t += i.size;
    return t;
  }
};

class Contents {
 public:
  Contents(const TemplateModel& model, const PackageModel& packages, const BuildOptions& options,
           SourceManager& sources, DiagnosticSink& sink);
  /// Opens the site-packages tree and reads serverless.yml; false after an error.
  bool Open();
  /// The stack's files; nullopt after an error (reported).
  std::optional<StackContents> ForStack(const ArtifactRequest& request);
  /// A layer's files: its distributions under `python/` (slim applied, not noDeploy's file
  /// filter, which SPR runs only when injecting into a function zip).
  std::optional<StackContents> ForLayer(const LayerRequest& request);
  /// `zip: true` (SPR): a stack's dependencies go into `.requirements.zip`.
  bool zip_requirements() const { return packages_.settings.zip; }
  /// Code roots of one function (see docs/package.md "Function code").
  std::vector<CodeRoot> CodeRootsFor(const FunctionPackage* f, const FunctionInfo* info) const;
  const std::vector<ZipItem>* CodeFiles(const CodeRoot& root);
  const FunctionInfo* FindInfo(const std::string& id) const;
  bool slim() const { return slim_; }

 private:
  bool AddItems(const std::vector<ZipItem>& items, const std::string& prefix, StackContents& out);
  bool AddDistribution(const std::string& name, const std::string& prefix, bool no_deploy,
                       StackContents& out);
  static void SortItems(std::vector<ZipItem>& items, std::map<std::string, std::size_t>* by_name);
  bool CheckHandlers(const StackContents& out);

  const TemplateModel& model_;
  const PackageModel& packages_;
  const BuildOptions& options_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  SiteTree site_;
  std::optional<ServerlessPackaging> serverless_;
  bool slim_ = false;
  std::vector<std::string> slim_patterns_;
  std::set<std::string> no_deploy_;
  std::map<CodeRoot, std::vector<ZipItem>> code_cache_;
  std::set<std::string> failed_roots_;
};

}  // namespace cfnsplit::package
