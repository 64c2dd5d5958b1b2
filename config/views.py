"""The home page, which sits above every app and so may gather a panel from each; and /favicon.ico.

Each feature contributes a panel builder to PANELS: a function of (request, scope) returning a
(template name, context) pair, or None when the panel does not apply to the user. The page shows
the panels in order; each template receives its context as `panel`.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from activities.pledges.views.record import home_panel as pledges_panel
from activities.views.compliance import compliance_panel
from assessment.publication.views import home_panel as publication_panel
from assessment.views.dashboards import home_panel as star_panel
from branches.access import scope_for
from branches.models import OrgUnit
from branches.selectors import flagged_units, unit_rows_of
from dues.views import home_panel as dues_panel
from members.models import Member
from members.rules import probation_status
from members.selectors import probation_soon

PANEL_LIMIT = 8


def org_panel(request, scope):
    """The org tree and the roster: the user's units, what needs attention, 转正 coming up."""
    if not (scope.is_committee or scope.has_units or scope.member_id):
        return None
    today = timezone.localdate()
    units = OrgUnit.objects.visible_to(scope) if scope.is_committee or scope.has_units else OrgUnit.objects.none()
    own = {unit_id for unit_id, _, _ in scope.grants}
    # Counted by the database; only the units shown are built into rows.
    own_units = list(units.filter(pk__in=own).order_by("path")) or list(units.order_by("path")[:1])
    flagged_ids, totals = flagged_units(units, today) if own_units else ([], {})
    # The own units and the first flagged ones counted together: the committee's root is often both,
    # and counting it means counting the whole province.
    own_ids = {unit.pk for unit in own_units}
    shown = own_units + list(
        OrgUnit.objects.filter(pk__in=flagged_ids[:PANEL_LIMIT]).exclude(pk__in=own_ids).order_by("path")
    )
    # The totals of the units above the branches come with the flagged ones, from the same count.
    rows = {row.unit.pk: row for row in unit_rows_of(sorted(shown, key=lambda unit: unit.path), today, totals=totals)}
    flagged = [rows[pk] for pk in flagged_ids[:PANEL_LIMIT]]
    # 转正 coming up: counted and the first few fetched by the database.
    soon = probation_soon(Member.objects.visible_to(scope).current(), today)
    if not (scope.has_units or scope.is_committee):
        soon = soon.none()
    probation = [
        (member, probation_status(member.probation_due, today))
        for member in soon.select_related("branch", "group")[:PANEL_LIMIT]
    ]
    me = Member.objects.select_related("branch").filter(pk=scope.member_id).first() if scope.member_id else None
    return "branches/panel_home.html", {
        "me": me,
        "my_probation": me.probation_due and probation_status(me.probation_due, today) if me else None,
        "own_rows": [rows[unit.pk] for unit in own_units],
        "flagged": flagged,
        "flagged_count": len(flagged_ids),
        "probation": probation,
        "probation_count": soon.count() if len(probation) == PANEL_LIMIT else len(probation),
    }


def meetings_home_panel(request, scope):
    return compliance_panel(request)


def pledges_home_panel(request, scope):
    return pledges_panel(request)


PANELS = [
    org_panel,
    meetings_home_panel,
    pledges_home_panel,
    dues_panel,
    star_panel,
    publication_panel,
]  # later features append theirs


@login_required
def home(request):
    scope = scope_for(request.user)
    panels = [panel for build in PANELS if (panel := build(request, scope)) is not None]
    return render(request, "home.html", {"panels": panels})


FAVICON = settings.BASE_DIR / "static" / "favicon.ico"


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: answered, not logged as a 404."""
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response
