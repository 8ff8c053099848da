"""align-documents: tiny handler; imports what its requirements.txt promises."""
import PIL  # noqa: F401
import boto3  # noqa: F401
import cv2  # noqa: F401
import numpy  # noqa: F401


def main(event, context):
    return {"function": "align-documents", "records": len(event.get("Records", []))}
