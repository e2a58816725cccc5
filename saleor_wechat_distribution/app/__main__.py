"""``python -m saleor_wechat_distribution.app`` (or ``wechat-distribution-app``): App mode's server.

    wechat-distribution-app serve [--host 0.0.0.0] [--port 8000] [--workers 2]   migrate, then gunicorn
    wechat-distribution-app worker [--no-beat]         a Celery worker (with beat's periodic jobs)
    wechat-distribution-app migrate                    only migrate
    wechat-distribution-app check-move [--save F] [--compare F]   the checks of a move from plugin mode
                                                       (README): exit 1 on a problem

Configuration comes from the environment (``settings.py``: DATABASE_URL, SECRET_KEY, CELERY_BROKER_URL…).
"""

from __future__ import annotations

import argparse
import os
import sys

SETTINGS = "saleor_wechat_distribution.app.settings"


def _migrate() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=1)


def _serve(host: str, port: int, workers: int) -> int:
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "saleor_wechat_distribution.app.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]
    run()
    return 0


def _worker(beat: bool) -> int:
    from .celery import app

    app.worker_main(["worker", "--loglevel", "INFO", *(["--beat"] if beat else [])])
    return 0


def _check_move(compare: str | None, save: str | None) -> int:
    import django

    django.setup()
    from pathlib import Path

    from .move_check import check_move, database_label

    report = check_move(compare=Path(compare) if compare else None, save=Path(save) if save else None)
    print(f"check-move: {database_label()}")
    for line in report.lines():
        print(line)
    return 1 if report.problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wechat-distribution-app", description=__doc__.splitlines()[0])
    parser.add_argument(
        "command", nargs="?", default="serve", choices=("serve", "worker", "migrate", "check-move")
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--no-beat", action="store_true", help="worker: without the periodic jobs")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--save", metavar="FILE", help="check-move: write the totals to FILE (JSON)")
    parser.add_argument(
        "--compare", metavar="FILE", help="check-move: a difference from FILE's totals is a problem"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - reading it loads the settings: a missing variable shows here
    except ImproperlyConfigured as error:
        print(f"wechat-distribution-app: {error}", file=sys.stderr)
        return 2
    if args.command == "check-move":
        return _check_move(args.compare, args.save)
    if args.command == "worker":
        return _worker(beat=not args.no_beat)
    _migrate()
    if args.command == "migrate":
        return 0
    return _serve(args.host, args.port, args.workers)


if __name__ == "__main__":
    sys.exit(main())
