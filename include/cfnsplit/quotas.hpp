// Quotas: the table of CloudFormation and Lambda limits cfnsplit measures (rules/limits.yaml).
//
// Each entry says what it counts (its measure), where it applies (its scope), how it reads in a
// report (its label) and whether every planned stack gets a share of it (budgeted). The analysis,
// the plan check, the packer, the reports and verify iterate over the table or ask it for a
// measure, so a new quota on a figure cfnsplit already measures is one entry in limits.yaml.
// Code that needs one particular limit (Lambda's, mostly) names it by a `quota::` constant below:
// the keys are written once, here.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

/// Where a quota applies.
enum class QuotaScope {
  kTemplate,         ///< the input template only (analysis)
  kStack,            ///< the input template and every planned or emitted stack
  kFunction,         ///< one Lambda function (its package, its layers)
  kNestedOperation,  ///< one operation over a whole nested-stack tree
};
const char* QuotaScopeName(QuotaScope s);
std::optional<QuotaScope> ParseQuotaScope(const std::string& s);

/// What a quota counts. A measure names a figure some stage computes; kNone marks a limit a
/// stage reads by key (the Lambda limits sizing applies).
enum class QuotaMeasure {
  kNone,
  kResources,          ///< resources after SAM expansion
  kParameters,         ///< Parameters entries, including those the wiring creates
  kOutputs,            ///< Outputs entries, including those the wiring creates
  kMappings,           ///< Mappings entries
  kTemplateBytes,      ///< bytes of the template body
  kPackageBytes,       ///< unzipped bytes of a function's (or a stack's shared) artifact
  kNameLength,         ///< characters in the longest logical name
  kMappingAttributes,  ///< attributes in the widest mapping
  kDynamicReferences,  ///< `{{resolve:…}}` references
};
/// The name used in limits.yaml and as the JSON key of a figure ("template_bytes").
const char* QuotaMeasureName(QuotaMeasure m);
std::optional<QuotaMeasure> ParseQuotaMeasure(const std::string& s);

/// One quota: its value, what it counts and where the figure comes from.
struct Quota {
  std::string key;    ///< e.g. "resources_per_stack"
  std::string label;  ///< what the figure is called in reports ("resources")
  std::uint64_t value = 0;
  QuotaScope scope = QuotaScope::kStack;
  QuotaMeasure measure = QuotaMeasure::kNone;
  /// Every planned stack gets quota × headroom of it: the packer packs by it and the plan
  /// reports show it as a budget.
  bool budgeted = false;
  std::string description;
  std::string source;  ///< URL
  SourceLoc loc;       ///< the entry in limits.yaml
};

/// The quotas in the order limits.yaml lists them (reports follow that order).
class QuotaTable {
 public:
  /// Adds or replaces the entry with the same key (a later rules file wins).
  void Put(Quota quota);
  /// The entry for `key`, or null.
  const Quota* Find(const std::string& key) const;
  /// The value for `key`; throws std::out_of_range for an unknown key (the loader checks that
  /// every key in quota::kRequired exists, so that is a programming error).
  std::uint64_t Limit(const std::string& key) const;
  /// The smallest value among quotas of `measure` in one of `scopes`; UINT64_MAX when none.
  std::uint64_t Limit(QuotaMeasure measure, std::initializer_list<QuotaScope> scopes) const;
  /// The per-stack limit of `measure` (the smallest stack-scope quota measuring it).
  std::uint64_t StackLimit(QuotaMeasure measure) const {
    return Limit(measure, {QuotaScope::kStack});
  }
  /// Distinct measures of budgeted quotas, in table order.
  std::vector<QuotaMeasure> BudgetedMeasures() const;
  /// The share of a quota at or above which a use is flagged "near" (W3002, the reports):
  /// `approaching` in rules/limits.yaml.
  double NearShare() const { return near_share_; }
  void SetNearShare(double share) { near_share_ = share; }

  std::vector<Quota>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Quota>::const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<Quota> entries_;
  double near_share_ = 0.9;
};

/// The keys code reads by name. Everything else is reached through its measure.
namespace quota {
inline constexpr const char* kLambdaUnzippedBytes = "lambda_unzipped_bytes";
inline constexpr const char* kLambdaZippedDirectUploadBytes = "lambda_zipped_direct_upload_bytes";
inline constexpr const char* kLambdaLayers = "lambda_layers";
inline constexpr const char* kLambdaImageBytes = "lambda_image_bytes";
inline constexpr const char* kLambdaTmpMaxMb = "lambda_tmp_max_mb";
inline constexpr const char* kNestedOperationResources = "nested_operation_resources";
/// Keys a rules directory must define: the ones above, plus the per-stack quotas the packer
/// needs a budget for.
inline constexpr const char* kRequired[] = {"resources_per_stack",
                                            "outputs_per_stack",
                                            "parameters_per_stack",
                                            "mappings_per_stack",
                                            "template_bytes_s3",
                                            kLambdaUnzippedBytes,
                                            kLambdaZippedDirectUploadBytes,
                                            kLambdaLayers,
                                            kLambdaImageBytes,
                                            kLambdaTmpMaxMb,
                                            kNestedOperationResources};
}  // namespace quota

/// Lambda's limits as sizing and packaging apply them: a typed view of the quota table, so
/// `--rules DIR` moves them like any other quota.
struct LambdaLimits {
  std::uint64_t unzipped_bytes = 0;  ///< code plus all layers, unzipped
  std::uint64_t zipped_direct_upload_bytes = 0;
  std::uint64_t layers = 0;       ///< layers one function may list
  std::uint64_t image_bytes = 0;  ///< container image code package
  std::uint64_t tmp_max_mb = 0;   ///< the largest EphemeralStorage
  double near_share = 0.9;        ///< a package at or above this share is "near" (NearShare)

  /// Reads the table (every key is in quota::kRequired, so the loader has checked it).
  static LambdaLimits From(const QuotaTable& quotas);
  /// The limits of the rules compiled into the binary: the default of SizingOptions.
  static const LambdaLimits& BuiltIn();
};

}  // namespace cfnsplit
