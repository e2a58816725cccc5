"""Settings of the sandbox served by gunicorn for the browser tests: the test settings, but connected to
the test database pytest-django created (the server is another process; tests commit their data)."""

from pathlib import Path

from tests.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = WORKER_DATABASE  # noqa: F405

# share posters drawn by the browser tests go to the (ignored) artifacts, never into the checkout
MEDIA_ROOT = str(Path(__file__).resolve().parents[2] / "test-artifacts" / "media")

# the fake WeChat of the test process (tests/screens/wechat_world.py), when the test run started one
import os  # noqa: E402

for _name in ("WECHAT_DISTRIBUTION_API_BASE_URL", "WECHAT_DISTRIBUTION_OAUTH_BASE_URL", "SANDBOX_PUBLIC_URL"):
    if os.environ.get(_name):
        globals()[_name] = os.environ[_name]

# the Open Platform of the fake WeChat (the console's storefronts page asks for authorization links)
if os.environ.get("WECHAT_DISTRIBUTION_COMPONENT"):
    import json

    WECHAT_DISTRIBUTION_COMPONENT = json.loads(os.environ["WECHAT_DISTRIBUTION_COMPONENT"])
    WECHAT_DISTRIBUTION_COMPONENT_LOGIN_URL = os.environ["WECHAT_DISTRIBUTION_COMPONENT_LOGIN_URL"]
