"""The sandbox's HTTP server: gunicorn (a real WSGI server, as deployments use; never Django's runserver).

One worker process with threads, and the sandbox's whole setup (migrate, seed, the simulated WeChat,
the printed tokens) runs *inside* that worker, before it serves: the simulated WeChat is daemon threads
and in-memory state of the process that serves the Django app (its pages call them; they call the
sandbox's callbacks back), and threads do not survive a fork. So the master process only binds the
port, forks the worker and relays signals (Ctrl-C stops both); it never touches Django or the database,
so no connection is shared across the fork. More workers would each get their own simulated WeChat.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

#: request threads of the one worker (the screens load a few files at once; GraphQL calls are short)
THREADS = 8


class SandboxServer(BaseApplication):
    """gunicorn serving the sandbox's Django app; ``prepare`` runs in the worker before it serves."""

    def __init__(self, *, host: str, port: int, prepare: Callable[[], None]) -> None:
        self.bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.prepare = prepare
        super().__init__(prog="wechat-distribution-sandbox")

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": [self.bind],
            "workers": 1,
            "worker_class": "gthread",
            "threads": THREADS,
            # the first start migrates and seeds inside the worker, which may take longer than gunicorn's
            # 30 s boot allowance on a busy machine; a demo's lone worker is never killed for being slow
            "timeout": 0,
            "graceful_timeout": 5,
            "accesslog": "-",
            # gunicorn's own start-up lines would come before the sandbox's guide: only problems are shown
            "loglevel": "warning",
            "proc_name": "wechat-distribution-sandbox",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        """Called in the worker (no preload): the setup, then the WSGI application."""
        self.prepare()
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def serve(*, host: str, port: int, prepare: Callable[[], None]) -> None:
    """Serve until stopped (Ctrl-C, SIGTERM); gunicorn exits the process when it stops."""
    SandboxServer(host=host, port=port, prepare=prepare).run()
