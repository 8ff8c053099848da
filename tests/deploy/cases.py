"""The deploy test's cases: the samples, generated Serverless services, and corpus templates
forced into several stacks. Each case knows the parameter values and the pre-existing S3 objects
and SSM parameters its template needs, computed from the template itself."""
import csv
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
CORPUS = Path(__import__("os").environ.get("CFNSPLIT_CORPUS", SOURCE.parent / "shared" / "corpus"))

# cfnsplit's documented refusals (E0007: a tag CloudFormation does not know either, such as a
# Rain directive): a case that gets one is reported, not deployed.
REFUSALS = ["[E0007]", "[E4018]", "[E4013]", "[E4012]", "[E4015]", "[E4016]", "[E4007]", "[E2001]"]
# Counted corpus cases a set must reach (the issue asks for 150 in CI).
MINIMUM_COUNTED = {"quick": 12, "ci": 150, "full": 150}
# The corpus templates whose original moto deploys and that cfnsplit splits, from a triage of
# every candidate (`deploy_test.py --write-candidates`); the ci set runs these only.
CANDIDATES = HERE / "corpus-candidates.tsv"
CI_CORPUS = 165  # evenly spread over the deployable ones: 150 must count, with some margin


@dataclass
class Case:
    name: str
    template: Path
    split_args: list
    modes: tuple = ("nested", "exports")
    stack_name: str = "app"
    parameters: dict = field(default_factory=dict)
    s3_objects: list = field(default_factory=list)
    ssm_parameters: dict = field(default_factory=dict)
    serverless: bool = False
    deployment_bucket_keys: list = field(default_factory=list)
    artifacts: Path = None
    stand_in_packages: bool = False
    pin_candidates: list = field(default_factory=list)  # tried in turn to force a split

    @property
    def slug(self):
        return re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-")[-80:]


def load_template(path):
    from cfnlint.decode import decode
    template, errors = decode(str(path))
    if template is None:
        raise ValueError(f"{path}: {errors}")
    # Plain Python values: cfn-lint's nodes carry their position and do not pickle.
    return json.loads(json.dumps(template, default=str))


EXAMPLES = {
    "AWS::EC2::Subnet::Id": "subnet-11111111", "AWS::EC2::VPC::Id": "vpc-11111111",
    "AWS::EC2::SecurityGroup::Id": "sg-11111111", "AWS::EC2::KeyPair::KeyName": "test-key",
    "AWS::EC2::Image::Id": "ami-11111111", "AWS::Route53::HostedZone::Id": "Z111111111",
    "AWS::EC2::AvailabilityZone::Name": "us-east-1a", "AWS::EC2::Instance::Id": "i-11111111",
}


def example_value(decl, name=""):
    """A value CloudFormation would accept for a parameter without a default."""
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list) and allowed:
        return str(allowed[0])
    ptype = str(decl.get("Type", "String"))
    inner = ptype[5:-1] if ptype.startswith("List<") else ptype
    lowered = name.lower()
    if inner == "String" and lowered.endswith("arn"):
        one = "arn:aws:iam::123456789012:role/cfnsplit-test"
    elif inner == "String" and "bucket" in lowered:
        one = "cfnsplit-test-bucket"
    elif inner == "String" and "email" in lowered:
        one = "test@example.com"
    elif inner == "Number":
        one = str(decl.get("MinValue", 1))
    elif inner in EXAMPLES:
        one = EXAMPLES[inner]
    else:
        one = "x" * max(1, int(decl.get("MinLength", 1) or 1))
    if ptype.startswith("List<") or ptype == "CommaDelimitedList":
        return one + "," + one.replace("1", "2")
    return one


def resolve(value, params):
    """A literal string from a Ref to a parameter or a simple Sub; None when not literal."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref" and arg in params:
            return params[arg]
        if fn == "Fn::Sub" and isinstance(arg, str):
            known = dict(PSEUDO, **params)
            text = re.sub(r"\$\{([^}!]+)\}", lambda m: known.get(m.group(1), "\0"), arg)
            return None if "\0" in text else text
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and \
                isinstance(arg[1], list):
            parts = [resolve(p, params) for p in arg[1]]
            return None if None in parts else str(arg[0]).join(parts)
    return None


PSEUDO = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
          "AWS::URLSuffix": "amazonaws.com"}

CODE_PROPERTIES = {
    "AWS::Lambda::Function": ("Code", "S3Bucket", "S3Key"),
    "AWS::Lambda::LayerVersion": ("Content", "S3Bucket", "S3Key"),
    "AWS::Serverless::Function": ("CodeUri", "Bucket", "Key"),
    "AWS::Serverless::LayerVersion": ("ContentUri", "Bucket", "Key"),
    "AWS::Serverless::Api": ("DefinitionUri", "Bucket", "Key"),
    "AWS::Serverless::StateMachine": ("DefinitionUri", "Bucket", "Key"),
}


def fill(case, template):
    """Parameters, S3 objects and SSM parameters the template needs, from the template."""
    params = template.get("Parameters") or {}
    values = {}
    for name, decl in params.items():
        if not isinstance(decl, dict):
            continue
        ptype = str(decl.get("Type", ""))
        if "Default" in decl:
            values[name] = str(decl["Default"]) if not isinstance(decl["Default"], list) else \
                ",".join(map(str, decl["Default"]))
            if ptype.startswith("AWS::SSM::Parameter::Value<"):
                case.ssm_parameters[values[name]] = example_value({"Type": ptype[27:-1]})
            continue
        if ptype.startswith("AWS::SSM::Parameter::Value<"):
            key = "/cfnsplit/test/" + name
            case.ssm_parameters[key] = example_value({"Type": ptype[27:-1]})
            case.parameters[name] = key
        else:
            case.parameters[name] = example_value(decl, name)
        values[name] = case.parameters[name]
    for res in (template.get("Resources") or {}).values():
        if not isinstance(res, dict) or res.get("Type") not in CODE_PROPERTIES:
            continue
        prop, bucket_key, key_key = CODE_PROPERTIES[res["Type"]]
        code = (res.get("Properties") or {}).get(prop)
        if isinstance(code, str) and code.startswith("s3://"):
            bucket, _, key = code[5:].partition("/")
            case.s3_objects.append((bucket, key))
        elif isinstance(code, dict):
            bucket, key = code.get(bucket_key), resolve(code.get(key_key), values)
            if key is None:
                continue
            if bucket == {"Ref": "ServerlessDeploymentBucket"}:
                case.serverless = True
                case.deployment_bucket_keys.append(key)
            elif resolve(bucket, values):
                case.s3_objects.append((resolve(bucket, values), key))
    case.s3_objects = sorted(set(case.s3_objects))
    case.deployment_bucket_keys = sorted(set(case.deployment_bucket_keys))
    return case


def with_artifacts(case, folder):
    """The original code packages a Serverless deploy uploads, as files named by their keys."""
    from deployers import tiny_zip
    if not case.deployment_bucket_keys:
        return case
    folder.mkdir(parents=True, exist_ok=True)
    for key in case.deployment_bucket_keys:
        (folder / Path(key).name).write_bytes(tiny_zip())
    case.artifacts = folder
    return case


def stand_in_packages(case, outdir):
    """A case whose installed tree is a metadata snapshot (RECORD and sizes, no files) cannot
    build its stacks' packages: a small stand-in zip takes the place of each, so the deploy runs
    as it would once `cfnsplit package` has built them (their contents are tested elsewhere)."""
    from deployers import tiny_zip
    if not case.stand_in_packages:
        return
    stacks = json.loads((Path(outdir) / "stacks.json").read_text())
    for stack in stacks.get("stacks", []):
        zip_path = Path(outdir) / "packages" / (stack["name"] + ".zip")
        if (Path(outdir) / "packages").is_dir() and not zip_path.exists():
            zip_path.write_bytes(tiny_zip())


def sample_cases():
    samples = SOURCE / "samples"
    ml = samples / "ml-service"
    built = SOURCE / "tests" / "data" / "package" / "layer-service"
    return [
        Case("sample handwritten", samples / "handwritten" / "template.yaml",
             ["--strategy", "auto"], stack_name="handwritten"),
        Case("sample sam-app", samples / "sam-app" / "template.yaml", ["--strategy", "auto"],
             stack_name="sam-app"),
        Case("sample ml-service", ml / "template.json",
             ["--manifest", str(ml / "cfnsplit.yaml")], stack_name="ml-platform-prod",
             stand_in_packages=True),
        # Built by cfnsplit itself (split --build): moto's Lambda creates the functions and the
        # layer from the zips deploy.sh uploaded to the keys the templates name.
        Case("built layer-service", built / "template.json",
             ["--strategy", "auto", "--manifest", str(built / "cfnsplit.yaml"),
              "--site-packages", str(built / "site"), "--code", str(built / "src"), "--build"],
             stack_name="layers-dev", pin_candidates=["WorkerLambdaFunction"]),
    ]


def generated_cases(scratch, which):
    out = []
    for functions in (50,) if which == "quick" else (50, 300):
        path = scratch / f"generated-{functions}.json"
        if not path.exists():
            scratch.mkdir(parents=True, exist_ok=True)
            # gen_template.py counts resources; ~6 a function in its Serverless-like shape.
            subprocess.run([sys.executable, str(SOURCE / "bench" / "gen_template.py"),
                            str(functions * 6), str(path)], check=True)
        out.append(Case(f"generated {functions} functions", path, ["--strategy", "auto"],
                        stack_name=f"gen{functions}-dev"))
    return out


def corpus_present():
    return (CORPUS / "INDEX.tsv").exists()


def lifecycle_rules():
    """cfnsplit's own lifecycle classes (rules/lifecycle.yaml), read rather than restated so the
    test's idea of what may move cannot drift from cfnsplit's: [(pattern, rule)], first match
    wins, a pattern ending in '*' matches a prefix."""
    import yaml
    doc = yaml.safe_load((SOURCE / "rules" / "lifecycle.yaml").read_text())
    return [(str(r["type"]), r) for r in doc["rules"]]


def lifecycle_class(rules, resource):
    """The class cfnsplit gives a resource: a Retain/Snapshot policy makes it stateful (unless
    its rule says retain_is_history), and a class stateful when shared counts as stateful here
    (a pin must not depend on how the resource is shared)."""
    rtype = str(resource.get("Type", ""))
    rule = next((r for pattern, r in rules if rtype == pattern or
                 (pattern.endswith("*") and rtype.startswith(pattern[:-1]))), {})
    keeps = any(resource.get(k) in ("Retain", "Snapshot", "RetainExceptOnCreate")
                for k in ("DeletionPolicy", "UpdateReplacePolicy"))
    if rule.get("stateful_when_shared") or (keeps and not rule.get("retain_is_history")):
        return "stateful"
    return rule.get("class", "other")


def deployable_candidates():
    """Paths the candidates file marks 'deploys' (moto deployed the original, cfnsplit split it)."""
    lines = [line for line in CANDIDATES.read_text().splitlines() if not line.startswith("#")]
    return {r["path"] for r in csv.DictReader(lines, delimiter="\t") if r["verdict"] == "deploys"}


def corpus_cases(limit, deployable_only=False):
    """Corpus templates without nested stacks of their own, forced into several stacks: a low
    headroom, and a pin of one movable resource into a stack of its own."""
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        return []
    rows = list(csv.DictReader(open(index), delimiter="\t"))
    picked = [r for r in rows if r["parse_ok"] == "1" and r["bad"] == "0" and
              r["has_nested_stack"] == "0" and 3 <= int(r["resources"]) <= 150]
    if deployable_only:
        deployable = deployable_candidates()
        picked = [r for r in picked if r["path"] in deployable]
    picked.sort(key=lambda r: r["path"])
    step = max(1, len(picked) // limit) if limit else 1
    offset = int(__import__("os").environ.get("CFNSPLIT_DEPLOY_CORPUS_OFFSET", "0") or 0)
    chosen = picked[offset::step][: limit or None]
    if deployable_only and limit and limit < len(picked) - offset:
        # Spread over the whole list (a step of 2 over 300 would stop half-way).
        rest = picked[offset:]
        chosen = [rest[i * len(rest) // limit] for i in range(limit)]
    rules = lifecycle_rules()
    out = []
    for r in chosen:
        path = CORPUS / r["path"]
        try:
            template = load_template(path)
        except Exception as e:
            UNREADABLE.append((Case("corpus " + r["path"], path, []),
                               f"the harness cannot read it: {e}"))
            continue
        resources = template.get("Resources") or {}
        classes = {k: lifecycle_class(rules, v) for k, v in resources.items()
                   if isinstance(v, dict)}
        # Functions and their satellites first (what cfnsplit moves), then anything not stateful.
        movable = sorted((k for k, c in classes.items() if c in ("function", "satellite")),
                         reverse=True)
        others = sorted((k for k, c in classes.items() if k not in movable and c != "stateful"),
                        reverse=True)
        args = ["--strategy", "auto", "--headroom", "0.05"]
        out.append(Case("corpus " + r["path"], path, args, stack_name="corpus-app",
                        pin_candidates=(movable + others)[:4]))
    return out


UNREADABLE = []  # (case, reason): candidates the harness could not read (cfn-lint's decoder)


def all_cases(which, only=""):
    scratch = Path(__import__("tempfile").gettempdir()) / "cfnsplit-deploy-cases"
    cases = sample_cases()
    if not only or "generated".startswith(only[:9]) or only in "generated":
        cases += generated_cases(scratch, which)
    if not only or "corpus" in only or not only.startswith(("sample", "generated")):
        limit = int(__import__("os").environ.get("CFNSPLIT_DEPLOY_CORPUS", "0") or 0)
        default = {"quick": 30, "ci": CI_CORPUS, "full": 0}[which]
        # --only looks among every candidate, not only the set's spread (unless N is given).
        cases += corpus_cases(limit or (0 if only else default), deployable_only=which == "ci")
    out = []
    for c in cases:
        if only not in c.name:
            continue
        try:
            fill(c, load_template(c.template))
        except Exception as e:
            print(f"deploy test: cannot read {c.template}: {e}", file=sys.stderr)
            UNREADABLE.append((c, f"the harness cannot read it: {e}"))
            continue
        out.append(with_artifacts(c, scratch / "artifacts" / c.slug))
    return out
