"""The rating's dashboards: the committee's (and a general secretary's) overview, a branch's page, the home panel."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.params import query_year
from core.periods import QUARTERS, Period, previous_quarter

from .. import rating, selectors
from ..models import Application, BranchRating, Problem, Standard, StarHistory, YearRating
from ..models.ratings import LEVEL_CHOICES
from ..publication import selectors as publication_selectors
from .access import MAX_YEAR, MIN_YEAR, branch_or_404, can_read, reader_only, year_or_404

RANKING_LIMIT = 100  # the dashboard's ranking; the review page and the workbook list every branch
LIST_LIMIT = 30  # the dashboard's interview and lagging lists; the interview page lists them all


def _default_year(today: date) -> int:
    latest = YearRating.objects.exclude(status=YearRating.Status.PENDING).order_by("-year").first()
    return latest.year if latest else today.year - 1


@login_required
def index(request):
    """The committee's dashboard (also a general secretary's, for their branches); a secretary's branch page."""
    scope = reader_only(request)
    today = timezone.localdate()
    # The committee's own branches are all of them: not listed, and not read (5,000 at a province).
    units = [] if scope.is_committee else selectors.visible_branches(scope)
    if not scope.is_committee and len(units) == 1:
        return redirect("assessment:branch", units[0].pk)
    year = year_or_404(query_year(request, _default_year(today), low=MIN_YEAR, high=MAX_YEAR, strict=True))
    year_rating = YearRating.objects.filter(year=year).first()
    # Counted by the database; only the first lines of each list are read.
    lines = (
        BranchRating.objects.for_viewer(scope)
        .filter(rating__year=year)
        .annotate(final=Coalesce("override_level", "proposed_level"))
    )
    counts = selectors.level_totals(lines)
    ranking = list(lines.select_related("branch").order_by("-score", "branch__code")[:RANKING_LIMIT])
    lagging = lines.filter(applied_level__isnull=True)
    history = selectors.history_by_year(None if scope.is_committee else [u.pk for u in units])
    years = sorted(history)
    level_names = {level: str(label) for level, label in LEVEL_CHOICES}
    charts = {
        "distribution": {
            "categories": [level_names[level] for level in rating.LEVELS] + [_("后进")],
            "series": [{"name": _("%(y)s年") % {"y": year}, "data": [*counts["levels"].values(), counts["lagging"]]}],
        },
        "history": {
            "categories": [_("%(y)s年") % {"y": y} for y in years],
            "series": [
                {"name": level_names[level], "data": [history[y][level] for y in years], "stack": "levels"}
                for level in rating.LEVELS
            ],
        },
    }
    actions = dict(lines.exclude(action="").order_by().values_list("action").annotate(n=Count("pk")))
    context = {
        "year": year,
        "years": list(range(today.year, today.year - 6, -1)),
        "year_rating": year_rating,
        "ranking": ranking,
        "total": counts["total"],
        "ranking_cut": counts["total"] > RANKING_LIMIT,
        "counts": counts,
        "charts": charts,
        "actions": [(choice.label, actions.get(choice.value, 0)) for choice in BranchRating.ActionChoice],
        "interview": publication_selectors.interview_rows(year, scope, limit=LIST_LIMIT),
        "interview_total": publication_selectors.interview_lines(year, scope).count(),
        "lagging": list(lagging.select_related("branch").order_by("branch__code")[:LIST_LIMIT]),
        "lagging_total": lagging.count(),
        "list_limit": LIST_LIMIT,
        "units": units,
        "current_quarter": previous_quarter(today),
    }
    return render(request, "assessment/index.html", context)


@login_required
def branch(request, branch_id: int):
    """A branch's page: its level and history, this year's checks so far, what would raise its score."""
    scope = reader_only(request)
    unit = branch_or_404(request, branch_id)
    today = timezone.localdate()
    year = today.year
    standard = Standard.objects.filter(year=year).first()
    table = selectors.indicator_table(standard, unit) if standard else []
    defs = [row["indicator"].as_def() for row in table]
    quarter_scores = []
    for q in QUARTERS:
        earned = {
            row["indicator"].code: cell.effective
            for row in table
            for quarter, cell in row["cells"]
            if quarter == q and cell is not None and cell.effective is not None
        }
        running = Period.for_quarter(year, q).start <= today <= Period.for_quarter(year, q).end
        quarter_scores.append((q, rating.quarter_score(earned, defs) if earned else None, running))
    lines = BranchRating.objects.for_viewer(scope).filter(branch=unit).select_related("rating", "overridden_by")
    published = {r.rating.year: r for r in publication_selectors.attach_notes(list(lines))}
    history = [
        {"entry": h, "rating": published.get(h.year)} for h in StarHistory.objects.filter(branch=unit).order_by("-year")
    ]
    context = {
        "unit": unit,
        "year": year,
        "standard": standard,
        "quarter_scores": quarter_scores,
        "hints": selectors.improvement_hints(table),
        "history": history,
        "latest": history[0] if history else None,
        "applications": {a.year: a for a in Application.objects.filter(branch=unit, year__gte=year - 1)},
        "can_manage": scope.can_manage(unit),
        "open_problems": Problem.objects.filter(branch=unit).open().order_by("deadline")[:10],
        "today": today,
        "pending": [r for y, r in sorted(published.items()) if not r.rating.is_approved],
    }
    return render(request, "assessment/branch.html", context)


def home_panel(request, scope):
    """The five-star panel of the home page: for the committee what awaits it, for a branch its level."""
    if not can_read(scope):
        return None
    today = timezone.localdate()
    panel = {"is_committee": scope.is_committee, "proposed": None, "branches": [], "branch_count": 0}
    if scope.is_committee:
        panel["proposed"] = YearRating.objects.filter(status=YearRating.Status.PROPOSED).order_by("-year").first()
    else:
        units = selectors.visible_branches(scope)
        if not units:
            return None
        shown = units[:8]
        latest = {h.branch_id: h for h in StarHistory.objects.filter(branch__in=shown).order_by("year")}
        panel.update(branches=[(u, latest.get(u.pk)) for u in shown], branch_count=len(units))
    panel["overdue"] = Problem.objects.visible_to(scope).overdue(today).count()
    panel["open"] = Problem.objects.visible_to(scope).open().count()
    return "assessment/panel_home.html", panel
