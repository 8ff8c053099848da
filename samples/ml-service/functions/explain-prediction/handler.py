"""explain-prediction: tiny handler; imports what its requirements.txt promises."""
import sklearn  # noqa: F401


def main(event, context):
    return {"function": "explain-prediction", "records": len(event.get("Records", []))}
