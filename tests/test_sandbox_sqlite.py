"""The main job end to end on its embedded default: SQLite file, migrate, seed, serve (gunicorn), query over
HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

SANDBOX = [sys.executable, "-m", "saleor_wechat_distribution.sandbox"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["SANDBOX_DATA_DIR"] = str(tmp_path)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _listening_socket(port: int) -> str:
    """The inode of the IPv4 socket listening on ``port`` (/proc/net/tcp: state 0A is LISTEN)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            return fields[9]
    raise AssertionError(f"nothing listens on {port}")


def _sockets(pid: int) -> set[str]:
    """Inodes of the sockets process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    return inodes


def _post(url: str, query: str, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_sandbox_seeds_once_on_sqlite_and_serves_graphql(tmp_path):
    first = subprocess.run(
        [*SANDBOX, "--no-serve"], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert "(demo data created)" in first.stdout
    assert (tmp_path / "wechat-distribution-sandbox.sqlite3").exists()
    second = subprocess.run(
        [*SANDBOX, "--no-serve"], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0 and "(demo data created)" not in second.stdout  # re-runs keep the data
    assert "Demo storefronts" in second.stdout and "wangfang" in second.stdout

    port = _free_port()
    server = subprocess.Popen(
        [*SANDBOX, "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        while len(lines) < 4:
            line = server.stdout.readline()
            assert line, "sandbox exited early:\n" + "".join(lines)
            lines.append(line)
        assert f"http://127.0.0.1:{port}/graphql/" in "".join(lines)
        while not lines[-1].startswith("Demo storefronts"):
            lines.append(server.stdout.readline())
            assert lines[-1], "sandbox exited early:\n" + "".join(lines)
        # "  <who> [<what they are: permissions, or distributor status>]: <token>"
        while not lines[-1].startswith("Distributor center"):
            lines.append(server.stdout.readline())
            assert lines[-1], "sandbox exited early:\n" + "".join(lines)
        printed = "".join(lines)
        assert "WeChat is SIMULATED" in printed and "What to try" in printed
        assert re.search(r"showqrcode\?ticket=\S+", printed) and "sharePosterCreate" in printed
        tokens = dict(re.findall(r"^\s+(.+?) \[.*\]: (\S+)$", "".join(lines[3:]), re.M))
        url = f"http://127.0.0.1:{port}/graphql/"
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        # served by gunicorn (runserver answers "WSGIServer/0.2 CPython/..."): one worker process, which
        # also runs the simulated WeChat the guide points at (its socket is the worker's, not the master's)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Server"].split("/")[0] == "gunicorn", response.headers["Server"]
        assert "Served by gunicorn (1 worker process" in server.stdout.readline()
        (worker,) = _children(server.pid)
        qr_image = re.search(r"http://127.0.0.1:(\d+)/cgi-bin/showqrcode\?ticket=\S+", printed)
        with urllib.request.urlopen(qr_image[0], timeout=10) as response:
            assert response.read(8) == b"\x89PNG\r\n\x1a\n"
        fake_wechat = _listening_socket(int(qr_image[1]))
        assert fake_wechat in _sockets(worker) and fake_wechat not in _sockets(server.pid)
        staff_token = tokens["staff (all permissions)"]
        data = _post(
            url,
            "{ distributors(first: 50) { totalCount edges { node { displayName level } } } }",
            staff_token,
        )
        assert data.get("errors") is None, data
        assert data["data"]["distributors"]["totalCount"] == 16
        assert max(e["node"]["level"] for e in data["data"]["distributors"]["edges"]) == 5
        anonymous = _post(url, "{ distributors(first: 1) { totalCount } }")
        assert anonymous["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
        # the demo storefronts, public: the brand's and distributors' (seeded once, kept on re-runs)
        shop = (
            "{ storefront(slug: %s) { title isBrand referralCode distributorName allProducts productIds } }"
        )
        brand = _post(url, shop % '"brand-store"')["data"]["storefront"]
        assert brand["isBrand"] and brand["referralCode"] is None and brand["allProducts"]
        wang = _post(url, shop % '"wangfang"')["data"]["storefront"]
        assert wang["title"].startswith("王芳") and wang["distributorName"] == "王芳 Wang Fang"
        assert wang["referralCode"] and wang["productIds"] == ["fridge-bcd-520", "kettle-sw-15"]
        east = _post(url, shop % '"east-china"')["data"]["storefront"]
        assert east["allProducts"] and east["referralCode"] not in (None, wang["referralCode"])
        assert _post(url, shop % '"no-such-shop"')["data"]["storefront"] is None
        # the distributor center's home on SQLite (its sums are one plain statement)
        home = _post(
            url,
            '{ centerHome(channel: "default-channel") { balance { available { amount } frozen { amount } '
            "pending { amount } } frozenReleases { on amount { amount } } "
            "monthEarnings { amount } teamSize teamCounts { level count } } }",
            next(token for label, token in tokens.items() if "Wang Fang" in label),
        )
        assert home.get("errors") is None, home
        counts = home["data"]["centerHome"]["teamCounts"]
        assert counts == [{"level": 1, "count": 2}, {"level": 2, "count": 1}]
        assert home["data"]["centerHome"]["balance"]["available"] == {"amount": "0.00"}
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.returncode == 0  # gunicorn stops its worker and exits cleanly on SIGTERM


def test_demo_orders_run_the_whole_lifecycle_on_sqlite(tmp_path):
    """Placed, paid, fulfilled, refunded, cancelled through host_events (eager Celery), then settled."""
    run = subprocess.run(
        [*SANDBOX, "demo-orders", "--count", "8"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    assert "half refunded" in run.stdout and "then cancelled" in run.stdout
    settled = int(re.search(r"settled (\d+) commissions", run.stdout).group(1))
    assert settled >= 8  # 6 fulfilled orders, two levels for most
    balances = re.findall(r"available (-?\d+\.\d\d), frozen (-?\d+\.\d\d) CNY", run.stdout)
    assert balances and all(Decimal(available) > 0 for available, _ in balances)
