'''Docstring mentioning
import os_in_docstring
from nowhere import nothing
'''
SQL = "import from import"
TEMPLATE = f"{'import x'} {SQL!r:>{10}} {{import y}}"
RAW = r"\"import raw\""
BYTES = b'import bytes'
MULTI = """
    from fake import module  # not code
"""  # import after_string
import re  # import in_comment
escaped = 'it\'s "import" here'
import string
