// Wiring: how a value crosses from its home stack to a stack that reads it. Nested mode passes
// it down as a child parameter and up as a child output read with GetAtt Child.Outputs.Name;
// exports mode exports it from the producer and imports it by name in the consumer.
#include <array>

#include "emit/emitter.hpp"
#include "emit/value_util.hpp"

namespace cfnsplit::emit {
namespace {

// Attributes that return a list; outputs and parameters are strings, so these travel joined
// with "||" (as CDK does) and are split again where they are read.
bool IsListAttribute(const std::string& type, const std::string& attribute) {
  static const std::array<std::pair<const char*, const char*>, 11> kLists = {{
      {"AWS::Route53::HostedZone", "NameServers"},
      {"AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups"},
      {"AWS::EC2::VPC", "CidrBlockAssociations"},
      {"AWS::EC2::VPC", "Ipv6CidrBlocks"},
      {"AWS::EC2::Subnet", "Ipv6CidrBlocks"},
      {"AWS::EC2::VPCEndpoint", "DnsEntries"},
      {"AWS::EC2::VPCEndpoint", "NetworkInterfaceIds"},
      {"AWS::EC2::NetworkInterface", "SecondaryPrivateIpAddresses"},
      {"AWS::DirectoryService::MicrosoftAD", "DnsIpAddresses"},
      {"AWS::DirectoryService::SimpleAD", "DnsIpAddresses"},
      {"AWS::EKS::Nodegroup", "RemoteAccess"},
  }};
  for (const auto& [t, a] : kLists)
    if (type == t && attribute == a) return true;
  return false;
}

Value Param(const std::string& type, const std::string& description) {
  Value p = Value::Map();
  p.AppendEntry("Type", syntax::Str(type));
  if (!description.empty()) p.AppendEntry("Description", syntax::Str(description));
  return p;
}

std::string Describe(const WireKey& k) {
  switch (k.kind) {
    case WireKey::Kind::kRef:
      return "Ref " + k.target;
    case WireKey::Kind::kGetAtt:
      return "GetAtt " + k.target + "." + k.attribute;
    case WireKey::Kind::kPseudo:
      return k.target;
    case WireKey::Kind::kOrdering:
      return "stack " + k.target + " deployed";
  }
  return k.target;
}

}  // namespace

int Emitter::HomeOf(const std::string& resource) const {
  auto it = home_.find(resource);
  if (it != home_.end()) return it->second;
  if (!model_.is_sam()) return -1;
  // SAM creates <Function>Role, <Function>Alias… in the template of <Function>.
  std::string owner = GeneratedOwner(model_, resource);
  return owner.empty() ? -1 : home_.at(owner);
}

bool Emitter::IsParameter(const std::string& name) const {
  return model_.FindParameter(name) != nullptr;
}

std::string Emitter::UniqueName(const std::string& base_in) {
  std::string base = base_in.empty() ? "Value" : base_in.substr(0, 115);
  std::string name = base;
  for (int i = 2; taken_.count(name); ++i) name = base + std::to_string(i);
  taken_.insert(made_names_.emplace_back(name));
  return name;
}

Wire& Emitter::GetWire(const WireKey& key, const Value* attr) {
  auto it = wires_.find(key);
  if (it != wires_.end()) return it->second;
  Wire w;
  w.key = key;
  std::string base;
  if (key.kind == WireKey::Kind::kOrdering) {
    for (std::size_t i = 0; i < stacks_.size(); ++i)
      if (stacks_[i].name == key.target) w.home = static_cast<int>(i);
    w.expr = syntax::Ref("AWS::StackName");  // constant for the stack's life: never locks
    base = key.target + "Deployed";
  } else if (key.kind == WireKey::Kind::kPseudo) {
    w.home = 0;
    w.expr = syntax::Ref(key.target);
    std::string prefix = mode() == WiringMode::kNested ? "Parent" : stacks_[0].name;
    base = prefix + key.target.substr(5);  // "AWS::StackName" → "ParentStackName"
  } else {
    w.home = HomeOf(key.target);
    const Resource* r = model_.FindResource(key.target);
    w.condition = r ? r->condition : "";
    if (key.kind == WireKey::Kind::kRef) {
      w.expr = syntax::Ref(key.target);
      base = key.target + "Ref";
    } else {
      Value computed_arg = Value::List();
      computed_arg.Append(syntax::Str(key.target));
      computed_arg.Append(attr ? Rewriter(*this, w.home).Copy(*attr) : syntax::Str(key.attribute));
      w.expr = Value::Intrinsic("Fn::GetAtt", std::move(computed_arg));
      base = key.target + (attr ? std::string("Attribute") : key.attribute);
      w.is_list = r && !attr && IsListAttribute(r->type, key.attribute);
    }
  }
  w.name = UniqueName(util::Alnum(base));
  return wires_.emplace(key, std::move(w)).first->second;
}

void Emitter::EnsureOutput(int stack, const Wire& w, bool exported) {
  StackOut& s = stacks_[static_cast<std::size_t>(stack)];
  if (s.outputs.Find(w.name)) return;
  Value o = Value::Map();
  o.AppendEntry("Description", syntax::Str("cfnsplit: " + Describe(w.key) + " for other stacks"));
  o.AppendEntry("Value", w.is_list ? syntax::Join("||", w.expr) : w.expr);
  if (exported) {
    Value e = Value::Map();
    e.AppendEntry("Name", Value::Intrinsic("Fn::Sub", syntax::Str("${AWS::StackName}-" + w.name)));
    o.AppendEntry("Export", std::move(e));
  }
  if (!w.condition.empty()) {
    o.AppendEntry("Condition", syntax::Str(w.condition));
    UseCondition(stack, w.condition);
  }
  s.outputs.AppendEntry(w.name, std::move(o));
}

Value Emitter::Import(int stack, const WireKey& key, const Value* attr) {
  if (mode() == WiringMode::kExports && key.kind == WireKey::Kind::kPseudo &&
      key.target == "AWS::StackName") {
    stacks_[static_cast<std::size_t>(stack)].notes.insert(
        "AWS::StackName here reads the base stack's name (parameter " + RootNameParameter(stack) +
        "), as in the original template");
    return syntax::Ref(RootNameParameter(stack));
  }
  const Wire& w = GetWire(key, attr);
  return mode() == WiringMode::kNested ? NestedImport(stack, w) : ExportsImport(stack, w);
}

Value Emitter::NestedImport(int stack, const Wire& w) {
  if (stack == 0) {
    EnsureOutput(w.home, w, false);
    Value v =
        syntax::GetAtt(stacks_[static_cast<std::size_t>(w.home)].resource_id, "Outputs." + w.name);
    return w.is_list ? syntax::Split("||", std::move(v)) : v;
  }
  StackOut& s = stacks_[static_cast<std::size_t>(stack)];
  if (!s.params.count(w.name)) {
    s.params[w.name] = Param("String", "cfnsplit: " + Describe(w.key) + " from the parent");
    Value passed;
    if (w.home == 0) {
      passed = w.is_list ? syntax::Join("||", w.expr) : w.expr;
    } else {
      EnsureOutput(w.home, w, false);
      passed = syntax::GetAtt(stacks_[static_cast<std::size_t>(w.home)].resource_id,
                              "Outputs." + w.name);
    }
    // A value of a conditional resource exists only when its condition holds; the parent
    // evaluates Parameters unconditionally, so it passes "" otherwise.
    if (!w.condition.empty()) {
      Value args = Value::List();
      args.Append(syntax::Str(w.condition));
      args.Append(std::move(passed));
      args.Append(syntax::Str(""));
      passed = Value::Intrinsic("Fn::If", std::move(args));
    }
    s.passed[w.name] = std::move(passed);
    if (w.key.kind == WireKey::Kind::kPseudo)
      s.notes.insert(w.key.target + " here is the parent's, passed as parameter " + w.name +
                     " (inside a nested stack it would name the child stack)");
  }
  Value r = syntax::Ref(w.name);
  return w.is_list ? syntax::Split("||", std::move(r)) : r;
}

// Every stack but the root is deployed as `<root>-<Stack>` (deploy.sh, migrate), so one
// parameter carrying the root's name reaches every export: a stack that reads from hundreds of
// others still declares one parameter, not one per producer.
Value Emitter::ExportsImport(int stack, const Wire& w) {
  // A stack imports the same few values for each of its functions: the import and what it
  // declares (the export, the stack-name parameter, the ordering) are made once per stack.
  auto [known, first] = exports_imports_.try_emplace({stack, &w});
  if (!first) return known->second;
  known->second = NewExportsImport(stack, w);
  return known->second;
}

Value Emitter::NewExportsImport(int stack, const Wire& w) {
  EnsureOutput(w.home, w, true);
  std::string param = RootNameParameter(stack);
  stacks_[static_cast<std::size_t>(stack)].after.insert(w.home);
  stacks_[static_cast<std::size_t>(stack)].imported.insert(w.name);
  std::string producer = w.home == 0 ? "" : stacks_[static_cast<std::size_t>(w.home)].name + "-";
  Value imp = Value::Intrinsic(
      "Fn::ImportValue",
      Value::Intrinsic("Fn::Sub", syntax::Str("${" + param + "}-" + producer + w.name)));
  return w.is_list ? syntax::Split("||", std::move(imp)) : imp;
}

std::string Emitter::RootNameParameter(int consumer) {
  const StackOut& root = stacks_.front();
  StackOut& c = stacks_[static_cast<std::size_t>(consumer)];
  if (!c.params.count(root_name_param_)) {
    // The verifier knows this parameter by its description (verify::StackNameDescription).
    Value d = Param("String", "cfnsplit: name of the deployed stack " + root.name);
    d.AppendEntry("Default", syntax::Str(root.stack_name));
    c.params[root_name_param_] = std::move(d);
  }
  return root_name_param_;
}

Value Emitter::UseParameter(int stack, const std::string& name) {
  const Parameter* p = model_.FindParameter(name);
  if (stack == 0 || !p) return syntax::Ref(name);
  StackOut& s = stacks_[static_cast<std::size_t>(stack)];
  if (mode() == WiringMode::kExports) {
    if (!s.params.count(name)) s.params[name] = *p->def;
    return syntax::Ref(name);
  }
  // Nested stack parameters are strings: lists travel joined, SSM types already resolved.
  bool as_string = p->is_list() || p->type.rfind("AWS::SSM::Parameter::Value<", 0) == 0;
  if (!s.params.count(name)) {
    Value d = Param(as_string ? "String" : p->type, "");
    if (const Value* desc = p->def->Find("Description")) d.AppendEntry("Description", *desc);
    if (p->no_echo) d.AppendEntry("NoEcho", Value::Bool(true));
    s.params[name] = std::move(d);
    s.passed[name] = p->is_list() ? syntax::Join(",", syntax::Ref(name)) : syntax::Ref(name);
  }
  return p->is_list() ? syntax::Split(",", syntax::Ref(name)) : syntax::Ref(name);
}

void Emitter::UseCondition(int stack, const std::string& name) {
  StackOut& s = stacks_[static_cast<std::size_t>(stack)];
  if (stack == 0 || s.conditions.count(name)) return;
  const Value* def = model_.FindCondition(name);
  if (!def) return;
  s.conditions[name] = Value::Null();  // stops recursion through conditions that use it
  Value copy = Rewriter(*this, stack).Copy(*def);
  stacks_[static_cast<std::size_t>(stack)].conditions[name] = std::move(copy);
}

void Emitter::UseMapping(int stack, const std::string& name) {
  if (stack != 0 && model_.FindMapping(name))
    stacks_[static_cast<std::size_t>(stack)].mappings.insert(name);
}

}  // namespace cfnsplit::emit
