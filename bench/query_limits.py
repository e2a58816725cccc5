"""How fast an abusive GraphQL request is refused (issue 11: one anonymous request of 5,000 ``storefront``
aliases, 429 KB, kept the sandbox busy for 16.6 s).

Runs the sandbox's GraphQL view in process (Django's test client: middleware, view, JSON) on a throwaway
SQLite sandbox with its demo storefronts, and prints median wall times over ``--rounds``:

- baseline: one legitimate ``storefront`` query (executed);
- the 5,000-alias request with the default limits (refused: ``QueryTooLarge``, before parsing);
- the same request with the size limit raised to 1 MiB (refused by the alias count of the token scan,
  which stops at the 101st alias);
- 400 copies of one field in 29 KB (refused: ``TooManyRepeatedFields``, before graphql-core's quadratic
  validation);
- before the limits: the alias request with every limit off, on ``--unlimited-aliases`` aliases (500 by
  default, a tenth of the report's, to keep the run short), and the figure scaled to 5,000.

Goal: the 5,000-alias request refused in under 50 ms. The last line is JSON.

    .venv/bin/python bench/query_limits.py [--rounds 20] [--unlimited-aliases 500]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STOREFRONT = 'storefront(slug: "wangfang") { title welcomeText referralCode productIds }'


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: {STOREFRONT}" for i in range(count)) + " }"


def setup(data_dir: str) -> Any:
    os.environ["SANDBOX_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "saleor_wechat_distribution.sandbox.settings"
    os.environ["SANDBOX_DEBUG"] = "0"
    repo = str(Path(__file__).resolve().parent.parent)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from saleor_wechat_distribution.sandbox.seed import seed_demo_network, seed_demo_storefronts

    call_command("migrate", verbosity=0)
    seed_demo_network()
    seed_demo_storefronts()
    return Client()


def timed(client: Any, query: str, rounds: int, **settings_overrides: Any) -> tuple[float, int, str]:
    """(median ms, status, the first error's code or "")."""
    from django.test import override_settings

    body = json.dumps({"query": query})
    times, status, code = [], 0, ""
    with override_settings(**settings_overrides):
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.post("/graphql/", data=body, content_type="application/json")
            times.append((time.perf_counter() - start) * 1000)
            status = response.status_code
            errors = response.json().get("errors") or [{}]
            code = errors[0].get("extensions", {}).get("exception", {}).get("code", "")
    return statistics.median(times), status, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--unlimited-aliases", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        client = setup(data_dir)
        report = aliases(5000)
        no_limits = {
            f"WECHAT_DISTRIBUTION_GRAPHQL_{name}": 0
            for name in ("MAX_QUERY_BYTES", "MAX_ALIASES", "MAX_DEPTH", "MAX_FIELD_REPEATS", "MAX_COST")
        }
        results: dict[str, Any] = {"request_kb": round(len(report.encode()) / 1024)}
        rows = {
            "baseline": timed(client, "{ " + STOREFRONT + " }", args.rounds),
            "refused_size": timed(client, report, args.rounds),
            "refused_aliases": timed(
                client, report, args.rounds, WECHAT_DISTRIBUTION_GRAPHQL_MAX_QUERY_BYTES=1 << 20
            ),
            "refused_repeats": timed(client, "{ " + " ".join([STOREFRONT] * 400) + " }", args.rounds),
            "unlimited": timed(client, aliases(args.unlimited_aliases), 1, **no_limits),
        }
        for name, (ms, status, code) in rows.items():
            results[name] = {"ms": round(ms, 2), "status": status, "code": code}
            print(f"{name:16} {ms:10.2f} ms  HTTP {status} {code}")
        scaled = rows["unlimited"][0] * 5000 / args.unlimited_aliases
        results["unlimited_scaled_to_5000_ms"] = round(scaled)
        results["refusal_vs_baseline"] = round(rows["refused_size"][0] / rows["baseline"][0], 2)
        print(f"without limits, scaled to 5,000 aliases: {scaled / 1000:.1f} s")
        worst = max(rows["refused_size"][0], rows["refused_aliases"][0])
        results["goal_met"] = worst < 50
        print(f"goal (refused in < 50 ms): {'met' if worst < 50 else 'NOT met'} (worst {worst:.1f} ms)")
        print(json.dumps(results))


if __name__ == "__main__":
    main()
