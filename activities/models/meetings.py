"""三会一课 records: meetings, attendance, attachments, talks.

Counters and flags on Meeting (attendance counts, 补录, 未达法定人数, 疑似雷同) are written by
activities.services whenever a record or its attendance changes, so the ledger, the compliance
pages and the assessment read them with plain aggregates instead of recomputing per row.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from activities import compliance
from activities.search import search_text
from branches.access import ScopedQuerySet
from branches.models import OrgUnit
from core.choices import choice
from members.models import Member

__all__ = ["Meeting", "Attendance", "Attachment", "Talk", "attachment_path"]


class MeetingQuerySet(ScopedQuerySet):
    unit_path_prefix = "unit__"

    def submitted(self):
        return self.filter(status=Meeting.Status.SUBMITTED)

    def unreviewed(self):
        """Submitted records nobody has reviewed since they were (last) submitted."""
        return self.submitted().exclude(reviewed_at__gte=models.F("submitted_at"))


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GENERAL_MEETING = choice(compliance.GENERAL_MEETING, compliance.KIND_LABELS)
        COMMITTEE_MEETING = choice(compliance.COMMITTEE_MEETING, compliance.KIND_LABELS)
        GROUP_MEETING = choice(compliance.GROUP_MEETING, compliance.KIND_LABELS)
        PARTY_LESSON = choice(compliance.PARTY_LESSON, compliance.KIND_LABELS)
        THEME_DAY = choice(compliance.THEME_DAY, compliance.KIND_LABELS)
        LIFE_MEETING = choice(compliance.LIFE_MEETING, compliance.KIND_LABELS)
        APPRAISAL_MEETING = choice(compliance.APPRAISAL_MEETING, compliance.KIND_LABELS)
        VOLUNTEER = choice(compliance.VOLUNTEER, compliance.KIND_LABELS)

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")

    class Source(models.TextChoices):
        FORM = "form", _("页面登记")
        IMPORT = "import", _("台账导入")

    kind = models.CharField(_("会议类型"), max_length=30, choices=Kind.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("召开单位"), on_delete=models.PROTECT, related_name="meetings")
    # The unit's branch (the unit itself, or a group's parent), so branch-wide questions need no tree walk.
    branch = models.ForeignKey(OrgUnit, verbose_name=_("所属支部"), on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("召开时间"))
    # held_at's local date: what months, quarters and the 补录 rule are about.
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    host = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder = models.CharField(_("记录人"), max_length=50, blank=True)
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    resolutions = models.TextField(_("决议事项"), blank=True)

    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    return_comment = models.TextField(_("退回意见"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # 已审阅: the general branch or the committee read this submission. A review counts for the submission
    # it saw: a record returned and submitted again is unreviewed until reviewed again (is_reviewed).
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审阅人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    logged_at = models.DateTimeField(_("登记时间"), help_text=_("首次登记（或导入）的时间，据此判断是否补录"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.FORM)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    expected_count = models.PositiveIntegerField(_("应到"), default=0)
    present_count = models.PositiveIntegerField(_("实到"), default=0)
    leave_count = models.PositiveIntegerField(_("请假"), default=0)
    absent_count = models.PositiveIntegerField(_("缺席"), default=0)
    voting_expected = models.PositiveIntegerField(_("应到正式党员"), default=0)
    voting_present = models.PositiveIntegerField(_("实到正式党员"), default=0)
    is_backfilled = models.BooleanField(_("补录"), default=False)
    below_quorum = models.BooleanField(_("未达法定人数"), default=False)
    similar_to = models.ForeignKey(
        "self", verbose_name=_("疑似雷同记录"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    similarity = models.FloatField(_("相似度"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["similar_to", "similarity", "updated_at"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["-held_at", "-pk"]
        indexes = [
            models.Index(fields=["branch", "status", "held_on"]),
            models.Index(fields=["unit", "held_on"]),
            # The search's walk, newest first, for a common word (activities/search.py).
            models.Index(fields=["held_at", "id"]),
            # The compliance ranking's "no submitted meeting in the window" check, read from the index
            # alone (activities/selectors.GAPS_SQL; docs/performance.md has the timings).
            models.Index(
                fields=["unit", "kind", "held_on"],
                include=["branch"],
                condition=models.Q(status="submitted"),
                name="meeting_submitted_unit_kind",
            ),
            # Finding a record by any substring of its text (activities/search.py says why trigrams).
            # Created on PostgreSQL only (migration 0006); SQLite searches without it.
            GinIndex(OpClass(search_text(), name="gin_trgm_ops"), name="meeting_search_trgm"),
        ]

    def __str__(self):
        return gettext("%(date)s %(kind)s：%(topic)s") % {
            "date": f"{self.held_on:%Y-%m-%d}",
            "kind": self.get_kind_display(),
            "topic": self.topic,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_reviewed(self) -> bool:
        return (
            self.is_submitted
            and self.reviewed_at is not None
            and self.submitted_at is not None
            and self.reviewed_at >= self.submitted_at
        )

    @property
    def has_quorum_rule(self) -> bool:
        return self.kind in compliance.QUORUM_KINDS


class AttendanceQuerySet(ScopedQuerySet):
    unit_path_prefix = "meeting__unit__"


class Attendance(models.Model):
    """One member expected at a meeting, and whether they came."""

    class Status(models.TextChoices):
        PRESENT = choice(compliance.PRESENT, compliance.ATTENDANCE_LABELS)
        LEAVE = choice(compliance.LEAVE, compliance.ATTENDANCE_LABELS)
        ABSENT = choice(compliance.ABSENT, compliance.ATTENDANCE_LABELS)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    # PROTECT: a member's past attendance is part of the ledger and must not vanish with them.
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("事由"), max_length=100, blank=True)
    # Was the member a full member (with a vote) on the meeting's day? Kept so quorum stays as it was.
    is_voting = models.BooleanField(_("有表决权"), default=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        ordering = ["meeting", "member__name", "member_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance")]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


def attachment_path(instance, filename):
    # A random name: the original one is kept in the row, never trusted as a path.
    suffix = Path(filename).suffix.lower()[:8]
    return f"meetings/{instance.meeting.branch_id}/{uuid.uuid4().hex}{suffix}"


class AttachmentQuerySet(ScopedQuerySet):
    unit_path_prefix = "meeting__unit__"


class Attachment(models.Model):
    """A photo or scan of a meeting. Stored under MEDIA_ROOT and served only through a scoped view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TalkQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"


class Talk(models.Model):
    """谈心谈话. The note is private: talks are only ever read through `managed_by`."""

    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.PROTECT, related_name="talks")
    talker = models.ForeignKey(
        Member, verbose_name=_("谈话人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    talker_name = models.CharField(
        _("谈话人（非本支部）"),
        max_length=50,
        blank=True,
        help_text=_("谈话人不是本支部党员时填写，如上级党组织负责人"),
    )
    member = models.ForeignKey(Member, verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="talks")
    talked_on = models.DateField(_("谈话日期"))
    note = models.CharField(_("简要记录"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["-talked_on", "-pk"]
        indexes = [models.Index(fields=["branch", "talked_on"]), models.Index(fields=["member", "talked_on"])]

    def __str__(self):
        return f"{self.talked_on:%Y-%m-%d} {self.talker_display} → {self.member}"

    @property
    def talker_display(self) -> str:
        return self.talker.name if self.talker_id else self.talker_name
