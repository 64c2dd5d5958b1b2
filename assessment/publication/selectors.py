"""Reads for the 公示, objections, interviews and supporting documents: a fixed number of queries
whatever the number of branches (the workbook reads its counts a chunk of branches at a time)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q

from branches.access import Scope
from branches.models import OrgUnit
from core.bulk import among
from core.params import MAX_ID, parse_int

from .. import rating
from .. import selectors as assessment_selectors
from ..models import BranchRating, Holiday, Interview, Objection, PublicNotice, Standard, SupportingDocument, YearRating
from . import rules


def calendar(start: date | None = None) -> rules.Calendar:
    """The holidays and worked weekend days entered, from `start` on (a notice looks a year ahead at most)."""
    qs = Holiday.objects.all()
    if start is not None:
        qs = qs.filter(day__gte=start, day__lte=start + timedelta(days=rules.SEARCH_LIMIT))
    return _calendar(qs)


def calendar_between(first: date, last: date) -> rules.Calendar:
    """The days entered from `first` to `last`, both included: one query. AssessmentConfig.ready hands
    this to core.workdays, through which recruitment counts its 公示 by the same calendar."""
    return _calendar(Holiday.objects.filter(day__gte=first, day__lte=last))


def _calendar(holidays) -> rules.Calendar:
    off: set[date] = set()
    worked: set[date] = set()
    for day, kind in holidays.values_list("day", "kind"):
        (worked if kind == Holiday.Kind.WORKED else off).add(day)
    return rules.Calendar(frozenset(off), frozenset(worked))


# --- notices -------------------------------------------------------------------------------------


def standing_notice(year_rating: YearRating) -> PublicNotice | None:
    return year_rating.notices.filter(withdrawn_at__isnull=True).first()


def latest_notice(year_rating: YearRating) -> PublicNotice | None:
    return year_rating.notices.order_by("-number").first()


def unanswered_count(year_rating: YearRating) -> int:
    """Objections to the year still waiting for an answer, whichever of its notices they came in."""
    return Objection.objects.filter(notice__rating=year_rating).unanswered().count()


def notice_state(notice: PublicNotice, today: date, unanswered: int | None = None) -> rules.NoticeState:
    if unanswered is None:
        unanswered = unanswered_count(notice.rating)
    return rules.notice_state(ends_on=notice.ends_on, today=today, withdrawn=notice.is_withdrawn, unanswered=unanswered)


def published_years() -> list[int]:
    return list(
        YearRating.objects.filter(status=YearRating.Status.APPROVED).order_by("-year").values_list("year", flat=True)
    )


def open_notices(today: date) -> list[PublicNotice]:
    """Notices whose period has not ended: what the home page announces to everyone."""
    return list(
        PublicNotice.objects.filter(withdrawn_at__isnull=True, ends_on__gte=today, rating__status="approved")
        .select_related("rating")
        .order_by("-rating__year")
    )


# --- the reasons of a level ------------------------------------------------------------------------


def facts_of(line: BranchRating) -> rules.LevelFacts:
    return rules.LevelFacts(
        band_level=line.band_level,
        level=line.level,
        applied_level=line.applied_level,
        vetoed=line.vetoed,
        capped=line.capped,
        over_quota=line.over_quota,
        quota_rank=line.quota_rank,
        override_level=line.override_level,
        override_reason=line.override_reason,
        override_warnings=tuple(line.override_warnings or ()),
        band_reason=line.reasons[0] if line.reasons else "",
        action_reason=line.consequences[0] if line.consequences else "",
    )


def veto_aspects(years: Iterable[int]) -> dict[int, str]:
    """The veto aspect of each year's standard (B by default): one query."""
    return dict(Standard.objects.filter(year__in=list(set(years))).values_list("year", "veto_aspect"))


def attach_notes(lines: Sequence[BranchRating]) -> Sequence[BranchRating]:
    """Give each line `level_notes` (why the level differs from the band) and `explanation` (the whole
    story, as in the workbook's 说明). Needs each line's `rating` loaded; one query for the standards."""
    aspects = veto_aspects(line.rating.year for line in lines)
    for line in lines:
        facts = facts_of(line)
        aspect = aspects.get(line.rating.year) or rating.QUOTA_TIEBREAK_ASPECT
        line.level_notes = rules.level_notes(facts, aspect)
        line.explanation = rules.explanation(facts, aspect)
        line.is_adjusted = rules.is_adjusted(facts)
    return lines


def public_lines(year_rating: YearRating) -> list[BranchRating]:
    """Every branch's line of a published year, for the 公示 page: level, action, score and reasons,
    with the number of objections to it and how many are answered. Three queries."""
    lines = list(year_rating.branches.select_related("branch", "rating").order_by("-score", "branch__code"))
    lines.sort(key=lambda r: (r.level is None, -(r.level or 0), -r.score, r.branch.code))
    counts: dict[int, tuple[int, int]] = {
        branch_id: (total, answered)
        for branch_id, total, answered in Objection.objects.filter(notice__rating=year_rating)
        .values("branch_id")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .values_list("branch_id", "total", "answered")
    }
    for line in lines:
        line.objection_count, line.answered_count = counts.get(line.branch_id, (0, 0))
    return list(attach_notes(lines))


# --- adjustments ----------------------------------------------------------------------------------


def override_facts(branch_rating: BranchRating) -> dict:
    """What override_check needs about a line: its veto aspect points, the year's five stars and places."""
    year_rating = branch_rating.rating
    standard = Standard.objects.filter(year=year_rating.year).first()
    veto_aspect = standard.veto_aspect if standard else ""
    veto_points = assessment_selectors.veto_points(standard) if standard and veto_aspect else None
    earned = branch_rating.aspects.get(veto_aspect) if veto_aspect else None
    others = list(
        BranchRating.objects.filter(rating=year_rating, applied_level__isnull=False)
        .exclude(pk=branch_rating.pk)
        .values_list("proposed_level", "override_level")
    )
    five_stars = sum(1 for proposed, override in others if (override if override is not None else proposed) == 5)
    quota = standard.five_star_quota if standard else rating.Rules().quota_percent
    return {
        "veto_aspect": veto_aspect,
        "veto_earned": Decimal(earned) if earned is not None else None,
        "veto_points": veto_points,
        "other_five_stars": five_stars,
        "places": rating.quota_size(len(others) + 1, quota),
    }


# --- interviews -------------------------------------------------------------------------------------


def interview_lines(year: int, scope: Scope):
    """The year's lines below three stars (the committee's override counts) the user may read."""
    below = rating.INTERVIEW_BELOW
    return (
        BranchRating.objects.for_viewer(scope)
        .filter(rating__year=year)
        .filter(Q(override_level__lt=below) | Q(override_level__isnull=True, proposed_level__lt=below))
    )


def interview_rows(year: int, scope: Scope, limit: int | None = None) -> list[dict]:
    """The year's interview list (levels below three stars) in the user's part of the tree, each with
    the interviews held and whether one is still to be held (once the year is approved). Two queries;
    the committee sees the list of a proposal too, everyone else only of an approved year. With a
    limit, only the first `limit` lines by branch code (and only their interviews) are read."""
    lines_qs = interview_lines(year, scope).select_related("branch", "rating").order_by("branch__code")
    lines = list(lines_qs[:limit] if limit is not None else lines_qs)
    interviews = Interview.objects.visible_to(scope).filter(year=year)
    if limit is not None:
        interviews = interviews.filter(branch_id__in=among([line.branch_id for line in lines]))
    held = defaultdict(list)
    for interview in interviews.order_by("held_on", "pk"):
        held[interview.branch_id].append(interview)
    waiting = set(rules.interviews_to_hold([r.branch_id for r in lines if r.rating.is_approved], held))
    return [
        {
            "line": line,
            "branch": line.branch,
            "interviews": held.get(line.branch_id, []),
            "to_hold": line.branch_id in waiting,
        }
        for line in lines
    ]


def is_on_interview_list(branch: OrgUnit, year: int) -> bool:
    line = BranchRating.objects.filter(
        rating__year=year, rating__status=YearRating.Status.APPROVED, branch=branch
    ).first()
    return line is not None and line.level is not None and rating.flags_for(line.level).interview


# --- supporting documents ------------------------------------------------------------------------------


def documents_by_indicator(branch: OrgUnit, year: int) -> dict[int, list[SupportingDocument]]:
    """A branch's documents for the year, per indicator id: one query (with the uploaders)."""
    by_indicator: dict[int, list[SupportingDocument]] = defaultdict(list)
    qs = (
        SupportingDocument.objects.filter(branch=branch, indicator__standard__year=year)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    for document in qs:
        by_indicator[document.indicator_id].append(document)
    return dict(by_indicator)


def document_counts(year: int, branch_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """How many documents back each branch's manual indicators: counts[branch_id][code]. One query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        SupportingDocument.objects.filter(indicator__standard__year=year, branch_id__in=among(branch_ids))
        .order_by()
        .values("branch_id", "indicator__code")
        .annotate(n=Count("pk"))
        .values_list("branch_id", "indicator__code", "n")
    )
    for branch_id, code, n in rows:
        counts[branch_id][code] = n
    return counts


def with_documents(table: list[dict], branch: OrgUnit, year: int) -> list[dict]:
    """The indicator table of a branch's year (assessment.selectors.indicator_table) with each manual
    indicator's documents under "documents", for the checker's score form. One query."""
    by_indicator = documents_by_indicator(branch, year)
    for row in table:
        row["documents"] = by_indicator.get(row["indicator"].pk, [])
    return table


def cited_documents(branch: OrgUnit, indicator, ids: Iterable[str]) -> list[SupportingDocument]:
    """The documents a checker ticked in the score form: only the branch's own for that indicator."""
    wanted = [pk for i in ids if (pk := parse_int(str(i), 1, MAX_ID)) is not None]
    if not wanted:
        return []
    return list(SupportingDocument.objects.filter(branch=branch, indicator=indicator, pk__in=wanted))
