"""upload handler (sample)."""
import pydantic  # noqa: F401


def handler(event, context):
    return {"statusCode": 200, "body": "upload"}
