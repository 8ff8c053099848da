"""Validators that are not ours: cfn-lint 1.51 (differential) and the SAM transform."""
from collections import namedtuple
from pathlib import Path

Finding = namedtuple("Finding", "rule resource message")


def lint(path):
    """cfn-lint's errors (not warnings) on one template."""
    from cfnlint.api import lint_file, ManualArgs
    try:
        matches = lint_file(Path(path), ManualArgs(regions=["us-east-1"]))
    except Exception as e:  # a template cfn-lint cannot read at all
        return [Finding("E0000", "", f"cfn-lint could not read it: {e}")]
    out = []
    for m in matches:
        if not m.rule.id.startswith("E"):
            continue
        where = list(m.path or [])
        resource = where[1] if len(where) > 1 and where[0] in ("Resources", "Outputs") else ""
        out.append(Finding(m.rule.id, resource, m.message))
    return out


def new_errors(before, after):
    """Errors of a split template that its input did not have, for the same rule and resource.
    An error about a value a parent passes or an import (the linter substitutes placeholders for
    what it cannot know) is the linter's blind spot, not a defect."""
    known = {(f.rule, f.resource) for f in before}
    blind = ("string_input_", "IMPORTEDVALUE", "INVALID_MAPPING")
    return [f for f in after if (f.rule, f.resource) not in known
            and not any(b in f.message for b in blind)]


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
