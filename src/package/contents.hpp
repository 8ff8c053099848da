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
  std::vector<ZipItem> items;  ///< sorted by name, unique
  std::map<std::string, std::size_t> by_name;
  std::vector<std::string> zip_functions, image_functions;
  std::uint64_t layer_bytes = 0;  ///< the largest layer total among its zip functions
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
  /// Code roots of one function (see docs/package.md "Function code").
  std::vector<CodeRoot> CodeRootsFor(const FunctionPackage* f, const FunctionInfo* info) const;
  const std::vector<ZipItem>* CodeFiles(const CodeRoot& root);
  const FunctionInfo* FindInfo(const std::string& id) const;
  bool slim() const { return slim_; }

 private:
  bool AddItems(const std::vector<ZipItem>& items, const std::string& prefix, StackContents& out);
  bool AddDistribution(const std::string& name, StackContents& out);
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
