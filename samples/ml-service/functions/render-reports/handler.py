"""render-reports: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import lxml  # noqa: F401
import requests  # noqa: F401


def main(event, context):
    return {"function": "render-reports", "records": len(event.get("Records", []))}
