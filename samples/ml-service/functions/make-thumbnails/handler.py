"""make-thumbnails: tiny handler; imports what its requirements.txt promises."""
import PIL  # noqa: F401
import boto3  # noqa: F401


def main(event, context):
    return {"function": "make-thumbnails", "records": len(event.get("Records", []))}
