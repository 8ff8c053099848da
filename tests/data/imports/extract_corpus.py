#!/usr/bin/env python3
"""The expected imports of real handler code, as Python's own `ast` module finds them.

  extract_corpus.py templates CORPUS_DIR OUT.json
      The inline Python handlers (Code.ZipFile, InlineCode) of the public templates in the shared
      corpus (its SOURCES.md names their origin): for every handler whose text is a literal
      string (or an Fn::Join of literal strings, or an Fn::Sub string) and that Python 3.11
      parses, "template path#resource id" -> sorted import names. The code itself stays in the
      corpus; imports_corpus_test.cpp reads it from there with cfnsplit's own loader.
  extract_corpus.py files DIR OUT.json
      The same for every *.py file under DIR ("relative path" -> names).

Names: the top-level module of an absolute import; "." * level + module of a relative one;
`from __future__` is left out. Dynamic imports are not statements, so `ast` does not list them.
"""
import ast
import hashlib
import json
import os
import sys

import yaml


class AnyTagLoader(yaml.SafeLoader):
    pass


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {"Fn::" + suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {"Fn::" + suffix: loader.construct_sequence(node, deep=True)}
    return {"Fn::" + suffix: loader.construct_mapping(node, deep=True)}


AnyTagLoader.add_multi_constructor("!", _any_tag)


def literal(code):
    if isinstance(code, str):
        return code
    if isinstance(code, dict) and list(code) == ["Fn::Sub"] and isinstance(code["Fn::Sub"], str):
        return code["Fn::Sub"]
    if isinstance(code, dict) and list(code) == ["Fn::Join"]:
        sep, parts = code["Fn::Join"]
        if isinstance(sep, str) and all(isinstance(p, str) for p in parts):
            return sep.join(parts)
    return None


def handlers(template):
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return
    for rid, res in sorted(resources.items(), key=lambda kv: str(kv[0])):
        if not isinstance(res, dict):
            continue
        props = res.get("Properties") or {}
        if not isinstance(props, dict):
            continue
        runtime = props.get("Runtime")
        if not (isinstance(runtime, str) and runtime.startswith("python")):
            continue
        code = props.get("InlineCode")
        if code is None and isinstance(props.get("Code"), dict):
            code = props["Code"].get("ZipFile")
        text = literal(code)
        if text:
            yield str(rid), runtime, text


def expected_imports(tree):
    """Top-level names of absolute imports, as a set; relative ones as '.'-prefixed."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add("." * node.level + (node.module or ""))
            elif node.module != "__future__":  # a compiler directive, not a dependency
                names.add(node.module.split(".")[0])
    return sorted(names)


def templates(corpus):
    expected, seen = {}, set()
    for root, _, files in sorted(os.walk(os.path.join(corpus, "templates"))):
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml", ".json", ".template")):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, encoding="utf-8") as f:
                    template = yaml.load(f, Loader=AnyTagLoader)
            except Exception:
                continue
            for rid, runtime, text in handlers(template):
                digest = hashlib.sha256(text.encode()).hexdigest()
                if digest in seen:
                    continue
                try:
                    tree = ast.parse(text)
                except SyntaxError:
                    continue
                seen.add(digest)
                expected[os.path.relpath(path, corpus) + "#" + rid] = expected_imports(tree)
    return expected


def files(directory):
    expected = {}
    for root, _, names in sorted(os.walk(directory)):
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, encoding="utf-8") as f:
                    tree = ast.parse(f.read())
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            expected[os.path.relpath(path, directory)] = expected_imports(tree)
    return expected


def main():
    mode, source, out = sys.argv[1:4]
    expected = templates(source) if mode == "templates" else files(source)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(expected)} handlers", file=sys.stderr)


if __name__ == "__main__":
    main()
