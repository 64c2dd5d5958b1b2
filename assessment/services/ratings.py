"""Applications, the year's rating proposal, the committee's overrides, approval and its reversal."""

import logging
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import OrgUnit
from core import aside, bulk, events
from core.audit import set_change_reason, set_history_user
from core.periods import QUARTERS, Period

from .. import rating, selectors
from ..models import (
    Application,
    BranchRating,
    JobStatus,
    Problem,
    QuarterCheck,
    RatingReversal,
    StarHistory,
    YearRating,
)
from .checks import quarter_compute, refuse_if_approved, year_auto_compute
from .standards import standard_ensure

logger = logging.getLogger(__name__)


class OverrideNeedsConfirmation(ValidationError):
    """An adjustment that breaks the veto or the five-star quota: allowed once the committee confirms it."""


BATCH = 1000
# The BranchRating columns the proposal writes: the row's identity, then what a re-run rewrites. The
# committee's word (override_level, override_reason, overridden_by, overridden_at) is never among them.
PROPOSAL_COLUMNS = [
    "rating",
    "branch",
    "applied_level",
    "q1",
    "q2",
    "q3",
    "q4",
    "quarter_mean",
    "annual",
    "score",
    "aspects",
    "overdue_problems",
    "band_level",
    "proposed_level",
    "previous_level",
    "action",
    "vetoed",
    "capped",
    "over_quota",
    "quota_rank",
    "reasons",
    "consequences",
]


@transaction.atomic
def application_submit(*, branch: OrgUnit, year: int, level: int, by) -> Application:
    """申报: the branch applies for a star level (1–5) for the year; a later application replaces it."""
    refuse_if_approved(year)
    if branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("只有党支部可以申报星级"))
    if level not in rating.LEVELS:
        raise ValidationError({"level": _("申报星级须为 1–5，不能是 %(level)s") % {"level": level}})
    application, _created = Application.objects.update_or_create(
        branch=branch, year=year, defaults={"level": level, "applied_by": by}
    )
    return application


def missing_quarters(year: int) -> list[int]:
    """Quarters never computed, or computed before they ended (their records were not all in)."""
    done = {
        check.quarter
        for check in QuarterCheck.objects.filter(year=year, status=JobStatus.DONE)
        if check.as_of is not None and check.as_of >= Period.for_quarter(year, check.quarter).end
    }
    return [q for q in QUARTERS if q not in done]


def year_propose(*, year: int, today: date | None = None, read_aside: bool | None = None) -> YearRating:
    """Rate the year as a proposal: every branch's numbers, level, action, flags and reasons.

    Computes any missing quarter first and the yearly auto indicators. Running it again replaces
    the proposal's computed columns; the committee's overrides stay. An approved year is refused.

    `read_aside`: read the quarters' scores on a second connection while the yearly indicators are
    computed, and their pledges while their meetings are read (core.aside; by default when that
    connection sees what this one does: PostgreSQL, not inside a transaction). The benchmark, which
    rolls each run back, says so itself.
    """
    today = today or timezone.localdate()
    if Period.for_year(year).end >= today:
        raise ValidationError(_("%(year)s年度尚未结束，年终后才能评定星级") % {"year": year})
    refuse_if_approved(year)
    if read_aside is None:
        read_aside = aside.can_read_aside()
    YearRating.objects.update_or_create(
        year=year, defaults={"job_status": JobStatus.RUNNING, "job_message": "", "heartbeat_at": timezone.now()}
    )
    for quarter in missing_quarters(year):
        quarter_compute(year=year, quarter=quarter, today=today, read_aside=read_aside)
    reading: AbstractContextManager[aside.Aside[dict[int, dict[int, int]]] | None] = nullcontext()
    if read_aside:
        # The quarters are committed now and the yearly indicators do not change their scores. (A
        # checker's score entered meanwhile may be missed, as one entered while the proposal is written.)
        quarterly = [i.pk for i in selectors.indicators_of(standard_ensure(year=year)) if i.is_quarterly]
        reading = aside.read_aside(lambda: dict(selectors.score_cents(quarterly)))
    with reading as early:
        year_auto_compute(year=year, today=today, read_aside=read_aside)
        with transaction.atomic():
            bulk.tune_for_jobs()
            year_rating = YearRating.objects.select_for_update().get(year=year)
            if year_rating.is_approved:
                raise ValidationError(_("%(year)s年度星级评定已审批，不能重新生成") % {"year": year})
            count = _write_proposal(year_rating, today, early)
            year_rating.status = YearRating.Status.PROPOSED
            year_rating.proposed_at = timezone.now()
            year_rating.job_status = JobStatus.DONE
            year_rating.job_message = f"已为 {count} 个支部生成评定结果，待机关党委审批"
            year_rating.save()
    logger.info("year %s rated: %s", year, year_rating.job_message)
    return year_rating


@bulk.collector_paused()  # a province's numbers and lines: see core.bulk.collector_paused
def _write_proposal(
    year_rating: YearRating, today: date, early: aside.Aside[dict[int, dict[int, int]]] | None = None
) -> int:
    """`early`: the quarterly indicators' scores read aside (year_propose), in score_cents' form."""
    year = year_rating.year
    standard = standard_ensure(year=year)
    rules = selectors.rules_of(standard)
    indicators = selectors.indicators_of(standard)
    defs = [i.as_def() for i in indicators]
    units = selectors.branches()
    applied = selectors.applications(year)
    history = selectors.approved_history(year)
    overdue = selectors.overdue_counts(year, today)

    # A branch's numbers need only its own scores, and the rating needs only the numbers: the year's
    # scores (about 60 a branch) come as one row of arrays per branch and only each branch's numbers
    # are kept (300,000 scores as Python objects at once took 80 MB at N = 5,000).
    ids = [i.pk for i in indicators]
    scheme = rating.scheme(defs, rules, keys=ids, slot=selectors.score_slot)
    branch_ids = {u.pk for u in units}
    scores: Iterable[tuple[int, dict[int, int]]]
    if early is None:
        scores = selectors.score_cents(ids)
    else:
        # The quarters' scores came aside; the year's (computed just now, or a checker's) are read here.
        by_branch = early.result()
        for pk, cents in selectors.score_cents([i.pk for i in indicators if not i.is_quarterly]):
            by_branch.setdefault(pk, {}).update(cents)
        scores = by_branch.items()
    numbers = {pk: rating.branch_numbers(cents, scheme) for pk, cents in scores if pk in branch_ids}
    unscored = rating.branch_numbers({}, scheme)
    for pk in branch_ids - numbers.keys():
        numbers[pk] = unscored
    inputs = [
        rating.BranchYear(
            branch_id=u.pk,
            code=u.code,
            applied_level=applied.get(u.pk),
            score=numbers[u.pk].score,
            aspects=numbers[u.pk].aspects,
            overdue_problems=overdue.get(u.pk, 0),
            history=tuple(history.get(u.pk, ())),
        )
        for u in units
    ]
    outcomes = rating.rate_year(inputs, rules, selectors.veto_points(standard))

    # The committee's overrides survive a re-run; their action follows the overriding level.
    overridden = BranchRating.objects.filter(rating=year_rating, override_level__isnull=False)
    overrides = {pk: level for pk, level in overridden.values_list("branch_id", "override_level") if level is not None}

    def rows():
        # Yielded as the COPY takes them (core.bulk.upsert): stored while the next are made.
        for u in units:
            n, o = numbers[u.pk], outcomes[u.pk]
            action, explained = o.action, list(o.consequences)
            if u.pk in overrides and o.level is not None:
                result, explained = rating.consequences(overrides[u.pk], history.get(u.pk, ()))
                action = result.action
            yield (
                year_rating.pk,
                u.pk,
                applied.get(u.pk),
                n.quarter_scores[1],
                n.quarter_scores[2],
                n.quarter_scores[3],
                n.quarter_scores[4],
                n.quarter_mean,
                n.annual,
                n.score,
                {code: f"{value:.2f}" for code, value in n.aspects.items()},
                overdue.get(u.pk, 0),
                o.band_level,
                o.level,
                o.previous_level,
                action or "",
                o.vetoed,
                o.capped,
                o.over_quota,
                o.quota_rank,
                list(o.reasons),
                explained,
            )

    # A year proposed for the first time has no line yet: COPYed straight in (upsert's `fresh`).
    fresh = not BranchRating.objects.filter(rating=year_rating).exists()
    written = bulk.upsert(
        BranchRating, PROPOSAL_COLUMNS, rows(), unique=["rating", "branch"], update=PROPOSAL_COLUMNS[2:], fresh=fresh
    )
    # A branch that is no longer a branch has no line in the year; a lagging one that applied meanwhile
    # loses an untouched lagging problem.
    # (`units` are every branch: selectors.branches. Asked by kind, not by 5,000 ids.)
    BranchRating.objects.filter(rating=year_rating).exclude(branch__kind=OrgUnit.Kind.BRANCH).delete()
    lagging = [u.pk for u in units if outcomes[u.pk].level is None]
    _open_lagging_problems(year, lagging, rules, today)
    return written


def _open_lagging_problems(year: int, lagging: list[int], rules: rating.Rules, today: date) -> None:
    """One rectification problem per lagging branch (ids) and year, however often the year is rated."""
    Problem.objects.filter(year=year, kind=Problem.Kind.LAGGING, closed_on__isnull=True, evidence__isnull=True).exclude(
        branch_id__in=lagging
    ).delete()
    Problem.objects.bulk_create(
        [
            Problem(
                branch_id=pk,
                year=year,
                kind=Problem.Kind.LAGGING,
                # Data, like a checker's problem text: stored in Chinese whoever triggered the rating.
                description=f"{year}年度未申报星级，列为后进党支部，请制定整改措施并上传整改材料",
                found_on=today,
                deadline=rating.lagging_deadline(today, rules),
            )
            for pk in lagging
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def year_rating_failed(*, year: int, message: str) -> None:
    YearRating.objects.update_or_create(year=year, defaults={"job_status": JobStatus.FAILED, "job_message": message})


YEAR_RATING_REQUEST_FIELDS = ("job_status", "job_message", "requested_at")


def year_rating_not_queued(*, year: int, before: dict | None, message: str) -> None:
    """The rating's task never reached the broker: its job is as it was, or failed with `message`."""
    queued = YearRating.objects.filter(year=year, job_status=JobStatus.QUEUED)
    if before is None or not before["job_status"]:
        queued.update(job_status=JobStatus.FAILED, job_message=message)
    else:
        queued.update(**before)


def year_rating_beat(*, year: int) -> None:
    """The rating and the quarters it computes on the way (quarter_compute inside year_propose)."""
    now = timezone.now()
    YearRating.objects.filter(year=year).update(heartbeat_at=now)
    QuarterCheck.objects.filter(year=year, status=JobStatus.RUNNING).update(heartbeat_at=now)


def year_ratings_stale_fail(*, before, message: str) -> int:
    return YearRating.objects.filter(job_status=JobStatus.RUNNING, heartbeat_at__lt=before).update(
        job_status=JobStatus.FAILED, job_message=message
    )


@transaction.atomic
def branch_rating_override(
    *, branch_rating: BranchRating, level: int | None, reason: str, by, confirmed: bool = False
) -> BranchRating:
    """The committee sets one branch's level by hand, with a written reason (None withdraws it).

    Never above the level applied for; breaking the veto or the five-star quota needs `confirmed`,
    and the rules broken are kept with the adjustment (shown as 调整 wherever the level is).
    """
    branch_rating = BranchRating.objects.select_for_update().select_related("rating").get(pk=branch_rating.pk)
    year = branch_rating.rating.year
    if branch_rating.rating.is_approved:
        raise ValidationError(_("%(year)s年度星级评定已审批，不能再调整；如需调整，请先撤销审批") % {"year": year})
    if branch_rating.is_lagging:
        raise ValidationError(_("该支部未申报星级（后进党支部），本年度不评定星级，不能调整"))
    history = selectors.approved_history(year, [branch_rating.branch_id]).get(branch_rating.branch_id, [])
    if level is None:
        branch_rating.override_level = None
        branch_rating.override_reason = ""
        branch_rating.override_warnings = []
    else:
        if level not in rating.LEVELS:
            raise ValidationError({"level": _("星级须为 1–5，不能是 %(level)s") % {"level": level}})
        if not (reason or "").strip():
            raise ValidationError({"reason": _("调整星级须写明理由")})
        # Imported here: the publication package imports this module.
        from ..publication.services import override_problems

        # Refuses a level above the application, and a broken rule unless confirmed; returns the rules broken.
        branch_rating.override_warnings = override_problems(
            branch_rating=branch_rating, level=level, confirmed=confirmed
        )
        branch_rating.override_level = level
        branch_rating.override_reason = reason.strip()
    branch_rating.overridden_by = by
    branch_rating.overridden_at = timezone.now()
    # Not lagging (refused above), so the line has a level: the override or the proposal's.
    result, explained = rating.consequences(cast(int, branch_rating.level), history)
    branch_rating.action = result.action
    branch_rating.consequences = explained
    set_history_user(branch_rating, by)
    branch_rating.save()
    return branch_rating


@transaction.atomic
def year_approve(
    *, year: int, by, today: date | None = None, working_days: int | None = None, reason: str = ""
) -> YearRating:
    """Publish the year: the levels become visible to the branches and enter the star history, and a
    public notice (公示) of `working_days` working days opens (publication.services.notice_open)."""
    year_rating = YearRating.objects.select_for_update().filter(year=year).first()
    if year_rating is None or year_rating.status == YearRating.Status.PENDING:
        raise ValidationError(_("%(year)s年度还没有评定结果，请先生成") % {"year": year})
    if year_rating.is_approved:
        raise ValidationError(_("%(year)s年度星级评定已经审批") % {"year": year})
    rows = list(year_rating.branches.filter(applied_level__isnull=False))
    StarHistory.objects.bulk_create(
        [
            StarHistory(
                branch_id=r.branch_id,
                year=year,
                level=cast(int, r.level),  # a branch that applied has a level
                source=StarHistory.Source.APPROVED,
                recorded_by=by,
            )
            for r in rows
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["branch", "year"],
        update_fields=["level", "source", "recorded_by", "recorded_at"],
    )
    year_rating.status = YearRating.Status.APPROVED
    year_rating.approved_at = timezone.now()
    year_rating.approved_by = by
    set_history_user(year_rating, by)
    year_rating.save()
    # Imported here: the publication package imports this module.
    from ..publication.services import notice_open

    notice_open(year_rating=year_rating, by=by, today=today, working_days=working_days, reason=reason)
    # Every branch secretary is told their level at once (the notices app subscribes).
    events.emit("ratings_approved", year=year)
    logger.info("year %s approved by %s: %s branches", year, by, len(rows))
    return year_rating


@transaction.atomic
def year_reverse(*, year: int, by, reason: str) -> RatingReversal:
    """撤销审批: reopen an approved year as a proposal, on the record (who, when, why)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("撤销审批须写明理由")})
    year_rating = YearRating.objects.select_for_update().filter(year=year).first()
    if year_rating is None or not year_rating.is_approved:
        raise ValidationError(_("%(year)s年度星级评定尚未审批，无需撤销") % {"year": year})
    reversal = RatingReversal.objects.create(
        rating=year_rating,
        reason=reason.strip(),
        reversed_by=by,
        approved_at=year_rating.approved_at,
        approved_by=year_rating.approved_by,
    )
    StarHistory.objects.filter(year=year, source=StarHistory.Source.APPROVED).delete()
    year_rating.status = YearRating.Status.PROPOSED
    year_rating.approved_at = None
    year_rating.approved_by = None
    set_history_user(year_rating, by)
    set_change_reason(year_rating, reason.strip())
    year_rating.save()
    from ..publication.services import notice_withdraw  # imported here: the publication package imports us

    notice_withdraw(year_rating=year_rating, by=by, reason=reason.strip())
    events.emit("ratings_reversed", reversal_id=reversal.pk)
    logger.info("year %s approval reversed by %s", year, by)
    return reversal


@transaction.atomic
def history_record(*, branch: OrgUnit, year: int, level: int, by) -> StarHistory:
    """An approved level from before the app was used (历史星级), counted like an approved year."""
    if level not in rating.LEVELS:
        raise ValidationError({"level": _("星级须为 1–5，不能是 %(level)s") % {"level": level}})
    if YearRating.objects.filter(year=year).exclude(status=YearRating.Status.PENDING).exists():
        raise ValidationError(_("%(year)s年度已在本系统评定，历史星级以审批结果为准") % {"year": year})
    history, _created = StarHistory.objects.update_or_create(
        branch=branch, year=year, defaults={"level": level, "source": StarHistory.Source.IMPORTED, "recorded_by": by}
    )
    return history
