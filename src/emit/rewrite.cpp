// The rewriter: a deep copy in which every read of a value that lives in another stack becomes
// the parameter, GetAtt of a child output or ImportValue that carries it. Only intrinsic
// functions are references; a string equal to a logical ID stays a string.
#include "cfnsplit/writer.hpp"
#include "emit/emitter.hpp"
#include "emit/value_util.hpp"

namespace cfnsplit::emit {

Value Rewriter::CopyResource(const Value& def) {
  context_ = stack_ != 0 ? e_.rules().OwnStackRoot() : RuleSet::ContextCursor{};
  Value out = Copy(def);
  context_ = {};
  return out;
}

Value Rewriter::Copy(const Value& v) {
  if (v.is_scalar()) return v;
  std::string_view fn = v.IntrinsicName();
  if (!fn.empty()) return CopyIntrinsic(fn, v);
  Value out = v.is_list() ? Value::List(v.loc()) : Value::Map(v.loc());
  out.Reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v.is_list()) {
      out.Append(Copy(v.items()[i]));
      continue;
    }
    const std::string& key = v.keys()[i].name;
    if (!context_.open()) {
      out.AppendEntry(key, Copy(v.items()[i]), v.keys()[i].loc);
      continue;
    }
    RuleSet::ContextCursor outer = context_;
    context_ = e_.rules().EnterOwnStackContext(outer, key);
    out.AppendEntry(key, Copy(v.items()[i]), v.keys()[i].loc);
    context_ = outer;
  }
  return out;
}

// Ref semantics: a resource, a template parameter or a pseudo parameter.
std::optional<Value> Rewriter::ReadName(const std::string& name) {
  if (std::string_view(name) == "AWS::StackName" || std::string_view(name) == "AWS::StackId") {
    if (stack_ == 0 || context_.inside) return std::nullopt;
    return e_.Import(stack_, {WireKey::Kind::kPseudo, name, ""}, nullptr);
  }
  if (IsPseudoParameter(name)) return std::nullopt;
  int home = e_.HomeOf(name);
  if (home >= 0) {
    if (home == stack_) return std::nullopt;
    return e_.Import(stack_, {WireKey::Kind::kRef, name, ""}, nullptr);
  }
  if (e_.IsParameter(name)) return e_.UseParameter(stack_, name);
  return std::nullopt;
}

std::optional<Value> Rewriter::ReadAtt(const std::string& resource, const std::string& attribute,
                                       const Value* computed) {
  int home = e_.HomeOf(resource);
  if (home < 0 || home == stack_) return std::nullopt;
  WireKey key{WireKey::Kind::kGetAtt, resource, computed ? WriteJson(*computed, 0) : attribute};
  return e_.Import(stack_, key, computed);
}

Value Rewriter::CopyIntrinsic(std::string_view fn, const Value& v) {
  const Value& arg = v.IntrinsicArg();
  if (fn == "Ref") {
    if (auto r = ReadName(arg.text())) return std::move(*r);
    return v;
  }
  if (fn == "Condition") {
    e_.UseCondition(stack_, arg.text());
    return v;
  }
  if (fn == "Fn::GetAtt") {
    std::string resource, attribute;
    bool literal = syntax::GetAttParts(arg, resource, attribute);
    if (!resource.empty()) {
      const Value* computed = literal ? nullptr : &arg.items()[1];
      if (auto r = ReadAtt(resource, attribute, computed)) return std::move(*r);
    }
    return Value::Intrinsic("Fn::GetAtt", Copy(arg), v.loc());
  }
  if (fn == "Fn::Sub") return CopySub(v);
  // The condition or mapping a call names travels with it (Fn::If, Fn::FindInMap).
  if (syntax::CallShapeProblem(fn, arg).empty())
    for (const syntax::CallPart& part : syntax::ParseCall(fn, arg)) {
      if (part.operand) continue;
      if (part.ref.form == syntax::RefForm::kCondition)
        e_.UseCondition(stack_, std::string(part.ref.target));
      if (part.ref.form == syntax::RefForm::kFindInMap)
        e_.UseMapping(stack_, std::string(part.ref.target));
    }
  return Value::Intrinsic(std::string(fn), Copy(arg), v.loc());
}

namespace {

// A variable name for the Sub's map that no other `${…}` of the string already means.
std::string FreeVariable(const std::string& base, const std::string& replacing, const Value& vars,
                         const std::vector<syntax::SubToken>& tokens) {
  auto used = [&](const std::string& n) {
    if (vars.Find(n)) return true;
    for (const auto& t : tokens)
      if (t.is_var && t.text == n && t.text != replacing) return true;
    return false;
  };
  std::string name = base.empty() ? "Value" : base;
  for (int i = 2; used(name); ++i) name = (base.empty() ? "Value" : base) + std::to_string(i);
  return name;
}

}  // namespace

// `${X}` and `${X.A}` inside the string are rewritten like Ref and GetAtt: to `${Param}` when
// the replacement is a Ref, otherwise to a variable of the Sub bound to the replacement.
Value Rewriter::CopySub(const Value& v) {
  const Value& arg = v.IntrinsicArg();
  std::string text;
  const Value* vars = nullptr;
  if (!syntax::SubParts(arg, text, &vars)) return Value::Intrinsic("Fn::Sub", Copy(arg), v.loc());
  Value new_vars = Value::Map(vars ? vars->loc() : v.loc());
  if (vars)
    for (std::size_t i = 0; i < vars->size(); ++i)
      new_vars.AppendEntry(vars->keys()[i].name, Copy(vars->items()[i]), vars->keys()[i].loc);
  std::vector<syntax::SubToken> tokens = syntax::ScanSub(text);
  std::map<std::string, std::string> renamed;  // variable as written → new name
  bool changed = false;
  for (auto& t : tokens) {
    if (!t.is_var || (vars && vars->Find(t.text))) continue;
    if (auto it = renamed.find(t.text); it != renamed.end()) {
      t.text = it->second;
      continue;
    }
    auto [target, attribute] = syntax::SplitSubVariable(t.text);
    std::optional<Value> r =
        attribute.empty() ? ReadName(target) : ReadAtt(target, attribute, nullptr);
    if (!r) continue;
    changed = true;
    std::string name;
    if (r->IntrinsicName() == "Ref") {
      name = r->IntrinsicArg().text();
    } else {
      name = FreeVariable(util::Alnum(t.text), t.text, new_vars, tokens);
      new_vars.AppendEntry(name, std::move(*r));
    }
    renamed[t.text] = name;
    t.text = name;
  }
  std::string new_text = changed ? syntax::JoinSub(tokens) : text;
  if (!vars && new_vars.size() == 0)
    return Value::Intrinsic("Fn::Sub", Value::String(new_text, arg.loc()), v.loc());
  Value list = Value::List(arg.loc());
  list.Append(Value::String(new_text, arg.loc()));
  list.Append(std::move(new_vars));
  return Value::Intrinsic("Fn::Sub", std::move(list), v.loc());
}

}  // namespace cfnsplit::emit
