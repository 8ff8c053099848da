// The flattener: the inverse of emit's wiring, written without knowledge of how emit named
// things, so a hand-edited output directory is checked as strictly as a fresh one.
#include "verify/flatten.hpp"

#include "cfnsplit/intrinsics.hpp"

namespace cfnsplit::verify {
namespace {

constexpr int kMaxDepth = 64;  // parameter → output → parameter chains; deeper is a loop

const Value* Section(const Value& tmpl, const char* name) {
  const Value* s = tmpl.Find(name);
  return s && s->is_map() ? s : nullptr;
}

std::string LettersAndDigits(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
  return out;
}

// The template file a TemplateURL names, matched by path or by its tail.
int MatchTemplateUrl(const StackSet& set, const std::string& url) {
  for (std::size_t i = 1; i < set.stacks.size(); ++i) {
    const std::string& p = set.stacks[i].path;
    if (url == p || url == "./" + p) return static_cast<int>(i);
    if (url.size() > p.size() && url.compare(url.size() - p.size(), p.size(), p) == 0 &&
        url[url.size() - p.size() - 1] == '/')
      return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

bool IsStackPseudo(std::string_view name) {
  return name == "AWS::StackName" || name == "AWS::StackId";
}

std::string TemplateUrlFile(const Value* url) {
  if (!url) return "";
  if (url->is_string()) return url->text();
  if (url->IntrinsicName() != "Fn::Join") return "";
  const Value& arg = url->IntrinsicArg();
  if (!arg.is_list() || arg.size() != 2 || !arg.items()[1].is_list()) return "";
  const Value& parts = arg.items()[1];
  if (parts.size() == 0 || !parts.items().back().is_string()) return "";
  const std::string& last = parts.items().back().text();
  return last.find('/') == std::string::npos ? last : "";
}

Flattener::Flattener(const StackSet& set) : set_(set), passed_(set.stacks.size(), nullptr) {
  for (std::size_t i = 0; i < set.stacks.size(); ++i) {
    if (set.stacks[i].stack_name.empty())
      stacks_without_deployed_name_.push_back(static_cast<int>(i));
    else
      stack_by_deployed_name_.emplace(set.stacks[i].stack_name, static_cast<int>(i));
  }
  if (set.mode != WiringMode::kNested || set.stacks.empty()) return;
  const Value* res = Section(set.stacks[0].tmpl(), "Resources");
  for (std::size_t i = 0; res && i < res->size(); ++i) {
    const Value& def = res->items()[i];
    const Value* type = def.is_map() ? def.Find("Type") : nullptr;
    if (!type || type->text() != "AWS::CloudFormation::Stack") continue;
    const Value* props = def.Find("Properties");
    std::string file =
        TemplateUrlFile(props && props->is_map() ? props->Find("TemplateURL") : nullptr);
    if (file.empty()) continue;
    int child = MatchTemplateUrl(set, file);
    if (child < 0) continue;
    child_by_resource_[res->keys()[i].name] = child;
    const Value* params = props->Find("Parameters");
    passed_[static_cast<std::size_t>(child)] = params && params->is_map() ? params : nullptr;
  }
}

int Flattener::ChildOf(const std::string& id) const {
  auto it = child_by_resource_.find(id);
  return it == child_by_resource_.end() ? -1 : it->second;
}

// The stack whose name a consumer's parameter carries: its Default is that stack's name (the
// deploy kit passes the real one), or, in a directory without stacks.json, its description says
// so (CarriesStackName), whatever name the emitter had to give it.
int Flattener::ProducerOfParameter(int consumer, const std::string& param) const {
  const Value* params =
      Section(set_.stacks[static_cast<std::size_t>(consumer)].tmpl(), "Parameters");
  const Value* decl = params ? params->Find(param) : nullptr;
  if (!decl || !decl->is_map() || set_.original_parameters.count(param)) return -1;
  // The first stack, in set order, whose deployed name is the Default or, for a stack without
  // one, whose name the description carries (every Ref of a split asks: no scan of the stacks).
  const Value* def = decl->Find("Default");
  int found = -1;
  if (def) {
    auto it = stack_by_deployed_name_.find(def->text());
    if (it != stack_by_deployed_name_.end()) found = it->second;
  }
  for (int i : stacks_without_deployed_name_) {
    if (found >= 0 && i > found) break;
    if (CarriesStackName(param, *decl, set_.stacks[static_cast<std::size_t>(i)].name)) return i;
  }
  return found;
}

std::string StackNameDescription(const std::string& stack) {
  return "cfnsplit: name of the deployed stack " + stack;
}

bool CarriesStackName(const std::string& param, const Value& decl, const std::string& stack) {
  const Value* description = decl.is_map() ? decl.Find("Description") : nullptr;
  if (description && description->is_scalar())
    return description->text() == StackNameDescription(stack);
  return param == LettersAndDigits(stack) + "StackName";
}

bool Flattener::IsPlumbing(int stack, const std::string& output) const {
  return plumbing_.count({stack, output}) > 0;
}

void Flattener::Problem(std::string text) {
  ++problem_calls_;
  if (problem_set_.insert(text).second) problems_.push_back(std::move(text));
}

Value Flattener::Flat(const Value& v, int stack) { return FlatAt(v, stack, 0); }

// The same walk as Flat, with every name, output and import resolved as Flat resolves them,
// but no subtree copied: a copy of every resource was most of what this pass cost.
void Flattener::Resolve(const Value& v, int stack) {
  struct Resolving {
    bool& flag;
    explicit Resolving(bool& f) : flag(f) { flag = true; }
    ~Resolving() { flag = false; }
  } resolving(resolving_);
  FlatAt(v, stack, 0);
}

Value Flattener::FlatAt(const Value& v, int stack, int depth) {
  if (v.is_scalar()) return resolving_ ? Value() : v;
  std::string_view fn = v.IntrinsicName();
  if (!fn.empty()) return FlatIntrinsic(fn, v, stack, depth);
  if (resolving_) {
    for (const Value& item : v.items()) FlatAt(item, stack, depth);
    return Value();
  }
  Value out = v.is_list() ? Value::List(v.loc()) : Value::Map(v.loc());
  out.Reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v.is_list())
      out.Append(FlatAt(v.items()[i], stack, depth));
    else
      out.AppendEntry(v.keys()[i].name, FlatAt(v.items()[i], stack, depth), v.keys()[i].loc);
  }
  return out;
}

Value Flattener::FlatIntrinsic(std::string_view fn, const Value& v, int stack, int depth) {
  const Value& arg = v.IntrinsicArg();
  if (fn == "Ref") {
    if (auto r = ResolveName(arg.text(), stack, depth)) return std::move(*r);
    return resolving_ ? Value() : v;
  }
  if (fn == "Fn::GetAtt" && stack == 0 && set_.mode == WiringMode::kNested) {
    std::string res, attr;
    if (syntax::GetAttParts(arg, res, attr) && ChildOf(res) >= 0 && attr.rfind("Outputs.", 0) == 0)
      if (auto r = ResolveOutput(ChildOf(res), attr.substr(8), depth)) return std::move(*r);
  }
  if (fn == "Fn::ImportValue" && set_.mode == WiringMode::kExports)
    if (auto r = ResolveImport(arg, stack, depth)) return std::move(*r);
  if (fn == "Fn::Sub") return FlatSub(v, stack, depth);
  if (resolving_) {  // what the walk learns, without the copy nobody reads
    FlatAt(arg, stack, depth);
    return Value();
  }
  return Value::Intrinsic(std::string(fn), FlatAt(arg, stack, depth), v.loc());
}

bool Flattener::CopiesAsIs(const Value& v, int stack) const {
  if (v.is_scalar()) return true;
  const std::string_view fn = v.IntrinsicName();
  if (fn.empty() || fn == "Fn::GetAtt") {
    // FlatIntrinsic reads a child's output through the parent's GetAtt (nested, stack 0 only).
    if (!fn.empty() && stack == 0 && set_.mode == WiringMode::kNested) return false;
    for (const Value& item : v.items())
      if (!CopiesAsIs(item, stack)) return false;
    return true;
  }
  if (fn == "Ref") return !ResolvesName(v.IntrinsicArg().text(), stack);
  if (fn == "Fn::Sub" || (fn == "Fn::ImportValue" && set_.mode == WiringMode::kExports))
    return false;
  return CopiesAsIs(v.IntrinsicArg(), stack);
}

const Value* Flattener::ImportedValue(const Value& v, int stack) {
  if (set_.mode != WiringMode::kExports || v.IntrinsicName() != "Fn::ImportValue") return nullptr;
  const Value& arg = v.IntrinsicArg();
  if (arg.IntrinsicName() != "Fn::Sub" || !arg.IntrinsicArg().is_string()) return nullptr;
  const auto key = std::make_pair(stack, arg.IntrinsicArg().text());
  auto known = top_imports_.find(key);
  if (known == top_imports_.end() || !known->second) {
    if (!ResolveImport(arg, stack, 0)) return nullptr;  // memoizes it, as Flat would
    known = top_imports_.find(key);
  }
  return known != top_imports_.end() && known->second ? &*known->second : nullptr;
}

// Whether `name`, read in a stack of the split, means something else in the original: a pseudo
// parameter naming the stack it is read in, the base stack's name (exports), or a parameter the
// parent passes (nested; a default or nothing is reported by the checks).
bool Flattener::ResolvesName(const std::string& name, int stack) const {
  if (stack == 0) return false;
  if (IsStackPseudo(name)) return true;
  if (set_.mode == WiringMode::kExports) return ProducerOfParameter(stack, name) == 0;
  const Value* params = Section(set_.stacks[static_cast<std::size_t>(stack)].tmpl(), "Parameters");
  if (!params || !params->Find(name)) return false;
  const Value* passed = passed_[static_cast<std::size_t>(stack)];
  return passed && passed->Find(name);
}

std::optional<Value> Flattener::ResolveName(const std::string& name, int stack, int depth) {
  if (!ResolvesName(name, stack)) return std::nullopt;
  const StackDoc& doc = set_.stacks[static_cast<std::size_t>(stack)];
  if (IsStackPseudo(name)) return syntax::Ref(name + "@" + doc.path);
  // The base stack's name parameter is what AWS::StackName meant in the original.
  if (set_.mode == WiringMode::kExports) return syntax::Ref("AWS::StackName");
  const Value* value = passed_[static_cast<std::size_t>(stack)]->Find(name);
  if (depth > kMaxDepth) {
    Problem(doc.path + ": parameter " + name + " is passed in a loop");
    return std::nullopt;
  }
  // `Fn::If [C, v, ""]` is how a value of a conditional resource is passed; the original
  // reads the value itself.
  const Value* inner = value;
  if (value->IntrinsicName() == "Fn::If" && value->IntrinsicArg().is_list() &&
      value->IntrinsicArg().size() == 3 && value->IntrinsicArg().items()[2].is_string() &&
      value->IntrinsicArg().items()[2].text().empty())
    inner = &value->IntrinsicArg().items()[1];
  return FlatAt(*inner, 0, depth + 1);
}

std::optional<Value> Flattener::ResolveOutput(int stack, const std::string& output, int depth) {
  const StackDoc& doc = set_.stacks[static_cast<std::size_t>(stack)];
  const Value* outputs = Section(doc.tmpl(), "Outputs");
  const Value* o = outputs ? outputs->Find(output) : nullptr;
  const Value* value = o && o->is_map() ? o->Find("Value") : nullptr;
  if (!value) {
    Problem(set_.stacks[0].path + " reads output " + output + " that " + doc.path +
            " does not declare");
    return std::nullopt;
  }
  if (depth > kMaxDepth) {
    Problem(doc.path + ": output " + output + " is read in a loop");
    return std::nullopt;
  }
  plumbing_.insert({stack, output});
  return FlatAt(*value, stack, depth + 1);
}

// The name a stack is deployed under: stacks.json's, or else (a directory without it) the
// convention every cfnsplit output follows, `<root>-<Stack>`, with the root's name unknown.
std::string Flattener::DeployedName(int stack) const {
  const StackDoc& doc = set_.stacks[static_cast<std::size_t>(stack)];
  if (!doc.stack_name.empty()) return doc.stack_name;
  return stack == 0 ? std::string("<root stack>") : DeployedName(0) + "-" + doc.name;
}

// Every export `Name: !Sub "${AWS::StackName}-X"` by the name it takes once deployed.
const std::map<std::string, std::pair<int, std::string>>& Flattener::ExportsByName() {
  if (exports_indexed_) return exports_by_name_;
  exports_indexed_ = true;
  for (std::size_t s = 0; s < set_.stacks.size(); ++s) {
    const Value* outputs = Section(set_.stacks[s].tmpl(), "Outputs");
    for (std::size_t i = 0; outputs && i < outputs->size(); ++i) {
      const Value* e = outputs->items()[i].is_map() ? outputs->items()[i].Find("Export") : nullptr;
      const Value* n = e && e->is_map() ? e->Find("Name") : nullptr;
      if (!n || n->IntrinsicName() != "Fn::Sub" || !n->IntrinsicArg().is_string()) continue;
      auto tokens = syntax::ScanSub(n->IntrinsicArg().text());
      if (tokens.size() != 2 || !tokens[0].is_var || tokens[0].text != "AWS::StackName" ||
          tokens[1].is_var)
        continue;
      exports_by_name_.emplace(DeployedName(static_cast<int>(s)) + tokens[1].text,
                               std::make_pair(static_cast<int>(s), outputs->keys()[i].name));
    }
  }
  return exports_by_name_;
}

// `Fn::ImportValue: !Sub "${P}-Rest"`, P a parameter carrying a stack's name, reads the export
// whose deployed name is `<that stack's name>-Rest`, matched as CloudFormation matches them (so
// `${Base}-Functions-X` and a producer's own `${FunctionsStackName}-X` both resolve); other
// imports are external and stay.
std::optional<Value> Flattener::ResolveImport(const Value& arg, int stack, int depth) {
  if (arg.IntrinsicName() != "Fn::Sub" || !arg.IntrinsicArg().is_string()) return std::nullopt;
  // Every function of a stack imports the same few exports: an import met at the top of a
  // value (depth 0) resolves the same way each time, and its wiring is recorded the first time,
  // so it is resolved once. Not one that met a problem: that one is resolved (and reported)
  // again, as before.
  if (depth != 0) return ResolveSubImport(arg.IntrinsicArg().text(), stack, depth);
  auto key = std::make_pair(stack, arg.IntrinsicArg().text());
  auto known = top_imports_.find(key);
  if (known != top_imports_.end() && (resolving_ || known->second))
    return resolving_ ? Value() : *known->second;
  const std::size_t problems_before = problem_calls_;
  std::optional<Value> r = ResolveSubImport(key.second, stack, depth);
  if (!r || problem_calls_ != problems_before) return r;
  std::optional<Value>& memo = top_imports_[std::move(key)];
  if (!resolving_) memo = *r;
  return r;
}

std::optional<Value> Flattener::ResolveSubImport(const std::string& text, int stack, int depth) {
  auto tokens = syntax::ScanSub(text);
  if (tokens.size() != 2 || !tokens[0].is_var || tokens[1].is_var ||
      tokens[1].text.rfind("-", 0) != 0)
    return std::nullopt;
  int named = ProducerOfParameter(stack, tokens[0].text);
  if (named < 0) return std::nullopt;
  const std::string wanted = DeployedName(named) + tokens[1].text;
  const auto& exports = ExportsByName();
  auto it = exports.find(wanted);
  if (it == exports.end()) {
    Problem(set_.stacks[static_cast<std::size_t>(stack)].path + " imports " + wanted +
            ", which no stack of the split exports");
    return std::nullopt;
  }
  imports_[stack].insert(it->second.first);
  return ResolveOutput(it->second.first, it->second.second, depth);
}

Value Flattener::FlatSub(const Value& v, int stack, int depth) {
  const Value& arg = v.IntrinsicArg();
  std::string text;
  const Value* vars = nullptr;
  if (!syntax::SubParts(arg, text, &vars))
    return Value::Intrinsic("Fn::Sub", FlatAt(arg, stack, depth), v.loc());
  Value new_vars = Value::Map();
  if (vars)
    for (std::size_t i = 0; i < vars->size(); ++i)
      new_vars.AppendEntry(vars->keys()[i].name, FlatAt(vars->items()[i], stack, depth));
  auto tokens = syntax::ScanSub(text);
  for (auto& t : tokens) {
    if (!t.is_var || (vars && vars->Find(t.text))) continue;
    std::optional<Value> r;
    auto [res, attr] = syntax::SplitSubVariable(t.text);
    if (attr.empty())
      r = ResolveName(res, stack, depth);
    else if (stack == 0 && ChildOf(res) >= 0 && attr.rfind("Outputs.", 0) == 0)
      r = ResolveOutput(ChildOf(res), attr.substr(8), depth);
    if (!r) continue;
    std::string bound = "cfnsplit.flat." + std::to_string(new_vars.size());
    new_vars.AppendEntry(bound, std::move(*r));
    t.text = bound;  // Normalize writes Ref/GetAtt bindings back into the string
  }
  Value list = Value::List();
  list.Append(Value::String(syntax::JoinSub(tokens)));
  list.Append(std::move(new_vars));
  return Value::Intrinsic("Fn::Sub", std::move(list), v.loc());
}

namespace {

// The `${…}` text a Ref or literal GetAtt takes inside a Sub string, or empty.
std::string SubForm(const Value& v) {
  std::string_view fn = v.IntrinsicName();
  if (fn == "Ref") return v.IntrinsicArg().text();
  std::string res, attr;
  if (fn == "Fn::GetAtt" && syntax::GetAttParts(v.IntrinsicArg(), res, attr))
    return res + "." + attr;
  return {};
}

Value NormalizeSub(const Value& v) {
  std::string text;
  const Value* vars = nullptr;
  if (!syntax::SubParts(v.IntrinsicArg(), text, &vars)) return v;
  auto tokens = syntax::ScanSub(text);
  Value kept = Value::Map();
  std::map<std::string, std::string> inline_as;
  for (std::size_t i = 0; vars && i < vars->size(); ++i) {
    Value value = Normalize(vars->items()[i]);
    std::string form = SubForm(value);
    if (!form.empty())
      inline_as[vars->keys()[i].name] = form;
    else
      kept.AppendEntry(vars->keys()[i].name, std::move(value));
  }
  for (auto& t : tokens)
    if (t.is_var)
      if (auto it = inline_as.find(t.text); it != inline_as.end()) t.text = it->second;
  std::string new_text = syntax::JoinSub(tokens);
  if (kept.size() == 0) return Value::Intrinsic("Fn::Sub", Value::String(new_text));
  Value list = Value::List();
  list.Append(Value::String(new_text));
  list.Append(std::move(kept));
  return Value::Intrinsic("Fn::Sub", std::move(list));
}

}  // namespace

bool IsNormalized(const Value& v) {
  if (v.is_string() && v.plain()) return !Yaml11Bool(v.text());
  if (v.is_scalar()) return true;
  std::string_view fn = v.IntrinsicName();
  if (fn == "Fn::Sub" || (fn == "Fn::GetAtt" && v.IntrinsicArg().is_string()) ||
      (fn == "Fn::Split" && v.IntrinsicArg().is_list() && v.IntrinsicArg().size() == 2))
    return false;  // the forms NormalizeInPlace may rewrite (it may also leave them)
  for (const Value& item : v.items())
    if (!IsNormalized(item)) return false;
  return true;
}

Value Normalize(const Value& v) {
  Value out = v;
  NormalizeInPlace(out);
  return out;
}

// In place: every resource of a split is normalised once on each side, and a copy per node
// was most of what verifying a large split cost.
void NormalizeInPlace(Value& v) {
  if (v.is_string() && v.plain()) {
    if (auto b = Yaml11Bool(v.text())) v = Value::Bool(*b, v.loc());  // as CloudFormation reads it
    return;
  }
  if (v.is_scalar()) return;
  std::string_view fn = v.IntrinsicName();
  if (fn == "Fn::Sub") {
    v = NormalizeSub(v);
    return;
  }
  if (fn == "Fn::GetAtt" && v.IntrinsicArg().is_string()) {
    std::string res, attr;
    if (syntax::GetAttParts(v.IntrinsicArg(), res, attr)) {
      v = syntax::GetAtt(res, attr);
      return;
    }
  }
  if (fn == "Fn::Split" && v.IntrinsicArg().is_list() && v.IntrinsicArg().size() == 2) {
    Value& arg = v.items().front();
    Value& inner = arg.items()[1];
    NormalizeInPlace(inner);
    const Value& delim = arg.items()[0];
    if (inner.IntrinsicName() == "Fn::Join" && inner.IntrinsicArg().is_list() &&
        inner.IntrinsicArg().size() == 2 && inner.IntrinsicArg().items()[0].Equals(delim)) {
      Value joined = std::move(inner.items().front().items()[1]);
      v = std::move(joined);
      return;
    }
    NormalizeInPlace(arg.items()[0]);  // the joined part is normalised already
    return;
  }
  for (Value& item : v.items()) NormalizeInPlace(item);
}

}  // namespace cfnsplit::verify
