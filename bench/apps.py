from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks at the scale of a province: `seed_scale`, the floors and `bench` (make bench).

    At the top of the dependency order: it may import every app, and no app imports it.
    """

    name = "bench"
