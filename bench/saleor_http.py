"""checkoutComplete through HTTP against a running Saleor (``bench/saleor_overhead.py --http URL``).

The in-process figure (``saleor_overhead.py`` without ``--http``) runs Saleor's view in the bench's own
process with the broker as the only other party. This one drives a real server, as a shop's customers do:
uvicorn serving ``saleor.asgi:application`` and a Celery worker consuming the tasks our hooks queue, on
the same machine, so that what happens after the commit (the publish, and the worker processing the order
while the server answers the next requests) is in the figure too. Only Saleor's public GraphQL API and
ours are used; nothing is imported from Saleor, so the client runs in any Python with ``requests``.

Set-up, through the API with a staff account holding MANAGE_PLUGINS, MANAGE_APPS and MANAGE_USERS (a
superuser): the channel's plugin configuration (defaults, made active), an app with HANDLE_PAYMENTS (deleted
at the end), the staff user as an approved distributor whose referral code every checkout carries. Each
checkout is prepared outside the timing (lines, addresses, delivery, the referral code in its metadata,
paid in full with ``transactionCreate``); only ``checkoutComplete`` is timed. The plugin is switched on or
off (``pluginUpdate``) before each checkout, arms interleaved ABBA within each round; the first
``WARM_UP`` checkouts of each arm are not counted. At the end the bench waits until the worker has
attributed every active checkout's order to the distributor (``myAttributedOrders``), so a broken worker
cannot pass for a fast plugin.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

PLUGIN_ID = "wechat.distribution"
REF_METADATA_KEY = "wechat_distribution.ref"  # domain.referrals.REF_METADATA_KEY (no Django needed here)
WARM_UP = 2
ADDRESS = {
    "firstName": "Bench", "lastName": "Customer", "streetAddress1": "14208 Hawthorne Blvd",
    "postalCode": "90250", "country": "US", "city": "Hawthorne", "countryArea": "CA", "phone": "+12025550163",
}  # fmt: skip


class GraphQLError(RuntimeError):
    pass


def _ticks_per_second() -> int:
    import os

    return os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a prefork Celery worker does its work in child processes)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes (and their children's trees), every thread included, also the
    threads that have exited (Django's ASGI handler runs each request in a new one). Linux only."""
    ticks = 0
    for root in pids:
        for pid in _process_tree(root):
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / _ticks_per_second()


class Client:
    def __init__(self, url: str, timeout: float = 60):
        import requests

        self.url = url.rstrip("/") + "/"
        self.session = requests.Session()
        self.timeout = timeout

    def post(
        self, query: str, variables: dict | None = None, *, token: str | None = None, url: str = ""
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.session.post(
            url or self.url, json={"query": query, "variables": variables or {}}, headers=headers,
            timeout=self.timeout,
        )  # fmt: skip
        response.raise_for_status()
        return response.json()

    def data(self, query: str, variables: dict | None = None, **kwargs: Any) -> dict:
        """The ``data``; raises on GraphQL errors and on any mutation's non-empty ``errors`` list."""
        body = self.post(query, variables, **kwargs)
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        for value in (body.get("data") or {}).values():
            if isinstance(value, dict) and value.get("errors"):
                raise GraphQLError(value["errors"])
        return body["data"]


@dataclass
class Shop:
    staff_token: str
    channel_id: str
    channel_slug: str
    currency: str
    variant_id: str
    app_id: str
    app_token: str
    referral_code: str
    our_url: str
    attributed_before: int
    checkouts: dict[str, int] = field(default_factory=lambda: {"active": 0, "inactive": 0})


def _prepare(client: Client, *, email: str, password: str, channel: str) -> Shop:
    token = client.data(
        "mutation ($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token errors "
        "{ field message } } }",
        {"e": email, "p": password},
    )["tokenCreate"]["token"]
    found = client.data(
        "query ($s: String!) { channel(slug: $s) { id slug currencyCode } }", {"s": channel}, token=token
    )["channel"]
    if not found:
        raise SystemExit(f"no channel {channel!r} on the server")
    variant_id = _variant(client, channel, token)
    _plugin(client, token, found["id"], active=True)  # saves the defaults: the program exists
    app = client.data(
        "mutation ($n: String!) { appCreate(input: {name: $n, permissions: [HANDLE_PAYMENTS]}) "
        "{ authToken app { id } errors { field message } } }",
        {"n": f"overhead bench {uuid.uuid4().hex[:8]}"},
        token=token,
    )["appCreate"]
    our_url = client.url.replace("/graphql/", f"/plugins/channel/{channel}/{PLUGIN_ID}/graphql/")
    code = _distributor_code(client, token, our_url)
    return Shop(
        staff_token=token, channel_id=found["id"], channel_slug=channel, currency=found["currencyCode"],
        variant_id=variant_id, app_id=app["app"]["id"], app_token=app["authToken"], referral_code=code,
        our_url=our_url, attributed_before=_attributed(client, token, our_url),
    )  # fmt: skip


def _variant(client: Client, channel: str, token: str) -> str:
    products = client.data(
        "query ($c: String!) { products(first: 50, channel: $c) { edges { node { productType { "
        "isShippingRequired } variants { id "
        "quantityAvailable(countryCode: US) pricing { price { gross { amount } } } } } } } }",
        {"c": channel},
        token=token,
    )["products"]["edges"]
    candidates = [
        (variant["quantityAvailable"] or 0, variant["id"])
        for edge in products
        for variant in edge["node"]["variants"] or ()
        if variant["pricing"] and edge["node"]["productType"]["isShippingRequired"]
    ]
    if not candidates or max(candidates)[0] < 1:
        raise SystemExit(f"no variant in stock in channel {channel!r} for a US address")
    return max(candidates)[1]  # Saleor caps quantityAvailable at its checkout line limit


def _distributor_code(client: Client, token: str, our_url: str) -> str:
    mine = client.data("{ myDistributor { id status referralCode } }", token=token, url=our_url)
    distributor = mine["myDistributor"]
    if distributor is None:
        distributor = client.data(
            'mutation { distributorApply(input: {displayName: "Overhead bench"}) '
            "{ distributor { id status referralCode } errors { field code message } } }",
            token=token,
            url=our_url,
        )["distributorApply"]["distributor"]
    if distributor["status"] != "ACTIVE":
        client.data(
            "mutation ($id: ID!) { distributorApprove(id: $id) { errors { field code message } } }",
            {"id": distributor["id"]},
            token=token,
            url=our_url,
        )
    return distributor["referralCode"]


def _attributed(client: Client, token: str, our_url: str) -> int:
    return client.data("{ myAttributedOrders(first: 1) { totalCount } }", token=token, url=our_url)[
        "myAttributedOrders"
    ]["totalCount"]


def _plugin(client: Client, token: str, channel_id: str, *, active: bool) -> None:
    client.data(
        "mutation ($id: ID!, $c: ID!, $a: Boolean!) { pluginUpdate(id: $id, channelId: $c, "
        "input: {active: $a}) { errors { field code message } } }",
        {"id": PLUGIN_ID, "c": channel_id, "a": active},
        token=token,
    )


CHECKOUT_COMPLETE = (
    "mutation ($id: ID!) { checkoutComplete(id: $id) { order { id } errors { field code message } } }"
)


def _one(client: Client, shop: Shop, *, active: bool, server_pids: list[int]) -> tuple[float, float]:
    """Prepare a paid checkout with the referral code, then time ``checkoutComplete`` alone: wall ms and
    the server's CPU ms (0 without ``server_pids``)."""
    _plugin(client, shop.staff_token, shop.channel_id, active=active)
    checkout = client.data(
        "mutation ($input: CheckoutCreateInput!) { checkoutCreate(input: $input) { checkout { id "
        "shippingMethods { id } } errors { field code message } } }",
        {
            "input": {
                "channel": shop.channel_slug, "email": "overhead-bench@example.com",
                "lines": [{"variantId": shop.variant_id, "quantity": 1}],
                "shippingAddress": ADDRESS, "billingAddress": ADDRESS,
                "metadata": [{"key": REF_METADATA_KEY, "value": shop.referral_code}],
            }
        },
    )["checkoutCreate"]["checkout"]  # fmt: skip
    if not checkout["shippingMethods"]:
        raise SystemExit("the checkout has no shipping method for a US address")
    total = client.data(
        "mutation ($id: ID!, $m: ID!) { checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $m) "
        "{ checkout { totalPrice { gross { amount } } } errors { field code message } } }",
        {"id": checkout["id"], "m": checkout["shippingMethods"][0]["id"]},
    )["checkoutDeliveryMethodUpdate"]["checkout"]["totalPrice"]["gross"]["amount"]
    client.data(
        "mutation ($id: ID!, $t: TransactionCreateInput!) { transactionCreate(id: $id, transaction: $t) "
        "{ errors { field code message } } }",
        {
            "id": checkout["id"],
            "t": {
                "name": "bench", "pspReference": uuid.uuid4().hex,
                "amountCharged": {"amount": total, "currency": shop.currency},
            },
        },
        token=shop.app_token,
    )  # fmt: skip
    cpu_before = cpu_seconds(server_pids)
    started = time.perf_counter()
    body = client.post(CHECKOUT_COMPLETE, {"id": checkout["id"]})
    elapsed = (time.perf_counter() - started) * 1000
    cpu = (cpu_seconds(server_pids) - cpu_before) * 1000
    result = (body.get("data") or {}).get("checkoutComplete") or {}
    if body.get("errors") or result.get("errors") or not result.get("order"):
        raise GraphQLError(body)
    shop.checkouts["active" if active else "inactive"] += 1
    return elapsed, cpu


def _wait_for_worker(client: Client, shop: Shop, timeout: float) -> float:
    """Seconds until the worker has attributed every active checkout's order; raises after ``timeout``."""
    _plugin(client, shop.staff_token, shop.channel_id, active=True)  # our route answers 404 when inactive
    started = time.monotonic()
    expected = shop.attributed_before + shop.checkouts["active"]
    while True:
        seen = _attributed(client, shop.staff_token, shop.our_url)
        if seen >= expected:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise SystemExit(
                f"the worker attributed {seen - shop.attributed_before} of "
                f"{shop.checkouts['active']} orders in {timeout:.0f} s: is a worker running?"
            )
        time.sleep(0.5)


def run(
    url: str, *, email: str, password: str, channel: str, rounds: int, per_round: int,
    server_pids: list[int] = (), worker_pids: list[int] = (),
) -> dict[str, Any]:  # fmt: skip
    """Interleaved arms; with ``server_pids`` (uvicorn) also the server's CPU per ``checkoutComplete``
    (mean: /proc counts in 10 ms ticks), with ``worker_pids`` the worker's CPU per active checkout."""
    client = Client(url)
    shop = _prepare(client, email=email, password=password, channel=channel)
    server_pids, worker_pids = list(server_pids), list(worker_pids)
    times: dict[str, list[float]] = {"active": [], "inactive": []}
    cpu: dict[str, list[float]] = {"active": [], "inactive": []}
    per_round_medians: list[dict[str, float]] = []
    try:
        for _ in range(WARM_UP):
            for active in (True, False):
                _one(client, shop, active=active, server_pids=server_pids)
        worker_lag = _wait_for_worker(client, shop, timeout=120)
        worker_before = cpu_seconds(worker_pids)
        counted_from = shop.checkouts["active"]
        for _ in range(rounds):
            this_round: dict[str, list[float]] = {"active": [], "inactive": []}
            for i in range(per_round * 2):
                active = (i % 2 == 0) == ((i // 2) % 2 == 0)  # ABBA
                arm = "active" if active else "inactive"
                elapsed, server_cpu = _one(client, shop, active=active, server_pids=server_pids)
                this_round[arm].append(elapsed)
                cpu[arm].append(server_cpu)
            per_round_medians.append({k: round(statistics.median(v), 1) for k, v in this_round.items()})
            for arm, values in this_round.items():
                times[arm].extend(values)
        worker_lag = _wait_for_worker(client, shop, timeout=120)
        worker_cpu = cpu_seconds(worker_pids) - worker_before
    finally:
        _plugin(client, shop.staff_token, shop.channel_id, active=True)
        client.post(
            "mutation ($id: ID!) { appDelete(id: $id) { errors { field } } }", {"id": shop.app_id},
            token=shop.staff_token,
        )  # fmt: skip
    active_ms, inactive_ms = statistics.median(times["active"]), statistics.median(times["inactive"])
    result: dict[str, Any] = {
        "mode": "http",
        "active_ms": round(active_ms, 1),
        "inactive_ms": round(inactive_ms, 1),
        "overhead_ratio": round(active_ms / inactive_ms, 4),
        "rounds": per_round_medians,
        "checkouts_per_arm": len(times["active"]),
        "worker_drained_s": round(worker_lag, 1),
    }
    if server_pids:
        active_cpu, inactive_cpu = statistics.mean(cpu["active"]), statistics.mean(cpu["inactive"])
        result.update(
            server_cpu_active_ms=round(active_cpu, 1),
            server_cpu_inactive_ms=round(inactive_cpu, 1),
            server_cpu_ratio=round(active_cpu / inactive_cpu, 4),
        )
    if worker_pids:
        result["worker_cpu_ms_per_active_checkout"] = round(
            worker_cpu * 1000 / (shop.checkouts["active"] - counted_from), 1
        )
    return result
