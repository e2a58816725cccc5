"""Packaging: install this source tree for real under Saleor's own pins.

For each of Python 3.12 and 3.11 found on this machine, a fresh venv gets a real,
non-editable ``pip install <source tree>[postgres,redis] -c tests/saleor_pins.txt``
(PyPI must be reachable). The two installs run in parallel. Then, per venv:
``pip check`` passes, every package pinned by Saleor that got installed carries
exactly Saleor's version, the key modules import, the ``saleor.plugins`` entry
point is declared, and the package data (locale, migrations, SDL) is shipped.

``tests/saleor_pins.txt`` mirrors saleor/saleor's uv.lock (see its header).
A version that has no working interpreter here is skipped with the reason.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[1]
PINS_FILE = Path(__file__).with_name("saleor_pins.txt")
PACKAGE = "saleor_wechat_distribution"
DIST_NAME = "saleor-wechat-distribution"
PYTHON_VERSIONS = ("3.12", "3.11")
EXTRAS = ("postgres", "redis")
ENTRY_POINT_GROUP = "saleor.plugins"
ENTRY_POINT_NAME = "saleor_wechat_distribution"
ENTRY_POINT_VALUE = "saleor_wechat_distribution.saleor_adapter.plugin:WeChatDistributionPlugin"
IMPORTS = (PACKAGE, "graphene", "treebeard", "wechatpy", "wechatpayv3")
PACKAGE_DATA = (
    "locale/zh_Hans/LC_MESSAGES/django.mo",
    "graphql/schema.graphql",
    "migrations/__init__.py",
)
#: the built screens (ui/) and GraphiQL's files: a host installs no Node.js, the wheel carries them
BUILT_SCREENS = ("console/static", "center/static", "graphiql/static")
# Pinned packages the install must actually bring in (so the pin check is not vacuous).
MUST_BE_PINNED = (
    "django",
    "graphene",
    "graphql-core",
    "graphql-relay",
    "celery",
    "kombu",
    "prices",
    "babel",
    "pillow",
    "cryptography",
    "psycopg",
    "redis",
)
INSTALL_TIMEOUT_S = 600
# Left out of the copy of the source tree that pip builds (pip builds in-tree: building
# from a copy keeps build/ and *.egg-info out of the repo and the two builds apart).
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    ".tox",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".hypothesis",
    ".import_linter_cache",
    "*.sqlite3",
    "node_modules",
    "test-artifacts",
)
# Environment that would leak the runner's interpreter or settings into the venv.
SCRUBBED_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER", "PIP_TARGET", "PIP_PREFIX")

# Runs inside the venv (``python -I``, cwd outside the repo) with argv: dist, entry-point group,
# modules to import. Prints one line "PROBE-JSON:<json>".
PROBE = r"""
import importlib, importlib.metadata as md, json, re, sys

def canon(name):
    return re.sub(r"[-_.]+", "-", name).lower()

dist_name, group, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
imports = {}
for mod in modules:
    try:
        m = importlib.import_module(mod)
        imports[mod] = {"ok": True, "file": getattr(m, "__file__", None)}
    except Exception as exc:
        imports[mod] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

dist = md.distribution(dist_name)
print("PROBE-JSON:" + json.dumps({
    "python": ".".join(map(str, sys.version_info[:3])),
    "prefix": sys.prefix,
    "installed": {canon(d.metadata["Name"]): d.version for d in md.distributions()},
    "imports": imports,
    "dist_entry_points": [[ep.group, ep.name, ep.value] for ep in dist.entry_points],
    "group_entry_points": [
        [ep.name, ep.value] for ep in md.entry_points(group=group)
    ],
}))
"""


def read_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for lineno, raw in enumerate(PINS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;,]+)", line)
        assert match, f"{PINS_FILE.name}:{lineno}: expected 'name==version', got {raw!r}"
        name = canonicalize_name(match[1])
        assert name not in pins, f"{PINS_FILE.name}:{lineno}: {name} pinned twice"
        pins[name] = str(Version(match[2]))
    return pins


def read_our_requirements() -> list[tuple[str, Requirement]]:
    """``(where, requirement)`` for install_requires and the extras we install."""
    cfg = configparser.ConfigParser()
    cfg.read(REPO_ROOT / "setup.cfg", encoding="utf-8")
    sections = [("install_requires", cfg.get("options", "install_requires"))]
    sections += [(f"extras[{x}]", cfg.get("options.extras_require", x)) for x in EXTRAS]
    reqs = []
    for where, text in sections:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                reqs.append((where, Requirement(line)))
    return reqs


# ---------------------------------------------------------------- interpreters


def _version_key(path: Path) -> tuple[int, ...]:
    # ~/.pyenv/versions/3.12.10/bin/python -> (3, 12, 10); newest first after sorting.
    return tuple(int(part) for part in re.findall(r"\d+", path.parents[1].name)[:3])


def _candidate_interpreters(version: str) -> list[str]:
    candidates: list[str] = []
    if found := shutil.which(f"python{version}"):  # may be a pyenv shim that refuses to run
        candidates.append(found)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pyenv = [
        *pyenv_root.glob(f"versions/{version}/bin/python"),
        *pyenv_root.glob(f"versions/{version}.*/bin/python"),
    ]
    candidates += [str(p) for p in sorted(pyenv, key=_version_key, reverse=True)]
    candidates += [f"/usr/local/bin/python{version}", f"/usr/bin/python{version}"]
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        candidates.append(sys.executable)
    return list(dict.fromkeys(candidates))


def find_interpreter(version: str) -> tuple[str | None, str]:
    """A Python ``version`` that runs and can make a venv with pip, or None and why not."""
    rejected = []
    # Prints "X.Y <real executable>": a pyenv shim resolves to the interpreter behind it.
    check = "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2], sys.executable)"
    for exe in _candidate_interpreters(version):
        if not os.access(exe, os.X_OK):
            continue
        try:
            proc = subprocess.run(
                [exe, "-I", "-c", check], capture_output=True, text=True, timeout=30, env=_clean_env()
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            rejected.append(f"{exe}: {exc}")
            continue
        reported = proc.stdout.strip().split(" ", 1)
        if proc.returncode == 0 and reported[0] == version:
            return (reported[1] if len(reported) == 2 else exe), ""
        detail = (proc.stdout + proc.stderr).strip().splitlines()
        rejected.append(f"{exe}: exit {proc.returncode}: {detail[-1] if detail else ''}")
    return None, f"no working Python {version} interpreter found ({'; '.join(rejected) or 'no candidates'})"


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # set by pytest-django for this test run only
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def index_unreachable() -> str | None:
    url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return None
    host, port = parsed.hostname or "pypi.org", parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=10):
            return None
    except OSError as exc:
        return f"package index {host}:{port} unreachable ({exc}); this test needs PyPI"


# ---------------------------------------------------------------- install jobs


@dataclass
class InstallResult:
    version: str
    interpreter: str
    venv: Path
    seconds: float = 0.0
    install_cmd: list[str] = field(default_factory=list)
    install_rc: int | None = None
    install_output: str = ""
    check_rc: int | None = None
    check_output: str = ""
    probe: dict = field(default_factory=dict)
    probe_error: str = ""

    @property
    def source(self) -> Path:
        return self.venv.parent / "src"

    @property
    def python(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin") / "python"

    @property
    def installed_ok(self) -> bool:
        return self.install_rc == 0


def _run(cmd: list[str], cwd: Path, timeout: float = INSTALL_TIMEOUT_S) -> tuple[int, str]:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=_clean_env())
    except subprocess.TimeoutExpired as exc:
        parts = [
            p.decode(errors="replace") if isinstance(p, bytes) else p for p in (exc.stdout, exc.stderr) if p
        ]
        return -1, f"timed out after {timeout}s\n" + "".join(parts)
    return proc.returncode, proc.stdout + proc.stderr


def install_into_fresh_venv(version: str, interpreter: str, workdir: Path) -> InstallResult:
    started = time.monotonic()
    result = InstallResult(version=version, interpreter=interpreter, venv=workdir / "venv")
    try:
        source = result.source
        shutil.copytree(REPO_ROOT, source, ignore=COPY_IGNORE)
        rc, out = _run([interpreter, "-m", "venv", str(result.venv)], cwd=workdir, timeout=120)
        if rc != 0:
            result.install_rc, result.install_output = rc, f"venv creation failed:\n{out}"
            return result
        result.install_cmd = [
            str(result.python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
            f"{source}[{','.join(EXTRAS)}]", "-c", str(PINS_FILE),
        ]  # fmt: skip
        result.install_rc, result.install_output = _run(result.install_cmd, cwd=workdir)
        if not result.installed_ok:
            return result
        result.check_rc, result.check_output = _run(
            [str(result.python), "-m", "pip", "check", "--disable-pip-version-check"],
            cwd=workdir,
            timeout=120,
        )
        rc, out = _run(
            [str(result.python), "-I", "-c", PROBE, DIST_NAME, ENTRY_POINT_GROUP, *IMPORTS],
            cwd=workdir,
            timeout=120,
        )
        lines = [ln for ln in out.splitlines() if ln.startswith("PROBE-JSON:")]
        if rc == 0 and lines:
            result.probe = json.loads(lines[-1].removeprefix("PROBE-JSON:"))
        if not result.probe:
            result.probe_error = f"probe exited {rc}:\n{out}"
        return result
    finally:
        result.seconds = time.monotonic() - started


def _tail(text: str, limit: int = 6000) -> str:
    # Drop pip's noise about unusable extra indexes configured on this machine.
    lines = [ln for ln in text.splitlines() if "is ignored: it is neither a file nor a directory" not in ln]
    text = "\n".join(lines)
    return text if len(text) <= limit else "...\n" + text[-limit:]


@pytest.fixture(scope="module")
def install_jobs(tmp_path_factory):
    """Start the install for every available Python at once; yield version -> Future | skip reason."""
    jobs: dict[str, Future | str] = {}
    unreachable = index_unreachable()
    pool = ThreadPoolExecutor(max_workers=len(PYTHON_VERSIONS), thread_name_prefix="packaging-install")
    try:
        for version in PYTHON_VERSIONS:
            interpreter, reason = find_interpreter(version)
            if interpreter is None:
                jobs[version] = reason
            elif unreachable:
                jobs[version] = unreachable
            else:
                workdir = tmp_path_factory.mktemp(f"py{version.replace('.', '')}-install")
                jobs[version] = pool.submit(install_into_fresh_venv, version, interpreter, workdir)
        yield jobs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(params=PYTHON_VERSIONS, ids=lambda v: f"py{v}")
def install(request, install_jobs) -> InstallResult:
    job = install_jobs[request.param]
    if isinstance(job, str):
        pytest.skip(job)
    return job.result()


@pytest.fixture
def venv(install: InstallResult) -> InstallResult:
    """An install that succeeded and was probed; otherwise skip (test_install_succeeds reports it)."""
    if not install.installed_ok:
        pytest.skip(f"install on Python {install.version} failed: see test_packaging_install_succeeds")
    if not install.probe:
        pytest.fail(f"could not inspect the venv for Python {install.version}: {_tail(install.probe_error)}")
    return install


# ---------------------------------------------------------------- tests


def test_packaging_pins_file_is_well_formed():
    pins = read_pins()
    assert set(MUST_BE_PINNED) <= set(pins), (
        f"missing from {PINS_FILE.name}: {set(MUST_BE_PINNED) - set(pins)}"
    )


def test_packaging_our_ranges_admit_saleor_pins():
    """Static check, no install: every range we declare contains Saleor's pin for that package."""
    pins = read_pins()
    conflicts = [
        f"{req.name}: our range {req.specifier or '(any)'} ({where}) excludes Saleor's pin =={pins[name]}"
        for where, req in read_our_requirements()
        if (name := canonicalize_name(req.name)) in pins
        and not req.specifier.contains(pins[name], prereleases=True)
    ]
    assert not conflicts, "\n".join(conflicts)


def test_packaging_install_succeeds(install: InstallResult):
    assert install.installed_ok, (
        f"pip install failed on Python {install.version} ({install.interpreter}), exit {install.install_rc}, "
        f"after {install.seconds:.0f}s:\n$ {' '.join(install.install_cmd)}\n{_tail(install.install_output)}"
    )
    if install.probe:  # else the venv fixture reports the probe failure
        assert install.probe["python"].startswith(f"{install.version}."), install.probe["python"]


def test_packaging_pip_check_passes(venv: InstallResult):
    assert venv.check_rc == 0, f"pip check on Python {venv.version}:\n{_tail(venv.check_output)}"


def test_packaging_installed_versions_match_saleor_pins(venv: InstallResult):
    pins = read_pins()
    installed = {canonicalize_name(name): version for name, version in venv.probe["installed"].items()}
    missing = [name for name in MUST_BE_PINNED if name not in installed]
    assert not missing, f"expected these Saleor-pinned packages to be installed: {missing}"
    mismatches = [
        f"{name}: installed {installed[name]}, Saleor pins {pin}"
        for name, pin in sorted(pins.items())
        if name in installed and Version(installed[name]) != Version(pin)
    ]
    assert not mismatches, f"Python {venv.version}:\n" + "\n".join(mismatches)


def test_packaging_imports_work(venv: InstallResult):
    failures = {mod: info["error"] for mod, info in venv.probe["imports"].items() if not info["ok"]}
    assert not failures, f"Python {venv.version}: {failures}"
    # Imported from the venv, not from the source tree.
    ours = Path(venv.probe["imports"][PACKAGE]["file"]).resolve()
    assert ours.is_relative_to(venv.venv.resolve()), ours


def test_packaging_saleor_plugin_entry_point(venv: InstallResult):
    ours = {(group, name): value for group, name, value in venv.probe["dist_entry_points"]}
    assert ours.get((ENTRY_POINT_GROUP, ENTRY_POINT_NAME)) == ENTRY_POINT_VALUE, ours
    # And it is what Saleor sees when it scans the group.
    assert [ENTRY_POINT_NAME, ENTRY_POINT_VALUE] in venv.probe["group_entry_points"]


def test_packaging_ships_package_data(venv: InstallResult):
    installed_pkg = Path(venv.probe["imports"][PACKAGE]["file"]).parent
    source_pkg = venv.source / PACKAGE  # the copy of the tree that was built
    wanted = list(PACKAGE_DATA)
    wanted += [
        p.relative_to(source_pkg).as_posix() for p in sorted((source_pkg / "migrations").glob("[0-9]*.py"))
    ]
    assert any(w.startswith("migrations/0") for w in wanted), "no numbered migrations in the source tree?"
    screens = [
        p.relative_to(source_pkg).as_posix()
        for built in BUILT_SCREENS
        for p in sorted((source_pkg / built).rglob("*"))
        if p.is_file()
    ]
    pages = {"console/static/index.html", "center/static/index.html", "console/static/logo.png",
             "graphiql/static/graphiql.min.js", "graphiql/static/react.production.min.js"}  # fmt: skip
    assert pages <= set(screens)
    assert any(s.startswith("console/static/assets/") and s.endswith(".js") for s in screens)
    wanted += screens
    missing = [rel for rel in wanted if not (installed_pkg / rel).is_file()]
    assert not missing, f"Python {venv.version}: not shipped in {installed_pkg}: {missing}"
    for rel in ("locale/zh_Hans/LC_MESSAGES/django.mo", "graphql/schema.graphql", *screens):
        assert (installed_pkg / rel).read_bytes() == (source_pkg / rel).read_bytes(), (
            f"{rel} differs from source"
        )


def test_packaging_wheel_carries_the_built_screens(venv: InstallResult, tmp_path):
    """The wheel itself (what a host installs without Node.js) holds every built file of the screens."""
    rc, out = _run(
        [str(venv.python), "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(venv.source)],
        cwd=tmp_path,
    )
    assert rc == 0, _tail(out)
    (wheel,) = tmp_path.glob("saleor_wechat_distribution-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    source_pkg = venv.source / PACKAGE
    built = {
        f"{PACKAGE}/{p.relative_to(source_pkg).as_posix()}"
        for screens in BUILT_SCREENS
        for p in (source_pkg / screens).rglob("*")
        if p.is_file()
    }
    assert len(built) >= 8
    assert built - names == set(), f"not in {wheel.name}: {sorted(built - names)}"
