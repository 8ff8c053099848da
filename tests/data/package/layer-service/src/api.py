import demo


def handler(event, context):
    return {"api": demo.ANSWER}
