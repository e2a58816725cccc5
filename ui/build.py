"""Build the screens into the Python package, or check that the committed build matches the sources.

    python ui/build.py build    # ./dev ui-build: npm ci (when the lock changed) + vite build of both apps
    python ui/build.py check    # ./dev test: rebuild the sources in a scratch copy, compare byte for byte

The check builds a copy of ``ui/`` (everything but node_modules) in a cache directory outside the repo
(``$WD_UI_CACHE``, default ``~/.cache/saleor-wechat-distribution``) whose node_modules come from ``npm ci``
once per package-lock; the output goes to a temporary directory and is compared with
``saleor_wechat_distribution/{console,center,graphiql}/static``. A check that passed is remembered by a
hash of the sources and of the committed build, so an unchanged tree is not rebuilt. Needs Node.js >= 20.19
and npm (and the npm registry the first time a lock is seen).
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

UI = Path(__file__).resolve().parent
ROOT = UI.parent
PACKAGE = ROOT / "saleor_wechat_distribution"
APPS = ("console", "center", "graphiql")
LOCK_INPUTS = (
    "package.json",
    "package-lock.json",
    "console/package.json",
    "center/package.json",
    "graphiql/package.json",
)
MIN_NODE = (20, 19)


class BuildError(Exception):
    pass


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BuildError(f"{' '.join(args)} failed (exit {done.returncode}) in {cwd}")


def _require_node() -> None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} not found: install Node.js >= {MIN_NODE[0]}.{MIN_NODE[1]} with npm")
    version = subprocess.run(  # noqa: S603
        [shutil.which("node") or "node", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    if (major, minor) < MIN_NODE:
        raise BuildError(f"Node.js {version} is too old: {MIN_NODE[0]}.{MIN_NODE[1]} or newer is needed")


def _digest(paths: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and "node_modules" not in p.parts]


def lock_hash() -> str:
    return _digest([UI / name for name in LOCK_INPUTS], UI)[:16]


def _npm_ci(directory: Path) -> None:
    stamp = directory / "node_modules" / ".wd-lock"
    if stamp.is_file() and stamp.read_text() == lock_hash():
        return
    _run(["npm", "ci", "--no-audit", "--no-fund"], directory)
    stamp.write_text(lock_hash())


def build() -> None:
    """Rebuild the committed screens from ``ui/``."""
    _require_node()
    _npm_ci(UI)
    _run(["npm", "run", "build"], UI)


def _refresh_sources(work: Path) -> None:
    """Make ``work`` a copy of ``ui/`` (sources only), keeping its node_modules."""
    for entry in work.iterdir():
        if entry.name == "node_modules":
            continue
        if entry.is_dir() and entry.name in APPS:
            for inner in entry.iterdir():
                if inner.name != "node_modules":
                    shutil.rmtree(inner) if inner.is_dir() else inner.unlink()
        elif entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(
        UI, work, ignore=shutil.ignore_patterns("node_modules", "__pycache__"), dirs_exist_ok=True
    )


def _differences(built: Path, committed: Path) -> list[str]:
    problems: list[str] = []
    compared = filecmp.dircmp(built, committed)
    stack = [(compared, Path())]
    while stack:
        node, where = stack.pop()
        problems += [f"missing from the committed build: {where / name}" for name in node.left_only]
        problems += [f"not produced by the sources: {where / name}" for name in node.right_only]
        mismatched = filecmp.cmpfiles(node.left, node.right, node.common_files, shallow=False)[1]
        problems += [f"differs: {where / name}" for name in mismatched]
        stack += [(sub, where / name) for name, sub in node.subdirs.items()]
    return sorted(problems)


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "saleor-wechat-distribution"
    return Path(os.environ.get("WD_UI_CACHE") or default)


def check(committed_root: Path = PACKAGE) -> list[str]:
    """Problems of the committed build (empty when it is exactly what the sources build)."""
    committed = {app: committed_root / app / "static" for app in APPS}
    sources = _digest(_files(UI), UI)
    builds = [_digest(_files(path), path) if path.is_dir() else "-" for path in committed.values()]
    key = hashlib.sha256(" ".join([sources, *builds]).encode()).hexdigest()
    passed = cache_dir() / "passed" / key
    if passed.is_file():
        return []
    _require_node()
    work = cache_dir() / f"ui-{lock_hash()}"
    work.mkdir(parents=True, exist_ok=True)
    _refresh_sources(work)
    _npm_ci(work)
    with tempfile.TemporaryDirectory(prefix="wd-ui-check-") as out:
        _run(["npm", "run", "build"], work, env={"WD_UI_OUT": out})
        problems = [
            f"{app}/static: {problem}"
            for app in APPS
            for problem in (
                _differences(Path(out) / app, committed[app])
                if committed[app].is_dir()
                else ["the committed build is missing"]
            )
        ]
    if not problems:
        passed.parent.mkdir(parents=True, exist_ok=True)
        passed.touch()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["build", "check"])
    parser.add_argument(
        "--committed", type=Path, default=PACKAGE, help="check: the package directory to compare"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build()
            return 0
        problems = check(args.committed)
    except BuildError as error:
        print(f"ui: {error}", file=sys.stderr)
        return 2
    if problems:
        print(
            "ui: the committed build does not match the sources (run ./dev ui-build and commit):",
            file=sys.stderr,
        )
        print("\n".join(f"  {problem}" for problem in problems), file=sys.stderr)
        return 1
    print("ui: the committed build matches the sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
