"""``python -m saleor_wechat_distribution.sandbox``: migrate, seed demo data, print tokens, serve GraphQL
(and the screens) on gunicorn.

SQLite file in the working directory by default (re-runs keep the data); DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) reaches this machine only."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def beyond_loopback_warning(host: str, port: int, key_file: str | None) -> str:
    debug = "on (SANDBOX_DEBUG=0 turns it off)" if os.environ.get("SANDBOX_DEBUG", "1") == "1" else "off"
    key = [f"Its secret key is in {key_file}: keep that file private."] if key_file else []
    lines = [
        "",
        "=" * 78,
        f"WARNING: the sandbox listens on {host}:{port}, so other machines can reach it.",
        "It is a demo: whoever holds the staff token printed above has every permission.",
        f"It serves GraphiQL, and DEBUG is {debug}.",
        *key,
        "Use --host 127.0.0.1 (the default) unless another machine must reach it, and never put",
        "real customers' data or real WeChat credentials in it.",
        "=" * 78,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wechat-distribution-sandbox", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        choices=["serve", "demo-orders", "miniprogram-demo"],
        default="serve",
        help="serve (default), or place demo orders through the host interface and settle them",
    )
    parser.add_argument("--count", type=int, default=12, help="demo-orders: how many orders")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--no-serve", action="store_true", help="migrate, seed and print tokens, then exit")
    args = parser.parse_args(argv)
    if args.command != "serve" or args.no_serve:
        return setup(args)
    try:
        from .server import THREADS, serve
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != "gunicorn":
            raise
        print(
            "wechat-distribution-sandbox: the sandbox serves on gunicorn, which is not installed: "
            "pip install 'saleor-wechat-distribution[sandbox]' (./dev sandbox installs it)",
            file=sys.stderr,
        )
        return 2

    def prepare() -> None:
        setup(args)
        where = f"{args.host}:{args.port}"
        print(f"Served by gunicorn (1 worker process, {THREADS} threads) on {where}; Ctrl-C stops it.")
        sys.stdout.flush()

    serve(host=args.host, port=args.port, prepare=prepare)
    return 0


def setup(args: argparse.Namespace) -> int:
    """Migrate, seed, run a one-off command or print the guide and start the simulated WeChat (serving:
    in gunicorn's worker, the process that then serves; see server.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_wechat_distribution.sandbox.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from .guide import distributor_lines, token_lines
    from .seed import seed_demo_network, seed_demo_storefronts

    call_command("migrate", verbosity=0, interactive=False)
    created = seed_demo_network()
    storefronts = seed_demo_storefronts()
    if args.command == "demo-orders":
        from .demo_orders import place_demo_orders

        print("\n".join(place_demo_orders(args.count)))
        return 0
    if args.command == "miniprogram-demo":
        from .miniprogram_demo import run_mini_program_demo

        print("\n".join(run_mini_program_demo()))
        return 0
    db = settings.DATABASES["default"]
    print(
        f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}"
        + (" (demo data created)" if created else "")
    )
    url = f"http://{args.host}:{args.port}/graphql/"
    print(f"GraphQL + GraphiQL: {url}")
    print(
        f"Demo access tokens (valid {settings.SANDBOX_TOKEN_MAX_AGE // 60} minutes; "
        "send as 'Authorization: Bearer <token>'):"
    )
    print("\n".join(token_lines()))
    print("Demo distributors (referral code, name, kind, status, level, storefront):")
    print("\n".join(distributor_lines()))
    print(f"Demo storefronts (public: {{ storefront(slug: ...) {{ title }} }}): {', '.join(storefronts)}")
    root = f"http://{args.host}:{args.port}/"
    print(f"Staff console in a stand-in of the Saleor dashboard: {root}dashboard/?page=distributors")
    print(f"  withdrawals, commissions, disputes: {root}dashboard/?page=money")
    print(f"Saleor App manifest (for a real Saleor that can reach this host): {root}app/manifest.json")
    settings.SANDBOX_PUBLIC_URL = root.rstrip("/")
    if not args.no_serve and not os.environ.get("SANDBOX_REAL_WECHAT"):
        from .guide import try_lines
        from .simulated_wechat import start as start_simulated_wechat

        wechat = start_simulated_wechat(public_url=root)
        print("=" * 78)
        print("WeChat is SIMULATED: no real WeChat is called. The Official Account API, web authorization,")
        print(f"QR codes and scans run at {wechat.mp.base_url}, WeChat Pay (payouts, 商家券) at")
        print(f"{wechat.pay.base_url}, inside this process. SANDBOX_REAL_WECHAT=1 keeps your settings'.")
        print("=" * 78)
        print("\n".join(try_lines(wechat, root)))
    elif not args.no_serve:
        print("SANDBOX_REAL_WECHAT=1: the settings' own WeChat is used (nothing is simulated).")
    print(f"Distributor center (WeChat pages, phone-sized): {root}center/?s=brand-store")
    sys.stdout.flush()
    if not is_loopback(args.host):
        print(
            beyond_loopback_warning(args.host, args.port, settings.SANDBOX_SECRET_KEY_FILE), file=sys.stderr
        )
        sys.stderr.flush()
    if not args.no_serve:
        from django.db import connections

        connections.close_all()  # the setup's connection: requests run in gunicorn's threads, with their own
    return 0


if __name__ == "__main__":
    sys.exit(main())
