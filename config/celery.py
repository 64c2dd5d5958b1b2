import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("star_branch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# autodiscover looks only at <app>.tasks; the workbook's task lives one package deeper.
app.autodiscover_tasks(["assessment.yearbook", "activities.archive"])
