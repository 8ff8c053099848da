// An independent validator over emitted templates: cfn-lint from npm (the `cfn-lint` package).
// Differential: every error it reports on a split template must already be reported, for the
// same resource and property, on the unsplit input. Errors that only come from the linter not
// knowing the value a parent passes to a child parameter (it substitutes `string_input_…`) or an
// export another stack makes (`IMPORTEDVALUE…`) are ignored. Skips, with a warning, where node or
// the linter is not installed (scripts/test.sh installs it into build/npm when
// CFNSPLIT_FULL_DEPS=1, as CI does).
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {

std::string FindLinter() {
  if (const char* env = std::getenv("CFNSPLIT_CFN_LINT"); env && *env) return env;
  for (fs::path p : {fs::path(CFNSPLIT_SOURCE_DIR) / "build/npm/node_modules/.bin/cfn-lint",
                     fs::path(std::getenv("HOME") ? std::getenv("HOME") : "/root") /
                         ".cache/cfnsplit-npm/node_modules/.bin/cfn-lint"})
    if (fs::exists(p)) return p.string();
  return "";
}

std::string Run(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  return out;
}

std::string StripAnsi(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

struct Finding {
  std::string where;  // "Resources > X > Properties > Y"
  std::string message;
};

std::vector<Finding> Lint(const std::string& linter, const std::string& file) {
  std::string text = StripAnsi(Run(linter + " validate '" + file + "'"));
  std::vector<Finding> out;
  std::string where;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    if (line.rfind("Resource: ", 0) == 0) where = line.substr(10);
    if (line.rfind("Message: ", 0) == 0) out.push_back({where, line.substr(9)});
  }
  return out;
}

bool FromUnknownParameter(const std::string& message) {
  return message.find("string_input_") != std::string::npos ||
         message.find("specifying input parameters") != std::string::npos ||
         message.find("INVALID_MAPPING") != std::string::npos ||
         message.find("IMPORTEDVALUE") != std::string::npos;  // an import it cannot resolve
}

void CheckSplit(const std::string& linter, const std::string& input, const std::string& args,
                const std::string& outdir) {
  std::set<std::string> before;
  for (const auto& f : Lint(linter, input)) before.insert(f.where);
  std::string split = std::string(CFNSPLIT_BINARY) + " split '" + input + "' --format json -o '" +
                      outdir + "' --force " + args;
  INFO(Run(split));
  REQUIRE(fs::exists(fs::path(outdir) / "stacks.json"));
  std::size_t templates = 0;
  for (const auto& entry : fs::recursive_directory_iterator(outdir)) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "stacks.json") continue;
    ++templates;
    for (const auto& f : Lint(linter, entry.path().string())) {
      if (FromUnknownParameter(f.message)) continue;
      INFO(entry.path().string() << ": " << f.where << ": " << f.message);
      CHECK(before.count(f.where) == 1);
    }
  }
  CHECK(templates >= 3);
}

}  // namespace

TEST_CASE("cfn-lint finds no new error in split templates", "[golden]") {
  std::string linter = FindLinter();
  if (linter.empty() || std::system("command -v node >/dev/null 2>&1") != 0 ||
      std::system("command -v python3 >/dev/null 2>&1") != 0) {
    WARN("cfn-lint (npm), node or python3 not found: differential lint skipped");
    SUCCEED();
    return;
  }
  std::string src = CFNSPLIT_SOURCE_DIR;
  char dir_template[] = "/tmp/cfnsplit-lint-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  // npm's cfn-lint cannot read every YAML short form: lint the long-form JSON of the sample.
  std::string handwritten = dir + "/handwritten.json";
  REQUIRE(std::system(("python3 " + src + "/samples/tools/cfn_yaml_to_json.py " + src +
                       "/samples/handwritten/template.yaml " + handwritten)
                          .c_str()) == 0);
  CheckSplit(linter, handwritten, "--strategy auto", dir + "/handwritten-nested");
  CheckSplit(linter, handwritten, "--strategy auto --mode exports", dir + "/handwritten-exports");
  CheckSplit(linter, src + "/samples/ml-service/template.json",
             "--manifest " + src + "/samples/ml-service/cfnsplit.yaml", dir + "/ml-nested");
  std::system(("rm -rf " + dir).c_str());
}
