// Package: every stack's Lambda artifact built as a deterministic zip, exactly sized.
//
// Input: the template model, the sizing stage's PackageModel (which distributions each function
// ships), the stacks that ship their own artifact (from emit's ArtifactRef) and where the bytes
// are: an installed site-packages tree (`pip install -t`, read file by file through each
// distribution's RECORD) and the functions' code. Output: `packages/<Stack>.zip` per stack in a
// staging directory, each read back through the zip central-directory reader and checked against
// Lambda's 262,144,000-byte unzipped limit (layers included) before anything is reported as
// built; plus the recipe (Dockerfile, pinned requirements, code) of every `image: true` function.
// Invariants: same inputs give the same bytes (entries sorted, 1980-01-01 timestamps, 0644/0755,
// deflate level fixed); inputs are only read; a RECORD row that leaves the tree, a listed file
// that is missing, a symlink that leaves the tree or a file whose size differs from RECORD is an
// E70xx error naming the distribution and the file, and nothing is built.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/emit.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/sizing.hpp"

namespace cfnsplit {

struct BuildOptions {
  std::string site_packages;           ///< installed tree (`pip install -t DIR`)
  std::vector<std::string> code_dirs;  ///< --code: the service's code tree(s), for every function
  std::string serverless_config;       ///< serverless.yml: package.patterns/include/exclude, module
  std::string template_dir;            ///< resolves SAM CodeUri
  bool slim = false;                   ///< serverless-python-requirements' slim (and strip)
  unsigned jobs = 0;                   ///< parallel stacks; 0 = number of cores
  int level = 6;                       ///< deflate level (fixed: part of the bytes)
  std::string staging_dir;             ///< where packages/ is written
  bool progress = false;               ///< print "stacks done / bytes written" on stderr
};

/// One stack to build: its name, the functions that read their code from its artifact (image
/// functions among them get a recipe instead) and the plan's figure for its package.
struct ArtifactRequest {
  std::string stack;
  std::vector<std::string> functions;  ///< logical ids
  std::uint64_t plan_bytes = 0;
  /// False for a stack that ships no zip of its own: only its image functions' recipes are made.
  bool zip = true;
};

/// One layer to build: a LayerVersion of the template whose content the sizing stage knows (the
/// serverless-python-requirements layer, or a manifest layer with its distributions).
struct LayerRequest {
  std::string stack;        ///< the stack that holds the LayerVersion
  std::string layer_id;     ///< its logical id
  std::uint32_t layer = 0;  ///< index into PackageModel::layers
};

/// The LayerVersion of `model` that `layer` describes, when cfnsplit can build it: an
/// `AWS::Lambda::LayerVersion` with a literal Content.S3Key, for a layer sized from its
/// distributions (not from a prebuilt artifact). SPR's layer is `PythonRequirementsLambdaLayer`;
/// a manifest layer matches by logical id or by Serverless layer name (`<Norm>LambdaLayer`).
/// Empty when none.
std::string BuildableLayerId(const TemplateModel& model, const LayerInfo& layer);

/// Why a built artifact differs from the plan's figure (bytes the plan counted, or not).
struct SizeDelta {
  std::uint64_t pycache = 0;    ///< __pycache__ files dropped
  std::uint64_t slimmed = 0;    ///< files slim deleted
  std::uint64_t stripped = 0;   ///< bytes strip removed from .so files
  std::uint64_t no_deploy = 0;  ///< files noDeploy removed
  std::int64_t code = 0;        ///< code shipped minus the code the plan measured
};

struct BuiltArtifact {
  std::string stack;
  std::string layer;  ///< a layer's zip: the LayerVersion's logical id (else empty)
  std::string file;   ///< "packages/<Stack>.zip", relative to the output directory
  std::string path;   ///< where it was written (under staging_dir)
  std::string sha256;
  std::uint64_t files = 0, unzipped = 0, zipped = 0;  ///< as read back from the zip
  std::uint64_t plan_bytes = 0;
  std::uint64_t layer_bytes = 0;  ///< the largest layer total among its functions
  std::uint64_t code_bytes = 0;
  std::uint64_t limit_bytes = 0;  ///< Lambda's unzipped limit it was checked against
  /// `zip: true`: `.requirements.zip`'s own entries unzipped (what the first cold start extracts
  /// into /tmp) and the smallest ephemeral storage among its functions, in bytes.
  std::uint64_t tmp_bytes = 0, ephemeral_bytes = 0;
  SizeDelta delta;
  std::vector<std::pair<std::string, std::uint64_t>> contributors;  ///< largest first
};

struct PackageResult {
  std::vector<BuiltArtifact> artifacts;  ///< in request order
  /// Files to add to the output directory besides the zips (image recipes, artifacts.json).
  std::vector<EmittedFile> files;
};

/// Builds every requested stack's zip under `options.staging_dir/packages/`. Returns nullopt
/// after an error (reported to `sink`); the caller removes the staging directory.
std::optional<PackageResult> BuildArtifacts(const TemplateModel& model,
                                            const PackageModel& packages,
                                            const std::vector<ArtifactRequest>& requests,
                                            const BuildOptions& options, SourceManager& sources,
                                            DiagnosticSink& sink);
/// The same, with layers: each `packages/<Stack>-<Layer>.zip` (distributions under `python/`)
/// is built too, listed in the result after the stacks' zips, and a function's limit check
/// counts the layers it lists by the built zips' read-back sizes.
std::optional<PackageResult> BuildArtifacts(const TemplateModel& model,
                                            const PackageModel& packages,
                                            const std::vector<ArtifactRequest>& requests,
                                            const std::vector<LayerRequest>& layers,
                                            const BuildOptions& options, SourceManager& sources,
                                            DiagnosticSink& sink);

/// serverless-python-requirements' `unzip_requirements.py` behaviour (aws-facts §4.4): put
/// /tmp/sls-py-req at sys.path[1]; on the first cold start extract the task root's
/// `.requirements.zip` into /tmp/_temp-sls-py-req and rename it there atomically.
std::string UnzipRequirementsHelper();

/// What an image function's Dockerfile needs.
struct ImageSpec {
  std::string runtime = "python3.12";  ///< Lambda runtime id
  std::string architecture = "x86_64";
  std::string handler;                    ///< e.g. "functions/train/handler.main"
  std::vector<std::string> requirements;  ///< pinned lines ("pandas==2.2.3")
  bool has_code = true;                   ///< a code/ folder is copied into the task root
};

/// A Dockerfile on the AWS Lambda Python base image for the runtime and architecture, with the
/// requirements installed into the task root, the code copied and the handler as CMD.
std::string LambdaDockerfile(const ImageSpec& spec);

/// `packages/<Stack>-<Function>`: where an image function's recipe goes.
std::string ImageRecipeDir(const std::string& stack, const std::string& function_id);

/// The table `cfnsplit package` prints: stack, files, unzipped, zipped, % of the limit and the
/// difference from the plan's figure, with the reasons for it.
void PrintArtifactTable(const std::vector<BuiltArtifact>& artifacts, std::ostream& out);

/// packages/artifacts.json: stack (or `<Stack>-<Layer>`) → file, key, sha256, files, unzipped,
/// zipped (sorted keys).
std::string ArtifactsJson(const std::vector<BuiltArtifact>& artifacts,
                          const std::vector<EmittedStack>& stacks);

}  // namespace cfnsplit
