// The quota table: names of scopes and measures, and lookups by key and by measure.
#include "cfnsplit/quotas.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace cfnsplit {
namespace {

struct ScopeName {
  QuotaScope scope;
  const char* name;
};
constexpr ScopeName kScopeNames[] = {{QuotaScope::kTemplate, "template"},
                                     {QuotaScope::kStack, "stack"},
                                     {QuotaScope::kFunction, "function"},
                                     {QuotaScope::kNestedOperation, "nested_operation"}};

struct MeasureName {
  QuotaMeasure measure;
  const char* name;
};
constexpr MeasureName kMeasureNames[] = {
    {QuotaMeasure::kNone, "none"},
    {QuotaMeasure::kResources, "resources"},
    {QuotaMeasure::kParameters, "parameters"},
    {QuotaMeasure::kOutputs, "outputs"},
    {QuotaMeasure::kMappings, "mappings"},
    {QuotaMeasure::kTemplateBytes, "template_bytes"},
    {QuotaMeasure::kPackageBytes, "package_bytes"},
    {QuotaMeasure::kNameLength, "name_length"},
    {QuotaMeasure::kMappingAttributes, "mapping_attributes"},
    {QuotaMeasure::kDynamicReferences, "dynamic_references"},
};

}  // namespace

const char* QuotaScopeName(QuotaScope s) {
  for (const auto& n : kScopeNames)
    if (n.scope == s) return n.name;
  return "stack";
}

std::optional<QuotaScope> ParseQuotaScope(const std::string& s) {
  for (const auto& n : kScopeNames)
    if (s == n.name) return n.scope;
  return std::nullopt;
}

const char* QuotaMeasureName(QuotaMeasure m) {
  for (const auto& n : kMeasureNames)
    if (n.measure == m) return n.name;
  return "none";
}

std::optional<QuotaMeasure> ParseQuotaMeasure(const std::string& s) {
  for (const auto& n : kMeasureNames)
    if (s == n.name) return n.measure;
  return std::nullopt;
}

void QuotaTable::Put(Quota quota) {
  auto same = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Quota& q) { return q.key == quota.key; });
  if (same != entries_.end())
    *same = std::move(quota);
  else
    entries_.push_back(std::move(quota));
}

const Quota* QuotaTable::Find(const std::string& key) const {
  for (const auto& q : entries_)
    if (q.key == key) return &q;
  return nullptr;
}

std::uint64_t QuotaTable::Limit(const std::string& key) const {
  const Quota* q = Find(key);
  if (!q) throw std::out_of_range("no quota '" + key + "'");
  return q->value;
}

std::uint64_t QuotaTable::Limit(QuotaMeasure measure,
                                std::initializer_list<QuotaScope> scopes) const {
  std::uint64_t limit = UINT64_MAX;
  for (const auto& q : entries_)
    if (q.measure == measure && std::find(scopes.begin(), scopes.end(), q.scope) != scopes.end())
      limit = std::min(limit, q.value);
  return limit;
}

std::vector<QuotaMeasure> QuotaTable::BudgetedMeasures() const {
  std::vector<QuotaMeasure> out;
  for (const auto& q : entries_)
    if (q.budgeted && std::find(out.begin(), out.end(), q.measure) == out.end())
      out.push_back(q.measure);
  return out;
}

LambdaLimits LambdaLimits::From(const QuotaTable& quotas) {
  LambdaLimits l;
  l.unzipped_bytes = quotas.Limit(quota::kLambdaUnzippedBytes);
  l.zipped_direct_upload_bytes = quotas.Limit(quota::kLambdaZippedDirectUploadBytes);
  l.layers = quotas.Limit(quota::kLambdaLayers);
  l.image_bytes = quotas.Limit(quota::kLambdaImageBytes);
  l.tmp_max_mb = quotas.Limit(quota::kLambdaTmpMaxMb);
  l.near_share = quotas.NearShare();
  return l;
}

}  // namespace cfnsplit
