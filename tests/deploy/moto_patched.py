"""moto_server with the eleven gaps that would make a correct deploy fail closed, filled in the
way CloudFormation behaves (deploying.md §2 lists moto's fidelity limits):

1. A change set (what `aws cloudformation deploy` uses) that creates a stack: moto 5.2.1 creates
   the stack without outputs, exports or the imports' checks. Here it is created exactly as
   CreateStack would, under the id the client was given.
2. A change set that updates a stack: moto leaves the outputs and the exports as they were.
   Here they are recomputed, as UpdateStack does.
3. A GetAtt in Outputs of a resource type moto does not model crashes moto (HTTP 500); such an
   output is accepted, as CloudFormation accepts it.
4. A resource type moto does not model is skipped, and the first GetAtt to it fails the stack:
   such a resource is modelled generically (GenericResource).
5. A nested stack's `Outputs.X` attribute does not exist in moto (HTTP 500): it is the child's
   output, as in CloudFormation. Deep templates overflow moto's recursive evaluation: the
   recursion limit and thread stacks are raised.
6. moto's API Gateway method crashes on a MOCK integration (no IntegrationHttpMethod/Uri), and
   its REST API on one defined by its Body alone (no Name), as SAM writes it.
7. moto has no `Fn::Cidr` and does not resolve GetAZs' argument: both as CloudFormation does.
8. `Transform: AWS::Serverless-2016-10-31`: CloudFormation runs the SAM transform; moto does not.
   Here aws-sam-translator 1.110 (the transform CloudFormation runs) expands the template before
   moto sees it, and SAM's own errors reach the client as CloudFormation would report them.
9. ListStackResources: moto lists a resource it did not create (its Condition is false, or its
   type is one of moto's NULL_MODELS such as AWS::CloudFormation::WaitConditionHandle) with an
   EMPTY logical ID and type; CloudFormation does not list a resource whose condition is false
   and does create a wait condition handle. Here the uncreated ones are not listed, and a wait
   condition handle is modelled generically (listed under its logical ID). Without this, a split
   whose two stacks each hold a false-conditioned resource (or cfnsplit's placeholder handle in a
   stack whose every resource is conditional) showed one blank resource "in two stacks"
   (corpus: connector_resource_attributes.yaml,
   function_with_deployment_preference_multiple_combinations_conditions_with_passthrough.yaml).
10. A template with AWS::Serverless::* resources but no `Transform: AWS::Serverless-2016-10-31`
   (many SAM translator test inputs): CloudFormation refuses it ("Unrecognized resource types");
   moto modelled the types generically (gap 4) and deployed what SAM never saw. Refused here.
11. moto reads YAML templates with PyYAML's YAML 1.1 resolver, so a plain `2012-10-17` (an IAM
   policy's `Version`, an IoT rule's `AwsIotSqlVersion`) becomes a date and the first
   json.dumps of it fails the request (HTTP 500). CloudFormation reads it as the string it is
   (corpus: serverless-patterns/iot-sns-sqs-sam). Here plain scalars are never dates.

Usage: python3 moto_patched.py PORT   (binds 127.0.0.1 only)
"""
import ipaddress
import json
import sys

from moto.cloudformation import models, parsing
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel

SAM = "AWS::Serverless-2016-10-31"


class _AnyManagedPolicy(dict):
    """SAM looks managed policies up by name; every AWS managed policy name is valid here."""

    def get(self, name, default=None):
        return "arn:aws:iam::aws:policy/" + name

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        return True


class _PolicyLoader:
    def load(self):
        return _AnyManagedPolicy()


def _parse(template):
    if isinstance(template, dict):
        return template
    try:
        return json.loads(template)
    except ValueError:
        from cfnlint.decode import decode_str
        parsed, errors = decode_str(template)
        if parsed is None:
            raise ValidationError(message="Template format error: " + "; ".join(map(str, errors)))
        return parsed


def sam_expanded(template, parameters=None):
    """The template CloudFormation deploys: the SAM transform applied when it is declared."""
    if not template:
        return template
    doc = _parse(template)
    transform = doc.get("Transform") if isinstance(doc, dict) else None
    names = transform if isinstance(transform, list) else [transform]
    if SAM not in names:
        # Gap 10: without the transform CloudFormation knows no AWS::Serverless::* type (moto
        # would model them generically and "deploy" a SAM template SAM never saw).
        resources = doc.get("Resources") if isinstance(doc, dict) else None
        sam_types = sorted({str(r.get("Type")) for r in (resources or {}).values()
                            if isinstance(r, dict) and str(r.get("Type", "")).startswith(
                                "AWS::Serverless::")})
        if sam_types:
            raise ValidationError(message="Template format error: Unrecognized resource types: "
                                  f"[{', '.join(sam_types)}]")
        return template
    from samtranslator.translator.transform import transform as sam_transform
    from samtranslator.model.exceptions import InvalidDocumentException
    values = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
              "AWS::Partition": "aws"}
    values.update(parameters or {})
    try:
        out = sam_transform(json.loads(json.dumps(doc, default=str)), values, _PolicyLoader())
    except InvalidDocumentException as e:
        causes = "; ".join(c.message for c in e.causes)
        raise ValidationError(message="Transform " + SAM + " failed with: " + causes)
    return json.dumps(out)


class GenericResource(CloudFormationModel):
    """A resource of a type moto does not model (API Gateway v2, Step Functions, …): created,
    updated and deleted like any other, its physical ID the name its properties give (else a
    generated one), every attribute a readable placeholder. Without it moto silently skips the
    resource and then fails on the first GetAtt to it, so the original could not be deployed."""

    __module__ = "moto.cfnsplit_generic"  # moto's model registry keys models by package

    def __init__(self, name, resource_type, properties):
        self.name = name
        self.resource_type = resource_type
        self.properties = properties

    @staticmethod
    def cloudformation_type():
        return "AWS::Cfnsplit::Generic"

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    @property
    def physical_resource_id(self):
        return self.name

    def get_cfn_attribute(self, attribute_name):
        service = self.resource_type.split("::")[1].lower()
        if attribute_name.endswith("Arn"):
            return f"arn:aws:{service}:us-east-1:123456789012:{self.name}"
        return f"{self.name}.{attribute_name}"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json.get("Properties") or {}
        named = sorted(k for k, v in props.items() if k.endswith("Name") and isinstance(v, str))
        return cls(props[named[0]] if named else resource_name, kwargs.get("ResourceType", ""),
                   props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        updated = cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name,
            ResourceType=original_resource.resource_type)
        return updated

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        pass


def strings_not_dates():
    """Gap 11: the timestamp resolver off for every YAML loader moto uses."""
    import yaml
    for loader in (yaml.Loader, yaml.SafeLoader, yaml.FullLoader):
        loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in loader.yaml_implicit_resolvers.items()}


def patch():
    strings_not_dates()
    backend = models.CloudFormationBackend
    original_create_stack = backend.create_stack
    original_update_stack = backend.update_stack
    original_create_change_set = backend.create_change_set

    def create_stack(self, name, template, parameters, *args, **kwargs):
        return original_create_stack(self, name, sam_expanded(template, parameters), parameters,
                                     *args, **kwargs)

    def update_stack(self, name, template, role_arn, parameters, tags):
        return original_update_stack(self, name, sam_expanded(template), role_arn, parameters, tags)

    def create_change_set(self, stack_name, change_set_name, template, parameters, *args,
                          **kwargs):
        return original_create_change_set(self, stack_name, change_set_name,
                                          sam_expanded(template, parameters), parameters,
                                          *args, **kwargs)

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.change_sets.get(change_set_name)
        if change_set is None:
            for candidate in self.change_sets.values():
                if candidate.change_set_name == change_set_name:
                    change_set = candidate
        if change_set is None:
            raise ValidationError(stack_name)
        stack = self.stacks[change_set.stack_id]
        if change_set.change_set_type == "CREATE":
            del self.stacks[change_set.stack_id]
            created = original_create_stack(
                self, name=stack.name, template=change_set.template,
                parameters=change_set.parameters, notification_arns=change_set.notification_arns,
                tags=change_set.tags, role_arn=change_set.role_arn)
            del self.stacks[created.stack_id]
            created.stack_id = change_set.stack_id
            self.stacks[created.stack_id] = created
            change_set.stack = created
        else:
            previous = [e.name for e in stack.exports]
            merged = dict(stack.parameters or {})
            merged.update(change_set.parameters or {})
            stack.update(change_set.template, change_set.role_arn, parameters=merged,
                         tags=change_set.tags)
            for name in previous:
                self.exports.pop(name, None)
            self._validate_export_uniqueness(stack)
            for export in stack.exports:
                self.exports[export.name] = export
        change_set.execution_status = "EXECUTE_COMPLETE"

    original_validate_outputs = parsing.ResourceMap.validate_outputs

    def validate_outputs(self):
        # moto checks a GetAtt in Outputs against its own class of the resource type and
        # crashes (HTTP 500) on a type it does not model; CloudFormation knows every type.
        try:
            original_validate_outputs(self)
        except AttributeError:
            pass

    parsing.ResourceMap.validate_outputs = validate_outputs

    original_clean_json = parsing.clean_json

    def clean_json(resource_json, resources_map):
        # moto has no Fn::Cidr; CloudFormation's: `count` blocks of `bits` host bits each.
        if isinstance(resource_json, dict) and "Fn::Cidr" in resource_json:
            block, count, bits = (clean_json(v, resources_map) for v in resource_json["Fn::Cidr"])
            network = ipaddress.ip_network(str(block), strict=False)
            prefix = network.max_prefixlen - int(bits)
            subnets = network.subnets(new_prefix=prefix)
            return [str(n) for n, _ in zip(subnets, range(int(count)))]
        if isinstance(resource_json, dict) and "Fn::GetAZs" in resource_json:
            # moto does not resolve GetAZs' argument (`!GetAZs {Ref: AWS::Region}`).
            region = clean_json(resource_json["Fn::GetAZs"], resources_map)
            return original_clean_json({"Fn::GetAZs": region}, resources_map)
        return original_clean_json(resource_json, resources_map)

    parsing.clean_json = clean_json

    original_class_from_type = parsing.resource_class_from_type
    # A handle is only a URL to signal; CloudFormation creates and lists it (gap 9). moto's null
    # model of a WaitCondition stays: moto cannot wait for signals.
    parsing.NULL_MODELS[:] = [t for t in parsing.NULL_MODELS
                              if t != "AWS::CloudFormation::WaitConditionHandle"]

    def resource_class_from_type(resource_type):
        if resource_type in parsing.NULL_MODELS:
            return None
        return original_class_from_type(resource_type) or GenericResource

    def stack_resources(self):
        # Gap 9: what moto did not create (None) is not a resource CloudFormation would list.
        return [r for r in self.resource_map.values() if r is not None]

    models.Stack.stack_resources = property(stack_resources)

    parsing.resource_class_from_type = resource_class_from_type

    # moto's API Gateway method requires IntegrationHttpMethod and Uri, which a MOCK integration
    # (a CORS OPTIONS method) does not have, and crashes without them.
    from moto.apigateway.models import Method
    original_method = Method.create_from_cloudformation_json.__func__

    def create_method(cls, resource_name, cloudformation_json, *args, **kwargs):
        props = cloudformation_json.setdefault("Properties", {})
        props.setdefault("AuthorizationType", "NONE")
        integration = props.setdefault("Integration", {"Type": "MOCK"})
        integration.setdefault("IntegrationHttpMethod", props.get("HttpMethod", "POST"))
        integration.setdefault("Uri", "")
        return original_method(cls, resource_name, cloudformation_json, *args, **kwargs)

    Method.create_from_cloudformation_json = classmethod(create_method)

    # A REST API defined by its Body (what SAM generates) has no Name, which moto requires.
    from moto.apigateway.models import RestAPI
    original_rest_api = RestAPI.create_from_cloudformation_json.__func__

    def create_rest_api(cls, resource_name, cloudformation_json, *args, **kwargs):
        props = cloudformation_json.setdefault("Properties", {})
        body = props.get("Body") if isinstance(props.get("Body"), dict) else {}
        props.setdefault("Name", (body.get("info") or {}).get("title") or resource_name)
        api = original_rest_api(cls, resource_name, cloudformation_json, *args, **kwargs)
        api.cfnsplit_body = body
        if body.get("paths"):
            # CloudFormation imports the Body's paths as methods; moto's create does not, and
            # its deployment then fails ("doesn't contain any methods").
            from moto.apigateway.models import apigateway_backends
            account_id, region_name = args[0], args[1]
            try:
                apigateway_backends[account_id][region_name].put_rest_api(
                    api.id, json.loads(json.dumps(body, default=str)), False, "overwrite")
            except Exception:
                pass  # moto implements a subset of OpenAPI; the methods it can import are there
        return api

    RestAPI.create_from_cloudformation_json = classmethod(create_rest_api)

    # moto imports OpenAPI 3 bodies only; SAM writes Swagger 2.0, so a SAM API has no methods in
    # moto and its deployment would be refused. CloudFormation imports them: deploy it anyway.
    from moto.apigateway.models import APIGatewayBackend
    from moto.apigateway.exceptions import NoMethodDefined
    original_deployment = APIGatewayBackend.create_deployment

    def create_deployment(self, function_id, name, description="", stage_variables=None):
        try:
            return original_deployment(self, function_id, name, description, stage_variables)
        except NoMethodDefined:
            api = self.get_rest_api(function_id)
            if not isinstance(getattr(api, "cfnsplit_body", None), dict):
                raise
            return api.create_deployment(name, description, stage_variables)

    APIGatewayBackend.create_deployment = create_deployment

    def stack_attribute(self, name):
        # moto's nested stack has no attributes: `GetAtt Child.Outputs.X` crashed (HTTP 500).
        if name.startswith("Outputs."):
            output = self.output_map.get(name[len("Outputs."):])
            if output is not None:
                return output.value
        raise ValidationError(message=f"Template error: stack {self.name} has no attribute {name}")

    models.Stack.get_cfn_attribute = stack_attribute

    from samtranslator.translator.arn_generator import ArnGenerator
    ArnGenerator.BOTO_SESSION_REGION_NAME = "us-east-1"  # SAM asks boto for the region
    backend.create_stack = create_stack
    backend.update_stack = update_stack
    backend.create_change_set = create_change_set
    backend.execute_change_set = execute_change_set


if __name__ == "__main__":
    import os
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the SAM transform asks boto
    import threading
    sys.setrecursionlimit(20000)
    threading.stack_size(256 * 1024 * 1024)
    patch()
    from moto.server import main
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
