"""Validators that are not ours: cfn-lint 1.51 (differential) and the SAM transform."""
import hashlib
from collections import namedtuple
from pathlib import Path

Finding = namedtuple("Finding", "rule resource message path")


_RULES = None
_LINTED = {}


def _rules():
    """cfn-lint's rules, built once per process: `lint_file` rebuilds them on every call, which
    was ~90 % of a call (reading the JSON schemas of every resource type), measured."""
    global _RULES
    if _RULES is None:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner
        _RULES = Runner(ConfigMixIn(regions=["us-east-1"])).rules
    return _RULES


def lint(path):
    """cfn-lint's errors (not warnings) on one template; a template linted before (the same
    bytes: a nested child equal to an exports stack, a sample run twice) is not linted again."""
    text = Path(path).read_text()
    key = hashlib.sha256(text.encode()).hexdigest()
    if key not in _LINTED:
        _LINTED[key] = _lint_text(text)
    return _LINTED[key]


def _lint_text(text):
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data
    try:
        template, matches = decode_str(text)
        if template is not None and not matches:
            matches = list(run_template_by_data(template, ConfigMixIn(regions=["us-east-1"]),
                                                _rules()))
    except Exception as e:  # a template cfn-lint cannot read at all
        return [Finding("E0000", "", f"cfn-lint could not read it: {e}", "")]
    out = []
    for m in matches:
        if not m.rule.id.startswith("E"):
            continue
        where = list(m.path or [])
        resource = where[1] if len(where) > 1 and where[0] in ("Resources", "Outputs") else ""
        # Up to the first intrinsic: where the split reads a value through a parameter or an
        # import, the path ends in Ref or Fn::ImportValue instead of the original's function.
        cut = next((i for i, p in enumerate(where) if p == "Ref" or str(p).startswith("Fn::")),
                   len(where))
        out.append(Finding(m.rule.id, resource, m.message, "/".join(map(str, where[:cut]))))
    return out


def new_errors(before, after):
    """Errors of a split template that its input did not have, for the same rule and resource.
    An error about a value a parent passes or an import (the linter substitutes placeholders for
    what it cannot know) is the linter's blind spot, not a defect."""
    known = {(f.rule, f.resource) for f in before}
    # The same faulty value may be reported by another rule once it is a parameter or an import
    # (E3012 on a GetAtt, E1020 on a Ref): a finding at a path the input already had is known.
    known_paths = {f.path for f in before if f.path}
    blind = ("string_input_", "IMPORTEDVALUE", "INVALID_MAPPING")
    return [f for f in after if (f.rule, f.resource) not in known
            and f.path not in known_paths and not any(b in f.message for b in blind)]


def sam_error(path):
    """SAM's own error when a template declares the SAM transform and SAM refuses it alone."""
    from cfnlint.decode import decode
    from moto.cloudformation.exceptions import ValidationError
    from moto_patched import sam_expanded
    template, _ = decode(str(path))
    if not isinstance(template, dict):
        return ""
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    if "AWS::Serverless-2016-10-31" not in names:
        return ""
    # `aws cloudformation package` turns local CodeUri/ContentUri/DefinitionUri folders into S3
    # URIs before SAM sees them: the same here.
    uris = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri",
            "AWS::Serverless::Api": "DefinitionUri", "AWS::Serverless::HttpApi": "DefinitionUri",
            "AWS::Serverless::StateMachine": "DefinitionUri"}
    for logical_id, res in (template.get("Resources") or {}).items():
        prop = uris.get(res.get("Type")) if isinstance(res, dict) else None
        props = res.get("Properties") if prop else None
        value = props.get(prop) if isinstance(props, dict) else None
        if isinstance(value, str) and not value.startswith("s3://"):
            props[prop] = f"s3://packaged/{logical_id}.zip"
    try:
        sam_expanded(template)
    except ValidationError as e:
        return e.message if hasattr(e, "message") else str(e)
    except Exception as e:  # SAM crashing on a template is as bad as refusing it
        return f"{type(e).__name__}: {e}"
    return ""
