"""Settings of a sandbox whose Celery tasks go to a real worker (Redis broker, a private queue), for the
browser tests of pages that watch a background job's progress (the network import)."""

import os

from tests.screens.server_settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["WD_CELERY_QUEUE"]
# a small upload limit, so that the page's answer to a file over it is cheap to test
WECHAT_DISTRIBUTION_UPLOAD_MAX_BYTES = 1024 * 1024
