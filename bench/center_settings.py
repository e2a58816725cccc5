"""Django settings of ``bench/center.py``'s server: the sandbox's, with persistent database connections
(a production deployment keeps them, or pools them in front of PostgreSQL)."""

from saleor_wechat_distribution.sandbox.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
