"""API shape: what PJSUA2's Python module has that ferrosip lacks.

For the module itself and for each class both modules have, the public
names PJSUA2 has and ferrosip lacks are compared with the committed
baseline tests/data/api_missing.json: the test fails if a list grew, and
passes (with a warning to update the baseline) if one shrank. A class
that ferrosip did not have when the baseline was written counts as
missing everything PJSUA2's has.

Rewrite the baseline (after adding API, or to accept a change on purpose):

    target/python-venv/bin/python bindings/python/tests/test_api_shape.py --update
"""

import functools
import importlib.util
import json
import subprocess
import sys
import warnings
from pathlib import Path

import ferrosip as pj
from conftest import require, run_oracle

ORACLE = Path(__file__).parent / "data" / "pjsua2_oracle.py"
BASELINE = Path(__file__).parent / "data" / "api_missing.json"



@functools.lru_cache(maxsize=None)
def pjsua2_shape():
    return run_oracle("shape")


def has(cls, name):
    """Whether ferrosip's class has the attribute `name` (on an instance,
    for exceptions, whose fields are set by __init__)."""
    if hasattr(cls, name):
        return True
    if isinstance(cls, type) and issubclass(cls, BaseException):
        try:
            return hasattr(cls(), name)
        except Exception:  # noqa: BLE001 - then it has not
            return False
    return False


def missing_now():
    """{"module": [...], "classes": {name: [...]}}: what ferrosip lacks."""
    shape = pjsua2_shape()
    module = [n for n in shape["module"] if not hasattr(pj, n)]
    classes = {}
    for name, attrs in shape["classes"].items():
        ours = getattr(pj, name, None)
        if isinstance(ours, type):
            classes[name] = [a for a in attrs if not has(ours, a)]
    return {"module": module, "classes": classes}


def counts(missing):
    lines = [f"module: {len(missing['module'])} of {len(pjsua2_shape()['module'])} names missing"]
    for name, attrs in sorted(missing["classes"].items()):
        total = len(pjsua2_shape()["classes"][name])
        lines.append(f"{name}: {len(attrs)} of {total} missing")
    return "\n".join(lines)


def test_the_missing_api_only_shrinks():
    now = missing_now()
    baseline = json.loads(BASELINE.read_text())
    shape = pjsua2_shape()
    print("\nPJSUA2 API that ferrosip lacks:\n" + counts(now))

    grown, shrunk = {}, {}
    more = set(now["module"]) - set(baseline["module"])
    fewer = set(baseline["module"]) - set(now["module"])
    if more:
        grown["module"] = sorted(more)
    if fewer:
        shrunk["module"] = sorted(fewer)
    for name, attrs in now["classes"].items():
        before = baseline["classes"].get(name, shape["classes"][name])
        more = set(attrs) - set(before)
        fewer = set(before) - set(attrs)
        if more:
            grown[name] = sorted(more)
        if fewer or name not in baseline["classes"]:
            shrunk[name] = sorted(fewer)
    if shrunk:
        warnings.warn(
            "API shape: ferrosip gained PJSUA2 API; update the baseline with "
            "`target/python-venv/bin/python bindings/python/tests/test_api_shape.py --update` "
            f"(newly present: {json.dumps(shrunk)})"
        )
    assert not grown, f"ferrosip lost PJSUA2 API (was there in the baseline): {grown}"


def test_my_classes_lack_nothing_but_what_is_listed():
    """The config, vector and JSON classes have every PJSUA2 attribute but
    the few listed here on purpose."""
    from ferrosip import _config

    now = missing_now()["classes"]
    # SWIG's iterator-based std::vector methods make no sense on a list.
    iterator_methods = ["begin", "end", "erase", "get_allocator", "rbegin", "rend"]
    expected = {name: [] for name in _config.classes()}
    expected["SdpSession"] = ["pjSdpSession"]  # a C pointer
    # No device reports extended (encoded) formats yet: the Rust AudioDevInfo
    # has no such field so far.
    expected["AudioDevInfo"] = ["extFmt"]
    expected.update({"PersistentObject": [], "ContainerNode": [], "JsonDocument": []})
    expected["PersistentDocument"] = []
    for vec in ("StringVector", "IntVector", "ByteVector", "AudioMediaVector",
                "AudioMediaVector2", *_config.extra_vector_classes(), *(
        v.__name__ for v in _config.vector_classes().values()
    )):  # fmt: skip
        expected[vec] = iterator_methods
    # The media classes (src/media.rs) have all of PJSUA2's methods;
    # AudDevManager lacks the settings of real sound devices.
    for name in ("Media", "AudioMedia", "AudioMediaPlayer", "AudioMediaRecorder",
                 "ToneGenerator", "AudioMediaPort", "ExtraAudioDevice"):  # fmt: skip
        expected[name] = []
    assert {name: now.get(name) for name in expected} == expected


def update():
    missing = missing_now()
    BASELINE.write_text(json.dumps(missing, indent=1, sort_keys=True) + "\n")
    print(counts(missing))
    print(f"wrote {BASELINE}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()
