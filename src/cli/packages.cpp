// Package sizes for planning: the bridge from the sizing stage to the partitioner's PackageView.
#include "cli/planning.hpp"

namespace cfnsplit::cli {

std::optional<PackageView> LoadPackages(Session& s, const TemplateModel& model,
                                        const PackageOptions& options,
                                        std::vector<PlanInput>* inputs) {
  (void)model;
  (void)inputs;
  PackageView view;
  if (!options.packaging.empty()) view.packaging = options.packaging;
  if (options.any()) {
    s.sink().Error("E6000", {}, "package sizing inputs are not supported by this build");
    return std::nullopt;
  }
  return view;
}

}  // namespace cfnsplit::cli
