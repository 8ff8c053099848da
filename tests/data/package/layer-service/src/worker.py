import demo


def handler(event, context):
    return {"worker": demo.ANSWER}
