"""record-usage: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import orjson  # noqa: F401
import pydantic  # noqa: F401


def main(event, context):
    return {"function": "record-usage", "records": len(event.get("Records", []))}
