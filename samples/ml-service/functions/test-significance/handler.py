"""test-significance: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import scipy  # noqa: F401


def main(event, context):
    return {"function": "test-significance", "records": len(event.get("Records", []))}
