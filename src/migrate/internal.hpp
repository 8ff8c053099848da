// Shared by the migrate stage's files; not a public interface.
#pragma once

#include <map>
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
/// `retain`: resources of the parent imported later (Retain from the first step on); `gone`:
/// resources that leave the parent with its children (see CyclicParentReaders).
std::optional<std::vector<MigrationStep>> UnnestSteps(const DeployedLayout& layout,
                                                      const std::string& parent_stack,
                                                      const std::set<std::string>& retain,
                                                      const std::set<std::string>& gone,
                                                      std::vector<EmittedFile>& files,
                                                      DiagnosticSink& sink);

/// Gives every CyclicParentReaders resource a route that leaves the parent (import,
/// re-creation, or impossible with the reason), closes over what reads it (CloseOverGaps), and
/// returns the parent's resources that leave it with the children (every gap route there).
std::set<std::string> LeaveParentWithChildren(const TemplateModel& deployed,
                                              const DeployedLayout& layout, const RuleSet& rules,
                                              const std::set<std::string>& allow_recreate,
                                              std::vector<ResourceMove>& moves);
/// Resources of a deployed nested parent that read (Ref, GetAtt, Sub) a child which reads the
/// parent, directly or through other children: once the children are stacks of their own, the
/// parent and that child would import from each other, which no deploy order allows. Such a
/// resource cannot stay in the parent while the children are un-nested: it leaves the parent
/// with them (import or re-creation). `why` gets the reason per resource.
std::set<std::string> CyclicParentReaders(const TemplateModel& deployed,
                                          const DeployedLayout& layout,
                                          std::map<std::string, std::string>& why);

/// True when stack `from` reads `target` through `reads` (stack → stacks it reads), directly or
/// through other stacks.
bool ReadsReach(const std::map<std::string, std::set<std::string>>& reads,
                const std::string& from, const std::string& target);

/// Files of MIGRATION/: README.md, migrate.sh, steps.json (see render.cpp).
std::vector<EmittedFile> RenderMigrationFiles(const Migration& m,
                                              const std::string& deployed_stack);

}  // namespace cfnsplit::migrate
