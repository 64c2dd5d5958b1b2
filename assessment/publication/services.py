"""Writes of the 公示, objections, interviews, supporting documents and the checkers' citations.

Each service checks the rules (rules.py), then writes inside a transaction, and sets the user of the
audit history (django-simple-history) itself, so a command or the demo records who did it as a page
would. Stored text is Chinese whoever writes it.
"""

import logging
import os
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import OrgUnit
from core.audit import set_history_user
from core.scoring import fmt, plain

from .. import rating
from ..models import (
    BranchRating,
    Holiday,
    Indicator,
    Interview,
    Objection,
    Problem,
    PublicNotice,
    Score,
    SupportingDocument,
    YearRating,
)
from ..models.ratings import LEVEL_CHOICES
from ..services import checks, ratings
from . import rules, selectors

logger = logging.getLogger(__name__)


def _level_name(level: int) -> str:
    return str(dict(LEVEL_CHOICES)[level])


# --- the calendar -----------------------------------------------------------------------------------


@transaction.atomic
def holiday_save(*, day: date, name: str, kind: str, by) -> Holiday:
    """Enter a holiday (放假) or a weekend day worked (调休上班); entering a day again replaces it."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写名称，如“春节”")
    if kind not in Holiday.Kind.values:
        errors["kind"] = _("类别须为放假或调休上班")
    elif kind == Holiday.Kind.WORKED and day.weekday() < 5:
        errors["kind"] = _("%(day)s 本来就是工作日，无需登记为调休上班") % {"day": f"{day:%Y-%m-%d}"}
    if errors:
        raise ValidationError(errors)
    holiday = Holiday.objects.filter(day=day).first() or Holiday(day=day, created_by=by)
    holiday.name = name.strip()
    holiday.kind = kind
    set_history_user(holiday, by)
    holiday.save()
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, by) -> None:
    set_history_user(holiday, by)
    holiday.delete()


# --- notices (公示) ------------------------------------------------------------------------------


def notice_open(
    *, year_rating: YearRating, by, today: date | None = None, working_days: int | None = None, reason: str = ""
) -> PublicNotice:
    """Put up the 公示 of a year just approved: `working_days` working days from the next working day.

    Called by ratings.year_approve inside its transaction. The reason says why this notice is up: the
    first one, or a new period after a reversal or an objection that changed a level.
    """
    today = today or timezone.localdate()
    working_days = rules.DEFAULT_WORKING_DAYS if working_days is None else working_days
    if not rules.MIN_WORKING_DAYS <= working_days <= rules.MAX_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": _("公示期须为 %(low)s–%(high)s 个工作日，不能是 %(n)s")
                % {"low": rules.MIN_WORKING_DAYS, "high": rules.MAX_WORKING_DAYS, "n": working_days}
            }
        )
    try:
        period = rules.notice_period(today, working_days, selectors.calendar(today))
    except ValueError as exc:  # every day of the coming year entered as a holiday
        raise ValidationError(str(exc)) from exc
    previous = selectors.latest_notice(year_rating)
    number = previous.number + 1 if previous else 1
    if not reason:
        last_reversal = year_rating.reversals.order_by("-reversed_at").first()
        if number == 1 or last_reversal is None:
            reason = "审批后公示"
        else:
            reason = f"撤销审批后重新审批，重新公示（撤销理由：{last_reversal.reason}）"
    notice = PublicNotice(
        rating=year_rating,
        number=number,
        opened_on=period.opened_on,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        working_days=working_days,
        reason=reason,
        opened_by=by,
    )
    set_history_user(notice, by)
    notice.save()
    logger.info("year %s: notice %s up until %s", year_rating.year, number, period.ends_on)
    return notice


def notice_withdraw(*, year_rating: YearRating, by, reason: str) -> PublicNotice | None:
    """The approval is reversed: the standing notice comes down, on the record. Called by year_reverse."""
    notice = selectors.standing_notice(year_rating)
    if notice is None:
        return None
    notice.withdrawn_at = timezone.now()
    notice.withdrawn_by = by
    notice.withdrawn_reason = reason
    set_history_user(notice, by)
    notice.save()
    return notice


# --- objections (异议) ----------------------------------------------------------------------------


@transaction.atomic
def objection_raise(*, year: int, branch: OrgUnit, text: str, by, today: date | None = None) -> Objection:
    """A signed objection to one branch's line, while the year's notice is up."""
    today = today or timezone.localdate()
    year_rating = YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).first()
    notice = selectors.standing_notice(year_rating) if year_rating else None
    if notice is None:
        raise ValidationError(_("%(year)s年度的评定结果没有在公示，不能提出异议") % {"year": year})
    state = selectors.notice_state(notice, today)
    rated = BranchRating.objects.filter(rating=year_rating, branch=branch).exists()
    refusal = rules.objection_refusal(state=state, ends_on=notice.ends_on, text=text, about_rated_branch=rated)
    if refusal is not None:
        # The rules' Chinese names each case; the reader gets it in their language.
        messages = {
            rules.NoticeState.WITHDRAWN: _("本次公示已撤回，不能再提出异议"),
            rules.NoticeState.AWAITING: _("公示期已于 %(day)s 结束，不能再提出异议")
            % {"day": f"{notice.ends_on:%Y-%m-%d}"},
            rules.NoticeState.FINAL: _("公示期已于 %(day)s 结束，不能再提出异议")
            % {"day": f"{notice.ends_on:%Y-%m-%d}"},
        }
        if state in messages:
            raise ValidationError(messages[state])
        if not rated:
            raise ValidationError({"branch": _("只能对本次公示的党支部提出异议")})
        raise ValidationError({"text": _("请写明异议的内容和理由")})
    objection = Objection(notice=notice, branch=branch, text=text.strip(), raised_by=by)
    set_history_user(objection, by)
    objection.save()
    return objection


@transaction.atomic
def objection_answer(
    *,
    objection: Objection,
    answer: str,
    outcome: str,
    by,
    level: int | None = None,
    confirmed: bool = False,
    today: date | None = None,
) -> Objection:
    """The committee answers an objection. Upheld: the result stands. Changed: the branch's level is
    set to `level` — a recorded reversal with the answer as its reason, the adjustment, and a new
    approval whose notice opens a new period. All or nothing."""
    objection = Objection.objects.select_for_update().select_related("notice__rating", "branch").get(pk=objection.pk)
    if objection.is_answered:
        raise ValidationError(_("该异议已经答复"))
    errors = {}
    if not (answer or "").strip():
        errors["answer"] = _("请填写答复意见")
    if outcome not in Objection.Outcome.values:
        errors["outcome"] = _("请选择处理结果")
    if outcome == Objection.Outcome.CHANGED and level is None:
        errors["level"] = _("调整评定须选择调整后的星级")
    if errors:
        raise ValidationError(errors)
    answer = answer.strip()
    year_rating = objection.notice.rating
    if outcome == Objection.Outcome.CHANGED:
        _change_level(objection, year_rating, level, answer, by, confirmed, today)
    objection.answer = answer
    objection.outcome = outcome
    objection.answered_by = by
    objection.answered_at = timezone.now()
    set_history_user(objection, by)
    objection.save()
    return objection


def _change_level(objection, year_rating, level, answer, by, confirmed, today) -> None:
    line = BranchRating.objects.get(rating=year_rating, branch=objection.branch)
    if line.level == level:
        raise ValidationError({"level": _("调整后的星级与原评定相同；如维持原评定，请选择“维持原评定”")})
    year = year_rating.year
    if not year_rating.is_approved:
        raise ValidationError(_("%(year)s年度评定已撤销审批，请在评定审批页调整后重新审批") % {"year": year})
    branch = objection.branch.name
    before = rating.LEVEL_LABELS[line.level] if line.level else "未评定"
    ratings.year_reverse(year=year, by=by, reason=f"对{branch}的异议经核实，调整其评定星级：{answer}")
    ratings.branch_rating_override(
        branch_rating=line, level=level, reason=f"异议核实：{answer}", by=by, confirmed=confirmed
    )
    notice = selectors.latest_notice(year_rating)
    assert notice is not None  # the objection answered came in on one of the year's notices
    working_days = notice.working_days
    ratings.year_approve(
        year=year,
        by=by,
        today=today,
        working_days=working_days,
        reason=f"根据对{branch}的异议调整评定（{before} → {rating.LEVEL_LABELS[level]}），重新公示",
    )


# --- the committee's adjustment ------------------------------------------------------------------------


def override_problems(*, branch_rating: BranchRating, level: int, confirmed: bool) -> list[str]:
    """Check an adjustment (ratings.branch_rating_override calls this): refused above the level
    applied for; breaking the veto or the quota needs `confirmed`. Returns the rules it breaks."""
    facts = selectors.override_facts(branch_rating)
    check = rules.override_check(
        level=level,
        applied_level=branch_rating.applied_level,
        veto_earned=facts["veto_earned"],
        veto_points=facts["veto_points"],
        other_five_stars=facts["other_five_stars"],
        places=facts["places"],
    )
    if check.above_application:
        assert branch_rating.applied_level is not None  # override_check: only a level applied for is exceeded
        raise ValidationError(
            {
                "level": _("不能调整为%(level)s：该支部申报%(applied)s，评定星级不能高于申报星级")
                % {"level": _level_name(level), "applied": _level_name(branch_rating.applied_level)}
            }
        )
    if check.breaks and not confirmed:
        messages = []
        if rules.OverrideBreak.VETO in check.breaks:
            messages.append(
                _("调整为%(level)s将突破一票否决：%(aspect)s项年度得分 %(earned)s，未得满分 %(points)s，最高三星。")
                % {
                    "level": _level_name(level),
                    "aspect": facts["veto_aspect"],
                    "earned": fmt(facts["veto_earned"] or 0),
                    "points": plain(facts["veto_points"]),
                }
            )
        if rules.OverrideBreak.QUOTA in check.breaks:
            messages.append(
                _("调整为五星将超过五星比例：五星名额 %(places)s 个，调整后将有 %(count)s 个五星党支部。")
                % {"places": facts["places"], "count": facts["other_five_stars"] + 1}
            )
        messages.append(_("确需调整，请勾选“确认突破上述规则”后再保存；调整将在各处标注。"))
        raise ratings.OverrideNeedsConfirmation(messages)
    return check.labels


# --- interviews (约谈) ---------------------------------------------------------------------------


@transaction.atomic
def interview_record(
    *,
    branch: OrgUnit,
    year: int,
    held_on: date,
    interviewers: str,
    interviewee: str,
    points: str,
    commitments: str,
    by,
    follow_ups: Sequence[tuple[str, date]] = (),
    today: date | None = None,
) -> Interview:
    """约谈 on the record: who talked to whom and when, the problems pointed out, the commitments made,
    and the follow-up problems it opens (ordinary problems, closed like any other)."""
    today = today or timezone.localdate()
    errors = {}
    if not selectors.is_on_interview_list(branch, year):
        errors["branch"] = _("%(branch)s不在%(year)s年度的约谈名单上（约谈名单为已审批的评定结果中低于三星的支部）") % {
            "branch": branch.name,
            "year": year,
        }
    if held_on > today:
        errors["held_on"] = _("约谈日期不能晚于今天；约谈后再记录")
    for field, value, message in (
        ("interviewers", interviewers, _("请填写约谈人")),
        ("interviewee", interviewee, _("请填写被约谈人")),
        ("points", points, _("请填写约谈中指出的问题")),
        ("commitments", commitments, _("请填写被约谈人作出的整改承诺")),
    ):
        if not (value or "").strip():
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    interview = Interview(
        branch=branch,
        year=year,
        held_on=held_on,
        interviewers=interviewers.strip(),
        interviewee=interviewee.strip(),
        points=points.strip(),
        commitments=commitments.strip(),
        recorded_by=by,
    )
    set_history_user(interview, by)
    interview.save()
    for description, deadline in follow_ups:
        interview_problem_add(interview=interview, description=description, deadline=deadline, by=by)
    return interview


@transaction.atomic
def interview_problem_add(*, interview: Interview, description: str, deadline: date, by) -> Problem:
    """A follow-up problem of an interview: on the branch's problem list, found on the interview day."""
    if not (description or "").strip():
        raise ValidationError({"description": _("请填写整改问题")})
    problem = checks.problem_create(
        branch=interview.branch,
        year=interview.held_on.year,
        quarter=None,
        # Data, like a checker's problem text: stored in Chinese.
        description=f"约谈整改：{description.strip()}",
        deadline=deadline,
        found_on=interview.held_on,
        by=by,
    )
    interview.problems.add(problem)
    return problem


# --- supporting documents (佐证材料) -----------------------------------------------------------------


def _refuse_if_approved(indicator: Indicator) -> None:
    year = indicator.standard.year
    if YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists():
        raise ValidationError(_("%(year)s年度评定已审批，佐证材料不能再增删") % {"year": year})


@transaction.atomic
def document_upload(*, branch: OrgUnit, indicator: Indicator, upload, title: str, by) -> SupportingDocument:
    """A branch's document backing one of the year's hand-scored indicators (types and size as for
    meeting attachments, checked by content)."""
    if branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("佐证材料须属于党支部"))
    if indicator.is_auto:
        raise ValidationError(
            {"indicator": _("%(code)s 是自动计分指标，由系统根据台账计算，无需上传佐证材料") % {"code": indicator.code}}
        )
    _refuse_if_approved(indicator)
    error = checks.evidence_error(upload)
    if error:
        raise ValidationError({"file": error})
    document = SupportingDocument(
        branch=branch,
        indicator=indicator,
        title=(title or "").strip()[:100],
        file=upload,
        original_name=os.path.basename(upload.name)[:200],
        size=upload.size,
        uploaded_by=by,
    )
    set_history_user(document, by)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: SupportingDocument, by) -> None:
    """Take a document out of the library, unless a checker's score cites it or the year is approved."""
    _refuse_if_approved(document.indicator)
    if document.scores.exists():
        raise ValidationError(_("“%(name)s”已被检查评分引用，不能删除") % {"name": document})
    set_history_user(document, by)
    storage, name = document.file.storage, document.file.name
    document.delete()
    # The file goes once the row is gone for good (a rollback keeps both).
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def score_citations_set(*, score: Score, documents: Sequence[SupportingDocument]) -> Score:
    """The documents a checker's score cites: the branch's own, for that score's indicator."""
    for document in documents:
        if document.branch_id != score.branch_id or document.indicator_id != score.indicator_id:
            raise ValidationError(_("只能引用本支部%(code)s的佐证材料") % {"code": score.indicator.code})
    score.citations.set(documents)
    return score


@transaction.atomic
def score_enter_citing(
    *, branch: OrgUnit, indicator: Indicator, quarter: int | None, value, note: str, documents: Sequence, by
) -> Score:
    """A checker's score (checks.score_enter) whose note cites some of the branch's documents for it."""
    for document in documents:
        if document.branch_id != branch.pk or document.indicator_id != indicator.pk:
            raise ValidationError(_("只能引用本支部%(code)s的佐证材料") % {"code": indicator.code})
    score = checks.score_enter(branch=branch, indicator=indicator, quarter=quarter, value=value, note=note, by=by)
    return score_citations_set(score=score, documents=documents)
