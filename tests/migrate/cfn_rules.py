"""The documented CloudFormation rules the model of cfn_model.py applies, written down again
from the documentation (source beside each), independent of cfnsplit's rules/."""
import json

REGION, ACCOUNT = "us-east-1", "123456789012"

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
QUOTAS = {"Resources": 500, "Outputs": 200, "Parameters": 200, "Mappings": 200}
BODY_BYTES, URL_BYTES = 51200, 1000000

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-refactoring.html
REFACTOR_DENY = {
    "AWS::ApiGateway::Method", "AWS::ApiGateway::BasePathMapping", "AWS::Lambda::EventInvokeConfig",
    "AWS::CloudFormation::CustomResource", "AWS::CloudFormation::WaitCondition",
    "AWS::DynamoDB::GlobalTable", "AWS::Route53::RecordSet", "AWS::CertificateManager::Certificate",
    "AWS::WAFv2::WebACL", "AWS::Synthetics::Canary", "AWS::StepFunctions::StateMachineVersion",
}
STACK_TYPE = "AWS::CloudFormation::Stack"
STACK_PSEUDO = ("AWS::StackName", "AWS::StackId", "AWS::NotificationARNs")

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html
IMPORTABLE = {
    "AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::DynamoDB::Table", "AWS::S3::Bucket",
    "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::IAM::Role", "AWS::IAM::ManagedPolicy",
    "AWS::Lambda::Permission", "AWS::Lambda::Url",
}

# Properties that fix a physical name (each type's reference page).
NAME_PROPERTY = {
    "AWS::Lambda::Function": "FunctionName", "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::DynamoDB::Table": "TableName", "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName", "AWS::IAM::Role": "RoleName",
    "AWS::Events::Rule": "Name", "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::ApiGateway::RestApi": "Name",
}
NO_VALUE = object()


class Fail(Exception):
    """An operation CloudFormation would refuse or fail."""


def is_custom(t):
    return t.startswith("Custom::") or t == "AWS::CloudFormation::CustomResource"


def mentions(value, names):
    text = json.dumps(value)
    return [n for n in names if n in text]
