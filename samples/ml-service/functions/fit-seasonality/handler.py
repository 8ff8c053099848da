"""fit-seasonality: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import scipy  # noqa: F401


def main(event, context):
    return {"function": "fit-seasonality", "records": len(event.get("Records", []))}
