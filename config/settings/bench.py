"""Benchmark settings (``bench/``): the deployed stack with DEBUG off, plus bench-only endpoints.

Never used by a deployment or by the test suite. ``bench.urls`` is ``config.urls`` plus a bare view that
inserts one row into a table the benchmark creates itself (no model, no migration): the baseline the voice
submission is compared with, served by the same gunicorn workers in the same run; and, for information, the same
INSERT for a logged-in user and the voice intake as a plain Django view.

Rate limits stay exactly as deployed (``API_WRITE_RATE`` 60 a minute per user, the page limits of
``gongzhi.core.ratelimit``): the submission benchmark spreads its requests over thousands of residents, each
well under the limit, so no limit is hit and none is switched off.
"""

from .base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Production serves static files through nginx; the benchmarks fetch none.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
