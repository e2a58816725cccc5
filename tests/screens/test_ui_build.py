"""The test command fails when the committed build does not match the sources (``ui/build.py check``,
which ``./dev test`` runs): a changed, missing or extra built file is each reported."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "ui" / "build.py"
APPS = ("console", "center", "graphiql")


def _node_missing() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js and npm are needed to rebuild the screens"
    return None


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    """A copy of the committed builds, laid out like the package, to tamper with."""
    for app in APPS:
        shutil.copytree(ROOT / "saleor_wechat_distribution" / app / "static", tmp_path / app / "static")
    return tmp_path


def check(committed: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BUILD), "check", "--committed", str(committed)],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.skipif(_node_missing() is not None, reason=str(_node_missing()))
def test_a_tampered_build_fails_the_check(committed: Path):
    assert check(committed).returncode == 0, "the copy of the committed build matches"
    (script,) = (committed / "console" / "static" / "assets").glob("index-*.js")
    script.write_text(script.read_text() + "\n// edited by hand\n")
    (committed / "center" / "static" / "assets" / "extra-AAAAAAAA.js").write_text("stale")
    (css,) = (committed / "center" / "static" / "assets").glob("index-*.css")
    css.unlink()
    result = check(committed)
    assert result.returncode == 1
    assert f"console/static: differs: assets/{script.name}" in result.stderr
    assert "center/static: not produced by the sources: assets/extra-AAAAAAAA.js" in result.stderr
    assert f"center/static: missing from the committed build: assets/{css.name}" in result.stderr
    assert "run ./dev ui-build" in result.stderr


def test_check_reports_a_missing_node(monkeypatch, committed: Path, tmp_path: Path):
    spec = importlib.util.spec_from_file_location("ui_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("WD_UI_CACHE", str(tmp_path / "cache"))  # nothing remembered
    monkeypatch.setattr(module.shutil, "which", lambda tool: None)
    with pytest.raises(module.BuildError, match="node not found"):
        module.check(committed)
