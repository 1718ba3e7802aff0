"""Settings for the test suite: the normal settings with LEARNLOOP_ENV=test (fast password hashing)."""

import os

os.environ.setdefault("LEARNLOOP_ENV", "test")

from learnloop.config.settings import *  # noqa: F403
