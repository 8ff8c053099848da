#!/usr/bin/env python3
"""Self-test of stackcheck.py on hand-made split outputs (python3 -m unittest, no dependencies).

Usage: python3 bench/compare/test_stackcheck.py
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stackcheck  # noqa: E402


def write(d, name, doc):
    with open(os.path.join(d, name), "w") as f:
        json.dump(doc, f)


class StackcheckTest(unittest.TestCase):
    def test_sibling_cycle_dangling_and_import(self):
        with tempfile.TemporaryDirectory() as d:
            write(d, "root.json", {"Resources": {
                "A": {"Type": "AWS::CloudFormation::Stack", "Properties": {
                    "TemplateURL": {"Fn::Join": ["/", ["https://h", {"Ref": "B0"}, "a.json"]]},
                    "Parameters": {"P": {"Fn::GetAtt": ["B", "Outputs.X"]}}}},
                "B": {"Type": "AWS::CloudFormation::Stack", "Properties": {
                    "TemplateURL": "https://h/b.json", "Parameters": {"Q": {"Fn::GetAtt": ["A", "Outputs.Y"]}}}},
                "B0": {"Type": "AWS::S3::Bucket"}}})
            write(d, "a.json", {"Parameters": {"P": {"Type": "String"}}, "Resources": {
                "F": {"Type": "AWS::Lambda::Function", "Properties": {
                    "Role": {"Ref": "Missing"},
                    "Env": {"Fn::Sub": "${P}-${!Literal}-${AWS::Region}-${Other.Arn}"}}}},
                "Outputs": {"Y": {"Value": "1", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Y"}}}}})
            write(d, "b.json", {"Resources": {"G": {"Type": "AWS::SQS::Queue", "Properties": {
                "X": {"Fn::ImportValue": "a-Y"}, "M": {"Fn::FindInMap": ["NoMap", "k", "v"]}}}},
                "Outputs": {"X": {"Value": "2"}}})
            r = stackcheck.analyze_dir(d)
            self.assertEqual(r["stacks"], 3)
            self.assertEqual(r["roots"], 1)
            self.assertEqual([c["members"] for c in r["cycles"]], [["A", "B"]])
            self.assertEqual(sorted(x["target"] for x in r["dangling_examples"]),
                             ["Mappings.NoMap", "Missing", "Other"])
            self.assertEqual(r["unresolved_imports"], 0)

    def test_quota_and_packages(self):
        with tempfile.TemporaryDirectory() as d:
            res = {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(501)}
            res["FnLambdaFunction"] = {"Type": "AWS::Lambda::Function"}
            write(d, "t.json", {"Resources": res, "Outputs": {f"O{i}": {"Value": "v"} for i in range(201)}})
            m = os.path.join(d, "deps.manifest")
            with open(m, "w") as f:
                json.dump({"packages": {"big": {"installed_bytes": 300_000_000}, "small": {"installed_bytes": 10}},
                           "functions": {"fn": {"logical_id": "FnLambdaFunction", "closure": ["small"],
                                                "installed_bytes": 10},
                                         "other": {"logical_id": "Other", "closure": ["big"],
                                                   "installed_bytes": 300_000_000}}}, f)
            per_stack = stackcheck.analyze_dir(d, manifest=m, artifact="per-stack")
            single = stackcheck.analyze_dir(d, manifest=m, artifact="single")
            self.assertEqual(per_stack["quota_breaches"], ["outputs", "resources"])
            self.assertEqual(per_stack["stacks_over_package_limit"], 0)
            self.assertEqual(single["stacks_over_package_limit"], 1)
            self.assertEqual(single["functions_over_limit_alone"], 1)

    def test_export_import_cycle(self):
        with tempfile.TemporaryDirectory() as d:
            for me, other in (("s1", "s2"), ("s2", "s1")):
                write(d, f"{me}.json", {
                    "Resources": {"R": {"Type": "AWS::SNS::Topic", "Properties": {
                        "TopicName": {"Fn::ImportValue": f"{other}-Out"}}}},
                    "Outputs": {"Out": {"Value": "x", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Out"}}}}})
            r = stackcheck.analyze_dir(d)
            self.assertEqual(r["roots"], 2)
            self.assertEqual([c["kind"] for c in r["cycles"]], ["export-import"])


if __name__ == "__main__":
    unittest.main()
