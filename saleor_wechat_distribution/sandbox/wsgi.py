"""WSGI entry point of the sandbox, for a real server: ``gunicorn saleor_wechat_distribution.sandbox.wsgi``
(the browser tests run it so; settings from DJANGO_SETTINGS_MODULE, the sandbox's by default)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_wechat_distribution.sandbox.settings")
application = get_wsgi_application()
