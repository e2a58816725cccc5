"""Closed-loop HTTP clients shared by ``center.py`` and ``console.py``, and their baseline.

Each client sends a request as soon as the previous one answered (or after a pause of ``think`` seconds
on average, exponentially distributed), on a new connection as a browser behind a proxy would, for
``duration`` seconds after a ``warmup``; latencies are taken on the client's side (connect, request, full
response).

The baseline is the same clients sending the emptiest GraphQL request there is (``{ __typename }``: no
authentication, no SQL) to the same server in the same process: what this machine's HTTP stack, Django
and graphene cost under that load before any page does any work. The benchmarks print each page's
latencies as a ratio of it, which is comparable between machines where the absolute numbers are not
(the load clients, the server and PostgreSQL share the machine's cores).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: (label, body, headers, heavy) of a client's ``turn``-th request
NextRequest = Callable[[int, int], tuple[str, bytes, dict[str, str], bool]]
EMPTY_REQUEST = json.dumps({"query": "{ __typename }"}).encode()


@dataclass(frozen=True)
class Sample:
    label: str
    seconds: float
    heavy: bool
    ok: bool


def run_clients(
    *, port: int, clients: int, duration: float, warmup: float, think: float, next_request: NextRequest
) -> list[Sample]:
    """``clients`` concurrent closed-loop clients; the samples measured after the warm-up."""
    stop_at = time.monotonic() + warmup + duration
    measure_from = time.monotonic() + warmup
    samples: list[Sample] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    failures: list[str] = []

    def client(index: int) -> None:
        mine: list[Sample] = []
        pauses = random.Random(index)
        turn = 0
        barrier.wait()
        while True:
            label, data, headers, heavy = next_request(index, turn)
            turn += 1
            start = time.monotonic()
            if start >= stop_at:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/graphql/", data, headers)
                response = conn.getresponse()
                ok = response.status == 200 and b'"errors"' not in response.read()
                conn.close()
            except (OSError, http.client.HTTPException) as error:
                ok = False
                failures.append(repr(error))
            if start >= measure_from:
                mine.append(Sample(label, time.monotonic() - start, heavy, ok))
            if think > 0:
                time.sleep(pauses.expovariate(1 / think))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print(f"{len(failures)} failed requests, first: {failures[0]}")
    return samples


def percentiles(
    values: Iterable[float], quantiles: tuple[float, ...] = (0.5, 0.95, 0.99)
) -> dict[str, float]:
    """``p50_ms``, ``p95_ms``, ``p99_ms`` and ``max_ms`` of latencies in seconds ({} for none)."""
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)

    found = {f"p{round(q * 100)}_ms": at(q) for q in quantiles}
    found["max_ms"] = at(1.0)
    return found


def empty_request_baseline(*, port: int, clients: int, duration: float, warmup: float, think: float) -> dict:
    """The baseline: the same clients sending ``{ __typename }`` to the same server."""
    headers = {"Content-Type": "application/json"}
    samples = run_clients(
        port=port, clients=clients, duration=duration, warmup=warmup, think=think,
        next_request=lambda index, turn: ("empty", EMPTY_REQUEST, headers, False),
    )  # fmt: skip
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if not s.ok),
        "rps": round(len(samples) / duration, 1),
        **percentiles(s.seconds for s in samples),
    }


def ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 2) if value and base else None
