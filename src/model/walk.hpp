// Private to the model stage: the walker that finds references inside values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/model.hpp"

namespace cfnsplit {

/// Walks values of one site at a time and appends every reference it finds to `out`; reports
/// malformed intrinsics (E1003) to the sink.
class ReferenceWalker {
 public:
  ReferenceWalker(const TemplateModel& model, DiagnosticSink& sink, std::vector<Reference>& out,
                  ReferenceDetail detail = {});
  void WalkSite(SiteKind site, const std::string& name, const Value& v,
                std::string_view path_prefix);

 private:
  void Walk(const Value& v, const std::vector<std::string>* locals);
  void WalkIntrinsic(std::string_view fn, const Value& v, const std::vector<std::string>* locals);
  void Add(RefKind kind, std::string_view target, std::string_view attribute, SourceLoc loc,
           const std::vector<std::string>* locals);
  TargetKind Classify(RefKind kind, const std::string& target) const;
  /// The path is kept written out (`Properties.Events[0].Fn::If`), with a mark where each part
  /// starts: a walk visits every node, and a reference, far rarer, copies the path as it is.
  void PushPath(std::string_view part);
  /// PushPath("[i]") without building the part first.
  void PushIndex(std::size_t i);
  void PopPath();

  const TemplateModel& model_;
  DiagnosticSink& sink_;
  std::vector<Reference>& out_;
  ReferenceDetail detail_;
  SiteKind site_ = SiteKind::kResource;
  const std::string* site_name_ = nullptr;
  std::string path_;
  std::vector<std::size_t> path_marks_;
};

}  // namespace cfnsplit
