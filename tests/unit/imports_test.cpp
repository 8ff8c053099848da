// Import inference: the tokenizer on tricky Python, every import form the scanner knows, the
// resolver over a code tree (local modules followed, namespace packages, stdlib per version,
// runtime-provided modules) and inference inside sizing (manifest wins, fallbacks, unused
// requirements).
#include "cfnsplit/imports.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <sstream>

#include "cfnsplit/sizing.hpp"
#include "unit/sizing_test_fixtures.hpp"

using namespace cfnsplit;
using namespace cfnsplit::imports;
using sizing_test::TempDir;
using sizing_test::WriteFile;

namespace {

std::set<std::string> Modules(const ScanResult& r, ImportKind kind) {
  std::set<std::string> out;
  for (const auto& i : r.imports)
    if (i.kind == kind) out.insert(std::string(i.level, '.') + i.module);
  return out;
}

std::set<std::string> All(const ScanResult& r) {
  std::set<std::string> out;
  for (const auto& i : r.imports) out.insert(std::string(i.level, '.') + i.module);
  return out;
}

const ImportStatement* Find(const ScanResult& r, const std::string& module) {
  for (const auto& i : r.imports)
    if (i.module == module) return &i;
  return nullptr;
}

}  // namespace

TEST_CASE("tokenizer: strings and comments that contain 'import' import nothing",
          "[unit][imports]") {
  const char* source = R"PY(
s = "import os"
t = 'from x import y'
doc = """
import not_a_module
from nowhere import nothing
"""
raw = r'\'import raw\''
b = rb"import bytes"
# import commented_out
u = '''it's "import" ''' + "ok"
import real  # import also_not
)PY";
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(All(r) == std::set<std::string>{"real"});
  CHECK(Find(r, "real")->line == 12);
}

TEST_CASE("tokenizer: f-strings with nested quotes and braces", "[unit][imports]") {
  const char* source = R"PY(
name = f"{'import x'} {x["k"]!r:>{width}} {{import y}}"
multi = f"""
{ ", ".join(f'{v}' for v in vals) }
import inside_fstring
"""
import after
)PY";
  Tokenized t = Tokenize(source);
  REQUIRE(t.ok);
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(All(r) == std::set<std::string>{"after"});
  CHECK(Find(r, "after")->line == 7);
}

TEST_CASE("tokenizer: continuations and brackets make one logical line", "[unit][imports]") {
  const char* source =
      "import a, \\\n    b\n"
      "from c import (d,\n    e,  # a comment\n    f)\n"
      "x = foo(1,\n  [2,\n   {3: (4)}])\n"
      "import g\n";
  Tokenized t = Tokenize(source);
  REQUIRE(t.ok);
  REQUIRE(t.lines.size() == 4);
  CHECK(t.lines[2].tokens.size() == 18);
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(All(r) == std::set<std::string>{"a", "b", "c", "g"});
  CHECK(Find(r, "c")->names == std::vector<std::string>{"d", "e", "f"});
  CHECK(Find(r, "g")->line == 9);
}

TEST_CASE("tokenizer: errors are located", "[unit][imports]") {
  SECTION("unterminated string") {
    ScanResult r = ScanImports("import a\nx = 'oops\nimport b\n");
    CHECK_FALSE(r.ok);
    CHECK(r.error_line == 2);
    CHECK(r.error_column == 5);
  }
  SECTION("unterminated triple-quoted string") {
    ScanResult r = ScanImports("x = \"\"\"\nimport a\n");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("triple-quoted") != std::string::npos);
  }
  SECTION("unclosed bracket") {
    ScanResult r = ScanImports("x = foo(1,\nimport a\n");
    CHECK_FALSE(r.ok);
    CHECK(r.error_line == 1);
    CHECK(r.error_column == 8);
  }
  SECTION("Python 2") {
    ScanResult r = ScanImports("import os\nprint \"hello\"\n");
    CHECK_FALSE(r.ok);
    CHECK(r.python2);
    CHECK(r.error_line == 2);
    CHECK(ScanImports("x = `y`\n").python2);
    CHECK(ScanImports("if a <> b: pass\n").python2);
    CHECK(ScanImports("print(\"py3\")\nprint\n").ok);
  }
}

TEST_CASE("scan: every import form", "[unit][imports]") {
  const char* source = R"PY(
from __future__ import annotations
import os.path as osp, json
from . import sibling
from .pkg.mod import (a as b, c)
from .. import up
from ...deep import thing
from x.y import *
import a; import b2
def handler(event, context):
    import inner_lib
    async def nested():
        from lazy import thing
    return inner_lib.run(event)
class K:
    import in_class
)PY";
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(All(r) == std::set<std::string>{"os.path", "json", ".", ".pkg.mod", "..", "...deep", "x.y",
                                        "a", "b2", "inner_lib", "lazy", "in_class"});
  CHECK(Find(r, "pkg.mod")->names == std::vector<std::string>{"a", "c"});
  CHECK(Find(r, "pkg.mod")->level == 1);
  CHECK(Find(r, "x.y")->names == std::vector<std::string>{"*"});
  CHECK(Find(r, "inner_lib")->in_function);
  CHECK(Find(r, "lazy")->in_function);
  CHECK_FALSE(Find(r, "in_class")->in_function);
  CHECK_FALSE(Find(r, "json")->in_function);
  CHECK(Modules(r, ImportKind::kStatic).size() == 12);
}

TEST_CASE("scan: try/except ImportError makes both branches optional", "[unit][imports]") {
  const char* source = R"PY(
try:
    import ujson as json
except ImportError:
    import json
try:
    import yaml
except (ValueError, ModuleNotFoundError) as e:
    yaml = None
try:
    import needed
except Exception:
    raise
try: import oneline
except ImportError: oneline = None
try:
    if x:
        import nested_in_try
finally:
    pass
import after
)PY";
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(Modules(r, ImportKind::kOptional) ==
        std::set<std::string>{"ujson", "json", "yaml", "oneline"});
  CHECK(Modules(r, ImportKind::kStatic) ==
        std::set<std::string>{"needed", "nested_in_try", "after"});
}

TEST_CASE("scan: if TYPE_CHECKING blocks are type-only, their else is not", "[unit][imports]") {
  const char* source = R"PY(
from typing import TYPE_CHECKING
import typing as t
if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    import pandas as pd
else:
    S3Client = object
    import runtime_only
if t.TYPE_CHECKING: import stubs_only
if not TYPE_CHECKING:
    import shipped
import numpy
)PY";
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(Modules(r, ImportKind::kTypeOnly) ==
        std::set<std::string>{"mypy_boto3_s3", "pandas", "stubs_only"});
  CHECK(Modules(r, ImportKind::kStatic) ==
        std::set<std::string>{"typing", "runtime_only", "shipped", "numpy"});
}

TEST_CASE("scan: dynamic imports with literal names resolve, others are reported",
          "[unit][imports]") {
  const char* source = R"PY(
import importlib
from importlib import import_module
mod = __import__("yaml")
m2 = importlib.import_module('pkg.plugins.csv')
m3 = import_module(".local_plugin", __package__)
m4 = importlib.import_module(f"plugins.{name}")
m5 = __import__(name)
def import_module(x): pass
)PY";
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(Modules(r, ImportKind::kDynamic) ==
        std::set<std::string>{"yaml", "pkg.plugins.csv", ".local_plugin"});
  REQUIRE(r.unresolved_dynamic.size() == 2);
  CHECK(r.unresolved_dynamic[0].line == 7);
  CHECK(r.unresolved_dynamic[0].expression.find("import_module(f\"plugins.{name}\")") !=
        std::string::npos);
  CHECK(r.unresolved_dynamic[1].expression == "__import__(name)");
}

TEST_CASE("scan: soft keywords, lambdas and annotations do not confuse blocks", "[unit][imports]") {
  const char* source = R"PY(
match = {"a": 1}
f = lambda x: x
if (lambda y: y)(1): import in_if
x: int = 5
match command:
    case "go":
        import in_case
def g(a: int = 1) -> dict: return {}
import top
)PY";
  ScanResult r = ScanImports(source);
  REQUIRE(r.ok);
  CHECK(Modules(r, ImportKind::kStatic) == std::set<std::string>{"in_if", "in_case", "top"});
  CHECK_FALSE(Find(r, "top")->in_function);
}

TEST_CASE("handler module paths", "[unit][imports]") {
  CHECK(HandlerModulePath("functions/x/handler.main") == "functions/x/handler.py");
  CHECK(HandlerModulePath("app.lambda_handler") == "app.py");
  CHECK(HandlerModulePath("pkg.mod.handler") == "pkg/mod.py");
  CHECK(HandlerModulePath("index") == "");
  CHECK(HandlerModulePath("../escape.x") == "");
}

namespace {

struct Tree {
  TempDir dir;
  SourceManager sources;
  DiagnosticSink sink;
  ImportRules rules;
  ModuleProviders providers;
  Tree() {
    rules = LoadImportRules(sources, sink);
    providers.Add("requests", {"requests"}, {"requests/api.py"});
    providers.Add("google-auth", {"google"}, {"google/auth", "google/oauth2"});
    providers.Add("protobuf", {"google"}, {"google/protobuf"});
    providers.Add("six", {}, {"six.py"});  // no top_level.txt: RECORD paths only
    providers.Add("boto3", {"boto3"}, {"boto3/session.py"});
    providers.Add("pyyaml", {"yaml", "_yaml"}, {"yaml/__init__.py"});
  }
  FunctionImports Infer(const std::string& handler, const std::string& python = "3.12",
                        ImportResolver* shared = nullptr) {
    HandlerRef ref{"Fn", dir.path(), handler, python, "python" + python};
    if (shared) return shared->Infer(ref);
    ImportResolver resolver(rules, providers, sources, sink);
    return resolver.Infer(ref);
  }
  std::size_t Count(const std::string& code) const {
    return static_cast<std::size_t>(
        std::count_if(sink.diagnostics().begin(), sink.diagnostics().end(),
                      [&](const Diagnostic& d) { return d.code == code; }));
  }
};

std::set<std::string> Keys(const std::map<std::string, std::vector<ImportOrigin>>& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

}  // namespace

TEST_CASE("resolve: local modules are followed transitively, relative imports included",
          "[unit][imports]") {
  Tree t;
  WriteFile(t.dir / "functions/api/handler.py",
            "import json\nfrom . import helpers\nfrom ..shared import db\n"
            "from common.util import fmt\nimport requests\nfrom google import auth\n");
  WriteFile(t.dir / "functions/api/helpers.py", "import six\n");
  WriteFile(t.dir / "functions/__init__.py", "");
  WriteFile(t.dir / "functions/shared/db.py", "from google.protobuf import message\n");
  WriteFile(t.dir / "common/__init__.py", "import yaml\n");
  WriteFile(t.dir / "common/util.py", "from .fmt_impl import fmt\n");
  WriteFile(t.dir / "common/fmt_impl.py", "import tomllib\n");
  WriteFile(t.dir / "common/unused.py", "import not_shipped\n");
  FunctionImports fi = t.Infer("functions/api/handler.py");
  REQUIRE(fi.ok);
  // `from google import auth` narrows the namespace package to google-auth.
  CHECK(Keys(fi.dists) ==
        std::set<std::string>{"google-auth", "protobuf", "pyyaml", "requests", "six"});
  CHECK(fi.stdlib == std::set<std::string>{"json", "tomllib"});
  CHECK(fi.local_files.size() == 7);  // not common/unused.py
  CHECK(fi.unresolved.empty());
  CHECK(fi.dists.at("six").front().file == t.dir / "functions/api/helpers.py");
}

TEST_CASE("resolve: stdlib per Python version, runtime-provided and unresolved modules",
          "[unit][imports]") {
  Tree t;
  WriteFile(t.dir / "app.py",
            "import tomllib\nimport botocore\nimport boto3\nimport nope\n"
            "try:\n  import maybe\nexcept ImportError:\n  maybe = None\n"
            "import google\nimport distutils\n");
  FunctionImports fi = t.Infer("app.py", "3.10");
  REQUIRE(fi.ok);
  // tomllib is 3.11+, distutils was removed in 3.12.
  CHECK(fi.stdlib == std::set<std::string>{"distutils"});
  // An installed boto3 ships; botocore is not installed and the runtime provides it.
  CHECK(Keys(fi.dists) == std::set<std::string>{"boto3", "google-auth", "protobuf"});
  CHECK(Keys(fi.runtime) == std::set<std::string>{"botocore"});
  REQUIRE(fi.unresolved.size() == 2);
  CHECK(fi.unresolved[0].module == "tomllib");
  CHECK(fi.unresolved[1].module == "nope");
  REQUIRE(fi.optional_missing.size() == 1);
  CHECK(t.Count("W6203") == 2);
  FunctionImports later = t.Infer("app.py", "3.13");
  CHECK(later.stdlib == std::set<std::string>{"tomllib"});
}

TEST_CASE("resolve: shared files are scanned once and warn once; broken code falls back",
          "[unit][imports]") {
  Tree t;
  WriteFile(t.dir / "lib/common.py", "import nope\nx = __import__(name)\n");
  WriteFile(t.dir / "a.py", "import lib.common\n");
  WriteFile(t.dir / "b.py", "from lib import common\n");
  WriteFile(t.dir / "py2.py", "import lib.common\nprint 'hello'\n");
  WriteFile(t.dir / "rel.py", "from . import x\n");
  WriteFile(t.dir / "fns/a/handler.py", "import helpers\n");
  WriteFile(t.dir / "fns/a/helpers.py", "");
  ImportResolver shared(t.rules, t.providers, t.sources, t.sink);
  FunctionImports a = t.Infer("a.py", "3.12", &shared);
  FunctionImports b = t.Infer("b.py", "3.12", &shared);
  CHECK(a.ok);
  CHECK(b.ok);
  CHECK(a.unresolved.size() == 1);
  CHECK(b.dynamic_unresolved.size() == 1);
  CHECK(t.Count("W6203") == 1);
  CHECK(t.Count("W6204") == 1);
  FunctionImports p = t.Infer("py2.py", "3.12", &shared);
  CHECK_FALSE(p.ok);
  CHECK(p.fallback_reason.find("Python 2") != std::string::npos);
  REQUIRE(t.Count("W6202") == 1);
  FunctionImports r = t.Infer("rel.py", "3.12", &shared);
  CHECK(t.Count("W6206") == 1);
  FunctionImports sibling = t.Infer("fns/a/handler.py", "3.12", &shared);
  REQUIRE(sibling.unresolved.size() == 1);
  CHECK(t.sink.diagnostics().back().message.find("sits next to") != std::string::npos);
  FunctionImports missing = t.Infer("missing.py", "3.12", &shared);
  CHECK_FALSE(missing.ok);
  CHECK(missing.fallback_reason.find("not found") != std::string::npos);
}

TEST_CASE("providers: RECORD paths name modules when top_level.txt is missing", "[unit][imports]") {
  ModuleProviders p;
  p.Add("cffi", {},
        {"_cffi_backend.cpython-311-x86_64-linux-gnu.so", "cffi/api.py",
         "cffi-1.17.1.dist-info/RECORD", "cffi.libs/libffi.so"});
  CHECK(p.Providers("_cffi_backend") == std::vector<std::string>{"cffi"});
  CHECK(p.Providers("cffi.api") == std::vector<std::string>{"cffi"});
  CHECK(p.Providers("cffi-1") == std::vector<std::string>{});
  p.Add("google-cloud-storage", {"google"}, {"google/cloud/storage"});
  p.Add("google-cloud-core", {"google"}, {"google/cloud/client.py"});
  // A namespace package two levels deep maps to several distributions.
  CHECK(p.Providers("google.cloud.storage") ==
        std::vector<std::string>{"google-cloud-core", "google-cloud-storage"});
}

namespace {

void AddInstalled(const std::string& site, const std::string& name, const std::string& version,
                  const std::vector<std::pair<std::string, std::uint64_t>>& files,
                  const std::vector<std::string>& requires_dist) {
  std::string info = name + "-" + version + ".dist-info";
  std::string record;
  for (const auto& [path, size] : files) {
    WriteFile(site + "/" + path, "x");
    record += path + ",sha256=abc," + std::to_string(size) + "\n";
  }
  std::string metadata = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n";
  for (const auto& r : requires_dist) metadata += "Requires-Dist: " + r + "\n";
  WriteFile(site + "/" + info + "/METADATA", metadata);
  record += info + "/METADATA,,0\n" + info + "/RECORD,,0\n";
  WriteFile(site + "/" + info + "/RECORD", record);  // no top_level.txt: RECORD paths name them
}

struct Service {
  TempDir dir;
  SourceManager sources;
  DiagnosticSink sink;
  std::vector<FunctionInfo> functions;
  SizingOptions options;
  Service() {
    const std::string site = dir / "site";
    AddInstalled(site, "pandas", "2.2.2", {{"pandas/__init__.py", 70'000'000}}, {"numpy>=1.26"});
    AddInstalled(site, "numpy", "1.26.4", {{"numpy/__init__.py", 50'000'000}}, {});
    AddInstalled(site, "six", "1.16.0", {{"six.py", 30'000}}, {});
    AddInstalled(site, "requests", "2.31.0", {{"requests/__init__.py", 500'000}}, {"urllib3"});
    AddInstalled(site, "urllib3", "2.2.3", {{"urllib3/__init__.py", 900'000}}, {});
    WriteFile(dir / "requirements.txt", "pandas[performance]==2.2.2\nsix\nrequests\n");
    WriteFile(dir / "api/app.py", "import json\nimport pandas as pd\n");
    WriteFile(dir / "worker/main.py", "import six\nimport boto3\n");
    WriteFile(dir / "legacy/old.py", "import pandas\nprint 'still Python 2'\n");
    functions = {Fn("Api", "api", "app.handler"), Fn("Worker", "worker", "main.run"),
                 Fn("Legacy", "legacy", "old.handler")};
    options.site_packages = dir / "site";
    options.requirements = {dir / "requirements.txt"};
    options.template_dir = dir.path();
    options.infer_imports = "auto";
  }
  static FunctionInfo Fn(const std::string& id, const std::string& code_uri,
                         const std::string& handler) {
    FunctionInfo f;
    f.resource_id = id;
    f.runtime = "python3.12";
    f.code_uri = code_uri;
    f.handler = handler;
    return f;
  }
  PackageModel Build() {
    auto model = BuildPackageModel(functions, options, sources, sink);
    REQUIRE(model);
    return *model;
  }
  std::set<std::string> Dists(const PackageModel& m, const std::string& id) {
    std::set<std::string> out;
    for (auto d : m.Find(id)->dists) out.insert(m.dists[d].name);
    return out;
  }
  bool Has(const std::string& code) const {
    return std::any_of(sink.diagnostics().begin(), sink.diagnostics().end(),
                       [&](const Diagnostic& d) { return d.code == code; });
  }
};

}  // namespace

TEST_CASE("sizing: inferred requirements, fallbacks and requirements no function imports",
          "[unit][imports]") {
  Service s;
  PackageModel m = s.Build();
  CHECK(m.Find("Api")->requirements_from == "imports");
  CHECK(s.Dists(m, "Api") == std::set<std::string>{"numpy", "pandas"});
  CHECK(m.Find("Worker")->requirements_from == "imports");
  CHECK(s.Dists(m, "Worker") == std::set<std::string>{"six"});  // boto3: the runtime's
  CHECK(m.imports.at("Worker").runtime.count("boto3") == 1);
  // Python 2 code: a located warning, then the service-wide requirements.
  CHECK(m.Find("Legacy")->requirements_from == "service");
  CHECK(s.Has("W6202"));
  CHECK(s.Dists(m, "Legacy").count("requests") == 1);
  // requests is needed by Legacy's fallback, so nothing is unused yet.
  CHECK(m.unused_requirements.empty());

  s.functions.pop_back();
  PackageModel m2 = s.Build();
  REQUIRE(m2.unused_requirements.size() == 1);
  const UnusedRequirement& u = m2.unused_requirements[0];
  CHECK(u.name == "requests");
  CHECK(u.bytes_saved == 500'000 + 900'000);
  CHECK(u.also_removed == std::vector<std::string>{"urllib3"});
  CHECK(s.Has("I6205"));
  CHECK(m2.DistIndex("requests") < 0);  // no function ships it any more

  std::ostringstream explain;
  REQUIRE(ExplainImports(m2, "Api", explain));
  CHECK(explain.str().find("import pandas (") != std::string::npos);
  CHECK(explain.str().find("required by pandas") != std::string::npos);
  CHECK(explain.str().find("70,000,000") != std::string::npos);
  std::ostringstream summary;
  PrintImportsSummary(m2, summary);
  CHECK(summary.str().find("Imports inferred for 2 function(s)") != std::string::npos);
  CHECK(summary.str().find("requests") != std::string::npos);
  nlohmann::json j = ImportsJson(m2);
  CHECK(j["functions"]["Api"]["distributions"]["pandas"][0]["line"] == 2);
  CHECK(j["unused_requirements"][0]["bytes_saved"] == 1'400'000);
}

TEST_CASE("sizing: a manifest entry wins; off and auto without an installed tree do not infer",
          "[unit][imports]") {
  Service s;
  WriteFile(s.dir / "deps.yaml", "version: 1\nfunctions:\n  Api:\n    packages: [six]\n");
  s.options.manifest = s.dir / "deps.yaml";
  PackageModel m = s.Build();
  CHECK(m.Find("Api")->requirements_from == "manifest");
  CHECK(s.Dists(m, "Api") == std::set<std::string>{"six"});
  CHECK(m.Find("Worker")->requirements_from == "imports");

  s.options.infer_imports = "off";
  PackageModel off = s.Build();
  CHECK(off.Find("Worker")->requirements_from == "service");
  CHECK(off.imports.empty());

  s.options.infer_imports = "auto";
  s.options.site_packages.clear();
  PackageModel no_tree = s.Build();
  CHECK(no_tree.Find("Worker")->requirements_from == "service");

  s.options.infer_imports = "on";
  s.functions.push_back(Service::Fn("Lost", "nowhere", "x.handler"));
  PackageModel on = s.Build();
  CHECK(on.Find("Worker")->requirements_from == "imports");
  CHECK(on.Find("Lost")->requirements_from == "service");
  CHECK(s.Has("W6201"));
}

TEST_CASE("scan: random fragments never crash or hang, and errors are located", "[unit][imports]") {
  // Seeded: the same 20,000 inputs every run (ASan/UBSan runs of 300,000 found nothing).
  const std::vector<std::string> pieces = {"import",
                                           "from",
                                           "as",
                                           ".",
                                           ",",
                                           "(",
                                           ")",
                                           "[",
                                           "]",
                                           "{",
                                           "}",
                                           ":",
                                           ";",
                                           "\\\n",
                                           "\n",
                                           " ",
                                           "\t",
                                           "#",
                                           "'",
                                           "\"",
                                           "f",
                                           "r",
                                           "b",
                                           "\"\"\"",
                                           "'''",
                                           "x",
                                           "try",
                                           "except",
                                           "ImportError",
                                           "if",
                                           "TYPE_CHECKING",
                                           "else",
                                           "def",
                                           "__import__",
                                           "import_module",
                                           "print",
                                           "<>",
                                           "`",
                                           "0",
                                           "1e+",
                                           "..."};
  std::mt19937 rng(16);
  std::size_t located = 0, failed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int k = static_cast<int>(rng() % 40); k > 0; --k)
      text += rng() % 12 == 0 ? std::string(1, static_cast<char>(rng() % 256))
                              : pieces[rng() % pieces.size()];
    ScanResult r = ScanImports(text);
    if (r.ok) continue;
    ++failed;
    if (r.error_line >= 1 && r.error_column >= 1 && !r.error.empty()) ++located;
  }
  CHECK(failed > 0);
  CHECK(located == failed);
}
