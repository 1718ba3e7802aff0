"""Settings for the test suite: the normal settings with LEARNLOOP_ENV=test (fast password hashing)."""

import os

os.environ.setdefault("LEARNLOOP_ENV", "test")

import atexit
import shutil
import tempfile
from pathlib import Path

from learnloop.config.settings import *  # noqa: F403

# Files uploaded by tests (and by the demo they run) go to a directory of this test process, removed at exit.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="learnloop-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
