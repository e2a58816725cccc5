"""Test settings: the sandbox project on a real PostgreSQL server (DATABASE_URL, default 127.0.0.1:5432)."""

import os
from urllib.parse import urlsplit

# a key of the tests' own, so that importing the sandbox's settings writes no key file into the checkout
os.environ.setdefault("SANDBOX_SECRET_KEY", "tests-only-" + "k" * 40)

from saleor_wechat_distribution.sandbox.dburl import database_from_url
from saleor_wechat_distribution.sandbox.settings import *  # noqa: F403

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test")
}
SANDBOX_TOKEN_MAX_AGE = 3600
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Several test runs may share one server (developers, helpers): WD_TEST_DB_NAME keeps them apart.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("WD_TEST_DB_NAME", "test_wechat_distribution")}
#: pytest-xdist's worker (gw0, gw1...): pytest-django gives each worker its own test database, named
#: ``<TEST NAME>_<worker>``; servers the tests start (another process, same environment) use it too.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_DATABASE = DATABASES["default"]["TEST"]["NAME"] + (f"_{XDIST_WORKER}" if XDIST_WORKER else "")
# ...and the same for the cache (tokens, replayed nonces, locks' keys): runs sharing one Redis must not
# see each other's keys. A worker's cache is a Redis database of its own (1 + its number), because
# ``cache.clear()`` empties the whole database: never the broker's queues (database 0) nor another worker's.
CACHES["default"]["KEY_PREFIX"] = WORKER_DATABASE  # noqa: F405
if XDIST_WORKER[2:].isdigit() and CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    _redis = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    CACHES["default"]["LOCATION"] = _redis._replace(path=f"/{1 + int(XDIST_WORKER[2:]) % 15}").geturl()  # noqa: F405
# App mode's backend: the connection follows the instance in scope (``instance_scope``; nothing changes
# outside one), so that App mode's tests can install several instances in one test database; and its
# router, so that an instance's schema gets the program's tables only.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "saleor_wechat_distribution.app.postgresql"
DATABASE_ROUTERS = ["saleor_wechat_distribution.app.schemas.InstanceSchemaRouter"]
CACHES["default"]["KEY_FUNCTION"] = "saleor_wechat_distribution.instance_scope.cache_key"  # noqa: F405
