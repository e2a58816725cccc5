"""A standalone Django project that runs the core without Saleor: demo data, GraphiQL, callbacks."""

from .celery import app as celery_app

__all__ = ["celery_app"]
