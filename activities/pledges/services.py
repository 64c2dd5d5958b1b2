"""Writes for pledges, appraisal and study notes.

Callers pass objects they fetched through the user's scoped querysets; the services check the rules
of the domain (rules.py) and refuse with a ValidationError in Chinese.
"""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Appraisal, AppraisalEntry, PeerBallot, Pledge, PledgeNote, StudyNote
from activities.services import sniff  # the meeting attachments' content check, shared
from branches.models import OrgUnit
from members.models import Member
from members.selectors import members_of_unit_on

from . import rules


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- Pledges ---------------------------------------------------------------------------------------


@transaction.atomic
def pledge_create(
    *, branch: OrgUnit, year: int, content: str, member: Member | None = None, by=None, today: date | None = None
) -> Pledge:
    """Add an item to the branch's (member None) or a member's pledges for the year."""
    content = content.strip()
    errors = {}
    if branch.kind != OrgUnit.Kind.BRANCH:
        errors["branch"] = _("承诺只能属于党支部")
    if member is not None and member.branch_id != branch.pk:
        errors["member"] = _("%(name)s不在%(branch)s，不能在此作出承诺") % {"name": member.name, "branch": branch.name}
    if year_error := rules.pledge_year_error(year, _today(today)):
        errors["year"] = year_error
    if not content:
        errors["content"] = _("请填写承诺内容")
    if errors:
        raise ValidationError(errors)
    # Lock the branch row so two tabs cannot both slip under the limit.
    OrgUnit.objects.select_for_update().filter(pk=branch.pk).first()
    existing = Pledge.objects.filter(branch=branch, year=year, member=member).count()
    if limit_error := rules.pledge_limit_error(existing, for_branch=member is None):
        raise ValidationError({"content": limit_error})
    pledge = Pledge(branch=branch, member=member, year=year, content=content, created_by=by)
    pledge.full_clean()
    pledge.save()
    return pledge


def _refuse_if_rated(pledge: Pledge) -> None:
    if pledge.rating:
        raise ValidationError(
            _("该承诺已评诺为“%(rating)s”，不能再修改或删除") % {"rating": pledge.get_rating_display()}
        )


@transaction.atomic
def pledge_update(*, pledge: Pledge, content: str) -> Pledge:
    _refuse_if_rated(pledge)
    content = content.strip()
    if not content:
        raise ValidationError({"content": _("请填写承诺内容")})
    pledge.content = content
    pledge.full_clean()
    pledge.save(update_fields=["content", "updated_at"])
    return pledge


@transaction.atomic
def pledge_delete(*, pledge: Pledge) -> None:
    _refuse_if_rated(pledge)
    pledge.delete()


@transaction.atomic
def pledge_note_add(*, pledge: Pledge, text: str, noted_on: date, by=None, today: date | None = None) -> PledgeNote:
    """践诺记录. Allowed after the rating too: a late note is still part of the record."""
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = _("请填写践诺情况")
    if noted_on > _today(today):
        errors["noted_on"] = _("践诺日期不能晚于今天")
    if noted_on.year < pledge.year:
        errors["noted_on"] = _("践诺日期应在%(year)s年或以后") % {"year": pledge.year}
    if errors:
        raise ValidationError(errors)
    return PledgeNote.objects.create(pledge=pledge, text=text, noted_on=noted_on, author=by)


@transaction.atomic
def pledge_rate_all(
    *, branch: OrgUnit, year: int, ratings: Mapping[int, tuple[str, str]], by=None, today: date | None = None
) -> int:
    """评诺: rate the branch's items of a year in one go, all or nothing.

    `ratings` maps pledge id → (rating, note); an empty rating clears it. Returns how many changed.
    """
    if year_error := rules.rating_year_error(year, _today(today)):
        raise ValidationError(year_error)
    pledges = {p.pk: p for p in Pledge.objects.select_for_update().filter(branch=branch, year=year).order_by("pk")}
    unknown = set(ratings) - set(pledges)
    if unknown:
        raise ValidationError(_("评诺的承诺不属于本支部本年度，请刷新页面后重试"))
    bad = [pk for pk, (rating, _) in ratings.items() if rating and rating not in rules.RATING_LABELS]
    if bad:
        raise ValidationError(_("评诺结果只能是已兑现、部分兑现或未兑现"))
    now = timezone.now()
    changed = 0
    for pk, (rating, note) in ratings.items():
        pledge = pledges[pk]
        note = (note or "").strip()
        if pledge.rating == rating and pledge.rating_note == note:
            continue
        pledge.rating, pledge.rating_note = rating, note
        pledge.rated_by, pledge.rated_at = (by, now) if rating else (None, None)
        pledge.save(update_fields=["rating", "rating_note", "rated_by", "rated_at", "updated_at"])
        changed += 1
    return changed


# --- Democratic appraisal --------------------------------------------------------------------------


@transaction.atomic
def appraisal_open(
    *, branch: OrgUnit, year: int, quarter: int | None = None, by=None, today: date | None = None
) -> Appraisal:
    """Open a round for the members in the branch today; probationary members are marked."""
    today = _today(today)
    errors = {}
    if branch.kind != OrgUnit.Kind.BRANCH:
        errors["branch"] = _("只能为党支部开展民主评议")
    if year > today.year:
        errors["year"] = _("%(year)s年尚未开始，不能开展评议") % {"year": year}
    if quarter is not None and quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("季度只能是1至4")
    if errors:
        raise ValidationError(errors)
    # The round's own name, e.g. 2024年度民主评议.
    label = Appraisal(year=year, quarter=quarter).label
    already = _("%(branch)s已开展%(appraisal)s") % {"branch": branch.name, "appraisal": label}
    if Appraisal.objects.filter(branch=branch, year=year, quarter=quarter).exists():
        raise ValidationError(already)
    members = list(members_of_unit_on(branch, today, include_retired=True))
    if not members:
        raise ValidationError(_("%(branch)s目前没有党员，无法开展评议") % {"branch": branch.name})
    try:
        with transaction.atomic():
            appraisal = Appraisal.objects.create(branch=branch, year=year, quarter=quarter, opened_by=by)
    except IntegrityError as exc:
        raise ValidationError(already) from exc
    AppraisalEntry.objects.bulk_create(
        AppraisalEntry(appraisal=appraisal, member=m, is_probationary=not m.is_full) for m in members
    )
    return appraisal


def _locked(appraisal: Appraisal, *allowed: str) -> Appraisal:
    """Re-read the appraisal under a row lock and refuse unless its status is one of `allowed`.

    The lock makes ending the vote or closing wait for a ballot or a grade being written, so
    nothing slips in after.
    """
    locked = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if locked.status not in allowed:
        if locked.is_closed:
            raise ValidationError(rules.CLOSED_ERROR)
        raise ValidationError(rules.VOTING_ENDED_ERROR if locked.is_deciding else rules.VOTING_OPEN_ERROR)
    return locked


@transaction.atomic
def appraisal_self_submit(*, entry: AppraisalEntry, text: str) -> AppraisalEntry:
    # Until the grades are final: once voting has ended a self-appraisal says nothing about ballots.
    _locked(entry.appraisal, rules.OPEN, rules.DECIDING)
    text = text.strip()
    if not text:
        raise ValidationError({"self_text": _("请填写自我评价")})
    entry.self_text = text
    entry.self_submitted_at = timezone.now()
    entry.save(update_fields=["self_text", "self_submitted_at"])
    return entry


@transaction.atomic
def appraisal_ballot_cast(*, appraisal: Appraisal, grader: Member, grades: Mapping[int, str]) -> PeerBallot:
    """A member's peer ballot: `grades` maps each other participant's member id to a grade.

    Only the totals are written (see AppraisalEntry); the ballot row says that the member voted,
    not how nor when. So a ballot is final once cast: nobody, not even the app, knows which votes
    were its. The counters are updated with queryset updates, which django-simple-history does not
    see, and AppraisalEntry has no history anyway: no audit row names the voter either.
    """
    appraisal = _locked(appraisal, rules.OPEN)
    entries = {e.member_id: e for e in appraisal.entries.all()}
    if grader.pk not in entries:
        raise ValidationError(_("您不是本次评议的参评党员，不能投票"))
    if PeerBallot.objects.filter(appraisal=appraisal, grader=grader).exists():
        raise ValidationError(_("您已提交过互评票，互评票提交后不能修改"))
    errors = rules.ballot_errors(grader.pk, entries, grades)
    if errors:
        raise ValidationError(errors)
    ballot = PeerBallot.objects.create(appraisal=appraisal, grader=grader)
    for member_id, grade in grades.items():
        vote_field = AppraisalEntry.VOTE_FIELDS[grade]
        AppraisalEntry.objects.filter(pk=entries[member_id].pk).update(**{vote_field: F(vote_field) + 1})
    return ballot


@transaction.atomic
def appraisal_end_voting(*, appraisal: Appraisal) -> Appraisal:
    """结束投票: no more ballots. From now on the branch sees each member's peer result (when there
    are enough ballots) and decides the grades. Voting never reopens: a second look at the results
    after more ballots would tell how those ballots graded everyone."""
    appraisal = _locked(appraisal, rules.OPEN)
    appraisal.status = Appraisal.Status.DECIDING
    appraisal.voting_ended_at = timezone.now()
    appraisal.save(update_fields=["status", "voting_ended_at"])
    return appraisal


@transaction.atomic
def appraisal_decide(*, appraisal: Appraisal, decisions: Mapping[int, tuple[str, str]], by=None) -> str | None:
    """The branch's comment and final grade per entry (entry id → (grade, comment)), all at once.

    Only after voting has ended (grades decided while ballots still arrive could be read against
    them). Returns the one-third warning (DOMAIN.md: a warning, never a block) for the grades as
    saved.
    """
    appraisal = _locked(appraisal, rules.DECIDING)
    entries = {e.pk: e for e in appraisal.entries.select_for_update().order_by("pk")}
    if set(decisions) - set(entries):
        raise ValidationError(_("评议对象不属于本次评议，请刷新页面后重试"))
    if any(grade and grade not in rules.GRADES for grade, _ in decisions.values()):
        raise ValidationError(_("评议等次只能是优秀、合格、基本合格或不合格"))
    now = timezone.now()
    for pk, (grade, comment) in decisions.items():
        entry = entries[pk]
        comment = (comment or "").strip()
        if entry.final_grade == grade and entry.branch_comment == comment:
            continue
        entry.final_grade, entry.branch_comment = grade, comment
        entry.decided_by, entry.decided_at = by, now
        entry.save(update_fields=["final_grade", "branch_comment", "decided_by", "decided_at"])
    return rules.excellent_share_warning(e.final_grade for e in entries.values())


@transaction.atomic
def appraisal_close(*, appraisal: Appraisal, by=None) -> Appraisal:
    """Make the grades final: after this every service above refuses to change the appraisal."""
    appraisal = _locked(appraisal, rules.DECIDING)
    undecided = appraisal.entries.filter(final_grade="").select_related("member").order_by("member__name")
    errors = rules.close_errors(e.member.name for e in undecided)
    if errors:
        raise ValidationError(errors)
    appraisal.status = Appraisal.Status.CLOSED
    appraisal.closed_by, appraisal.closed_at = by, timezone.now()
    appraisal.save(update_fields=["status", "closed_by", "closed_at"])
    return appraisal


# --- Study notes -----------------------------------------------------------------------------------


def _check_note(month: date, title: str, body: str, attachment, today: date) -> dict:
    errors = {}
    if month_error := rules.note_month_error(month, today):
        errors["month"] = month_error
    if not title.strip():
        errors["title"] = _("请填写标题")
    if not body.strip():
        errors["body"] = _("请填写正文")
    if attachment is not None:
        file_error = rules.attachment_error(attachment.name, attachment.size) or rules.attachment_content_error(
            attachment.name, sniff(attachment)
        )
        if file_error:
            errors["attachment"] = file_error
    return errors


@transaction.atomic
def study_note_create(
    *, member: Member, month: date, title: str, body: str, attachment=None, by=None, today: date | None = None
) -> StudyNote:
    month = month.replace(day=1)
    errors = _check_note(month, title, body, attachment, _today(today))
    if errors:
        raise ValidationError(errors)
    note = StudyNote(member=member, branch=member.branch, month=month, title=title.strip(), body=body.strip())
    note.created_by = by
    if attachment is not None:
        note.attachment_name = attachment.name[-200:]
        note.attachment.save(attachment.name, attachment, save=False)
    note.save()
    return note


@transaction.atomic
def study_note_update(
    *,
    note: StudyNote,
    month: date,
    title: str,
    body: str,
    attachment=None,
    remove_attachment: bool = False,
    today: date | None = None,
) -> StudyNote:
    month = month.replace(day=1)
    errors = _check_note(month, title, body, attachment, _today(today))
    if errors:
        raise ValidationError(errors)
    note.month, note.title, note.body = month, title.strip(), body.strip()
    old_file = note.attachment.name if note.attachment else ""
    if attachment is not None:
        note.attachment_name = attachment.name[-200:]
        note.attachment.save(attachment.name, attachment, save=False)
    elif remove_attachment:
        note.attachment, note.attachment_name = "", ""
    note.save()
    new_file = note.attachment.name if note.attachment else ""
    if old_file and old_file != new_file:
        storage = note.attachment.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return note


@transaction.atomic
def study_note_delete(*, note: StudyNote) -> None:
    old_file = note.attachment.name if note.attachment else ""
    storage = note.attachment.storage
    note.delete()
    if old_file:
        transaction.on_commit(lambda: storage.delete(old_file))
