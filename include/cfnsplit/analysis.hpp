// Analysis: what a template is made of, and where it stands against every quota.
//
// Input: a TemplateModel and the RuleSet. Output: an Analysis with the resource graph, each
// resource's lifecycle class (with the reason), satellites tied to their function, owners,
// cycles and quota usage. Findings (quota exceeded E3001, approaching W3002, cycles E2001,
// too many layers E3003) are reported to the sink. The partitioner and `review` build on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cfnsplit/graph.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/ruleset.hpp"

namespace cfnsplit {

struct ResourceInfo {
  LifecycleClass cls = LifecycleClass::kOther;
  std::string reason;  ///< why this class ("rules: AWS::S3::Bucket", "DeletionPolicy Retain")
  std::int32_t function = -1;  ///< for functions: itself; for satellites: the function's index
  std::string owner;           ///< own owner, else its function's
  std::uint32_t expanded = 1;  ///< CloudFormation resources after transforms (SAM)
  /// ApproxJsonBytes of the definition at a resource's depth: what the packer and every plan
  /// check count for it, measured once here rather than by walking the tree each time.
  std::uint64_t json_bytes = 0;
};

/// One quota's use by one template (or stack).
struct QuotaUse {
  std::string key;
  std::string what;  ///< human name
  std::uint64_t used = 0;
  std::uint64_t limit = 0;
  std::string detail;  ///< e.g. the name of the longest logical ID
  QuotaMeasure measure = QuotaMeasure::kNone;
  /// Within the limit but at or above the quota table's near share (QuotaTable::NearShare).
  bool near = false;
  bool over() const { return used > limit; }
  double share() const {
    return limit ? static_cast<double>(used) / static_cast<double>(limit) : 0;
  }
};

/// Two resources that must share a stack whatever the plan (rules/wiring.yaml): a SAM event and
/// its API, bucket or user pool, a reader of a secret attribute and its owner, the functions on
/// one implicit SAM API.
struct Bond {
  std::uint32_t from = 0;  ///< the resource that reads
  std::uint32_t to = 0;    ///< the resource it reads
  std::string why;
};

struct Analysis {
  const TemplateModel* model = nullptr;
  DependencyGraph graph;
  std::vector<ResourceInfo> info;  ///< parallel to model->resources
  std::vector<std::vector<std::uint32_t>> cycles;
  std::vector<Bond> bonds;
  std::vector<QuotaUse> quotas;
  std::uint64_t template_bytes = 0;
  std::uint32_t expanded_resources = 0;
};

/// Classifies resources, finds cycles and measures quotas; reports findings to `sink`.
Analysis Analyze(const TemplateModel& model, const RuleSet& rules, std::uint64_t template_bytes,
                 DiagnosticSink& sink);

/// Estimated bytes of a value written as indented JSON at `depth` (two spaces per level): the
/// template-bytes figure the packer and the plan check add up per resource.
std::uint64_t ApproxJsonBytes(const Value& v, int depth = 0);

/// Counts the quota-relevant figures of any template Value (used for emitted stacks too).
std::vector<QuotaUse> MeasureQuotas(const Value& root, std::uint64_t template_bytes,
                                    std::uint32_t expanded_resources, const RuleSet& rules);

}  // namespace cfnsplit
