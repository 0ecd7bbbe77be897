"""The generated files (docstrings, stubs) are up to date with the Rust
configs; the stubs parse and cover every class."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ferrosip
from ferrosip import _config

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_api.py"
STUBS = ROOT / "python" / "ferrosip" / "__init__.pyi"
RUST_CONFIG = ROOT.parent.parent / "crates" / "ferrosip" / "src" / "config"


@pytest.mark.skipif(not RUST_CONFIG.exists(), reason="needs the Rust sources of the workspace")
def test_docs_and_stubs_are_up_to_date():
    out = subprocess.run(
        [sys.executable, str(TOOL), "--check", "docs", "stubs"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_stubs_parse_and_cover_my_classes():
    tree = ast.parse(STUBS.read_text())
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    names = {t.id for n in tree.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    for name in _config.classes():
        assert name in classes, name
    for vec in _config.vector_classes().values():
        assert vec.__name__ in classes
    for name in ("StringVector", "IntVector", "ByteVector", "JsonDocument", "ContainerNode",
                 "PersistentDocument", "PersistentObject", "Error"):  # fmt: skip
        assert name in classes, name
    assert "PJSIP_SC_OK" in names and "__version__" in names
    assert (ROOT / "python" / "ferrosip" / "py.typed").exists()
    assert "Endpoint, Account, LogWriter" in STUBS.read_text()


def test_module_exports():
    for name in _config.__all__:
        assert getattr(ferrosip, name) is getattr(_config, name)
