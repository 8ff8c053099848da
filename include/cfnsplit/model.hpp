// Model: a loaded template as typed sections, and every reference between its parts.
//
// Input: the Value of a whole template (from load.hpp). Output: a TemplateModel that indexes
// parameters, mappings, conditions, resources and outputs by name and points into the Value (it
// owns the Value and never changes it), plus the list of References: every Ref, GetAtt, Sub
// variable, DependsOn, Condition use, FindInMap and ImportValue, with its property path.
// Invariants: a bare string is never a reference; every intrinsic has been checked for arity.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cfnsplit/diagnostics.hpp"
#include "cfnsplit/load.hpp"
#include "cfnsplit/value.hpp"

namespace cfnsplit {

struct Parameter {
  std::string name;
  std::string type;  ///< e.g. "String", "List<AWS::EC2::Subnet::Id>", "CommaDelimitedList"
  bool no_echo = false;
  const Value* default_value = nullptr;
  const Value* def = nullptr;  ///< the whole definition
  SourceLoc loc;
  /// List<…> and CommaDelimitedList parameters hold lists (joined to pass them on).
  bool is_list() const;
};

struct Resource {
  std::string id;
  std::string type;
  const Value* def = nullptr;         ///< the whole resource definition
  const Value* properties = nullptr;  ///< may be null
  std::vector<std::string> depends_on;
  std::string condition;  ///< the resource's Condition attribute, if any
  std::string deletion_policy;
  std::string update_replace_policy;
  std::string owner;  ///< from the owner tag or Metadata key; empty when none
  SourceLoc loc;
  bool is_sam() const { return type.rfind("AWS::Serverless::", 0) == 0; }
  bool is_foreach() const { return IsForEachKey(id); }
};

struct Output {
  std::string name;
  const Value* def = nullptr;
  const Value* value = nullptr;
  const Value* export_name = nullptr;  ///< Export.Name, or null
  std::string condition;
  SourceLoc loc;
};

/// A Lambda function as cfnsplit needs to know it (AWS::Lambda::Function or
/// AWS::Serverless::Function, with SAM Globals applied).
struct FunctionInfo {
  std::string resource_id;
  std::string serverless_name;  ///< Serverless Framework function key, when recognisable
  std::string runtime;
  std::string handler;
  std::string package_type = "Zip";  ///< "Zip" or "Image"
  std::string architecture = "x86_64";
  std::string code_location;  ///< "s3://bucket/key", a CodeUri path, "inline" or an image URI
  std::string code_uri;       ///< SAM CodeUri when a local path (for requirements discovery)
  std::vector<const Value*> layers;
  std::uint64_t ephemeral_storage_mb = 512;
  std::uint64_t memory_mb = 128;
};

enum class RefKind : std::uint8_t {
  kRef,
  kGetAtt,
  kSub,
  kDependsOn,
  kCondition,
  kFindInMap,
  kImportValue
};
const char* RefKindName(RefKind k);

/// What a reference names.
enum class TargetKind : std::uint8_t {
  kResource,
  kParameter,
  kPseudo,
  kCondition,
  kMapping,
  kExport,
  kUnknown
};

/// Where a reference is written.
enum class SiteKind : std::uint8_t { kResource, kOutput, kCondition };

// Strings first, the small fields last: 160 bytes (a large template has hundreds of thousands of
// references, kept for the whole run).
struct Reference {
  std::string from;       ///< resource id, output name or condition name
  std::string to;         ///< target name (export name for ImportValue when literal)
  std::string attribute;  ///< GetAtt attribute, or "" ; "?" when computed
  std::string path;       ///< e.g. "Properties.Role" inside the site
  SourceLoc loc;
  SiteKind site = SiteKind::kResource;
  RefKind kind = RefKind::kRef;
  TargetKind target = TargetKind::kUnknown;
  /// TemplateModel::ResourceIndex of `from` and `to` (-1: no such resource), set by BuildModel on
  /// the model's own references (left -1 on lists ReferencesIn returns): the stages that go
  /// through every reference read these instead of hashing the names again.
  std::int32_t from_resource = -1;
  std::int32_t to_resource = -1;
  /// For a name a transform creates (SAM's `FnRole`, `FnAliaslive`): the index of the resource
  /// that creates it, which the reference really depends on; -1 otherwise. An index, not a name:
  /// a 10,000-function template has 170,000 references, and the name was almost always empty.
  std::int32_t generated_by_resource = -1;
};

class TemplateModel {
 public:
  TemplateModel(std::string path, std::uint32_t file, Value root);
  TemplateModel(const TemplateModel&) = delete;
  TemplateModel& operator=(const TemplateModel&) = delete;

  const std::string& path() const { return path_; }
  std::uint32_t file() const { return file_; }
  const Value& root() const { return root_; }
  TemplateFormat format = TemplateFormat::kYaml;

  std::vector<Parameter> parameters;
  std::vector<Resource> resources;
  std::vector<Output> outputs;
  std::vector<std::string> mapping_names;
  std::vector<std::string> condition_names;
  std::vector<std::string> transforms;  ///< e.g. "AWS::Serverless-2016-10-31"
  std::vector<Reference> references;
  std::vector<FunctionInfo> functions;

  bool is_sam() const;
  bool has_language_extensions() const;

  const Resource* FindResource(const std::string& id) const;
  const Parameter* FindParameter(const std::string& name) const;
  const Value* FindCondition(const std::string& name) const;
  const Value* FindMapping(const std::string& name) const;
  /// Index of a resource in `resources`, or -1.
  long ResourceIndex(const std::string& id) const;
  const Value* Section(const char* name) const { return root_.Find(name); }

  /// Rebuilds the name indexes; BuildModel calls it.
  void Reindex();

 private:
  std::string path_;
  std::uint32_t file_ = 0;
  Value root_;
  std::unordered_map<std::string, std::size_t> resource_index_;
  std::unordered_map<std::string, std::size_t> parameter_index_;
};

struct ModelOptions {
  std::string owner_key = "owner";
};

/// Builds the model: sections, arity checks of every intrinsic (E1003), references (E1101 for a
/// Ref to nothing, with "did you mean"), functions. Returns null only when the template cannot be
/// modeled at all (no Resources mapping, wrong section types); findings go to `sink`.
std::unique_ptr<TemplateModel> BuildModel(Value root, std::string path, std::uint32_t file,
                                          DiagnosticSink& sink, const ModelOptions& options = {});

/// Load + BuildModel in one call.
std::unique_ptr<TemplateModel> LoadModel(const std::string& path, SourceManager& sources,
                                         DiagnosticSink& sink, const ModelOptions& options = {},
                                         const LoadLimits& limits = {});

bool IsPseudoParameter(const std::string& name);

/// The SAM resource that creates `name` when the transform runs (`MyFnRole` → `MyFn`,
/// `ServerlessRestApi` → the first function with an implicit Api event), or "". Only the names
/// SAM really generates count; a declared resource or parameter is never generated.
std::string GeneratedOwner(const TemplateModel& model, const std::string& name);
/// True when the SAM resource `def` has an event of Type `kind` ("Api" or "HttpApi") without
/// RestApiId / ApiId: it uses the API SAM creates once per template.
bool UsesImplicitSamApi(const Value& def, const char* kind);
/// The same over a template's Resources mapping (for templates that are not modeled).
std::string SamGeneratedOwner(const Value& resources, const std::string& name);

/// Variables of a Fn::Sub template string: `${Name}` and `${Name.Attr}`; `${!Literal}` skipped.
std::vector<std::string> SubVariables(const std::string& text);

/// Every reference written in one free-standing value (a resource definition, an output, a
/// condition, or any part of one), classified against `context`: the same walk BuildModel makes
/// over a whole template. `site`/`from` label the references; malformed intrinsics are skipped
/// (BuildModel reports them).
std::vector<Reference> ReferencesIn(const Value& v, const TemplateModel& context,
                                    SiteKind site = SiteKind::kResource,
                                    const std::string& from = "");
/// What a walk records beyond each reference's kind, name, attribute and location.
struct ReferenceDetail {
  bool classify = true;  ///< Reference::target: what the name means in the context template
  bool paths = true;     ///< Reference::path: where in the value the reference is written
};
/// ReferencesIn into `out`, which is cleared first: a caller that reads thousands of definitions
/// reuses one buffer instead of growing a new list for each, and may skip what it does not read
/// (a reference left unclassified has target kUnknown; one without a path an empty path).
void ReferencesInto(const Value& v, const TemplateModel& context, std::vector<Reference>& out,
                    SiteKind site = SiteKind::kResource, const std::string& from = "",
                    ReferenceDetail detail = {});

/// Rough CloudFormation resources a SAM resource expands into (AWS::Serverless::Function with
/// two Api events becomes a function, a role, two permissions and an API …), for quota counts.
std::uint32_t EstimatedExpansion(const Resource& r, const TemplateModel& model);

/// True for a name of at least one character, every one A-Z, a-z or 0-9: what CloudFormation
/// takes as a logical ID (its 255-character limit is a quota, counted apart).
bool IsAlphanumericName(std::string_view name);
/// True for a key CloudFormation takes in `section` (Resources, Parameters, Mappings, Conditions
/// or Outputs): an alphanumeric name, or, under the AWS::LanguageExtensions transform
/// (`language_extensions`), a ForEach loop (`Fn::ForEach::Name`) in Resources, Conditions or
/// Outputs, whose body names what it expands to. Without the transform such a key is a logical
/// ID, and not alphanumeric. The model checks the input with it, verify every emitted stack.
bool IsDeclarableKey(std::string_view section, std::string_view key, bool language_extensions);
/// True when `transforms` holds AWS::LanguageExtensions (what makes ForEach loops declarable).
bool DeclaresLanguageExtensions(const std::vector<std::string>& transforms);
/// The transforms a template declares, in order (a macro with parameters by its Name).
std::vector<std::string> TransformNames(const Value& root);
/// Whether CloudFormation judges logical IDs as written under these transforms: not when a
/// macro cfnsplit does not know runs first (it may rename them); SAM and LanguageExtensions keep
/// declared names. The model checks the input's names only then, verify each emitted stack's.
bool NamesAsWritten(const std::vector<std::string>& transforms);

}  // namespace cfnsplit
