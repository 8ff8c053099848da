"""watermark-images: tiny handler; imports what its requirements.txt promises."""
import PIL  # noqa: F401
import boto3  # noqa: F401


def main(event, context):
    return {"function": "watermark-images", "records": len(event.get("Records", []))}
