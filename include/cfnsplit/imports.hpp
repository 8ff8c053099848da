// Imports: which distributions a Python Lambda function needs, inferred from its handler's imports.
//
// Input: a function's handler module inside a code tree, the import names each installed
// distribution provides (top_level.txt, RECORD paths) and rules/python-stdlib.yaml (standard
// library per Python version, what the Lambda runtime provides). Output: per function, the
// distributions its code imports (each with the import statements that pulled it in), the local
// modules it loads (followed transitively), and what could not be resolved. Invariants: source is
// tokenized, never matched with regular expressions over lines; a file is read and scanned once
// however many functions import it; problems in user code are located warnings, never errors, and
// make the caller fall back to declared requirements; nothing is written.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cfnsplit/diagnostics.hpp"

namespace cfnsplit::imports {

// ---- tokenizer.cpp ---------------------------------------------------------------------------

enum class TokenKind { kName, kNumber, kString, kOp };

struct Token {
  TokenKind kind = TokenKind::kOp;
  std::string_view text;               ///< as written (a string token keeps its prefix and quotes)
  std::uint32_t line = 0, column = 0;  ///< 1-based
  /// For a plain (non-f, non-bytes) string literal: its value with simple escapes decoded.
  std::string value;
  bool plain_string = false;
};

/// One logical line: physical lines joined by brackets or backslashes, comments dropped.
struct LogicalLine {
  std::uint32_t indent = 0;  ///< column of the first token, tabs to multiples of 8
  std::vector<Token> tokens;
};

struct Tokenized {
  std::vector<LogicalLine> lines;
  bool ok = true;
  std::string error;  ///< e.g. "unterminated triple-quoted string"
  std::uint32_t error_line = 0, error_column = 0;
};

/// Tokenizes the subset of Python that import discovery needs: names, numbers, strings (every
/// prefix, triple quotes, f-strings with nested quotes as in PEP 701), comments, backslash
/// continuations and brackets. `text` must outlive the result (tokens view into it).
Tokenized Tokenize(std::string_view text);

// ---- scan.cpp --------------------------------------------------------------------------------

enum class ImportKind {
  kStatic,    ///< an import statement executed on import or when a function runs
  kOptional,  ///< inside `try:` whose `except` catches ImportError/ModuleNotFoundError
  kTypeOnly,  ///< under `if TYPE_CHECKING:`: never executed at run time, not shipped
  kDynamic,   ///< __import__("x") / importlib.import_module("x") with a literal name
};
const char* ImportKindName(ImportKind kind);

struct ImportStatement {
  std::string module;              ///< dotted, without the leading dots of a relative import
  std::uint32_t level = 0;         ///< leading dots (0 = absolute)
  std::vector<std::string> names;  ///< `from M import a, b` names ("*" kept); empty for `import M`
  ImportKind kind = ImportKind::kStatic;
  bool in_function = false;  ///< inside a def (runs only when called; shipped all the same)
  std::uint32_t line = 0, column = 0;
};

/// A dynamic import whose module name is not a literal (cannot be resolved statically).
struct DynamicImport {
  std::string expression;  ///< the call as written, shortened
  std::uint32_t line = 0, column = 0;
};

struct ScanResult {
  std::vector<ImportStatement> imports;
  std::vector<DynamicImport> unresolved_dynamic;
  bool ok = true;        ///< false: a syntax error or Python 2 source (see `error`)
  bool python2 = false;  ///< Python 2 only syntax (print/exec statements, `except E, e`, `<>`)
  std::string error;
  std::uint32_t error_line = 0, error_column = 0;
};

/// Every import of one module's source.
ScanResult ScanImports(std::string_view text);

// ---- resolve.cpp -----------------------------------------------------------------------------

/// rules/python-stdlib.yaml: standard-library module names per Python version and the
/// distributions the Lambda Python runtime provides.
struct ImportRules {
  std::map<std::string, std::set<std::string>> stdlib;  ///< "3.11" → top-level module names
  /// Lambda runtime ("python3.12") → import name → distribution the runtime provides.
  std::map<std::string, std::map<std::string, std::string>> runtime_modules;
  std::string default_python = "3.12";
  bool IsStdlib(const std::string& python_version, const std::string& top) const;
  /// The runtime's distribution for an import name, or "".
  std::string RuntimeDistribution(const std::string& runtime, const std::string& top) const;
};

/// Loads the embedded rules/python-stdlib.yaml, or `rules_dir`/python-stdlib.yaml when given.
/// Malformed entries are E6240 errors.
ImportRules LoadImportRules(SourceManager& sources, DiagnosticSink& sink,
                            const std::string& rules_dir = "");

/// Import names → the distributions that provide them (from top_level.txt and RECORD paths).
class ModuleProviders {
 public:
  /// Registers a distribution (normalized name) with its top_level.txt names and its installed
  /// file paths relative to site-packages (RECORD rows; may be empty).
  void Add(const std::string& dist, const std::vector<std::string>& top_level,
           const std::vector<std::string>& paths);
  /// Distributions providing a dotted module: the deepest registered package prefix wins, so a
  /// namespace package (`google`) narrows to the one providing `google.protobuf`. Sorted.
  std::vector<std::string> Providers(const std::string& dotted) const;
  bool empty() const { return by_prefix_.empty(); }

 private:
  std::map<std::string, std::set<std::string>> by_prefix_;  ///< "google/protobuf" → dists
};

/// Where one function's code is.
struct HandlerRef {
  std::string function_id;
  std::string code_root;     ///< the folder Lambda puts on sys.path (/var/task)
  std::string handler_path;  ///< module file relative to code_root ("functions/x/handler.py")
  std::string python_version = "3.12";
  std::string runtime;  ///< "python3.12"; "" when not a Python runtime
};

/// One import statement as a reason.
struct ImportOrigin {
  std::string file;  ///< path of the file that holds it
  std::uint32_t line = 0, column = 0;
  std::string module;  ///< absolute dotted name it resolved to (or as written when unresolved)
  ImportKind kind = ImportKind::kStatic;
};

struct FunctionImports {
  std::string function_id;
  bool ok = false;              ///< handler found and every local module scanned
  std::string fallback_reason;  ///< why not ok (the caller falls back to declared requirements)
  std::vector<std::string> local_files;  ///< local modules loaded, paths, sorted
  /// Distribution → the imports that need it (shipped: static, optional and dynamic imports).
  std::map<std::string, std::vector<ImportOrigin>> dists;
  /// Runtime-provided distribution → imports (shipped only when installed; then in `dists`).
  std::map<std::string, std::vector<ImportOrigin>> runtime;
  std::set<std::string> stdlib;                  ///< standard-library top-level modules imported
  std::vector<ImportOrigin> unresolved;          ///< no local module or distribution provides it
  std::vector<ImportOrigin> optional_missing;    ///< optional imports nothing provides (fine)
  std::vector<ImportOrigin> type_only;           ///< not shipped
  std::vector<ImportOrigin> dynamic_unresolved;  ///< non-literal dynamic imports
};

/// Infers functions' imports over one code tree. Scanned files are cached across functions, and
/// each located warning (syntax error, unresolved or dynamic import) is reported once per file.
class ImportResolver {
 public:
  ImportResolver(const ImportRules& rules, const ModuleProviders& providers, SourceManager& sources,
                 DiagnosticSink& sink);
  ~ImportResolver();
  ImportResolver(const ImportResolver&) = delete;
  ImportResolver& operator=(const ImportResolver&) = delete;
  FunctionImports Infer(const HandlerRef& handler);

  struct State;  ///< implementation detail (resolve.cpp)

 private:
  std::unique_ptr<State> state_;
};

/// `functions/x/handler.main` → `functions/x/handler.py`; "" when not a Python handler path.
std::string HandlerModulePath(const std::string& handler);

}  // namespace cfnsplit::imports
