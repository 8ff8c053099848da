// The comparison of an emitted resource with its original, made without copies where nothing
// needs rewriting. CompareResources flattens the emitted definition, normalizes both sides and
// compares them; most of a definition is plain data that the flattener copies as it is, and
// copying every resource of a large split twice was most of what verifying it cost. Here both
// definitions are walked side by side, and only a subtree holding an intrinsic function (on
// either side) is flattened and normalized, exactly as the full comparison would do it. A
// "false" sends the resource to the full comparison, which words the differences.
#include "verify/checker.hpp"

namespace cfnsplit::verify {
namespace {

// A scalar as Normalize leaves it: a plain YAML `yes`/`no`/… becomes the boolean
// CloudFormation reads.
struct ScalarTerms {
  Value::Kind kind;
  std::string_view text;
};

ScalarTerms TermsOf(const Value& v) {
  if (v.is_string() && v.plain())
    if (auto b = Yaml11Bool(v.text())) return {Value::Kind::kBool, *b ? "true" : "false"};
  return {v.kind(), v.text()};
}

bool HasOrderingImport(const Value& emitted) {
  const Value* meta = emitted.Find("Metadata");
  return meta && meta->is_map() && meta->Find("cfnsplit:deploy-after");
}

}  // namespace

// A path ResolveArtifactPaths would rewrite: the full comparison resolves it per template.
bool Checker::HasLocalArtifactPath(const Value& def, const std::string& type) const {
  bool local = false;
  rules_.ForEachArtifactPath(
      def, type, [&](const Value* holder, const std::string& key, const ArtifactPath& rule) {
        local = local || (holder && !LocalArtifactPath(*holder, key, rule).empty());
      });
  return local;
}

// Two maps entry by entry, in the same order, leaving out the key `skip` (unless empty) on both
// sides; `same(key, original_value, emitted_value)` compares one entry.
template <class SameEntry>
bool SameEntries(const Value& original, const Value& emitted, std::string_view skip,
                 SameEntry same) {
  std::size_t i = 0, j = 0;
  while (true) {
    while (!skip.empty() && i < original.size() && original.keys()[i].name == skip) ++i;
    while (!skip.empty() && j < emitted.size() && emitted.keys()[j].name == skip) ++j;
    if (i == original.size() || j == emitted.size())
      return i == original.size() && j == emitted.size();
    const std::string& key = original.keys()[i].name;
    if (key != emitted.keys()[j].name || !same(key, original.items()[i], emitted.items()[j]))
      return false;
    ++i;
    ++j;
  }
}

bool Checker::SameAsOriginal(const Resource& r, const Value& emitted, int stack) {
  const Value& original = *r.def;
  if (!original.is_map() || !emitted.is_map() || HasOrderingImport(emitted)) return false;
  // Local artifact paths resolve against each template's own folder: the full comparison.
  if (!options_.output_dir.empty() &&
      (HasLocalArtifactPath(original, r.type) || HasLocalArtifactPath(emitted, r.type)))
    return false;
  // DependsOn is compared by CheckDependsOn, not here: skipped on both sides.
  const RuleSet::ContextCursor root = rules_.OwnStackRoot();
  return SameEntries(original, emitted, "DependsOn",
                     [&](const std::string& key, const Value& a, const Value& b) {
                       RuleSet::ContextCursor at = rules_.EnterOwnStackContext(root, key);
                       return key == "Properties" ? SameProperties(r, a, b, stack, at)
                                                  : SameValue(a, b, stack, at);
                     });
}

// The two rewrites of a new package the full comparison accepts (AcceptArtifactKey,
// AcceptVersionHash), accepted here on the same terms, so that a function whose only change is
// its per-stack package, and its versions, need no copies either.
bool Checker::SameProperties(const Resource& r, const Value& original, const Value& emitted,
                             int stack, RuleSet::ContextCursor at) {
  const char* code_key = PackageProperty(r.type);
  const bool version = r.type == "AWS::Lambda::Version";
  if (!original.is_map() || !emitted.is_map() || (!code_key && !version))
    return SameValue(original, emitted, stack, at);
  if (version)  // a version of a function with new code may drop or renew its CodeSha256
    return SameEntries(original, emitted,
                       new_code_.count(VersionTarget(r)) ? "CodeSha256" : std::string_view(),
                       [&](const std::string& key, const Value& a, const Value& b) {
                         return SameValue(a, b, stack, rules_.EnterOwnStackContext(at, key));
                       });
  return SameEntries(
      original, emitted, {}, [&](const std::string& key, const Value& a, const Value& b) {
        RuleSet::ContextCursor below = rules_.EnterOwnStackContext(at, key);
        if (key != code_key || !a.is_map() || !b.is_map()) return SameValue(a, b, stack, below);
        return SameEntries(a, b, {}, [&](const std::string& k, const Value& x, const Value& y) {
          RuleSet::ContextCursor inner = rules_.EnterOwnStackContext(below, k);
          if (SameValue(x, y, stack, inner)) return true;
          // The full comparison replaces an accepted key by the original's, as written.
          if (k != "S3Key" || !x.is_string() || TermsOf(x).kind != Value::Kind::kString)
            return false;
          Value flat_key = flat_.Flat(y, stack);
          NormalizeInPlace(flat_key);
          if (!IsStackArtifactKey(r, x, flat_key)) return false;
          new_code_.insert(r.id);
          return true;
        });
      });
}

// `at` follows the keys of plain maps, as the own-stack rewrite (InOwnStackTerms) does.
bool Checker::SameValue(const Value& original, const Value& emitted, int stack,
                        RuleSet::ContextCursor at) {
  if (!original.IntrinsicName().empty() || !emitted.IntrinsicName().empty())
    return SameRewritten(original, emitted, stack, at);
  if (original.is_scalar() || emitted.is_scalar()) {
    if (!original.is_scalar() || !emitted.is_scalar()) return false;
    ScalarTerms a = TermsOf(original), b = TermsOf(emitted);
    return a.kind == b.kind && a.text == b.text;
  }
  if (original.kind() != emitted.kind() || original.size() != emitted.size()) return false;
  for (std::size_t i = 0; i < original.size(); ++i) {
    RuleSet::ContextCursor below = at;
    if (original.is_map()) {
      if (original.keys()[i].name != emitted.keys()[i].name) return false;
      below = rules_.EnterOwnStackContext(at, original.keys()[i].name);
    }
    if (!SameValue(original.items()[i], emitted.items()[i], stack, below)) return false;
  }
  return true;
}

// A subtree with an intrinsic function: flattened and normalized as the full comparison does.
bool Checker::SameRewritten(const Value& original, const Value& emitted, int stack,
                            RuleSet::ContextCursor at) {
  // Most originals here are a Ref or a GetAtt list that neither rewrite touches, and most
  // emitted values a reference within their own stack, which Flat copies and Normalize leaves
  // as it is: such pairs are compared as they stand, not copied.
  const bool original_stands = !OwnStackTermsMayChange(original, stack) && IsNormalized(original);
  if (original_stands && flat_.CopiesAsIs(emitted, stack) && IsNormalized(emitted))
    return original.Equals(emitted);
  // A reference to another stack: the import's resolved value, compared where it is kept.
  if (original_stands)
    if (const Value* imported = flat_.ImportedValue(emitted, stack))
      if (IsNormalized(*imported)) return original.Equals(*imported);
  Value after = flat_.Flat(emitted, stack);
  NormalizeInPlace(after);
  if (original_stands) return original.Equals(after);
  // The own-stack rewrite goes on following keys below `at` as it would from the root.
  Value before = InOwnStackTermsAt(original, stack, at);
  NormalizeInPlace(before);
  return before.Equals(after);
}

}  // namespace cfnsplit::verify
