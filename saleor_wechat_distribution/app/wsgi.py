"""WSGI entry point of App mode (``gunicorn saleor_wechat_distribution.app.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_wechat_distribution.app.settings")

from .celery import app as celery_app  # noqa: F401 - the web process queues tasks on this app

application = get_wsgi_application()
