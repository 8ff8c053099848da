"""split_pages handler (sample)."""
import pypdf  # noqa: F401
import PIL  # noqa: F401


def handler(event, context):
    return {"statusCode": 200, "body": "split_pages"}
