from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("通知提醒")

    def ready(self):
        # Events of the apps below reach this one through core.events, never by their importing it.
        from core import events

        from .services import EVENTS
        from .tasks import Enqueue

        for event in EVENTS:
            events.subscribe(event, Enqueue(event))
