"""ocr_page handler (sample)."""
import cv2  # noqa: F401
import requests  # noqa: F401


def handler(event, context):
    return {"statusCode": 200, "body": "ocr_page"}
