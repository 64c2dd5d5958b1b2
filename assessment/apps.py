from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("星级评定")

    def ready(self):
        # The holiday calendar (publication's Holiday) is this app's; apps below it (recruitment's
        # 公示) count working days by it through core.workdays, without importing this app.
        from core import workdays

        from .publication.selectors import calendar_between

        workdays.provide_calendar(calendar_between)
