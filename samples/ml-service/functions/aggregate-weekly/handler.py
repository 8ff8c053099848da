"""aggregate-weekly: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import pandas  # noqa: F401


def main(event, context):
    return {"function": "aggregate-weekly", "records": len(event.get("Records", []))}
