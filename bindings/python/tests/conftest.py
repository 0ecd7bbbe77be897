"""Shared fixtures for the ferrosip Python tests."""

import os
import shutil

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
