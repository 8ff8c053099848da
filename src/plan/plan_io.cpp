// The plan file: human-editable YAML, written with stable order and a reason beside each resource.
#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <set>
#include <sstream>
#include <string_view>

#include "cfnsplit/load.hpp"
#include "cfnsplit/model.hpp"
#include "cfnsplit/plan.hpp"
#include "cfnsplit/writer.hpp"

namespace cfnsplit {

const char* WiringModeName(WiringMode m) { return m == WiringMode::kNested ? "nested" : "exports"; }
std::optional<WiringMode> ParseWiringMode(const std::string& s) {
  if (s == "nested") return WiringMode::kNested;
  if (s == "exports") return WiringMode::kExports;
  return std::nullopt;
}
const char* StackRoleName(StackRole r) {
  switch (r) {
    case StackRole::kBase:
      return "base";
    case StackRole::kFunctions:
      return "functions";
    case StackRole::kPost:
      return "post";
  }
  return "functions";
}
std::optional<StackRole> ParseStackRole(const std::string& s) {
  if (s == "base") return StackRole::kBase;
  if (s == "functions") return StackRole::kFunctions;
  if (s == "post") return StackRole::kPost;
  return std::nullopt;
}

bool IsLogicalId(const std::string& name) { return name.size() <= 255 && IsAlphanumericName(name); }

std::string FoldCase(std::string name) {
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return name;
}

std::map<std::string, int> SplitPlan::StackIndex() const {
  std::map<std::string, int> index;
  for (std::size_t s = 0; s < stacks.size(); ++s)
    for (const auto& id : stacks[s].resources) index.emplace(id, static_cast<int>(s));
  return index;
}

const PlanInput* SplitPlan::Input(const std::string& role) const {
  for (const auto& in : inputs)
    if (in.role == role) return &in;
  return nullptr;
}

namespace {

// Plain when YAML reads it back as the same string; double-quoted (JSON escapes) otherwise.
// Hand-written rather than std::regex, and without a set or a string per character: a plan
// writes one scalar per resource (a tenth of a split's write stage before).
bool IsYamlKeyword(std::string_view s) {
  static constexpr std::string_view kSpecial[] = {
      "y",  "Y",    "yes",  "Yes",  "YES",   "n",     "N",     "no", "No",
      "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On",
      "ON", "off",  "Off",  "OFF",  "null",  "Null",  "NULL",  "~"};
  if (s.size() > 5) return false;
  return std::find(std::begin(kSpecial), std::end(kSpecial), s) != std::end(kSpecial);
}

bool IsPlainSafe(const std::string& s) {
  if (s.empty() || IsYamlKeyword(s)) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto plain = [&](char c) {
    switch (c) {
      case '_':
      case '.':
      case '/':
      case ':':
      case '@':
      case '+':
      case '-':
        return true;
      default:
        return alpha(c) || (c >= '0' && c <= '9');
    }
  };
  if (!alpha(s[0]) && s[0] != '_' && s[0] != '/') return false;
  // A colon ends a mapping key before a line break, a space or a flow indicator: `owner: ml:`
  // and `{path: x:, …}` do not read back. Inside a scalar it is text (`a:b`).
  if (s.back() == ':') return false;
  return std::all_of(s.begin(), s.end(), plain);
}

void AppendScalar(std::string& out, const std::string& s) {
  if (IsPlainSafe(s))
    out += s;
  else
    out += JsonQuote(s);
}

std::string Scalar(const std::string& s) {
  std::string out;
  AppendScalar(out, s);
  return out;
}

// A hex digest is written plain (the reader takes every scalar as text); anything else a hand
// edit put there is quoted like any other scalar.
std::string Fingerprint(const std::string& s) {
  bool hex = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  return hex ? s : Scalar(s);
}

void AppendList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    AppendScalar(out, items[i]);
  }
  out += ']';
}

// Appends `s` with its line breaks as spaces (an explanation is one comment line).
void AppendOneLine(std::string& out, const std::string& s) {
  std::size_t from = out.size();
  out += s;
  std::replace(out.begin() + static_cast<long>(from), out.end(), '\n', ' ');
}

// One stack's entry; its resources with the reason each is there as a comment.
void AppendStack(std::string& out, const StackPlan& s,
                 const std::unordered_map<std::string, std::string>& explanations) {
  const StackFigures& f = s.figures;
  out += "  - name: ";
  AppendScalar(out, s.name);
  out += "\n    role: ";
  out += StackRoleName(s.role);
  out += "\n    owner: ";
  AppendScalar(out, s.owner);
  out += "\n    figures: {resources: " + std::to_string(f.resources) +
         ", parameters: " + std::to_string(f.parameters) +
         ", outputs: " + std::to_string(f.outputs) + ", mappings: " + std::to_string(f.mappings) +
         ", template_bytes: " + std::to_string(f.template_bytes) +
         ", package_bytes: " + std::to_string(f.package_bytes) +
         ", functions: " + std::to_string(f.functions) + "}\n";
  auto list = [&](const char* label, const std::vector<std::string>& items) {
    out += label;
    AppendList(out, items);
    out += '\n';
  };
  list("    distributions: ", s.distributions);
  list("    requirements: ", s.requirements);
  if (!s.images.empty()) list("    images: ", s.images);
  list("    imports: ", s.imports);
  list("    exports: ", s.exports);
  out += "    resources:\n";
  for (const auto& id : s.resources) {
    out += "      - ";
    AppendScalar(out, id);
    auto it = explanations.find(id);
    if (it != explanations.end()) {
      out += "  # ";
      AppendOneLine(out, it->second);
    }
    out += '\n';
  }
}

}  // namespace

std::string PlanToYaml(const SplitPlan& plan) {
  std::ostringstream y;
  y << "# cfnsplit plan. Review it, edit it (move a resource line to another stack; add pins),\n"
       "# then check it with `cfnsplit review` and write templates with `cfnsplit emit`.\n"
       "# The comment after each resource says why it is where it is.\n";
  y << "cfnsplit_plan: " << plan.format_version << "\n";
  y << "inputs:\n";
  for (const auto& in : plan.inputs)
    y << "  - {role: " << Scalar(in.role) << ", path: " << Scalar(in.path)
      << ", sha256: " << Fingerprint(in.sha256) << "}\n";
  const PlanOptions& o = plan.options;
  y << "options:\n"
    << "  mode: " << WiringModeName(o.mode) << "\n"
    << "  strategy: " << Scalar(o.strategy) << "\n"
    << "  headroom: " << o.headroom << "\n"
    << "  max_stacks: " << o.max_stacks << "\n"
    << "  allow_mixed_owners: " << (o.allow_mixed_owners ? "true" : "false") << "\n";
  y << "pins:" << (o.pins.empty() ? " []" : "") << "\n";
  for (const auto& p : o.pins)
    y << "  - {resource: " << Scalar(p.resource) << ", stack: " << Scalar(p.stack)
      << ", source: " << Scalar(p.source) << "}\n";
  y << "lower_bounds:" << (plan.lower_bounds.empty() ? " {}" : "") << "\n";
  for (const auto& [k, v] : plan.lower_bounds) y << "  " << Scalar(k) << ": " << v << "\n";
  y << "stacks:\n";
  std::string out = y.str();
  for (const auto& s : plan.stacks) AppendStack(out, s, plan.explanations);
  return out;
}

namespace {

class PlanReader {
 public:
  PlanReader(DiagnosticSink& sink) : sink_(sink) {}

  std::optional<SplitPlan> Read(const Value& doc) {
    SplitPlan plan;
    const Value* version = Need(doc, "cfnsplit_plan", Value::Kind::kNumber);
    if (version && version->text() != "1")
      Fail(version->loc(),
           "unsupported plan format " + version->text() + " (this cfnsplit reads 1)");
    if (const Value* inputs = Need(doc, "inputs", Value::Kind::kList))
      for (const Value& in : inputs->items()) {
        plan.inputs.push_back({Text(in, "role"), Text(in, "path"), Text(in, "sha256")});
        if (plan.inputs.back().path.empty()) Fail(in.loc(), "an input needs a non-empty 'path'");
      }
    if (const Value* o = Need(doc, "options", Value::Kind::kMap)) ReadOptions(*o, plan.options);
    if (const Value* pins = doc.Find("pins"); pins && pins->is_list())
      for (const Value& p : pins->items())
        plan.options.pins.push_back(
            {Text(p, "resource"), Text(p, "stack"), Text(p, "source", "plan")});
    if (const Value* lb = doc.Find("lower_bounds"); lb && lb->is_map())
      for (std::size_t i = 0; i < lb->size(); ++i)
        plan.lower_bounds[lb->keys()[i].name] =
            std::strtoull(lb->items()[i].text().c_str(), nullptr, 10);
    if (const Value* stacks = Need(doc, "stacks", Value::Kind::kList))
      for (const Value& s : stacks->items()) plan.stacks.push_back(ReadStack(s));
    CheckNamesIgnoringCase(plan, doc.Find("stacks"));
    if (failed_) return std::nullopt;
    return plan;
  }

 private:
  void Fail(SourceLoc loc, const std::string& msg) {
    sink_.Error("E4101", loc, "plan: " + msg);
    failed_ = true;
  }

  const Value* Need(const Value& map, const char* key, Value::Kind kind) {
    const Value* v = map.is_map() ? map.Find(key) : nullptr;
    if (!v) {
      Fail(map.loc(), std::string("missing '") + key + "'");
      return nullptr;
    }
    if (v->kind() != kind) {
      Fail(v->loc(), std::string("'") + key + "' must be a " + KindName(kind) + ", not a " +
                         KindName(v->kind()));
      return nullptr;
    }
    return v;
  }

  std::string Text(const Value& map, const char* key, const std::string& fallback = "") {
    const Value* v = map.is_map() ? map.Find(key) : nullptr;
    if (!v || v->is_null()) return fallback;
    if (!v->is_scalar()) Fail(v->loc(), std::string("'") + key + "' must be a scalar");
    return v->text();
  }

  std::vector<std::string> Strings(const Value& map, const char* key) {
    std::vector<std::string> out;
    const Value* v = map.Find(key);
    if (!v || v->is_null()) return out;
    if (!v->is_list()) {
      Fail(v->loc(), std::string("'") + key + "' must be a list");
      return out;
    }
    for (const Value& item : v->items()) {
      if (!item.is_scalar())
        Fail(item.loc(), std::string("items of '") + key + "' must be names");
      else
        out.push_back(item.text());
    }
    return out;
  }

  void ReadOptions(const Value& o, PlanOptions& out) {
    std::string mode = Text(o, "mode", "nested");
    if (auto m = ParseWiringMode(mode))
      out.mode = *m;
    else
      Fail(o.Find("mode")->loc(), "mode must be nested or exports, not '" + mode + "'");
    out.strategy = Text(o, "strategy", "auto");
    out.headroom = std::strtod(Text(o, "headroom", "0.9").c_str(), nullptr);
    if (!(out.headroom > 0 && out.headroom <= 1)) Fail(o.loc(), "headroom must be in (0, 1]");
    out.max_stacks =
        static_cast<std::uint32_t>(std::strtoul(Text(o, "max_stacks", "0").c_str(), nullptr, 10));
    out.allow_mixed_owners = Text(o, "allow_mixed_owners", "false") == "true";
  }

  // Stack names become file names: two that differ only in case would overwrite each other on
  // a case-insensitive file system (macOS, Windows).
  void CheckNamesIgnoringCase(const SplitPlan& plan, const Value* stacks) {
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < plan.stacks.size(); ++i) {
      const std::string& name = plan.stacks[i].name;
      auto [it, fresh] = seen.emplace(FoldCase(name), name);
      if (!fresh)
        Fail(stacks->items()[i].loc(), "stack names '" + it->second + "' and '" + name +
                                           "' differ only in case; their files would collide");
    }
  }

  StackPlan ReadStack(const Value& s) {
    StackPlan out;
    if (!s.is_map()) {
      Fail(s.loc(), "each stack must be a mapping with name, role and resources");
      return out;
    }
    out.name = Text(s, "name");
    if (!IsLogicalId(out.name))
      Fail(s.Find("name") ? s.Find("name")->loc() : s.loc(),
           "stack name '" + out.name + "' must be alphanumeric");
    std::string role = Text(s, "role", "functions");
    if (auto r = ParseStackRole(role))
      out.role = *r;
    else
      Fail(s.Find("role")->loc(), "role must be base, functions or post, not '" + role + "'");
    out.owner = Text(s, "owner");
    out.distributions = Strings(s, "distributions");
    out.requirements = Strings(s, "requirements");
    out.images = Strings(s, "images");
    out.imports = Strings(s, "imports");
    out.exports = Strings(s, "exports");
    out.resources = Strings(s, "resources");
    return out;
  }

  DiagnosticSink& sink_;
  bool failed_ = false;
};

}  // namespace

std::optional<SplitPlan> PlanFromYaml(std::uint32_t file, const SourceManager& sources,
                                      DiagnosticSink& sink) {
  auto doc = ParseYaml(file, sources, sink);
  if (!doc) return std::nullopt;
  if (!doc->is_map()) {
    sink.Error("E4101", doc->loc(), "plan: the plan file must be a mapping");
    return std::nullopt;
  }
  return PlanReader(sink).Read(*doc);
}

}  // namespace cfnsplit
