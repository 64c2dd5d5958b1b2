"""Writes to meeting records, attachments and talks.

Each service validates everything first and raises ValidationError with Chinese messages; counters
and flags on Meeting (attendance counts, 补录, 未达法定人数, 疑似雷同) are kept in step here.
Callers check who may act (activities.selectors.can_log / can_edit / can_return) before calling.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import OrgUnit
from core import events
from core.audit import set_change_reason, set_history_user
from core.dates import FIRST_DAY, LAST_DAY, OUT_OF_BOUNDS, date_is_sensible
from members.models import Member
from members.selectors import members_of_unit_on

from . import compliance, similarity
from .models import Attachment, Attendance, Meeting, Talk
from .selectors import Expected, branch_of, expected_attendees

# Fields a form or an import may set on a meeting.
TEXT_FIELDS = ("place", "host", "recorder", "lecturer", "topic", "agenda", "minutes", "resolutions")

# member id → (status, reason) for those not present; everyone else expected was present.
Marks = Mapping[int, tuple[str, str]]


def _check_kind_unit(kind: str, unit: OrgUnit) -> None:
    if kind not in compliance.KIND_LABELS:
        raise ValidationError({"kind": _("未知的会议类型：%(kind)s") % {"kind": kind}})
    label = Meeting.Kind(kind).label
    if kind in compliance.GROUP_KINDS and unit.kind != OrgUnit.Kind.GROUP:
        raise ValidationError({"unit": _("%(kind)s由党小组召开，请选择党小组") % {"kind": label}})
    if kind not in compliance.GROUP_KINDS and unit.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError({"unit": _("%(kind)s由党支部召开，请选择党支部") % {"kind": label}})


def _local_date(moment: datetime):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


@dataclass(frozen=True)
class AttendanceLine:
    """One member expected at a meeting, and their mark: present unless marked on leave or absent."""

    member: Member
    is_voting: bool  # a full member on the meeting's day (probationary members have no vote)
    status: str = compliance.PRESENT
    reason: str = ""


@dataclass(frozen=True)
class AttendancePlan:
    """Everyone expected at a meeting of `kind` held by `unit_id` on `day`, with their marks.

    The meeting form lists it and the save stores it: who is expected is worked out once.
    """

    unit_id: int
    kind: str
    day: date
    lines: tuple[AttendanceLine, ...]

    @property
    def member_ids(self) -> list[int]:
        return [line.member.pk for line in self.lines]

    def covers(self, unit: OrgUnit, kind: str, day: date) -> bool:
        return (self.unit_id, self.kind, self.day) == (unit.pk, kind, day)

    def marked(self, marks: Marks) -> AttendancePlan:
        """The same people, each present unless in `marks` (marks for anyone not expected are left out)."""
        lines = []
        for line in self.lines:
            status, reason = marks.get(line.member.pk, (compliance.PRESENT, ""))
            lines.append(replace(line, status=status, reason=reason if status != compliance.PRESENT else ""))
        return replace(self, lines=tuple(lines))


def attendance_plan(
    *, unit: OrgUnit, kind: str, day: date, marks: Marks | None = None, expected: list[Expected] | None = None
) -> AttendancePlan:
    """Who is expected at a meeting of `kind` by `unit` on `day` (activities.selectors.expected_attendees),
    each present unless in `marks`. `expected`, when the caller already has it (an import), saves the query.
    """
    if expected is None:
        expected = expected_attendees(unit, kind, day)
    plan = AttendancePlan(unit.pk, kind, day, tuple(AttendanceLine(e.member, e.is_voting) for e in expected))
    return plan.marked(marks) if marks else plan


def _check_marks(plan: AttendancePlan, marks: Marks) -> None:
    stale = set(marks) - set(plan.member_ids)
    if stale:
        names = _("、").join(Member.objects.filter(pk__in=stale).values_list("name", flat=True)) or _("未知党员")
        raise ValidationError(
            {
                "attendance": _("%(names)s不在本次会议的应到名单中（会议日期或单位已改变），请重新核对出席情况")
                % {"names": names}
            }
        )
    for status, reason in marks.values():
        if status not in compliance.ATTENDANCE_LABELS:
            raise ValidationError({"attendance": _("未知的出席情况：%(status)s") % {"status": status}})
        if len(reason) > 100:
            raise ValidationError({"attendance": _("请假/缺席事由不能超过100字")})


def _plan_attendance(meeting: Meeting, marks: Marks, plan: AttendancePlan | None = None) -> list[Attendance]:
    """Attendance rows for everyone expected, present unless marked; sets the meeting's counters.

    `plan` is the attendance plan the form showed; it is used if it is still for this meeting's
    unit, kind and day. Writes nothing: `_replace_attendance` stores the rows once the meeting is saved.
    """
    if plan is None or not plan.covers(meeting.unit, meeting.kind, meeting.held_on):
        plan = attendance_plan(unit=meeting.unit, kind=meeting.kind, day=meeting.held_on)
    _check_marks(plan, marks)
    rows = [
        Attendance(
            meeting=meeting, member=line.member, status=line.status, reason=line.reason, is_voting=line.is_voting
        )
        for line in plan.marked(marks).lines
    ]
    counts = compliance.attendance_counts((r.status, r.is_voting) for r in rows)
    meeting.expected_count = counts.expected
    meeting.present_count = counts.present
    meeting.leave_count = counts.leave
    meeting.absent_count = counts.absent
    meeting.voting_expected = counts.voting_expected
    meeting.voting_present = counts.voting_present
    meeting.below_quorum = not compliance.quorum_met(meeting.kind, counts.voting_expected, counts.voting_present)
    return rows


def _replace_attendance(meeting: Meeting, rows: list[Attendance]) -> None:
    meeting.attendance.all().delete()
    for row in rows:
        row.meeting = meeting
    Attendance.objects.bulk_create(rows)


def _stamp(meeting: Meeting) -> None:
    meeting.held_on = _local_date(meeting.held_at)
    meeting.is_backfilled = compliance.is_backfilled(meeting.held_on, _local_date(meeting.logged_at))


def _validate_fields(meeting: Meeting, now: datetime) -> None:
    errors: dict[str, str | list[str]] = {}
    if meeting.held_on > _local_date(now):
        errors["held_at"] = _("会议时间不能晚于今天")
    elif not date_is_sensible(meeting.held_on):  # a meeting of year 1 could never be shown again
        errors["held_at"] = str(OUT_OF_BOUNDS % {"first": FIRST_DAY, "last": LAST_DAY})
    try:
        meeting.full_clean(exclude=["unit", "branch", "similar_to", "created_by", "returned_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    by,
    unit: OrgUnit,
    kind: str,
    held_at: datetime,
    marks: Marks | None = None,
    attendance: AttendancePlan | None = None,
    uploads: list | None = None,
    now: datetime | None = None,
    **fields,
) -> Meeting:
    """Log a meeting as a draft. Attendance: everyone expected, present unless in `marks`.

    `attendance`: the plan the form showed (attendance_plan), so who is expected is not worked out twice.
    `uploads`: photos and scans chosen on the form, attached with the record (all or nothing).
    """
    now = now or timezone.now()
    _check_kind_unit(kind, unit)
    meeting = Meeting(
        kind=kind,
        unit=unit,
        branch=branch_of(unit),
        held_at=held_at,
        logged_at=now,
        created_by=by,
        **{k: (fields.get(k) or "").strip() for k in TEXT_FIELDS},
    )
    _stamp(meeting)
    _validate_fields(meeting, now)
    rows = _plan_attendance(meeting, marks or {}, attendance)
    _check_upload_files(uploads)
    set_history_user(meeting, by)
    meeting.save()
    _replace_attendance(meeting, rows)
    _attach_with_record(meeting, by, uploads)
    similarity_refresh(branch_id=meeting.branch_id, changed_ids=[meeting.pk])
    meeting.refresh_from_db(fields=["similar_to", "similarity"])
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by,
    unit: OrgUnit | None = None,
    kind: str | None = None,
    held_at: datetime | None = None,
    marks: Marks | None = None,
    attendance: AttendancePlan | None = None,
    uploads: list | None = None,
    now: datetime | None = None,
    **fields,
) -> Meeting:
    """Mend a draft or returned record. `marks=None` keeps the marks already recorded; `attendance` and
    `uploads` as for meeting_create."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_editable:
        raise ValidationError(_("已提交的记录不能修改；如需更正，请上级党组织退回后再改"))
    if marks is None:
        marks = {
            a.member_id: (a.status, a.reason)
            for a in meeting.attendance.exclude(status=compliance.PRESENT).only("member_id", "status", "reason")
        }
    unit = unit or meeting.unit
    kind = kind or meeting.kind
    _check_kind_unit(kind, unit)
    old_minutes = meeting.minutes
    meeting.unit, meeting.branch, meeting.kind = unit, branch_of(unit), kind
    meeting.held_at = held_at or meeting.held_at
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(meeting, name, (fields[name] or "").strip())
    _stamp(meeting)
    _validate_fields(meeting, now)
    rows = _plan_attendance(meeting, marks, attendance)
    _check_upload_files(uploads)
    set_history_user(meeting, by)
    meeting.save()
    _replace_attendance(meeting, rows)
    _attach_with_record(meeting, by, uploads)
    if meeting.minutes != old_minutes:
        similarity_refresh(branch_id=meeting.branch_id, changed_ids=[meeting.pk])
    meeting.refresh_from_db(fields=["similar_to", "similarity"])
    return meeting


def submit_errors(meeting: Meeting, today) -> list[str]:
    """What keeps a record from being submitted, in words the secretary can act on."""
    errors = []
    if not meeting.topic.strip():
        errors.append(_("请填写会议主题"))
    if meeting.kind == compliance.PARTY_LESSON and not meeting.lecturer.strip():
        errors.append(_("党课须填写授课人"))
    if meeting.held_on > today:
        errors.append(_("会议日期晚于今天，会后再提交"))
    if meeting.expected_count == 0:
        if meeting.kind == compliance.COMMITTEE_MEETING:
            errors.append(_("应到人员为空：请先在党员名册中登记支部委员的支委职务"))
        else:
            errors.append(_("应到人员为空：该单位在会议当天没有党员"))
    return errors


@transaction.atomic
def meeting_submit(*, meeting: Meeting, by, now: datetime | None = None) -> Meeting:
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_editable:
        raise ValidationError(_("该记录已提交"))
    errors = submit_errors(meeting, _local_date(now))
    if errors:
        raise ValidationError(errors)
    meeting.status = Meeting.Status.SUBMITTED
    meeting.submitted_at = now
    set_history_user(meeting, by)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_return(*, meeting: Meeting, by, comment: str, now: datetime | None = None) -> Meeting:
    """The general branch or the committee sends a submitted record back with a comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回意见，说明需要修改什么")})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_submitted:
        raise ValidationError(_("只有已提交的记录可以退回"))
    meeting.status = Meeting.Status.RETURNED
    meeting.return_comment = comment
    meeting.returned_at = now or timezone.now()
    meeting.returned_by = by
    set_history_user(meeting, by)
    meeting.save()
    # Whoever logged it is told at once (the notices app subscribes; see core.events).
    events.emit("meeting_returned", meeting_id=meeting.pk)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by) -> None:
    if meeting.status != Meeting.Status.DRAFT:
        raise ValidationError(_("只有草稿可以删除"))
    pointing = list(Meeting.objects.filter(similar_to=meeting).values_list("pk", flat=True))
    branch_id = meeting.branch_id
    for attachment in meeting.attachments.all():
        attachment.file.delete(save=False)
    set_history_user(meeting, by)
    meeting.delete()
    if pointing:
        similarity_refresh(branch_id=branch_id, changed_ids=pointing)


@dataclass
class MeetingImport:
    """One validated row of an old ledger (activities.ledger_io.read_ledger)."""

    row: int
    unit: OrgUnit
    kind: str
    held_at: datetime
    fields: dict[str, str]
    marks: dict[int, tuple[str, str]]
    expected: list[Expected] | None = None


@transaction.atomic
def meetings_import(*, rows: list[MeetingImport], by, now: datetime | None = None, on_written=None) -> list[Meeting]:
    """Write validated ledger rows as submitted records, all or nothing. `on_written(n, total)` hears
    how many are written so far (an import job's progress).

    logged_at is the import time, so a meeting imported more than 15 days after it was held is 补录,
    as it would be if it had been typed in late.
    """
    now = now or timezone.now()
    created = []
    for row in rows:
        _check_kind_unit(row.kind, row.unit)
        meeting = Meeting(
            kind=row.kind,
            unit=row.unit,
            branch=branch_of(row.unit),
            held_at=row.held_at,
            logged_at=now,
            submitted_at=now,
            status=Meeting.Status.SUBMITTED,
            source=Meeting.Source.IMPORT,
            created_by=by,
            **{k: (row.fields.get(k) or "").strip() for k in TEXT_FIELDS},
        )
        _stamp(meeting)
        plan = attendance_plan(unit=row.unit, kind=row.kind, day=meeting.held_on, expected=row.expected)
        attendance = _plan_attendance(meeting, row.marks, plan)
        set_history_user(meeting, by)
        meeting.save()
        _replace_attendance(meeting, attendance)
        created.append(meeting)
        if on_written is not None and (len(created) % 100 == 0 or len(created) == len(rows)):
            on_written(len(created), len(rows))
    by_branch: dict[int, list[int]] = {}
    for meeting in created:
        by_branch.setdefault(meeting.branch_id, []).append(meeting.pk)
    for branch_id, ids in by_branch.items():
        similarity_refresh(branch_id=branch_id, changed_ids=ids)
    return created


def similarity_refresh(*, branch_id: int, changed_ids: Iterable[int]) -> None:
    """Re-examine 疑似雷同 for records of one branch after some records' minutes changed."""
    rows = Meeting.objects.filter(branch_id=branch_id).values_list("pk", "minutes", "similar_to_id", "similarity")
    texts, current = {}, {}
    for pk, minutes, similar_to_id, score in rows:
        texts[pk] = similarity.shingles(minutes)
        current[pk] = (similar_to_id, score)
    updates = similarity.best_matches(changed_ids, texts, current)
    Meeting.objects.bulk_update(
        [Meeting(pk=pk, similar_to_id=to, similarity=score) for pk, (to, score) in updates.items()],
        ["similar_to", "similarity"],
    )


# Attachments -------------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
# extension → (content type, the kind of file its bytes must be)
ALLOWED_TYPES = {
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "png": ("image/png", "png"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
KIND_NAMES = {
    "jpeg": gettext_lazy("JPG图片"),
    "png": gettext_lazy("PNG图片"),
    "pdf": gettext_lazy("PDF文件"),
    "docx": gettext_lazy("Word文档"),
    "xlsx": gettext_lazy("Excel工作簿"),
}


def sniff(upload) -> str | None:
    """What the bytes are (jpeg, png, pdf, docx, xlsx), whatever the name says; None if none of them."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def attachment_problem(upload) -> str | None:
    """Why `upload` cannot be attached (its type, size or content), in words naming the file; None if it can."""
    name = _upload_name(upload)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_TYPES:
        return _("“%(name)s”：只能上传 jpg、png、pdf、docx、xlsx 文件") % {"name": name}
    if upload.size > MAX_ATTACHMENT_BYTES:
        return _("“%(name)s”超过 %(mb)s MB，请压缩后再上传") % {
            "name": name,
            "mb": MAX_ATTACHMENT_BYTES // 1024 // 1024,
        }
    if upload.size == 0:
        return _("“%(name)s”是空文件") % {"name": name}
    expected_kind = ALLOWED_TYPES[ext][1]
    if sniff(upload) != expected_kind:
        return _("“%(name)s”的内容不是%(kind)s，文件可能已损坏或扩展名不对") % {
            "name": name,
            "kind": KIND_NAMES[expected_kind],
        }
    return None


def _upload_name(upload) -> str:
    return (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]


def _store_uploads(meeting: Meeting, by, uploads: list) -> list[Attachment]:
    stored = []
    for upload in uploads:
        name = _upload_name(upload)
        content_type = ALLOWED_TYPES[name.rsplit(".", 1)[-1].lower()][0]
        attachment = Attachment(meeting=meeting, original_name=name, content_type=content_type, size=upload.size)
        attachment.uploaded_by = by
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _check_upload_files(uploads: list | None) -> None:
    """Every file must pass its checks; nothing is stored otherwise."""
    problems = [p for p in (attachment_problem(u) for u in uploads or []) if p]
    if problems:
        raise ValidationError({"files": problems})


def _attach_with_record(meeting: Meeting, by, uploads: list | None) -> list[Attachment]:
    """Store files that passed _check_upload_files, if the record has room for all, and log them in its history."""
    if not uploads:
        return []
    if meeting.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("每条记录最多 %(n)s 个附件") % {"n": MAX_ATTACHMENTS}})
    stored = _store_uploads(meeting, by, uploads)
    _log_attachments(meeting, by, _("添加附件：%(names)s") % {"names": _("、").join(a.original_name for a in stored)})
    return stored


def _log_attachments(meeting: Meeting, by, reason: str) -> None:
    """An entry in the record's history (who, when, what), as for any other change to it."""
    set_history_user(meeting, by)
    set_change_reason(meeting, reason[:100])
    meeting.save(update_fields=["updated_at"])


@transaction.atomic
def attachments_add(*, meeting: Meeting, by, uploads: list) -> list[Attachment]:
    """Attach photos and scans to a record, all or none. A submitted record takes new evidence too;
    each addition is logged in its history."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not uploads:
        raise ValidationError({"files": _("请选择要上传的文件。")})
    _check_upload_files(uploads)
    return _attach_with_record(meeting, by, uploads)


def attachment_add(*, meeting: Meeting, by, upload) -> Attachment:
    return attachments_add(meeting=meeting, by=by, uploads=[upload])[0]


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by) -> None:
    meeting = Meeting.objects.select_for_update().get(pk=attachment.meeting_id)
    if not meeting.is_editable:
        raise ValidationError(_("已提交记录的附件不能删除；如需删除，请上级党组织先退回该记录"))
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    _log_attachments(meeting, by, _("删除附件：%(name)s") % {"name": name})


# Talks --------------------------------------------------------------------------------------------


def _validate_talk(talk: Talk, today) -> None:
    errors = {}
    if talk.talked_on and talk.talked_on > today:
        errors["talked_on"] = _("谈话日期不能晚于今天")
    if not talk.talker_id and not talk.talker_name.strip():
        errors["talker"] = _("请选择谈话人，或填写非本支部谈话人的姓名")
    if talk.talker_id and talk.talker_id == talk.member_id:
        errors["member"] = _("谈话人和谈话对象不能是同一人")
    if talk.member_id and talk.talked_on and not errors.get("talked_on"):
        if not members_of_unit_on(talk.branch, talk.talked_on, include_retired=True).filter(pk=talk.member_id).exists():
            errors["member"] = _("%(name)s在%(date)s不是本支部党员") % {
                "name": talk.member.name,
                "date": f"{talk.talked_on:%Y-%m-%d}",
            }
    if errors:
        raise ValidationError(errors)
    talk.full_clean(exclude=["created_by"])


@transaction.atomic
def talk_create(*, by, branch: OrgUnit, member: Member, talked_on, talker=None, talker_name="", note="") -> Talk:
    talk = Talk(
        branch=branch,
        member=member,
        talked_on=talked_on,
        talker=talker,
        talker_name="" if talker else talker_name.strip(),
        note=note.strip(),
        created_by=by,
    )
    _validate_talk(talk, timezone.localdate())
    set_history_user(talk, by)
    talk.save()
    return talk


@transaction.atomic
def talk_update(*, talk: Talk, by, **fields) -> Talk:
    for name in ("member", "talked_on", "talker", "talker_name", "note"):
        if name in fields:
            setattr(talk, name, fields[name])
    if talk.talker_id:
        talk.talker_name = ""
    talk.note = talk.note.strip()
    _validate_talk(talk, timezone.localdate())
    set_history_user(talk, by)
    talk.save()
    return talk


@transaction.atomic
def talk_delete(*, talk: Talk, by) -> None:
    set_history_user(talk, by)
    talk.delete()
