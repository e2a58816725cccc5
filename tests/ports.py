"""Loopback ports for the servers tests start (gunicorn, the App server), safe under parallel runs.

Where the environment names a range (``WD_BROWSER_PORTS=first-last`` and the like, for a session that must
stay inside ports of its own), the range is split between pytest-xdist's workers so two workers never
probe the same port; otherwise the operating system picks a free one. The check is a bind: a port is free
when nothing listens on it now.
"""

from __future__ import annotations

import os
import socket


def xdist_worker() -> tuple[int, int]:
    """(index, count) of this pytest-xdist worker; (0, 1) without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    return (int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0), max(count, 1)


def worker_tag() -> str:
    """A suffix for files a test run writes (logs), so parallel workers do not write over each other."""
    name = os.environ.get("PYTEST_XDIST_WORKER")
    return f"-{name}" if name else ""


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(range_variable: str | None = None) -> int:
    """A free port: from this worker's share of the range in ``range_variable`` when it is set, else one
    the operating system picks."""
    spec = os.environ.get(range_variable) if range_variable else None
    if spec:
        first, _, last = spec.partition("-")
        ports = range(int(first), int(last or first) + 1)
        index, count = xdist_worker()
        share = ports[index::count] or ports
        for port in share:
            if _bindable(port):
                return port
        raise RuntimeError(f"no free port in {spec} for this worker ({range_variable})")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
