"""Helpers shared by the PJSUA2 JSON interop scripts.

PJSUA2's JsonDocument needs a created library (Endpoint.libCreate()), logs
to stdout, and must be destroyed before libDestroy(); the scripts therefore
write their results to files and leave with os._exit(0) without destroying
anything.
"""

import json
import os
import sys

import pjsua2 as pj

_SKIP = object()


def start():
    """Creates the library (needed by JsonDocument) and returns the endpoint."""
    ep = pj.Endpoint()
    ep.libCreate()
    return ep


def dump(obj):
    """A PJSUA2 object as plain data: every readable field by its PJSUA2
    name, vectors as lists. Fields Python cannot read (pointers, the
    unwrapped pjmedia_jb_discard_algo) are left out."""
    if obj is None:
        return _SKIP
    if isinstance(obj, (bool, int, float, str)):
        return obj
    if type(obj).__name__ == "SwigPyObject":
        return _SKIP
    if hasattr(type(obj), "__len__"):
        return [x for x in (dump(item) for item in obj) if x is not _SKIP]
    out = {}
    for klass in type(obj).__mro__:
        for name, attr in vars(klass).items():
            if name == "thisown" or name in out or not isinstance(attr, property):
                continue
            value = dump(getattr(obj, name))
            if value is not _SKIP:
                out[name] = value
    return out


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=True)


def write_text(path, text):
    # PJSUA2 returns its document as str; its bytes are what it wrote.
    with open(path, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))


def finish(code=0):
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
