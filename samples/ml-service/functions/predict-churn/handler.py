"""predict-churn: tiny handler; imports what its requirements.txt promises."""
import sklearn  # noqa: F401


def main(event, context):
    return {"function": "predict-churn", "records": len(event.get("Records", []))}
