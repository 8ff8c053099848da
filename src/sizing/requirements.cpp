// Requirement lines (PEP 508), environment markers and version ordering (PEP 440, the parts that
// ordering needs); requirements_file.cpp reads pip requirements files. Markers are evaluated
// per function later, so a parsed file is independent of the runtime and can be shared between
// functions.
#include <algorithm>
#include <cctype>
#include <tuple>

#include "cfnsplit/load.hpp"
#include "sizing/internal.hpp"

namespace cfnsplit {

std::string NormalizeDistName(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  bool in_separator_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator_run) out += '-';
      in_separator_run = true;
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in_separator_run = false;
    }
  }
  return out;
}

namespace sizing {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}
std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- versions ----

struct ParsedVersion {
  long epoch = 0;
  std::vector<long> release;
  // Phase ordering: dev-only release < a < b < rc < final; post and dev refine it.
  int pre_phase = 3;  // 0 a, 1 b, 2 rc, 3 none, -1 dev-only release
  long pre_number = 0;
  long post = -1;
  long dev = -1;  // -1 = no dev segment (sorts after any dev)
};

long ReadNumber(std::string_view s, std::size_t& i) {
  long n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && n < 100'000'000)
    n = n * 10 + (s[i++] - '0');
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return n;
}

bool ConsumeWord(std::string_view s, std::size_t& i, std::string_view word) {
  if (s.substr(i, word.size()) != word) return false;
  i += word.size();
  return true;
}

void SkipSeparator(std::string_view s, std::size_t& i) {
  if (i < s.size() && (s[i] == '.' || s[i] == '-' || s[i] == '_')) ++i;
}

ParsedVersion ParseVersion(std::string_view text) {
  std::string s = Lower(Trim(text));
  std::string_view v = s;
  if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
  if (auto plus = v.find('+'); plus != std::string_view::npos) v = v.substr(0, plus);
  ParsedVersion out;
  std::size_t i = 0;
  if (auto bang = v.find('!'); bang != std::string_view::npos) {
    out.epoch = ReadNumber(v, i);
    i = bang + 1;
  }
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
    out.release.push_back(ReadNumber(v, i));
    if (i + 1 < v.size() && v[i] == '.' && std::isdigit(static_cast<unsigned char>(v[i + 1])))
      ++i;
    else
      break;
  }
  while (!out.release.empty() && out.release.back() == 0) out.release.pop_back();
  std::size_t before = i;
  SkipSeparator(v, i);
  static const std::pair<std::string_view, int> kPre[] = {{"alpha", 0}, {"beta", 1}, {"preview", 2},
                                                          {"pre", 2},   {"rc", 2},   {"a", 0},
                                                          {"b", 1},     {"c", 2}};
  bool found_pre = false;
  for (const auto& [word, phase] : kPre) {
    if (ConsumeWord(v, i, word)) {
      SkipSeparator(v, i);
      out.pre_phase = phase;
      out.pre_number = ReadNumber(v, i);
      found_pre = true;
      break;
    }
  }
  if (!found_pre) i = before;
  std::size_t post_start = i;
  SkipSeparator(v, i);
  if (ConsumeWord(v, i, "post") || ConsumeWord(v, i, "rev") || ConsumeWord(v, i, "r")) {
    SkipSeparator(v, i);
    out.post = ReadNumber(v, i);
  } else if (i > post_start && v[post_start] == '-' && i < v.size() &&
             std::isdigit(static_cast<unsigned char>(v[i]))) {
    out.post = ReadNumber(v, i);
  } else {
    i = post_start;
  }
  std::size_t dev_start = i;
  SkipSeparator(v, i);
  if (ConsumeWord(v, i, "dev")) {
    SkipSeparator(v, i);
    out.dev = ReadNumber(v, i);
  } else {
    i = dev_start;
  }
  if (out.dev >= 0 && !found_pre && out.post < 0) out.pre_phase = -1;
  return out;
}

auto VersionKey(const ParsedVersion& v) {
  long dev = v.dev < 0 ? 1L << 40 : v.dev;
  return std::make_tuple(v.epoch, v.release, v.pre_phase, v.pre_number, v.post, dev);
}

bool StartsWithRelease(const std::vector<long>& version, const std::vector<long>& prefix) {
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    long part = i < version.size() ? version[i] : 0;
    if (part != prefix[i]) return false;
  }
  return true;
}

std::vector<long> ReleaseOf(std::string_view text) {
  std::vector<long> out;
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    out.push_back(ReadNumber(text, i));
    if (i < text.size() && text[i] == '.') ++i;
  }
  return out;
}

bool ClauseAllows(std::string_view clause, std::string_view version) {
  clause = Trim(clause);
  static const char* kOps[] = {"===", "~=", "==", "!=", "<=", ">=", "<", ">"};
  std::string_view op;
  for (const char* candidate : kOps) {
    if (clause.substr(0, std::char_traits<char>::length(candidate)) == candidate) {
      op = candidate;
      break;
    }
  }
  if (op.empty()) return true;  // malformed clause: do not reject what is installed
  std::string_view target = Trim(clause.substr(op.size()));
  if (op == "===") return Trim(version) == target;
  bool wildcard = target.size() >= 2 && target.substr(target.size() - 2) == ".*";
  if (wildcard && (op == "==" || op == "!=")) {
    bool matches = StartsWithRelease(ParseVersion(version).release,
                                     ReleaseOf(target.substr(0, target.size() - 2)));
    return op == "==" ? matches : !matches;
  }
  int cmp = CompareVersions(version, target);
  if (op == "==") return cmp == 0;
  if (op == "!=") return cmp != 0;
  if (op == "<=") return cmp <= 0;
  if (op == ">=") return cmp >= 0;
  if (op == "<") return cmp < 0;
  if (op == ">") return cmp > 0;
  // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
  std::vector<long> prefix = ReleaseOf(target);
  if (prefix.size() > 1) prefix.pop_back();
  return cmp >= 0 && StartsWithRelease(ParseVersion(version).release, prefix);
}

// ---- markers ----

bool IsVersionVariable(std::string_view name) {
  return name == "python_version" || name == "python_full_version" ||
         name == "implementation_version" || name == "platform_release";
}

class MarkerParser {
 public:
  MarkerParser(std::string_view text, const MarkerEnv& env, std::string_view extra)
      : text_(text), env_(env), extra_(NormalizeDistName(std::string(extra))) {}

  std::optional<bool> Run(std::string* error) {
    bool value = ParseOr();
    SkipSpace();
    if (error_.empty() && pos_ != text_.size())
      Fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    if (!error_.empty()) {
      if (error) *error = error_ + " at column " + std::to_string(pos_ + 1);
      return std::nullopt;
    }
    return value;
  }

 private:
  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }
  bool Keyword(std::string_view word) {
    SkipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    std::size_t end = pos_ + word.size();
    if (end < text_.size() &&
        (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_'))
      return false;
    pos_ = end;
    return true;
  }
  bool ParseOr() {
    bool value = ParseAnd();
    while (error_.empty() && Keyword("or")) value = ParseAnd() || value;
    return value;
  }
  bool ParseAnd() {
    bool value = ParseAtom();
    while (error_.empty() && Keyword("and")) value = ParseAtom() && value;
    return value;
  }
  bool ParseAtom() {
    SkipSpace();
    if (++depth_ > 64) {
      Fail("marker nested too deeply");
      return false;
    }
    bool value = false;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      value = ParseOr();
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ')')
        ++pos_;
      else
        Fail("expected ')'");
    } else {
      value = ParseComparison();
    }
    --depth_;
    return value;
  }
  // Returns the operand's value; `*variable` receives the variable name ("" for a literal).
  std::string ParseOperand(std::string* variable) {
    SkipSpace();
    variable->clear();
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      char quote = text_[pos_++];
      std::size_t end = text_.find(quote, pos_);
      if (end == std::string_view::npos) {
        Fail("unterminated string");
        pos_ = text_.size();
        return {};
      }
      std::string literal(text_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return literal;
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '.'))
      ++pos_;
    std::string name(text_.substr(start, pos_ - start));
    *variable = name;
    if (name == "python_version") return env_.python_version;
    if (name == "python_full_version" || name == "implementation_version")
      return env_.python_full_version;
    if (name == "sys_platform") return env_.sys_platform;
    if (name == "platform_system") return env_.platform_system;
    if (name == "platform_machine") return env_.platform_machine;
    if (name == "implementation_name") return env_.implementation_name;
    if (name == "platform_python_implementation") return env_.platform_python_implementation;
    if (name == "os_name" || name == "os.name") return env_.os_name;
    if (name == "platform_release" || name == "platform_version") return "";
    if (name == "extra") return extra_;
    Fail(name.empty() ? "expected a marker variable or a quoted string"
                      : "unknown marker variable '" + name + "'");
    return {};
  }
  std::string ParseOperator() {
    SkipSpace();
    static const char* kOps[] = {"===", "==", "!=", "<=", ">=", "~=", "<", ">"};
    for (const char* op : kOps) {
      std::size_t n = std::char_traits<char>::length(op);
      if (text_.substr(pos_, n) == op) {
        pos_ += n;
        return op;
      }
    }
    if (Keyword("in")) return "in";
    if (Keyword("not")) {
      if (Keyword("in")) return "not in";
    }
    Fail("expected a comparison operator");
    return {};
  }
  bool ParseComparison() {
    std::string left_var, right_var;
    std::string left = ParseOperand(&left_var);
    std::string op = ParseOperator();
    std::string right = ParseOperand(&right_var);
    if (!error_.empty()) return false;
    if (left_var == "extra" || right_var == "extra") {
      left = NormalizeDistName(left);
      right = NormalizeDistName(right);
    }
    if (op == "in") return right.find(left) != std::string::npos;
    if (op == "not in") return right.find(left) == std::string::npos;
    bool version_compare =
        IsVersionVariable(left_var) || IsVersionVariable(right_var) || op == "~=";
    if (version_compare) {
      if (op == "===") return left == right;
      return ClauseAllows(op + right, left);
    }
    if (op == "==" || op == "===") return left == right;
    if (op == "!=") return left != right;
    if (op == "<") return left < right;
    if (op == "<=") return left <= right;
    if (op == ">") return left > right;
    if (op == ">=") return left >= right;
    return false;
  }

  std::string_view text_;
  const MarkerEnv& env_;
  std::string extra_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

MarkerEnv EnvForRuntime(const std::string& runtime, const std::string& architecture,
                        const std::string& fallback_python) {
  MarkerEnv env;
  std::string version = fallback_python.empty() ? env.python_version : fallback_python;
  if (runtime.rfind("python", 0) == 0 && runtime.size() > 6) version = runtime.substr(6);
  env.python_version = version;
  env.python_full_version = version + ".0";
  env.platform_machine = architecture == "arm64" ? "aarch64" : "x86_64";
  return env;
}

int CompareVersions(std::string_view a, std::string_view b) {
  auto ka = VersionKey(ParseVersion(a));
  auto kb = VersionKey(ParseVersion(b));
  return ka < kb ? -1 : (kb < ka ? 1 : 0);
}

bool SpecifierAllows(std::string_view specifiers, std::string_view version) {
  std::string_view rest = Trim(specifiers);
  if (!rest.empty() && rest.front() == '(' && rest.back() == ')')
    rest = rest.substr(1, rest.size() - 2);
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    if (!ClauseAllows(rest.substr(0, comma), version)) return false;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return true;
}

std::optional<bool> EvaluateMarker(std::string_view marker, const MarkerEnv& env,
                                   std::string_view extra, std::string* error) {
  return MarkerParser(marker, env, extra).Run(error);
}

bool ParseRequirement(std::string_view text, Requirement& out, std::string* error,
                      std::size_t* error_column) {
  auto fail = [&](std::size_t column, std::string message) {
    if (error) *error = std::move(message);
    if (error_column) *error_column = column;
    return false;
  };
  std::size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  std::size_t name_start = i;
  while (i < text.size() && IsNameChar(text[i])) ++i;
  if (i == name_start) return fail(i, "expected a distribution name");
  out.raw_name = std::string(text.substr(name_start, i - name_start));
  if (!std::isalnum(static_cast<unsigned char>(out.raw_name.back())))
    return fail(i - 1, "a distribution name must end with a letter or digit");
  out.name = NormalizeDistName(out.raw_name);
  while (i < text.size() && IsSpace(text[i])) ++i;
  if (i < text.size() && text[i] == '[') {
    std::size_t close = text.find(']', i);
    if (close == std::string_view::npos) return fail(i, "unclosed '[' in extras");
    std::string_view list = text.substr(i + 1, close - i - 1);
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view extra = Trim(list.substr(0, comma));
      if (!extra.empty()) out.extras.insert(NormalizeDistName(std::string(extra)));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    i = close + 1;
  }
  while (i < text.size() && IsSpace(text[i])) ++i;
  std::size_t semicolon = std::string_view::npos;
  if (i < text.size() && text[i] == '@') {
    // PEP 508: a URL requirement's marker needs whitespace before the ';'.
    std::size_t url_start = i + 1;
    std::size_t marker_at = text.find(" ;", url_start);
    out.url = std::string(Trim(text.substr(url_start, marker_at - url_start)));
    if (out.url.empty()) return fail(url_start, "expected a URL after '@'");
    if (marker_at != std::string_view::npos) semicolon = marker_at + 1;
  } else {
    semicolon = text.find(';', i);
    std::string_view spec = Trim(text.substr(i, semicolon - i));
    if (!spec.empty() && spec.front() == '(' && spec.back() == ')')
      spec = Trim(spec.substr(1, spec.size() - 2));
    if (!spec.empty() && std::string_view("<>=!~").find(spec.front()) == std::string_view::npos)
      return fail(i, "expected a version specifier, ';' or end of line");
    std::string spaced(spec);
    spaced.erase(std::remove_if(spaced.begin(), spaced.end(), IsSpace), spaced.end());
    out.specifier = spaced;
  }
  if (semicolon != std::string_view::npos) {
    out.marker = std::string(Trim(text.substr(semicolon + 1)));
    std::string marker_error;
    if (!EvaluateMarker(out.marker, MarkerEnv{}, "", &marker_error))
      return fail(semicolon + 1, "invalid marker: " + marker_error);
  }
  return true;
}

}  // namespace sizing
}  // namespace cfnsplit
