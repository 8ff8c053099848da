// Plan: which resource goes into which stack, as a reviewable, editable value.
//
// Input: the partitioner's decision (or a hand-edited plan file). Output: a SplitPlan that the
// emitter turns into templates and `review` checks. Invariants of a plan produced by cfnsplit:
// every resource of the template is in exactly one stack; stacks[0] is the base stack (in nested
// mode the parent, which keeps everything that does not move); names are CloudFormation logical
// IDs (alphanumeric, unique).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit {

/// How stacks pass values to each other.
enum class WiringMode {
  kNested,   ///< one parent with AWS::CloudFormation::Stack children; Parameters and Outputs
  kExports,  ///< independent stacks deployed in order; Export and Fn::ImportValue
};
const char* WiringModeName(WiringMode m);
std::optional<WiringMode> ParseWiringMode(const std::string& s);

enum class StackRole {
  kBase,       ///< stateful data and shared infrastructure; the parent in nested mode
  kFunctions,  ///< functions with their satellites
  kPost,       ///< resources that depend on several function stacks (exports mode only)
};
const char* StackRoleName(StackRole r);
std::optional<StackRole> ParseStackRole(const std::string& s);

/// Figures of one stack as planned (what `review` recomputes and compares with the quotas).
struct StackFigures {
  std::uint32_t resources = 0;   ///< after SAM expansion, incl. stack resources in a parent
  std::uint32_t parameters = 0;  ///< incl. those the wiring creates
  std::uint32_t outputs = 0;     ///< incl. those the wiring creates
  std::uint32_t mappings = 0;
  std::uint64_t template_bytes = 0;            ///< estimated size of the emitted template
  std::uint64_t package_bytes = 0;             ///< unzipped bytes of the stack's shared artifact
  std::uint32_t functions = 0;                 ///< Lambda functions in the stack
  std::uint64_t largest_function_package = 0;  ///< the biggest package one function needs alone
};

struct StackPlan {
  std::string name;  ///< logical-ID-safe, e.g. "Base", "DataScienceTorch"
  StackRole role = StackRole::kFunctions;
  std::string owner;                       ///< empty when not owned
  std::vector<std::string> resources;      ///< logical IDs, in template order
  std::vector<std::string> distributions;  ///< Python distributions its package ships
  std::vector<std::string> requirements;   ///< pinned lines for packages/<stack>/requirements.txt
  /// Functions of this stack that move to a container image (`image: true` in the manifest):
  /// emitted as PackageType Image, built from packages/<Stack>-<Function>/Dockerfile.
  std::vector<std::string> images;
  StackFigures figures;
  /// Values this stack takes from others ("Base:Role.Arn") and gives to others.
  std::vector<std::string> imports;
  std::vector<std::string> exports;

  /// A functions stack ships its own artifact when the plan knows what goes in it: its
  /// distributions, or only its code (layer mode: the dependencies are the layer's).
  bool ships_own_artifact() const {
    return role == StackRole::kFunctions && (!distributions.empty() || !requirements.empty());
  }
};

/// A pinned placement: resource → stack name.
struct Pin {
  std::string resource;
  std::string stack;
  std::string source;  ///< "cli", "metadata", "plan"
};

struct PlanOptions {
  WiringMode mode = WiringMode::kNested;
  std::string strategy = "auto";  ///< auto | lifecycle | ownership | size
  /// fast | thorough: how hard the packer searches (not saved in the plan: it is no constraint)
  std::string effort = "fast";
  double headroom = 0.9;         ///< share of each quota a stack may use
  std::uint32_t max_stacks = 0;  ///< 0: no limit
  bool allow_mixed_owners = false;
  std::vector<Pin> pins;
};

/// One input file and its SHA-256, so `review` can refuse a changed template.
struct PlanInput {
  std::string role;  ///< "template", "manifest", "requirements", …
  std::string path;
  std::string sha256;
};

struct SplitPlan {
  int format_version = 1;
  std::vector<PlanInput> inputs;
  PlanOptions options;
  std::vector<StackPlan> stacks;  ///< stacks[0] is the base stack
  /// Resource → why it is where it is. Only ever looked up by resource (writers go through the
  /// stacks' lists; JSON sorts its keys): hashed, as every resource of a plan is written once
  /// and looked up once more.
  std::unordered_map<std::string, std::string> explanations;
  /// Lower bounds beside the plan's own figures ("stacks_by_resources", "stacks_by_package", …).
  std::map<std::string, std::uint64_t> lower_bounds;

  /// Stack index of every resource; -1 when a resource is in no stack.
  std::map<std::string, int> StackIndex() const;
  const PlanInput* Input(const std::string& role) const;
};

/// Writes the plan as the documented YAML (stable key order, comments for humans).
std::string PlanToYaml(const SplitPlan& plan);
/// Reads a plan file (registered in `sources`); errors carry file:line:col.
std::optional<SplitPlan> PlanFromYaml(std::uint32_t file, const SourceManager& sources,
                                      DiagnosticSink& sink);

/// Hex SHA-256 of bytes (inputs are fingerprinted with it).
std::string Sha256Hex(const std::string& bytes);

/// SHA-256 over data given in pieces (built packages are hashed as they are read back).
class Sha256 {
 public:
  void Update(const void* data, std::size_t size);
  /// The digest of everything given so far, in lower-case hex.
  std::string HexDigest();

 private:
  std::array<std::uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

/// True when `name` is a valid logical ID (alphanumeric, 1–255 characters).
bool IsLogicalId(const std::string& name);

/// `name` in ASCII lower case: stack names equal under it would name the same file on a
/// case-insensitive file system (macOS, Windows), so they must differ under it.
std::string FoldCase(std::string name);

}  // namespace cfnsplit
