"""Settings of the sandbox served by gunicorn for the browser tests: the test settings, but connected to
the test database pytest-django created (the server is another process; tests commit their data)."""

from tests.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = DATABASES["default"]["TEST"]["NAME"]  # noqa: F405
