"""verify-webhook: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import pydantic  # noqa: F401
import requests  # noqa: F401


def main(event, context):
    return {"function": "verify-webhook", "records": len(event.get("Records", []))}
