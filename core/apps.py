from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and no app owns: bulk writes, spreadsheets, the audit trail, shared terms.

    No models: nothing here is stored, so every app may depend on it and it depends on none of them.
    """

    name = "core"
