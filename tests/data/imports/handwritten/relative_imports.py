from . import settings
from .models import User, Order
from ..shared.db import connect
from ... import top
import requests


def handler(event, context):
    from .services import billing
    return billing, settings, User, Order, connect, top, requests
