"""The sandbox's demo world started in-process with the sandbox served on a loopback port (the simulated
WeChat posts callbacks and payment notifications to it), for tests/test_sandbox_*.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler

from saleor_wechat_distribution.sandbox import simulated_wechat
from saleor_wechat_distribution.sandbox.seed import seed_demo_network, seed_demo_storefronts

#: settings start() writes: set through pytest-django's fixture first, so that they are restored after
WRITTEN_SETTINGS = (
    "WECHAT_DISTRIBUTION_API_BASE_URL",
    "WECHAT_DISTRIBUTION_OAUTH_BASE_URL",
    "WECHAT_DISTRIBUTION_PAYOUTS",
    "WECHAT_DISTRIBUTION_QR_IMAGE_BASE_URL",
    "WECHAT_DISTRIBUTION_COUPONS",
    "SANDBOX_PUBLIC_URL",
)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sandbox_url(transactional_db) -> Iterator[str]:
    """The sandbox's URLs (the test settings') served from a thread, on the test database."""
    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def demo(sandbox_url, settings, tmp_path) -> Iterator[simulated_wechat.SimulatedWeChat]:
    for name in WRITTEN_SETTINGS:
        setattr(settings, name, None)
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SANDBOX_PUBLIC_URL = sandbox_url
    seed_demo_network()
    seed_demo_storefronts()
    world = simulated_wechat.start(public_url=sandbox_url + "/")
    yield world
    world.mp.stop()
    world.pay.stop()
    simulated_wechat._running = None
