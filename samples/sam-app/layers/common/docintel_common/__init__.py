"""Shared helpers for docintel functions (packaged under python/ by sam build)."""
import logging

log = logging.getLogger("docintel")
