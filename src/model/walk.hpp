// Private to the model stage: the walker that finds references inside values.
#pragma once

#include <string>
#include <vector>

#include "cfnsplit/model.hpp"

namespace cfnsplit {

/// Walks values of one site at a time and appends every reference it finds to `out`; reports
/// malformed intrinsics (E1003) to the sink.
class ReferenceWalker {
 public:
  ReferenceWalker(const TemplateModel& model, DiagnosticSink& sink, std::vector<Reference>& out);
  void WalkSite(SiteKind site, const std::string& name, const Value& v,
                const std::string& path_prefix);

 private:
  void Walk(const Value& v, const std::vector<std::string>* locals);
  void WalkIntrinsic(std::string_view fn, const Value& v, const std::vector<std::string>* locals);
  void Add(RefKind kind, const std::string& target, const std::string& attribute, SourceLoc loc,
           const std::vector<std::string>* locals);
  TargetKind Classify(RefKind kind, const std::string& target) const;
  std::string CurrentPath() const;

  const TemplateModel& model_;
  DiagnosticSink& sink_;
  std::vector<Reference>& out_;
  SiteKind site_ = SiteKind::kResource;
  const std::string* site_name_ = nullptr;
  std::vector<std::string> path_;
};

}  // namespace cfnsplit
