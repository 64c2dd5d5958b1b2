"""发展党员全程纪实: the person being recruited, each of the 25 steps recorded, and its documents.

Recruit.status, next_step, next_due and waiting_since are written by recruitment.services whenever a
step changes (from recruitment.rules.progress), so the committee's pipeline counts and queues them
with plain SQL aggregates across every branch.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.access import ScopedQuerySet
from branches.models import OrgUnit
from members import idcard
from members.models import Member
from security.fields import BlindIndexField, EncryptedCharField

from . import rules


class Status(models.TextChoices):
    APPLICANT = rules.APPLICANT_STATUS, _("申请人")
    ACTIVIST = rules.ACTIVIST_STATUS, _("积极分子")
    CANDIDATE = rules.CANDIDATE_STATUS, _("发展对象")
    PROBATIONARY = rules.PROBATIONARY_STATUS, _("预备党员")
    FULL = rules.FULL_STATUS, _("正式党员")


# The names of rules.STEPS, here as literals so they are translated; a test keeps the two in step.
STEP_CHOICES = [
    (1, _("递交入党申请书")),
    (2, _("党组织派人谈话")),
    (3, _("推荐和确定入党积极分子")),
    (4, _("报上级党委备案")),
    (5, _("指定培养联系人")),
    (6, _("培养教育考察")),
    (7, _("确定发展对象")),
    (8, _("报上级党委备案")),
    (9, _("确定入党介绍人")),
    (10, _("政治审查")),
    (11, _("集中培训")),
    (12, _("支部委员会审查")),
    (13, _("上级党委预审")),
    (14, _("填写入党志愿书")),
    (15, _("支部大会讨论")),
    (16, _("上级党委派人谈话")),
    (17, _("上级党委审批")),
    (18, _("再上级党委组织部门备案")),
    (19, _("编入支部和党小组")),
    (20, _("入党宣誓")),
    (21, _("继续教育考察")),
    (22, _("提出转正申请")),
    (23, _("支部大会讨论转正")),
    (24, _("上级党委审批转正")),
    (25, _("材料归档")),
]
STAGE_CHOICES = [
    (1, _("申请人")),
    (2, _("积极分子")),
    (3, _("发展对象")),
    (4, _("预备党员的接收")),
    (5, _("预备党员的教育考察和转正")),
]
STEP_LABELS = dict(STEP_CHOICES)
STAGE_LABELS = dict(STAGE_CHOICES)


class RecruitQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"


class Recruit(models.Model):
    """Someone on the way into the Party, from the application to full membership."""

    branch = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="recruits",
        limit_choices_to={"kind": OrgUnit.Kind.BRANCH},
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=2, choices=Member.Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    # Encrypted at rest like the roster's; unique and found through its keyed hash (lookups.py).
    id_number = EncryptedCharField(_("身份证号"), max_length=18, purpose="recruitment.Recruit.id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True, null=True)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    education = models.CharField(_("学历"), max_length=30, blank=True)
    department = models.CharField(_("部门"), max_length=50, blank=True)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # The roster record, from the approval (17) on.
    member = models.OneToOneField(
        Member,
        verbose_name=_("党员名册记录"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruitment",
    )
    status = models.CharField(_("阶段"), max_length=20, choices=Status.choices, default=Status.APPLICANT)
    next_step = models.PositiveSmallIntegerField(_("下一步"), choices=STEP_CHOICES, null=True, blank=True)
    next_due = models.DateField(_("应完成日期"), null=True, blank=True)
    waiting_since = models.DateField(_("上一步日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["status", "next_step", "next_due", "waiting_since", "id_number_hash"])

    objects = RecruitQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展对象人员")
        verbose_name_plural = _("发展对象人员")
        ordering = ["branch__code", "name", "pk"]
        indexes = [
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["next_step", "waiting_since"]),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self):
        return idcard.mask(self.id_number)


class RecruitStepQuerySet(ScopedQuerySet):
    unit_path_prefix = "recruit__branch__"


class RecruitStep(models.Model):
    """One step done: when, who did it, a note, and what the step's rule needs (votes, training…)."""

    class Source(models.TextChoices):
        FORM = "form", _("页面登记")
        IMPORT = "import", _("文件导入")

    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("步骤"), choices=STEP_CHOICES)
    # Empty only where a file said the step was done but not when (an import's 入党介绍人).
    done_on = models.DateField(_("日期"), null=True, blank=True)
    actor = models.CharField(_("经办人"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # 培养联系人 (5) or 入党介绍人 (9).
    people = models.ManyToManyField(Member, verbose_name=_("人员"), blank=True, related_name="+")
    training_days = models.PositiveSmallIntegerField(_("培训天数"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("培训学时"), null=True, blank=True)
    notice_start = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束日期"), null=True, blank=True)
    voters_expected = models.PositiveSmallIntegerField(_("应到会有表决权人数"), null=True, blank=True)
    voters_present = models.PositiveSmallIntegerField(_("实到会有表决权人数"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("赞成票"), null=True, blank=True)
    # The rules' warnings when it was recorded (a late talk, a late approval), in Chinese.
    warnings = models.TextField(_("提醒"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.FORM)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = RecruitStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["recruit", "number", "done_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recruit", "number"],
                condition=~models.Q(number__in=sorted(rules.REPEATABLE_STEPS)),
                name="recruit_step_once",
            )
        ]

    def __str__(self):
        return f"{self.recruit} · {self.number} {STEP_LABELS[self.number]}"

    @property
    def label(self):
        return STEP_LABELS[self.number]

    @property
    def warning_list(self) -> list[str]:
        return [line for line in self.warnings.splitlines() if line]


def document_path(instance, filename):
    # A random name: the original one is kept in the row, never trusted as a path.
    suffix = Path(filename).suffix.lower()[:8]
    return f"recruitment/{instance.step.recruit.branch_id}/{uuid.uuid4().hex}{suffix}"


class RecruitDocumentQuerySet(ScopedQuerySet):
    unit_path_prefix = "step__recruit__branch__"


class RecruitDocument(models.Model):
    """A scan or photo of a step's paper (申请书, 志愿书, 公示…), served only through a scoped view."""

    step = models.ForeignKey(RecruitStep, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = RecruitDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展材料")
        verbose_name_plural = _("发展材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
