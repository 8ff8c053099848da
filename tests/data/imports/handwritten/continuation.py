import os, \
    sys
from collections import (
    OrderedDict,   # a comment inside parentheses
    defaultdict as dd,
)
import json; import base64
value = {"a": [1, 2,
               3], "b": (4,
                         5)}
if value: import hashlib
for x in range(3): from itertools import chain
with open(os.devnull) as f: import csv
from xml.etree import \
    ElementTree
