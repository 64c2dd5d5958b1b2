"""Quarterly checks: computing the auto indicators, checkers' scores, problems and their rectification."""

import logging
import os
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import compliance
from activities.pledges import rules as pledge_rules
from activities.pledges import selectors as pledge_selectors
from activities.pledges.rules import attachment_content_error, attachment_error
from activities.selectors import meeting_facts
from activities.services import sniff
from branches.models import OrgUnit
from core import aside, bulk, events
from core.audit import set_history_user
from core.periods import QUARTERS, Period
from core.scoring import CENT, plain
from dues import selectors as dues_selectors

from .. import selectors
from .. import standard as spec
from ..indicators import c6_dues, own_indicator_scores
from ..models import YEAR_QUARTER, Evidence, Indicator, JobStatus, Problem, QuarterCheck, Score
from ..selectors import BranchRow
from .standards import standard_ensure, standard_lock, standards_lock

logger = logging.getLogger(__name__)

BATCH = 1000


def refuse_if_approved(year: int) -> None:
    if selectors.is_year_approved(year):
        raise ValidationError(_("%(year)s年度星级评定已审批，不能再修改；如需修改，请先撤销审批") % {"year": year})


def quarter_period_error(year: int, quarter: int, today: date) -> str | None:
    if quarter not in QUARTERS:
        return _("季度须为 1–4，不能是 %(quarter)s") % {"quarter": quarter}
    if Period.for_quarter(year, quarter).start > today:
        return _("%(year)s年第%(quarter)s季度尚未开始") % {"year": year, "quarter": quarter}
    return None


def quarter_compute(
    *, year: int, quarter: int, today: date | None = None, read_aside: bool | None = None
) -> QuarterCheck:
    """Compute the auto q indicators of every branch for a quarter and store them with their explanations.

    Running it again replaces the computed values (one row per branch, indicator and quarter) and
    leaves checkers' scores alone. The year's standard locks at its first check. `read_aside`: see
    _compute_auto (by default when possible, core.aside.can_read_aside).
    """
    today = today or timezone.localdate()
    error = quarter_period_error(year, quarter, today)
    if error:
        raise ValidationError(error)
    refuse_if_approved(year)
    if read_aside is None:
        read_aside = aside.can_read_aside()
    check, _created = QuarterCheck.objects.get_or_create(year=year, quarter=quarter)
    # The claim stamps the heartbeat (the instance too: it is saved whole at the end).
    check.heartbeat_at = timezone.now()
    QuarterCheck.objects.filter(pk=check.pk).update(
        status=JobStatus.RUNNING, message="", heartbeat_at=check.heartbeat_at
    )
    with transaction.atomic():
        bulk.tune_for_jobs()
        standard = standard_ensure(year=year)
        standard_lock(standard=standard)
        indicators = [i for i in selectors.indicators_of(standard) if i.is_auto and i.is_quarterly]
        period = Period.for_quarter(year, quarter)
        units = selectors.branches()
        written = _compute_auto(indicators, units, period, quarter, today, read_aside=read_aside)
        check.status = JobStatus.DONE
        check.finished_at = timezone.now()
        check.as_of = min(period.end, today)
        check.branch_count = len(units)
        # Stored and shown as it is: the job runs in the default language (see tasks).
        check.message = f"计算了 {len(units)} 个支部的 {len(indicators)} 项自动指标，共 {written} 条得分"
        check.save()
    logger.info("quarter check %s Q%s: %s", year, quarter, check.message)
    return check


def year_auto_compute(*, year: int, today: date | None = None, read_aside: bool | None = None) -> int:
    """Compute the auto y indicators of every branch for the year (stored as quarter 0)."""
    today = today or timezone.localdate()
    refuse_if_approved(year)
    if read_aside is None:
        read_aside = aside.can_read_aside()
    with transaction.atomic():
        bulk.tune_for_jobs()
        standard = standard_ensure(year=year)
        standard_lock(standard=standard)
        indicators = [i for i in selectors.indicators_of(standard) if i.is_auto and not i.is_quarterly]
        written = _compute_auto(
            indicators, selectors.branches(), Period.for_year(year), YEAR_QUARTER, today, read_aside=read_aside
        )
    logger.info("year %s: %s yearly auto scores computed", year, written)
    return written


SCORE_COLUMNS = ["branch", "indicator", "computed", "computed_note"]
SCORE_UNIQUE = ["branch", "indicator", "quarter"]
SCORE_UPDATE = ["computed", "computed_note", "computed_at"]


@bulk.collector_paused()  # a province's facts: see core.bulk.collector_paused
def _compute_auto(
    indicators: list[Indicator],
    units: Sequence[OrgUnit | BranchRow],
    period,
    quarter: int,
    today: date,
    *,
    read_aside: bool = False,
) -> int:
    """Score `indicators` for `units` over `period` and upsert them; returns the number of rows written.

    Each source gathers only what the asked-for codes read (the year's job needs no study notes, a
    quarter's no pledges) and scores those codes; the computed columns are rewritten, checkers'
    scores never. `units` are every branch (selectors.branches): the sources read every branch's
    rows rather than match them against the ids (`every`). With `read_aside` the pledges and study
    notes (C2, C5, E1: about a third of the reading) are read on a second connection while the
    meetings and the rest are read on this one (core.aside).
    """
    wanted = {i.code: i for i in indicators}
    if not wanted or not units:
        return 0
    points = {code: i.points for code, i in wanted.items()}
    ids = [u.pk for u in units]
    meeting = pledge = own = {}
    pledge_codes = wanted.keys() & set(spec.PLEDGE_CODES)

    def read_pledges():
        return pledge_selectors.pledge_counts(ids, period, pledge_codes, every=True)

    with aside.read_aside(read_pledges) if read_aside and pledge_codes else nullcontext() as pledges_aside:
        if codes := wanted.keys() & set(spec.MEETING_CODES):
            meeting = meeting_facts(ids, period, codes, every=True)
        if codes := wanted.keys() & set(spec.OWN_CODES):
            own = selectors.own_indicator_facts(units, period, today, codes, every=True)
        dues = {}
        if wanted.keys() & set(spec.DUES_CODES) and period.is_year:
            dues = dues_selectors.on_time_counts(ids, period.start.year, today)
        if pledge_codes:
            pledge = pledges_aside.result() if pledges_aside is not None else read_pledges()
    indicator_ids = {code: i.pk for code, i in wanted.items()}

    def rows():
        # Yielded as the COPY takes them: the database stores one chunk while the next is scored.
        for pk in ids:
            scores = {}
            if meeting:
                scores.update(compliance.meeting_indicator_scores(meeting[pk], period, points))
            if pledge:
                scores.update(pledge_rules.pledge_indicator_scores(pledge[pk], period, points))
            if own:
                scores.update(own_indicator_scores(own[pk], period, points))
            if dues:
                scores["C6"] = c6_dues(dues[pk], points["C6"])
            for code, score in scores.items():
                indicator_id = indicator_ids.get(code)
                if indicator_id is not None:
                    # make_score has clamped the value to the indicator's points and rounded it.
                    yield (pk, indicator_id, score.earned, score.explanation)

    constants = {"quarter": quarter, "computed_at": timezone.now()}
    # A period computed for the first time (no score of these indicators yet, not even a checker's)
    # is copied straight in; a re-run rewrites the computed columns of the rows there.
    fresh = not Score.objects.filter(quarter=quarter, indicator_id__in=list(indicator_ids.values())).exists()
    return bulk.upsert(
        Score, SCORE_COLUMNS, rows(), unique=SCORE_UNIQUE, update=SCORE_UPDATE, constants=constants, fresh=fresh
    )


def quarter_check_failed(*, year: int, quarter: int, message: str) -> None:
    QuarterCheck.objects.update_or_create(
        year=year, quarter=quarter, defaults={"status": JobStatus.FAILED, "message": message}
    )


# What a request for a check changes on its row, and puts back if the check could not be queued.
QUARTER_CHECK_REQUEST_FIELDS = ("status", "requested_at", "message")


def quarter_check_not_queued(*, year: int, quarter: int, before: dict | None, message: str) -> None:
    """The check's task never reached the broker: the row is as it was before the request (a done
    check stays done), or, for a first request, failed with `message`."""
    queued = QuarterCheck.objects.filter(year=year, quarter=quarter, status=JobStatus.QUEUED)
    if before is None:
        queued.update(status=JobStatus.FAILED, message=message)
    else:
        queued.update(**before)


def quarter_check_beat(*, year: int, quarter: int) -> None:
    QuarterCheck.objects.filter(year=year, quarter=quarter).update(heartbeat_at=timezone.now())


def quarter_checks_stale_fail(*, before, message: str) -> int:
    """Fail the running checks whose worker has given no sign of life since `before`."""
    return QuarterCheck.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=before).update(
        status=JobStatus.FAILED, message=message
    )


# --- checkers' scores ----------------------------------------------------------------------------


def score_errors(*, indicator: Indicator, quarter: int | None, value, note: str) -> dict[str, str]:
    """What is wrong with a checker's score, per field, in the reader's language."""
    errors = {}
    if indicator.is_quarterly and quarter not in QUARTERS:
        errors["quarter"] = _("%(code)s 是季度指标，须填写季度（1–4）") % {"code": indicator.code}
    if not indicator.is_quarterly and quarter not in (None, YEAR_QUARTER):
        errors["quarter"] = _("%(code)s 是年度指标，季度须留空") % {"code": indicator.code}
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["value"] = _("得分“%(value)s”不是数字") % {"value": value}
    else:
        if not number.is_finite():
            errors["value"] = _("得分“%(value)s”不是数字") % {"value": value}
        elif number < 0:
            errors["value"] = _("得分 %(value)s 低于 0") % {"value": value}
        elif number > indicator.points:
            errors["value"] = _("得分 %(value)s 超过 %(code)s 的分值 %(points)s") % {
                "value": value,
                "code": indicator.code,
                "points": plain(indicator.points),
            }
        elif number != number.quantize(CENT):
            errors["value"] = _("得分 %(value)s 最多保留 2 位小数") % {"value": value}
    if indicator.is_auto and not (note or "").strip():
        errors["note"] = _("%(code)s 是自动计分指标，人工评分覆盖须填写说明") % {"code": indicator.code}
    return errors


@transaction.atomic
def score_enter(*, branch: OrgUnit, indicator: Indicator, quarter: int | None, value, note: str, by) -> Score:
    """A checker's score: for a manual indicator, or overriding a computed one (with a note)."""
    refuse_if_approved(indicator.standard.year)
    if branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("只能给党支部评分"))
    errors = score_errors(indicator=indicator, quarter=quarter, value=value, note=note)
    if errors:
        raise ValidationError(errors)
    standard_lock(standard=indicator.standard)
    score, _created = Score.objects.update_or_create(
        branch=branch,
        indicator=indicator,
        quarter=quarter or YEAR_QUARTER,
        defaults={
            "manual": Decimal(str(value)),
            "manual_note": note.strip(),
            "entered_by": by,
            "entered_at": timezone.now(),
        },
    )
    return score


@transaction.atomic
def scores_enter_bulk(*, entries: list[tuple[int, Indicator, int | None, Decimal, str]], by) -> int:
    """Many checkers' scores at once (the import, the demo): each checked like score_enter, one upsert.

    `entries` are (branch id, indicator, quarter, value, note); the indicators' standards lock.
    """
    for year in {entry[1].standard.year for entry in entries}:
        refuse_if_approved(year)
    for branch_id, indicator, quarter, value, note in entries:
        errors = score_errors(indicator=indicator, quarter=quarter, value=value, note=note)
        if errors:
            raise ValidationError(
                {
                    field: _("%(code)s（支部 %(branch)s）：%(error)s")
                    % {"code": indicator.code, "branch": branch_id, "error": e}
                    for field, e in errors.items()
                }
            )
    now = timezone.now()
    Score.objects.bulk_create(
        [
            Score(
                branch_id=branch_id,
                indicator=indicator,
                quarter=quarter or YEAR_QUARTER,
                manual=Decimal(str(value)),
                manual_note=(note or "").strip(),
                entered_by=by,
                entered_at=now,
            )
            for branch_id, indicator, quarter, value, note in entries
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["branch", "indicator", "quarter"],
        update_fields=["manual", "manual_note", "entered_by", "entered_at"],
    )
    standards_lock(ids={entry[1].standard_id for entry in entries})
    # A bulk upsert sends no signals: write the audit history of these scores here, in one more insert.
    keys = {(branch_id, indicator.pk, quarter or YEAR_QUARTER) for branch_id, indicator, quarter, _v, _n in entries}
    written = Score.objects.filter(
        branch_id__in={k[0] for k in keys}, indicator_id__in={k[1] for k in keys}, entered_at=now
    )
    Score.history.bulk_history_create(
        [s for s in written if (s.branch_id, s.indicator_id, s.quarter) in keys], update=True, default_user=by
    )
    return len(entries)


@transaction.atomic
def score_clear(*, score: Score, by) -> Score:
    """Withdraw a checker's score: the computed value (if any) counts again."""
    refuse_if_approved(score.indicator.standard.year)
    score.manual = None
    score.manual_note = ""
    score.entered_by = by
    score.entered_at = timezone.now()
    set_history_user(score, by)
    score.save()
    return score


# --- problems (问题清单) and their rectification --------------------------------------------------


@transaction.atomic
def problem_create(
    *,
    branch: OrgUnit,
    year: int,
    quarter: int | None,
    description: str,
    deadline: date,
    by,
    found_on: date | None = None,
    indicator: Indicator | None = None,
) -> Problem:
    found_on = found_on or timezone.localdate()
    errors = {}
    if branch.kind != OrgUnit.Kind.BRANCH:
        errors["branch"] = _("问题须开具给党支部")
    if not (description or "").strip():
        errors["description"] = _("请填写问题")
    if deadline < found_on:
        errors["deadline"] = _("整改期限不能早于发现日期")
    if quarter not in (None, YEAR_QUARTER, *QUARTERS):
        errors["quarter"] = _("季度须为 1–4 或留空")
    if indicator is not None and indicator.standard.year != year:
        errors["indicator"] = _("指标 %(code)s 不属于%(year)s年度标准") % {"code": indicator.code, "year": year}
    if errors:
        raise ValidationError(errors)
    problem = Problem.objects.create(
        branch=branch,
        year=year,
        quarter=quarter or YEAR_QUARTER,
        indicator=indicator,
        description=description.strip(),
        found_on=found_on,
        deadline=deadline,
        created_by=by,
    )
    # The branch is told at once (the notices app subscribes; see core.events).
    events.emit("problem_opened", problem_id=problem.pk)
    return problem


def evidence_error(upload) -> str | None:
    """The same types, size and content check as meeting attachments and study notes."""
    name = os.path.basename(upload.name or "")
    return attachment_error(name, upload.size) or attachment_content_error(name, sniff(upload))


@transaction.atomic
def evidence_add(*, problem: Problem, upload, note: str, by) -> Evidence:
    """The branch's rectification evidence for an open problem."""
    if problem.is_closed:
        raise ValidationError(_("问题已销号，不能再上传整改材料"))
    error = evidence_error(upload)
    if error:
        raise ValidationError({"file": error})
    return Evidence.objects.create(
        problem=problem,
        file=upload,
        original_name=os.path.basename(upload.name)[:200],
        size=upload.size,
        note=(note or "").strip(),
        uploaded_by=by,
    )


@transaction.atomic
def problem_close(*, problem: Problem, by, note: str = "", today: date | None = None) -> Problem:
    """销号: the checker accepts the rectification."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.is_closed:
        raise ValidationError(_("问题已经销号"))
    problem.closed_on = today or timezone.localdate()
    problem.closed_by = by
    problem.close_note = (note or "").strip()
    problem.save()
    return problem


MAX_BULK_CLOSE = 200


@transaction.atomic
def problems_close(*, ids, by, note: str = "", today: date | None = None) -> int:
    """销号 in bulk: every chosen problem must be open and have rectification evidence, or none is
    closed (the message names each one that is not ready). Returns how many were closed."""
    ids = sorted(set(ids))
    if not ids:
        raise ValidationError(_("请先勾选要销号的问题"))
    if len(ids) > MAX_BULK_CLOSE:
        raise ValidationError(_("一次最多销号 %(n)s 个问题") % {"n": MAX_BULK_CLOSE})
    problems = list(
        Problem.objects.select_for_update(of=("self",)).select_related("branch").filter(pk__in=ids).order_by("pk")
    )
    with_evidence = set(Evidence.objects.filter(problem_id__in=ids).values_list("problem_id", flat=True))
    errors = []
    if len(problems) != len(ids):
        errors.append(_("有 %(n)s 个问题不存在") % {"n": len(ids) - len(problems)})
    for problem in problems:
        label = f"{problem.branch.name}“{problem.description[:30]}”"
        if problem.is_closed:
            errors.append(_("%(problem)s 已经销号") % {"problem": label})
        elif problem.pk not in with_evidence:
            errors.append(_("%(problem)s 还没有整改材料") % {"problem": label})
    if errors:
        raise ValidationError([*errors, _("没有销号任何问题。")])
    for problem in problems:
        problem_close(problem=problem, by=by, note=note, today=today)
    return len(problems)
