// Shared by the migrate stage's files; not a public interface.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cfnsplit/migrate.hpp"

namespace cfnsplit::migrate {

/// The CloudFormation stack that holds deployed resource `id`: `base`, or `base-<Name>` for a
/// resource of a deployed split's stack <Name>.
std::string DeployedStackOf(const std::string& id, const std::string& base,
                            const DeployedLayout& layout);
/// The CloudFormation name of a non-base stack of the deployed split or the plan: its real
/// name for an un-nested child, else `base-<Name>`.
std::string StackNameIn(const DeployedLayout& layout, const std::string& base,
                        const std::string& plan_name);
bool IsNamed(const Resource& r, const RuleSet& rules);
bool IsStateful(const Resource& r, const RuleSet& rules);
/// Why stack refactoring cannot move `r` ("" when it can).
std::string RefactorBlocker(const TemplateModel& m, const Resource& r, const RuleSet& rules);
/// The route for a resource refactoring cannot move; appends to `reason`.
MoveRoute FallbackRoute(const Resource& r, const RuleSet& rules, bool allow_recreate,
                        std::string& reason, bool& forced);

/// A resource that leaves its stack for a while (import, recreate) must not be read by one that
/// stays: such a reader is re-created with it when that is safe, and is impossible otherwise.
void CloseOverGaps(const TemplateModel& deployed, const RuleSet& rules,
                   const std::set<std::string>& allow_recreate, std::vector<ResourceMove>& moves);

/// True for a Ref, GetAtt or Sub variable (a value the reader needs; DependsOn is only order).
bool IsDataReference(const Reference& ref);

/// The logical ID of the placeholder resource that keeps a stack from being empty.
inline const char* kPlaceholderId = "CfnsplitMigrationPlaceholder";

/// The steps that un-nest a deployed nested split before the exports-mode migration (see
/// unnest.cpp): 01 retains the child stack resources, 02 removes them. Their templates go to
/// `files`. E8006 (nullopt) when the parent reads a child in a way no literal can replace.
std::optional<std::vector<MigrationStep>> UnnestSteps(const DeployedLayout& layout,
                                                      const std::string& parent_stack,
                                                      std::vector<EmittedFile>& files,
                                                      DiagnosticSink& sink);

/// Files of MIGRATION/: README.md, migrate.sh, steps.json (see render.cpp).
std::vector<EmittedFile> RenderMigrationFiles(const Migration& m,
                                              const std::string& deployed_stack);

}  // namespace cfnsplit::migrate
