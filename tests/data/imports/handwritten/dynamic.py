import importlib
from importlib import import_module

PLUGINS = {"csv": "plugins.csv_plugin"}


def load(kind):
    yaml = __import__("yaml")
    codec = importlib.import_module("encodings.idna")
    plugin = import_module(PLUGINS[kind])  # cannot be resolved statically
    return yaml, codec, plugin
