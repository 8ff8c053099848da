"""read-parquet: tiny handler; imports what its requirements.txt promises."""
import boto3  # noqa: F401
import pyarrow  # noqa: F401


def main(event, context):
    return {"function": "read-parquet", "records": len(event.get("Records", []))}
