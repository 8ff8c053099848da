// Import statements of one module: `import a.b as c`, `from ..x import (y, z)`, imports inside
// functions, `try:` blocks whose `except` catches ImportError (optional), `if TYPE_CHECKING:`
// blocks (type-only) and __import__/importlib.import_module calls. Blocks are tracked by
// comparing the indentation of logical lines, the way Python's INDENT/DEDENT tokens would.
#include <algorithm>

#include "cfnsplit/imports.hpp"

namespace cfnsplit::imports {

const char* ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kStatic:
      return "import";
    case ImportKind::kOptional:
      return "optional";
    case ImportKind::kTypeOnly:
      return "type-only";
    case ImportKind::kDynamic:
      return "dynamic";
  }
  return "?";
}

namespace {

using Tokens = std::vector<Token>;

bool Is(const Token& t, std::string_view text) { return t.text == text; }
bool IsName(const Token& t) { return t.kind == TokenKind::kName; }

enum class BlockKind { kTry, kExceptImport, kTypeChecking, kFunction, kOther };

struct Block {
  std::uint32_t indent = 0;
  BlockKind kind = BlockKind::kOther;
  std::vector<std::size_t> imports;  ///< kTry: indexes of the imports inside it
};

/// A simple statement: a token range of a logical line.
struct Span {
  const Token* begin;
  const Token* end;
  std::size_t size() const { return static_cast<std::size_t>(end - begin); }
  const Token& operator[](std::size_t i) const { return begin[i]; }
};

class Scanner {
 public:
  ScanResult Run(std::string_view text) {
    Tokenized tokenized = Tokenize(text);
    if (!tokenized.ok) {
      bool py2 = tokenized.error.find("Python 2") != std::string::npos;
      return Failed(tokenized.error, tokenized.error_line, tokenized.error_column, py2);
    }
    for (const LogicalLine& line : tokenized.lines) {
      Line(line);
      if (!result_.ok) break;
    }
    return std::move(result_);
  }

 private:
  ScanResult Failed(std::string message, std::uint32_t line, std::uint32_t column, bool py2) {
    result_.ok = false;
    result_.python2 = py2;
    result_.error = std::move(message);
    result_.error_line = line;
    result_.error_column = column;
    return std::move(result_);
  }

  void Fail(const Token& at, std::string message, bool py2 = false) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.python2 = py2;
    result_.error = std::move(message);
    result_.error_line = at.line;
    result_.error_column = at.column;
  }

  void Line(const LogicalLine& line) {
    // Leaving blocks: a `try` that ends is remembered until its except clauses are seen.
    while (!blocks_.empty() && blocks_.back().indent >= line.indent) {
      if (blocks_.back().kind == BlockKind::kTry) ended_try_ = std::move(blocks_.back().imports);
      blocks_.pop_back();
    }
    const Token* begin = line.tokens.data();
    const Token* end = begin + line.tokens.size();
    bool clause = Is(*begin, "except") || Is(*begin, "else") || Is(*begin, "finally");
    if (!clause) ended_try_.clear();
    for (const Token* t = begin; t != end; ++t)
      if (Is(*t, "<>")) return Fail(*t, "'<>' is Python 2 syntax", true);
    Statements(Span{begin, end}, line.indent);
  }

  // Splits on `;` and on the colon of a compound header with its body on the same line.
  void Statements(Span span, std::uint32_t indent) {
    if (span.size() == 0) return;
    if (std::size_t colon = HeaderColon(span); colon != 0) {
      Header(Span{span.begin, span.begin + colon}, indent);
      Statements(Span{span.begin + colon + 1, span.end}, indent + 1);
      return;
    }
    int depth = 0;
    const Token* start = span.begin;
    for (const Token* t = span.begin; t != span.end; ++t) {
      if (t->kind == TokenKind::kOp && (Is(*t, "(") || Is(*t, "[") || Is(*t, "{"))) ++depth;
      if (t->kind == TokenKind::kOp && (Is(*t, ")") || Is(*t, "]") || Is(*t, "}"))) --depth;
      if (depth == 0 && Is(*t, ";")) {
        Simple(Span{start, t});
        start = t + 1;
      }
    }
    Simple(Span{start, span.end});
  }

  // Offset of the colon ending a compound statement's header, or 0 when not a compound one.
  static std::size_t HeaderColon(Span s) {
    static const std::vector<std::string_view> kCompound = {
        "if",    "elif", "else", "try",   "except", "finally", "for",
        "while", "with", "def",  "class", "async",  "match",   "case"};
    if (!IsName(s[0]) ||
        std::find(kCompound.begin(), kCompound.end(), s[0].text) == kCompound.end())
      return 0;
    if ((Is(s[0], "match") || Is(s[0], "case")) &&
        (s.size() < 2 || Is(s[1], "=") || Is(s[1], ".") || Is(s[1], "(")))
      return 0;  // soft keywords used as names
    int depth = 0, lambdas = 0;
    for (std::size_t i = 1; i < s.size(); ++i) {
      const Token& t = s[i];
      if (t.kind != TokenKind::kOp && !Is(t, "lambda")) continue;
      if (Is(t, "lambda") && depth == 0) ++lambdas;
      if (Is(t, "(") || Is(t, "[") || Is(t, "{")) ++depth;
      if (Is(t, ")") || Is(t, "]") || Is(t, "}")) --depth;
      if (depth == 0 && Is(t, ":")) {
        if (lambdas == 0) return i;
        --lambdas;
      }
    }
    return 0;
  }

  void Header(Span h, std::uint32_t indent) {
    Block block{indent, BlockKind::kOther, {}};
    std::string_view keyword = h[0].text;
    if (keyword == "try") {
      block.kind = BlockKind::kTry;
    } else if (keyword == "except") {
      if (CatchesImportError(h)) {
        block.kind = BlockKind::kExceptImport;
        for (std::size_t i : ended_try_)
          if (result_.imports[i].kind == ImportKind::kStatic)
            result_.imports[i].kind = ImportKind::kOptional;
      }
    } else if (keyword == "if" && IsTypeChecking(h)) {
      block.kind = BlockKind::kTypeChecking;
    } else if (keyword == "def" || (keyword == "async" && h.size() > 1 && Is(h[1], "def"))) {
      block.kind = BlockKind::kFunction;
    }
    DynamicCalls(h);
    blocks_.push_back(std::move(block));
  }

  static bool CatchesImportError(Span h) {
    for (std::size_t i = 1; i < h.size(); ++i) {
      if (Is(h[i], "as")) break;
      if (Is(h[i], "ImportError") || Is(h[i], "ModuleNotFoundError")) return true;
    }
    return false;
  }

  static bool IsTypeChecking(Span h) {
    // `if TYPE_CHECKING` or `if typing.TYPE_CHECKING` (any module alias).
    if (h.size() == 2) return Is(h[1], "TYPE_CHECKING");
    return h.size() == 4 && IsName(h[1]) && Is(h[2], ".") && Is(h[3], "TYPE_CHECKING");
  }

  void Simple(Span s) {
    if (s.size() == 0) return;
    if (Is(s[0], "import")) {
      Import(s);
    } else if (Is(s[0], "from") && s.size() > 1 && !Is(s[1], "=")) {
      From(s);
    } else if ((Is(s[0], "print") || Is(s[0], "exec")) && s.size() > 1 &&
               s[1].kind != TokenKind::kOp) {
      Fail(s[1], std::string(s[0].text) + " statement is Python 2 syntax", true);
    } else {
      DynamicCalls(s);
    }
  }

  // `import a.b [as c], d`
  void Import(Span s) {
    std::size_t i = 1;
    while (true) {
      std::string module;
      if (!DottedName(s, i, module)) return Fail(i < s.size() ? s[i] : s[0], "invalid import");
      Record(s[0], module, 0, {});
      if (i + 1 < s.size() && Is(s[i], "as") && IsName(s[i + 1])) i += 2;
      if (i == s.size()) return;
      if (!Is(s[i], ",")) return Fail(s[i], "invalid import");
      ++i;
    }
  }

  // `from ..a.b import (c as d, e)` / `from . import x` / `from m import *`
  void From(Span s) {
    std::size_t i = 1;
    std::uint32_t level = 0;
    for (; i < s.size() && (Is(s[i], ".") || Is(s[i], "...")); ++i)
      level += static_cast<std::uint32_t>(s[i].text.size());
    std::string module;
    if (i < s.size() && !Is(s[i], "import") && !DottedName(s, i, module))
      return Fail(s[i], "invalid import");
    if (i >= s.size() || !Is(s[i], "import") || (level == 0 && module.empty()))
      return Fail(i < s.size() ? s[i] : s[0], "invalid 'from' import");
    if (module == "__future__") return;
    std::vector<std::string> names;
    for (++i; i < s.size(); ++i) {
      const Token& t = s[i];
      if (IsName(t) && !(i > 0 && Is(s[i - 1], "as")) && !Is(t, "as")) names.emplace_back(t.text);
      if (Is(t, "*")) names.emplace_back("*");
    }
    if (names.empty()) return Fail(s[s.size() - 1], "invalid 'from' import: nothing imported");
    Record(s[0], module, level, std::move(names));
  }

  static bool DottedName(Span s, std::size_t& i, std::string& out) {
    if (i >= s.size() || !IsName(s[i])) return false;
    out = std::string(s[i].text);
    ++i;
    while (i + 1 < s.size() && Is(s[i], ".") && IsName(s[i + 1])) {
      out += "." + std::string(s[i + 1].text);
      i += 2;
    }
    return true;
  }

  void Record(const Token& at, std::string module, std::uint32_t level,
              std::vector<std::string> names, ImportKind kind = ImportKind::kStatic) {
    ImportStatement st;
    st.module = std::move(module);
    st.level = level;
    st.names = std::move(names);
    st.line = at.line;
    st.column = at.column;
    st.kind = kind;
    for (const Block& b : blocks_) {
      if (b.kind == BlockKind::kFunction) st.in_function = true;
      if (b.kind == BlockKind::kExceptImport && st.kind == ImportKind::kStatic)
        st.kind = ImportKind::kOptional;
    }
    for (const Block& b : blocks_)
      if (b.kind == BlockKind::kTypeChecking) st.kind = ImportKind::kTypeOnly;
    std::size_t index = result_.imports.size();
    for (Block& b : blocks_)
      if (b.kind == BlockKind::kTry) b.imports.push_back(index);
    result_.imports.push_back(std::move(st));
  }

  // __import__("m"), importlib.import_module("m"), import_module(".m", __package__)
  void DynamicCalls(Span s) {
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      bool call = (Is(s[i], "__import__") || Is(s[i], "import_module")) && Is(s[i + 1], "(");
      if (!call || (i > 0 && (Is(s[i - 1], "def") || Is(s[i - 1], "import")))) continue;
      std::size_t arg = i + 2;
      if (arg + 1 < s.size() && s[arg].kind == TokenKind::kString && s[arg].plain_string &&
          (Is(s[arg + 1], ",") || Is(s[arg + 1], ")"))) {
        std::string name = s[arg].value;
        std::uint32_t level = 0;
        while (level < name.size() && name[level] == '.') ++level;
        name.erase(0, level);
        Record(s[i], std::move(name), level, {}, ImportKind::kDynamic);
        continue;
      }
      DynamicImport d;
      d.line = s[i].line;
      d.column = s[i].column;
      int depth = 0;
      for (std::size_t j = i; j < s.size(); ++j) {
        d.expression += std::string(s[j].text);
        if (Is(s[j], "(")) ++depth;
        if (Is(s[j], ")") && --depth == 0) break;
        if (d.expression.size() > 80) {
          d.expression += "…";
          break;
        }
      }
      result_.unresolved_dynamic.push_back(std::move(d));
    }
  }

  ScanResult result_;
  std::vector<Block> blocks_;
  std::vector<std::size_t> ended_try_;  ///< imports of the try just closed at this indent
};

}  // namespace

ScanResult ScanImports(std::string_view text) { return Scanner().Run(text); }

}  // namespace cfnsplit::imports
