"""The rules stay plain: no rule module reaches the database, directly or through what it imports.

Read from the source with `ast` (nothing is imported), following first-party imports transitively:
a rule module, and everything of ours it imports, may not import a `*.models` or `*.selectors`
module or anything under `django.db`. core/ depends on no app at all, and only the modules of core
that exist to talk to the database (DATABASE_MODULES) may import django.db.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Each app and the apps it may import (what it needs, transitively closed below): the dependency
# order of docs/architecture.md. demo and bench sit on top (they may import every app) and nothing
# imports them; config wires the apps but not those two.
DEPENDS_ON: dict[str, set[str]] = {
    "core": set(),
    "branches": {"core"},
    "security": {"core", "branches"},
    "imports": {"core"},
    "members": {"core", "branches", "security", "imports"},
    "activities": {"core", "branches", "security", "imports", "members"},
    "dues": {"core", "branches", "security", "imports", "members", "activities"},
    "assessment": {"core", "branches", "security", "imports", "members", "activities", "dues"},
    "recruitment": {"core", "branches", "security", "imports", "members", "activities"},
    "accounts": {"core", "branches", "security", "imports", "members"},
    "notices": {
        "core",
        "branches",
        "security",
        "imports",
        "members",
        "activities",
        "dues",
        "assessment",
        "recruitment",
        "accounts",
    },
}
TOOLS = ("demo", "bench")
FIRST_PARTY = (*DEPENDS_ON, *TOOLS, "config")

# Every rules.py, and the modules that are rules under another name.
RULE_MODULES = sorted(
    {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for pattern in ("*/rules.py", "*/*/rules.py")
        for path in ROOT.glob(pattern)
    }
    | {
        "activities.compliance",
        "activities.similarity",
        "assessment.rating",
        "assessment.standard",
        "assessment.indicators",
        "assessment.yearbook.workbook",
        "members.idcard",
    }
)
# core's modules whose job is the database: COPY and cursors, retrying on database errors,
# reading history records, announcing events after commit. Everything else in core is as plain as the rules that use it.
DATABASE_MODULES = {
    "core.aside",
    "core.bulk",
    "core.tasks",
    "core.audit",
    "core.events",
    "core.middleware",
    "core.jobs",
}
CORE_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "core").rglob("*.py")
    if path.name != "__init__.py" and "migrations" not in path.parts
)


def forbidden(module: str) -> bool:
    parts = module.split(".")
    return module == "django.db" or module.startswith("django.db.") or "models" in parts[1:] or "selectors" in parts[1:]


def source_of(module: str, root: Path) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(module: str, root: Path) -> set[str]:
    """Every module `module` imports, anywhere in its source (functions too), as absolute names.

    `from a import b` imports `a` and, where `a.b` is a module, `a.b`; importing `a.b.c` also runs
    the packages `a` and `a.b`.
    """
    path = source_of(module, root)
    package = module if path is not None and path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))) if path else ():
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            found.add(base)
            for alias in node.names:
                name = f"{base}.{alias.name}"
                if source_of(name, root) or (forbidden(name) and not forbidden(base)):  # `from django import db`
                    found.add(name)
    with_packages = set(found)
    for name in found:
        parts = name.split(".")
        with_packages.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return with_packages


def violations(start: str, root: Path = ROOT, first_party=FIRST_PARTY, allowed=frozenset()) -> list[str]:
    """Each forbidden import reachable from `start`, with the chain of imports that reaches it."""
    found, seen, queue = [], {start}, [(start, [start])]
    while queue:
        module, chain = queue.pop(0)
        for imported in sorted(imports_of(module, root)):
            if forbidden(imported) and module not in allowed:
                found.append(" → ".join([*chain, imported]))
            elif imported.split(".")[0] in first_party and imported not in seen:
                seen.add(imported)
                queue.append((imported, [*chain, imported]))
    return found


@pytest.mark.parametrize("module", RULE_MODULES)
def test_a_rule_module_reaches_no_model_selector_or_database(module):
    assert source_of(module, ROOT) is not None, f"{module} is listed but does not exist"
    assert violations(module) == []


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_depends_on_no_app_and_keeps_the_database_to_its_database_modules(module):
    apps = [name for name in imports_of(module, ROOT) if name.split(".")[0] in FIRST_PARTY and name != "core"]
    assert [name for name in apps if not name.startswith("core.")] == [], f"{module} imports an app"
    assert violations(module, allowed=DATABASE_MODULES) == []


def test_the_check_follows_imports_and_names_the_chain(tmp_path):
    """The checker itself: a rule that reaches a model through two of our modules, one of them relative."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "rules.py").write_text("from . import pricing\n")
    (tmp_path / "shop" / "pricing.py").write_text("def price():\n    from shop.helpers import tax\n")
    (tmp_path / "shop" / "helpers.py").write_text("from shop import models\n")
    (tmp_path / "shop" / "models.py").write_text("from django.db import models\n")
    (tmp_path / "shop" / "clean.py").write_text("from decimal import Decimal\nfrom . import pricing as p\n")
    assert violations("shop.rules", tmp_path, ("shop",)) == ["shop.rules → shop.pricing → shop.helpers → shop.models"]
    assert violations("shop.models", tmp_path, ("shop",)) == ["shop.models → django.db"]
    (tmp_path / "shop" / "pricing.py").write_text("TAX = 3\n")
    assert violations("shop.clean", tmp_path, ("shop",)) == []


def app_imports(app: str) -> set[tuple[str, str]]:
    """(module, imported app) for every import of another first-party app from inside `app`."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for imported in imports_of(module, ROOT):
            top = imported.split(".")[0]
            if top in FIRST_PARTY and top != app:
                found.add((module, top))
    return found


@pytest.mark.parametrize("app", [*DEPENDS_ON, *TOOLS, "config"])
def test_apps_depend_downward_only(app):
    allowed = DEPENDS_ON.get(app, set(DEPENDS_ON))
    assert sorted((module, top) for module, top in app_imports(app) if top not in allowed) == []


def test_every_app_is_placed_in_the_order():
    """A new app must say what it may import; its place is then checked like the others'."""
    ours = {app.name for app in apps.get_app_configs() if Path(app.path).parent == ROOT}
    assert ours <= set(FIRST_PARTY), f"add to DEPENDS_ON: {sorted(ours - set(FIRST_PARTY))}"
