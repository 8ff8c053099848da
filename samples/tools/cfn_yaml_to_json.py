#!/usr/bin/env python3
"""Convert a CloudFormation YAML template to long-form JSON, the way the AWS CLI does.

Needs: python3 with PyYAML (Debian: apt-get install python3-yaml).
Usage: cfn_yaml_to_json.py IN.yaml OUT.json

Short-form tags become long forms as in aws-cli's yamlhelper: `!Ref` and
`!Condition` become `Ref` / `Condition`, every other `!Tag` becomes `Fn::Tag`,
and a scalar `!GetAtt A.B.C` is split at the FIRST dot only (["A", "B.C"]).
Anchors and aliases are expanded. Used by samples/lint.sh so that the npm
cfn-lint, whose YAML reader lacks some tags (!Cidr, !Condition) and splits
GetAtt at every dot, checks the template that CloudFormation would see.
"""
import json
import sys

try:
    import yaml
except ImportError:
    sys.exit("error: PyYAML is required (Debian: apt-get install python3-yaml)")


class CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader, tag_suffix, node):
    name = tag_suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if name == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    key = name if name in ("Ref", "Condition") else "Fn::" + name
    return {key: value}


CfnLoader.add_multi_constructor("!", _intrinsic)
# CloudFormation keeps timestamps-looking scalars as strings.
CfnLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in CfnLoader.yaml_implicit_resolvers.items()}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[3])
    with open(sys.argv[1]) as f:
        doc = yaml.load(f, Loader=CfnLoader)
    with open(sys.argv[2], "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
