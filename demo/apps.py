from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo court (`seed_demo`): every feature's demo builder, kept out of the product's apps.

    At the top of the dependency order: it may import every app, and no app imports it.
    """

    name = "demo"
