import logging

logger = logging.getLogger(__name__)


class Handler:
    import threading

    def __call__(self, event, context):
        from decimal import Decimal
        return Decimal(1)

    async def run(self):
        import asyncio
        return await asyncio.sleep(0)


def outer():
    def inner():
        import uuid
        return uuid.uuid4()
    return inner


handler = Handler()
square = lambda x: __import__("math").sqrt(x)
