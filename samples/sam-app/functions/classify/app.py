"""classify handler (sample)."""
import sklearn  # noqa: F401


def handler(event, context):
    return {"statusCode": 200, "body": "classify"}
