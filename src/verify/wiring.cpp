// What must never be wired between stacks, checked on the emitted templates themselves: secrets
// (NoEcho parameters, secret attributes) in outputs, exports or plain parameters; references the
// SAM transform needs inside one template; and AWS::StackName where it names the resource's own
// stack (rules/wiring.yaml).
#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "cfnsplit/intrinsics.hpp"
#include "verify/checker.hpp"

namespace cfnsplit::verify {
namespace {

const Value* Section(const Value& tmpl, const char* name) {
  const Value* s = tmpl.Find(name);
  return s && s->is_map() ? s : nullptr;
}

bool IsNoEcho(const Value* decl) {
  const Value* ne = decl && decl->is_map() ? decl->Find("NoEcho") : nullptr;
  return ne && (ne->text() == "true" || ne->text() == "True");
}

// Whether any scalar below `v` can name AWS::StackName or AWS::StackId (a Ref's argument, a
// Sub's text): TagPseudo changes nothing in a subtree without one, so the copy is not rebuilt.
bool MentionsStackPseudo(const Value& v) {
  if (v.is_scalar()) return v.text().find("AWS::Stack") != std::string::npos;
  for (const Value& child : v.items())
    if (MentionsStackPseudo(child)) return true;
  return false;
}

// `Ref AWS::StackName` and `${AWS::StackName}` as the flattener writes a stack's own name.
Value TagPseudo(const Value& v, const std::string& tag, RuleSet::ContextCursor at,
                const RuleSet& rules) {
  if (v.is_scalar()) return v;
  std::string_view fn = v.IntrinsicName();
  if (at.inside && fn == "Ref" && IsStackPseudo(v.IntrinsicArg().text()))
    return syntax::Ref(v.IntrinsicArg().text() + "@" + tag);
  if (at.inside && fn == "Fn::Sub") {
    std::string text;
    const Value* vars = nullptr;
    if (syntax::SubParts(v.IntrinsicArg(), text, &vars)) {
      auto tokens = syntax::ScanSub(text);
      for (auto& t : tokens)
        if (t.is_var && IsStackPseudo(t.text) && !(vars && vars->Find(t.text))) t.text += "@" + tag;
      Value str = Value::String(syntax::JoinSub(tokens));
      if (!vars) return Value::Intrinsic("Fn::Sub", std::move(str));
      Value list = Value::List();
      list.Append(std::move(str));
      list.Append(TagPseudo(*vars, tag, at, rules));  // evaluated in the same context
      return Value::Intrinsic("Fn::Sub", std::move(list));
    }
  }
  Value out = v.is_list() ? Value::List(v.loc()) : Value::Map(v.loc());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v.is_list()) {
      out.Append(TagPseudo(v.items()[i], tag, at, rules));
      continue;
    }
    // A function's name is not a property: only plain maps' keys move the cursor.
    const std::string& key = v.keys()[i].name;
    RuleSet::ContextCursor below = fn.empty() ? rules.EnterOwnStackContext(at, key) : at;
    out.AppendEntry(key, TagPseudo(v.items()[i], tag, below, rules));
  }
  return out;
}

}  // namespace

// In an own-stack context the original's AWS::StackName names the stack that holds the resource:
// in the split that is the stack the resource landed in, which the flattener writes as
// "AWS::StackName@<its path>" (the root stack keeps the plain name).
Value Checker::InOwnStackTerms(const Value& original_def, int stack) const {
  return InOwnStackTermsAt(original_def, stack, rules_.OwnStackRoot());
}

Value Checker::InOwnStackTermsAt(const Value& v, int stack, RuleSet::ContextCursor at) const {
  if (!OwnStackTermsMayChange(v, stack)) return v;
  return TagPseudo(v, PathOf(stack), at, rules_);
}

bool Checker::OwnStackTermsMayChange(const Value& v, int stack) const {
  return stack != 0 && !rules_.own_stack_contexts().empty() && MentionsStackPseudo(v);
}

std::vector<std::string> Checker::SecretsIn(const Value& flat) const {
  std::vector<std::string> out;
  for (const Reference& u : ReferencesIn(flat, original_)) {
    bool value_of_name =
        u.kind == RefKind::kRef || (u.kind == RefKind::kSub && u.attribute.empty());
    if (value_of_name) {
      const Parameter* p = original_.FindParameter(u.to);
      if (p && p->no_echo) out.push_back("NoEcho parameter " + u.to);
    } else if (u.kind == RefKind::kGetAtt || u.kind == RefKind::kSub) {
      const Resource* r = original_.FindResource(u.to);
      if (r && rules_.IsSecretAttribute(r->type, u.attribute))
        out.push_back("secret attribute " + u.to + "." + u.attribute);
    }
  }
  return out;
}

void Checker::CheckSecrets() {
  // By name, once: a scan of the original's outputs per emitted output was quadratic.
  std::unordered_map<std::string_view, const Output*> original_outputs;
  for (const Output& o : original_.outputs) original_outputs[o.name] = &o;
  for (std::size_t s = 0; s < outputs_.size(); ++s)
    for (const auto& [name, def] : outputs_[s]) {
      std::vector<std::string> secrets = SecretsIn(def);
      if (secrets.empty()) continue;
      auto original = original_outputs.find(name);
      std::vector<std::string> before = original != original_outputs.end()
                                            ? SecretsIn(Normalize(*original->second->def))
                                            : std::vector<std::string>{};
      for (const std::string& secret : secrets) {
        std::string text = PathOf(static_cast<int>(s)) + ": Outputs." + name + " exposes " + secret;
        if (std::find(before.begin(), before.end(), secret) != before.end())
          Note("W5106", text + " (as the original template already does)");
        else
          Report("E5106", text + "; a secret never becomes an output or an export");
      }
    }
  if (set_.mode != WiringMode::kNested) return;
  // Nested stacks show their parameters to anyone who can describe them, unless NoEcho.
  for (std::size_t s = 1; s < set_.stacks.size(); ++s) {
    const Value* passed = flat_.Passed(static_cast<int>(s));
    const Value* params = Section(set_.stacks[s].tmpl(), "Parameters");
    for (std::size_t i = 0; passed && i < passed->size(); ++i) {
      const std::string& name = passed->keys()[i].name;
      if (IsNoEcho(params ? params->Find(name) : nullptr)) continue;
      for (const std::string& secret : SecretsIn(Normalize(flat_.Flat(passed->items()[i], 0))))
        Report("E5106", PathOf(static_cast<int>(s)) + ": parameter " + name + " receives " +
                            secret + " without NoEcho; a secret never becomes a plain parameter");
    }
  }
}

void Checker::CheckSameTemplate() {
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    const Value& tmpl = set_.stacks[s].tmpl();
    const Value* res = Section(tmpl, "Resources");
    for (std::size_t i = 0; res && i < res->size(); ++i) {
      const Value& def = res->items()[i];
      const Value* type = def.is_map() ? def.Find("Type") : nullptr;
      if (!type || !type->is_string()) continue;
      const std::string& id = res->keys()[i].name;
      rules_.ForEachNamedLogicalId(
          type->text(), def, [&](const std::string& named, const SameTemplateRule& rule) {
            if (!res->Find(named) && original_.FindResource(named))
              Report("E5111", PathOf(static_cast<int>(s)) + ": Resources." + id + "." + rule.path +
                                  " names " + named +
                                  ", which must be a resource of the same "
                                  "template (" +
                                  rule.why + ")");
          });
      for (const LocalRef& r : ResourceReferences(static_cast<int>(s), i)) {
        const SameTemplateRule* rule = r.same_template;
        if (!rule || res->Find(r.to)) continue;
        // Only what the original resolved to a resource can be broken by the split.
        bool original_had_resource = std::any_of(
            original_.references.begin(), original_.references.end(), [&](const Reference& o) {
              return o.from == id && o.path == r.path && o.target == TargetKind::kResource;
            });
        if (original_had_resource)
          Report("E5111", PathOf(static_cast<int>(s)) + ": Resources." + id + "." + r.path +
                              " must name a resource of the same template (" + rule->why + ")");
      }
    }
  }
}

}  // namespace cfnsplit::verify
