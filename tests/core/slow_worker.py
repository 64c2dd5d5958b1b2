"""A real Celery worker for tests/core/test_worker_lost.py, run as `python -m tests.core.slow_worker ARGS…`.

The only change from the app's worker: on a job's first attempt the year-end workbook takes ten
minutes, so the test finds the export running and kills the worker in the middle of it. A second
attempt (the message given back by reject-on-worker-lost) builds the workbook as usual. Under
`pytest -n`, it takes the test process's media folder and Redis key prefix (tests/conftest.py).
"""

import os
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402

from assessment.models import ExportJob  # noqa: E402
from assessment.yearbook import services  # noqa: E402
from config.celery import app  # noqa: E402

real_workbook_write = services.workbook_write


def slow_on_the_first_attempt(*args, progress, **kwargs):
    if ExportJob.objects.get(pk=progress.job_id).attempts == 1:
        time.sleep(600)
    return real_workbook_write(*args, progress=progress, **kwargs)


services.workbook_write = slow_on_the_first_attempt
settings.MEDIA_ROOT = os.environ["TEST_MEDIA_ROOT"]
if os.environ.get("PYTEST_XDIST_WORKER"):
    options = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**options, "global_keyprefix": f"tests-{os.environ['PYTEST_XDIST_WORKER']}:"}

if __name__ == "__main__":
    app.worker_main(["worker", "--without-gossip", "--without-mingle", "--without-heartbeat", *sys.argv[1:]])
