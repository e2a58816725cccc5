"""What the live tier's Saleor processes need because the tier flushes their database between tests (a
deployment never has its rows replaced under it): Django caches the current ``Site`` per process, with its
``SiteSettings`` (or their absence) on it, so each request and each task starts with that cache cleared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _clear_site_cache() -> None:
    from django.contrib.sites.models import Site

    Site.objects.clear_cache()


def fresh_site_middleware(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def middleware(request: Any) -> Any:
        _clear_site_cache()
        return get_response(request)

    return middleware


def connect_task_hook() -> None:
    from celery.signals import task_prerun

    task_prerun.connect(lambda **_: _clear_site_cache(), weak=False)
