"""nightly_report handler (sample)."""
import pandas  # noqa: F401
import pyarrow  # noqa: F401


def handler(event, context):
    return {"statusCode": 200, "body": "nightly_report"}
