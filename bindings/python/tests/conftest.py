"""Shared fixtures for the ferrosip Python tests."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def require(peer: str, found: bool) -> bool:
    """Under CI=true a missing peer fails the test; elsewhere it is skipped
    with a loud message (the rule of the Rust interop tests)."""
    if found:
        return True
    message = f"{peer} not installed; run scripts/install-peers"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
    return False


@pytest.fixture
def kamailio_bin():
    path = shutil.which("kamailio") or (
        "/usr/sbin/kamailio" if os.path.exists("/usr/sbin/kamailio") else None
    )
    require("kamailio", path is not None)
    return path


ORACLE = Path(__file__).parent / "data" / "pjsua2_oracle.py"


def run_oracle(*args):
    """The JSON answer of tests/data/pjsua2_oracle.py (the real PJSUA2, run
    in a subprocess)."""
    require("pjsua2", importlib.util.find_spec("pjsua2") is not None)
    out = subprocess.run(
        [sys.executable, str(ORACLE), *args], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    answer = json.loads(out.stdout)
    assert "ok" in answer, answer
    return answer["ok"]
