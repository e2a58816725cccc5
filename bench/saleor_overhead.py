"""checkoutComplete latency inside a real Saleor, with the WeChat distribution plugin active vs inactive.

Two figures, each a ratio against the inactive arm run in the same process, arms interleaved:

* in process (default): runs inside a Saleor environment (see README, "Running the saleor tier"; start it
  from this repository's directory: the current directory wins over PYTHONPATH once Saleor is set up):
  Saleor's test settings, its test database (kept: ``--keepdb``), Saleor's own e2e helpers to build a shop
  and drive its GraphQL API in process. Each run prepares a fresh checkout (lines, delivery, a referral
  code in its metadata, paid in full with ``transactionCreate`` by an app) outside the timing, then times
  only ``checkoutComplete``, including what it leaves for the commit (Saleor's and our on-commit
  hand-offs, the Celery publish: the run is one transaction rolled back at the end, so the bench runs
  them as the commit would), each request starting with fresh Celery thread state as in a server's new
  request thread. Celery tasks go to a real broker (Redis, ``--broker``), as in production, unless
  ``--eager``.
* ``--http URL`` (``saleor_http.py``): against a running Saleor (uvicorn + a Celery worker), through its
  public GraphQL API only; with ``--server-pid`` / ``--worker-pid`` also the server's CPU per
  ``checkoutComplete`` and the worker's CPU per active checkout, from /proc (steadier than wall time on a
  shared machine).

Noise control (the machine may be shared; run-to-run noise is about ±10 % of a checkout): the arms
alternate ABBA so neither always goes first, the first runs of each arm are discarded as warm-up, the
garbage collector runs before and is paused during each timed call (in process), and the medians are
compared. Besides the end-to-end ratio, the in-process run measures the time spent in our own code
directly: the plugin's hooks and the on-commit hand-offs they register (the Celery publish) are timed
inside the active runs (``hooks_ms``, median per checkout), which the end-to-end ratio cannot resolve
below the noise.

Elsewhere it prints why it cannot run and exits 0. Last line: one JSON object with ``active_ms``,
``inactive_ms`` (medians), ``overhead_ratio``, ``runs`` (per arm), ``hooks_ms`` and ``hooks_ratio``
(``(inactive_ms + hooks_ms) / inactive_ms``); over HTTP ``mode: "http"``, the per-round medians and the
CPU figures.

    DJANGO_SETTINGS_MODULE=saleor.tests.settings DATABASE_URL=postgres://…/saleor_test \\
        python bench/saleor_overhead.py --runs 25
    python bench/saleor_overhead.py --http http://127.0.0.1:8000/graphql/ --server-pid 123 --worker-pid 456
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib.util
import json
import os
import statistics
import sys
import threading
import time

PLUGIN_PATH = "saleor_wechat_distribution.saleor_adapter.plugin.WeChatDistributionPlugin"
PLUGIN_ID = "wechat.distribution"
WARM_UP = 3  # runs per arm, discarded
_our_time = [0.0]  # seconds spent in our hooks and hand-offs since the last reset


def _skip(reason: str) -> int:
    print(f"saleor_overhead: skipped: {reason}")
    print(json.dumps({"skipped": reason}))
    return 0


def _redis_reachable(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


class _Rollback(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="runs per arm (at least 20)")
    parser.add_argument(
        "--broker", default=os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/13"
    )
    parser.add_argument("--eager", action="store_true", help="run Celery tasks inline (no broker)")
    http = parser.add_argument_group("through HTTP against a running Saleor with a worker (saleor_http.py)")
    http.add_argument(
        "--http", metavar="URL", help="Saleor's GraphQL URL, e.g. http://127.0.0.1:8000/graphql/"
    )
    http.add_argument("--email", default="admin@example.com", help="a staff user (superuser)")
    http.add_argument("--password", default="admin")
    http.add_argument("--channel", default="default-channel")
    http.add_argument("--rounds", type=int, default=3)
    http.add_argument("--per-round", type=int, default=8, help="checkouts per arm and round")
    http.add_argument("--server-pid", type=int, action="append", default=[], help="uvicorn's pid: its CPU")
    http.add_argument("--worker-pid", type=int, action="append", default=[], help="the worker's pid: its CPU")
    args = parser.parse_args(argv)
    if args.http:
        return _http(args)
    if args.runs < 20:
        parser.error("--runs must be at least 20")
    if importlib.util.find_spec("saleor") is None or importlib.util.find_spec("saleor.plugins") is None:
        return _skip("Saleor is not importable: run this inside a Saleor environment")
    if not args.eager and not _redis_reachable(args.broker):
        return _skip(f"no broker at {args.broker} (give --broker, or --eager)")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor.tests.settings")
    if not args.eager:
        # Saleor's settings read the broker from the environment when imported (and run tasks eagerly
        # without one); set later, Celery would keep its default broker (amqp://localhost)
        os.environ["CELERY_BROKER_URL"] = args.broker
    import django

    django.setup()
    import saleor.graphql.api  # noqa: F401 - the schema first, as Saleor's URLconf does (import cycles)
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import setup_databases, setup_test_environment

    settings.PLUGINS = [*settings.PLUGINS, PLUGIN_PATH]
    settings.CELERY_TASK_ALWAYS_EAGER = args.eager
    if not args.eager:
        settings.CELERY_BROKER_URL = args.broker
    settings.DEBUG = False
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False, keepdb=True)
    from saleor.tests.utils import prepare_test_db_connections

    prepare_test_db_connections()
    from saleor.celeryconf import app as celery_app

    celery_app.conf.task_always_eager = args.eager
    if not args.eager:
        celery_app.conf.broker_url = args.broker

    results: dict[str, list[float]] = {"active": [], "inactive": [], "hooks": []}
    _instrument()
    try:
        with transaction.atomic():
            _run(args.runs, results)
            raise _Rollback
    except _Rollback:
        pass
    if not args.eager:
        celery_app.control.purge()  # what the runs queued, on the bench's own broker database
    active = statistics.median(results["active"])
    inactive = statistics.median(results["inactive"])
    hooks = statistics.median(results["hooks"])
    print(
        f"checkoutComplete median: active {active:.1f} ms, inactive {inactive:.1f} ms, our hooks "
        f"{hooks:.2f} ms per checkout (tasks {'eager' if args.eager else 'queued to ' + args.broker})"
    )
    print(
        json.dumps(
            {
                "active_ms": round(active, 2),
                "inactive_ms": round(inactive, 2),
                "overhead_ratio": round(active / inactive, 4),
                "runs": args.runs,
                "hooks_ms": round(hooks, 3),
                "hooks_ratio": round((inactive + hooks) / inactive, 4),
            }
        )
    )
    return 0


def _http(args: argparse.Namespace) -> int:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from saleor_http import run

    result = run(
        args.http, email=args.email, password=args.password, channel=args.channel, rounds=args.rounds,
        per_round=args.per_round, server_pids=args.server_pid, worker_pids=args.worker_pid,
    )  # fmt: skip
    print(
        f"checkoutComplete over HTTP, median of {result['checkouts_per_arm']} per arm: active "
        f"{result['active_ms']:.1f} ms, inactive {result['inactive_ms']:.1f} ms "
        f"(per round: {result['rounds']})"
    )
    if "server_cpu_ratio" in result:
        print(
            f"server CPU per checkoutComplete (mean): active {result['server_cpu_active_ms']} ms, inactive "
            f"{result['server_cpu_inactive_ms']} ms"
        )
    if "worker_cpu_ms_per_active_checkout" in result:
        print(f"worker CPU per active checkout: {result['worker_cpu_ms_per_active_checkout']} ms")
    print(json.dumps(result))
    return 0


_depth = [0]


def _timed(func):
    """Count the outermost call only (a hand-off run inside a hook is already in the hook's time)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        _depth[0] += 1
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            _depth[0] -= 1
            if not _depth[0]:
                _our_time[0] += time.perf_counter() - started

    return wrapper


class _TimedTransaction:
    """``jobs.transaction`` for the bench: on-commit hand-offs timed when they run."""

    def __init__(self, module):
        self._module = module

    def on_commit(self, func, *args, **kwargs):
        return self._module.on_commit(_timed(func), *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._module, name)


def _instrument() -> None:
    """Time our code inside checkoutComplete: every hook the plugin defines and every hand-off."""
    from saleor.plugins.base_plugin import BasePlugin

    from saleor_wechat_distribution import jobs
    from saleor_wechat_distribution.saleor_adapter import plugin

    cls = plugin.WeChatDistributionPlugin
    for name, value in list(vars(cls).items()):
        if isinstance(value, classmethod | staticmethod) or name == "webhook":
            continue
        declared = hasattr(BasePlugin, name) or name in BasePlugin.__annotations__  # hooks: annotations
        if callable(value) and not name.startswith("_") and declared:
            setattr(cls, name, _timed(value))
    jobs.transaction = _TimedTransaction(jobs.transaction)


def _as_in_a_new_thread() -> None:
    """A server serves each request in a new thread (Django's ASGI handler: a thread per request), where
    Celery's per-thread state (its result backend among it) starts empty. The bench serves every request
    in its one thread (all its database work shares one transaction, rolled back at the end), so it drops
    that state before each timed call instead. Without this it missed 20 ms per checkout that a server
    paid (issue 11)."""
    from celery import current_app

    current_app._local = threading.local()


def _run(runs: int, results: dict[str, list[float]]) -> None:
    from django.test import TestCase
    from saleor.account.tests.fixtures.user import dangerously_create_test_user
    from saleor.app.models import App
    from saleor.checkout.models import Checkout
    from saleor.graphql.tests.utils import get_graphql_content
    from saleor.permission.models import Permission
    from saleor.plugins.models import PluginConfiguration
    from saleor.tests.e2e.checkout.utils import checkout_create, checkout_delivery_method_update
    from saleor.tests.e2e.checkout.utils.checkout_complete import CHECKOUT_COMPLETE_MUTATION
    from saleor.tests.e2e.conftest import E2eApiClient
    from saleor.tests.e2e.product.utils.preparing_product import prepare_product
    from saleor.tests.e2e.shop.utils.preparing_shop import prepare_default_shop
    from saleor.tests.e2e.transactions.utils import create_transaction
    from saleor.tests.e2e.utils import assign_permissions
    from saleor.warehouse.models import Stock

    from saleor_wechat_distribution.domain.referrals import REF_METADATA_KEY
    from saleor_wechat_distribution.ports import SYSTEM, Principal
    from saleor_wechat_distribution.services.distributors import distributor_apply, distributor_approve

    staff = dangerously_create_test_user("bench-staff@example.com", "x", is_staff=True)
    staff_client = E2eApiClient(user=staff)
    codenames = [
        "manage_products", "manage_channels", "manage_shipping", "manage_taxes", "manage_settings",
        "manage_product_types_and_attributes", "manage_orders", "manage_plugins", "handle_payments",
    ]  # fmt: skip
    assign_permissions(staff_client, list(Permission.objects.filter(codename__in=codenames)))
    app = App.objects.create(name="bench app", is_active=True, identifier="bench.app")
    app_client = E2eApiClient(app=app)
    assign_permissions(app_client, list(Permission.objects.filter(codename__in=["handle_payments"])))
    shop = prepare_default_shop(staff_client)
    _, variant_id, _ = prepare_product(staff_client, shop["warehouse"]["id"], shop["channel"]["id"], 100)
    Stock.objects.update(quantity=10_000)
    slug = shop["channel"]["slug"]
    from saleor.channel.models import Channel

    channel = Channel.objects.get(slug=slug)
    seller = dangerously_create_test_user("bench-seller@example.com", "x")
    applied = distributor_apply(
        principal=Principal(user_id=seller.pk, email=seller.email), display_name="Bench seller"
    )
    code = distributor_approve(actor=SYSTEM, distributor_id=applied.pk).referral_code
    config, _ = PluginConfiguration.objects.get_or_create(
        identifier=PLUGIN_ID, channel=channel, defaults={"configuration": [], "active": True}
    )
    shopper = E2eApiClient()
    metadata = (
        "mutation ($id: ID!, $input: [MetadataInput!]!) { updateMetadata(id: $id, input: $input) "
        "{ errors { code } } }"
    )

    def one(active: bool) -> float:
        PluginConfiguration.objects.filter(pk=config.pk).update(active=active)
        checkout = checkout_create(
            shopper, [{"variantId": variant_id, "quantity": 1}], slug, email="bench@example.com"
        )
        checkout = checkout_delivery_method_update(shopper, checkout["id"], shop["shipping_method"]["id"])
        shopper.post_graphql(
            metadata, {"id": checkout["id"], "input": [{"key": REF_METADATA_KEY, "value": code}]}
        )
        total = checkout["totalPrice"]["gross"]["amount"]
        create_transaction(app_client, checkout["id"], amount_charged=total)
        _as_in_a_new_thread()
        gc.collect()
        gc.disable()
        _our_time[0] = 0.0
        try:
            started = time.perf_counter()
            # the run is one transaction, rolled back at the end: run what checkoutComplete leaves for the
            # commit (Saleor's and our hand-offs, the Celery publish) as its commit would, in the timing
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = shopper.post_graphql(CHECKOUT_COMPLETE_MUTATION, {"checkoutId": checkout["id"]})
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            gc.enable()
        data = get_graphql_content(response)["data"]["checkoutComplete"]
        assert data["errors"] == [] and data["order"], data
        if active:
            results["hooks"].append(_our_time[0] * 1000)
        return elapsed

    for _ in range(WARM_UP):  # not counted
        one(True), one(False)
    results["hooks"].clear()
    for i in range(runs * 2):
        active = i % 2 == 0 if (i // 2) % 2 == 0 else i % 2 == 1  # ABBA: neither arm always goes first
        results["active" if active else "inactive"].append(one(active))
    assert not Checkout.objects.filter(email="bench@example.com").exists()  # every checkout completed


if __name__ == "__main__":
    sys.exit(main())
