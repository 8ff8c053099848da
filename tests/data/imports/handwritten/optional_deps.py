try:
    import ujson as json
except ImportError:  # fall back to the standard library
    import json

try:
    from yaml import CSafeLoader as Loader
except (ImportError, AttributeError):
    from yaml import SafeLoader as Loader

try: import orjson
except ModuleNotFoundError: orjson = None

try:
    import sentry_sdk
except Exception:
    sentry_sdk = None


def handler(event, context):
    return json.dumps(event), Loader, orjson, sentry_sdk
