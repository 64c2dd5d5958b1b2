"""A process starts without the heavy libraries: they load in the functions that use them.

Every management command and Celery worker runs Django's system checks, which import the URL
configuration and with it every view module. pypinyin's dictionaries (about 55 MB) and openpyxl with
lxml and Pillow (about 13 MB) used to come in that way, into every web process and worker, whether
it ever made a username or a workbook. Checked in a fresh interpreter, since this test process has
imported them long ago.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

HEAVY = ("pypinyin", "openpyxl", "lxml", "PIL", "weasyprint")

STARTUP = """
import json, sys
import django
django.setup()
from django.core import checks
from django.urls import get_resolver
get_resolver().url_patterns
checks.run_checks()
from config.celery import app
app.loader.import_default_modules()  # every app's tasks, as a worker imports them
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def test_startup_loads_no_heavy_library():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings_test")}
    done = subprocess.run(
        [sys.executable, "-c", STARTUP % (HEAVY,)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_libraries_still_load_where_they_are_used():
    import io

    from accounts.rules import username_base
    from core.spreadsheets import new_workbook, write_sheet

    assert username_base("吕布") == "lvbu"
    book = new_workbook()
    assert write_sheet(book, "表", ["列"], [["=1+1"], [None]]) == 2
    book.save(io.BytesIO())
