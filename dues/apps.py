from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = _("党费")

    def ready(self):
        # The member's record page (activities.pledges) gathers its sections from a list; the dues
        # section joins it from here, since activities may not import dues (dues sits above it).
        from activities.pledges.selectors import RECORD_SECTIONS

        from .record import dues_record_section

        if dues_record_section not in RECORD_SECTIONS:
            RECORD_SECTIONS.append(dues_record_section)
