// Emit: a SplitPlan applied to a template, giving one template per stack plus the wiring
// between them.
//
// Input: the TemplateModel of the original template and a SplitPlan (stacks[0] is the base; in
// nested mode the parent). Output: an EmitResult with one template Value per stack, the deploy
// order and notes for the user; RenderFiles turns it into file texts and WriteOutputDir writes
// them atomically. Invariants: the model is never changed (every value is deep-copied before
// it is rewritten); a bare string is never taken for a reference; generated names are
// alphanumeric, at most 120 characters, never equal to a name of the original template, and
// depend only on the input (same input, same bytes). EmitStacks does not verify its output:
// callers run VerifyEmitted (verify.hpp) and refuse to write when it is not ok.
// Diagnostics: E5001 (plan does not fit the template), E5002 (construct that cannot be moved),
// E5003 (the plan needs a cycle between stacks), E5004 (output directory cannot be used),
// E5005-E5008 and W5011-W5012; docs/codes.md lists them all.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/ruleset.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

struct EmitOptions {
  WiringMode mode = WiringMode::kNested;
  TemplateFormat format = TemplateFormat::kJson;
  /// A child's TemplateURL is this prefix + the child's path relative to the parent
  /// ("stacks/Functions1.json"); empty keeps it relative for `aws cloudformation package`.
  std::string child_url_prefix = "";
  /// Outputs the root may keep (quota outputs_per_stack); nested mode moves the excess into
  /// children, exported outputs first.
  std::size_t max_root_outputs = 200;
  /// Parameters the root may declare (quota parameters_per_stack); artifact-key parameters stay
  /// in the children, with their defaults, when the root would go over.
  std::size_t max_root_parameters = 200;
  /// Stack → hex SHA-256 of its built code package (`cfnsplit package`); when present the
  /// stack's artifact key carries the hash, so an unchanged package keeps its key.
  std::map<std::string, std::string> artifact_sha256;
  /// LayerVersion logical id → hex SHA-256 of the layer zip `cfnsplit package` built for it:
  /// its Content.S3Key becomes a parameter whose default carries the hash (docs/package.md).
  std::map<std::string, std::string> layer_sha256;
  /// CloudFormation name of the root stack (nested parent, or exports base; the others are
  /// "<name>-<Stack>"). Empty: DefaultStackName of the template.
  std::string stack_name;
  /// Functions keep their code as it is: the key they have (one artifact for the whole service,
  /// as a deploy tool that uploads only that artifact needs) and their package type (the plan's
  /// images stay zips); per-stack requirements are still written.
  bool shared_artifact = false;
  /// Where the files will be written (OUTDIR). Local artifact paths (CodeUri: ./src …) are
  /// rewritten relative to each file; empty leaves them as written.
  std::string output_dir;
};

/// A file to write, relative to the output directory.
struct EmittedFile {
  std::string path;  ///< e.g. "template.json", "stacks/Functions1.json"
  std::string contents;
  /// When set, the file's bytes are this file on disk instead of `contents` (a built package:
  /// too big to hold in memory). WriteOutputDir copies it, or moves it when `move_source` (a
  /// staging file of ours; never an input).
  std::string source_path = "";
  bool move_source = false;
  bool executable = false;  ///< written with the execute bits the umask allows (deploy.sh)
};

/// A stack's own code package: the parameter its functions read their S3 key from, the key
/// (the parameter's default, where the deploy kit uploads it) and the file under OUTDIR.
struct ArtifactRef {
  std::string parameter;  ///< e.g. "VisionFunctionsArtifactKey"
  std::string key;        ///< e.g. "serverless/app/dev/1/app-VisionFunctions.zip"
  std::string file;       ///< "packages/VisionFunctions.zip"
};

/// A layer built by `cfnsplit package`: its LayerVersion reads Content.S3Key from `parameter`,
/// whose default is `key`; deploy.sh uploads `file` there.
struct LayerArtifactRef {
  std::string layer;      ///< LayerVersion logical id
  std::string parameter;  ///< e.g. "FunctionsPythonRequirementsLambdaLayerContentKey"
  std::string key;
  std::string file;  ///< "packages/<Stack>-<Layer>.zip"
};

/// A function emitted as a container image: its ImageUri parameter.
struct ImageRef {
  std::string function;   ///< logical ID
  std::string parameter;  ///< e.g. "RetrainLambdaFunctionImageUri"
};

struct EmittedStack {
  std::string name;  ///< the plan's stack name
  Value tmpl;
  std::string path;         ///< relative file path, e.g. "stacks/Functions1.json"
  std::string stack_name;   ///< suggested CloudFormation stack name (exports; parent in nested)
  std::string resource_id;  ///< nested: logical ID of its AWS::CloudFormation::Stack in the parent
  std::vector<std::string> requirements;  ///< lines for packages/<name>/requirements.txt
  std::optional<ArtifactRef> artifact;    ///< set when the stack ships its own package
  std::vector<ImageRef> images;           ///< container-image functions (deploy.sh asks for them)
  std::vector<LayerArtifactRef> layers;   ///< layers built into packages/ (their keys' parameters)
};

struct EmitResult {
  WiringMode mode = WiringMode::kNested;
  std::vector<EmittedStack> stacks;        ///< [0] = parent (nested) or base (exports)
  std::vector<std::string> deploy_order;   ///< stack names; nested: just the parent
  std::vector<std::string> notes;          ///< AWS::StackName differences, export locks, …
  std::vector<std::string> moved_outputs;  ///< root outputs moved into children (quota)
};

/// Builds every stack's template. Returns nullopt after an error (reported to `sink`).
/// `rules` says what cannot cross stacks and where AWS::StackName names the resource's own stack.
std::optional<EmitResult> EmitStacks(const TemplateModel& model, const SplitPlan& plan,
                                     const RuleSet& rules, const EmitOptions& options,
                                     DiagnosticSink& sink);

/// The stack name a template reveals: Serverless' "<service>-<stage>" (from its artifact keys,
/// serverless/<service>/<stage>/…), else the template file's name, or its folder's name when the
/// file is called template/packaged/cloudformation-template-*; always a valid stack name.
std::string DefaultStackName(const TemplateModel& model);
/// Letters, digits and hyphens, starting with a letter, at most 100 characters (CloudFormation
/// allows 128; the rest is room for "-<Stack>").
bool ValidStackName(const std::string& name);

/// The deploy kit: OUTDIR/deploy.sh (POSIX sh and the aws CLI, deploying every stack in order:
/// see src/emit/deploy.cpp) and, when the template creates its own deployment bucket,
/// bootstrap.<ext> (that bucket alone, for the first deploy); `readme` is its README section
/// (the one command, and the commands it runs). Built once for both: reading the stacks'
/// uploads and commands is most of its cost.
struct DeployKit {
  std::vector<EmittedFile> files;
  std::string readme;
};
DeployKit BuildDeployKit(const TemplateModel& model, const EmitResult& result,
                         const EmitOptions& options);
/// The kit's README section alone.
std::string DeployKitReadme(const TemplateModel& model, const EmitResult& result,
                            const EmitOptions& options);

/// The template files (and packages/<stack>/requirements.txt, and stacks.json describing the
/// stacks and deploy order), in a stable order. README.md is DeploySummary's text.
std::vector<EmittedFile> RenderFiles(const EmitResult& result, const EmitOptions& options);

/// README.md for the output directory: what to deploy, in which order, with which commands,
/// and the warnings that matter (AWS::StackName, export locks, moved outputs, re-creation).
std::string DeploySummary(const TemplateModel& model, const SplitPlan& plan,
                          const EmitResult& result, const EmitOptions& options);
/// The same with the kit's README section already built (DeployKit::readme).
std::string DeploySummary(const TemplateModel& model, const SplitPlan& plan,
                          const EmitResult& result, const EmitOptions& options,
                          const std::string& kit_readme);

/// Writes `files` into `outdir` atomically: everything is written into a temporary directory
/// next to it and renamed into place. An existing non-empty `outdir` is refused unless `force`,
/// which replaces it atomically (old renamed away, new renamed in, old deleted). Refuses an
/// `outdir` that is the working directory or one of its ancestors.
bool WriteOutputDir(const std::string& outdir, const std::vector<EmittedFile>& files, bool force,
                    DiagnosticSink& sink);

}  // namespace cfnsplit
