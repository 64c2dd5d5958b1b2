from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.access import GROUP_LEADER, ScopedQuerySet
from branches.models import OrgUnit
from security.fields import BlindIndexField, EncryptedCharField

from . import idcard, rules


class MemberQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"

    def scope_q(self, scope):
        # A group leader's grant names a group, which lies below the member's branch.
        if scope.is_committee:
            q = scope.unit_q(self.unit_path_prefix)
        else:
            # The units first (the tree path's pattern index finds them), then their members by the
            # branch and group foreign keys' indexes: `branch__path LIKE … OR group__path LIKE …`
            # across two joins made PostgreSQL read every member of a province for one branch's roster.
            # Only a group leader's grant names a group: for every other role the member's branch decides
            # (their group lies below it), and one IN lets PostgreSQL use the branch index.
            units = OrgUnit.objects.filter(scope.unit_q()).values("pk")
            q = models.Q(branch_id__in=units)
            if GROUP_LEADER in scope.roles:
                q |= models.Q(group_id__in=units)
        # A plain member with no unit role sees only their own record.
        if scope.member_id is not None:
            q |= models.Q(pk=scope.member_id)
        return q

    def current(self):
        """Members still in the organisation: not transferred out of it, not deceased."""
        return self.filter(left_on__isnull=True)


class Member(models.Model):
    class LeaveReason(models.TextChoices):
        TRANSFERRED_OUT = "transferred_out", _("转出本单位")
        DECEASED = "deceased", _("去世")
        OTHER = "other", _("其他")

    class Gender(models.TextChoices):
        MALE = "男", _("男")
        FEMALE = "女", _("女")

    class Category(models.TextChoices):
        FULL = "full", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在职")
        RETIRED = "retired", _("退休")
        AWAY = "away", _("流动/外出")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=2, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    # Encrypted at rest; unique and found through its keyed hash (selectors.members_by_id_numbers).
    id_number = EncryptedCharField(_("身份证号"), max_length=18, purpose="members.Member.id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True, null=True)
    education = models.CharField(_("学历"), max_length=30, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    probation_extended_until = models.DateField(_("延长预备期至"), null=True, blank=True)
    category = models.CharField(_("党员类别"), max_length=20, choices=Category.choices, default=Category.FULL)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    counts_when_retired = models.BooleanField(
        _("退休后计入出勤"), default=False, help_text=_("退休党员默认不计入应到人数；支部可逐人设定")
    )
    branch = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": OrgUnit.Kind.BRANCH},
    )
    group = models.ForeignKey(
        OrgUnit,
        verbose_name=_("党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        limit_choices_to={"kind": OrgUnit.Kind.GROUP},
    )
    department = models.CharField(_("部门"), max_length=50, blank=True)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    committee_post = models.CharField(_("支委职务"), max_length=20, blank=True)
    is_party_cadre = models.BooleanField(_("兼职党务干部"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # 工号: matches the member to the organisation's directory (LDAP / AD) where it holds no ID number.
    employee_number = models.CharField(_("工号"), max_length=30, blank=True, db_index=True)
    # Leaving the organisation (转出本单位, 去世 …): the member stays in the records of the past, their
    # Membership span ends the day before, their roles go and their login is switched off.
    left_on = models.DateField(_("离开本单位日期"), null=True, blank=True)
    leave_reason = models.CharField(_("离开原因"), max_length=20, choices=LeaveReason.choices, blank=True)
    leave_note = models.CharField(_("离开说明"), max_length=200, blank=True)
    # Where notices are mailed (notices app); the login account's own address is the fallback.
    email = models.EmailField(_("邮箱"), max_length=254, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    # The hash stays out of the history: it says nothing a reader needs, and the number is there.
    history = HistoricalRecords(excluded_fields=["id_number_hash"])

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["branch__code", "name", "pk"]
        indexes = [
            models.Index(fields=["branch", "name"]),
            # The probationary members still in the organisation (about 8 % of them): the 转正 list and
            # the home panel's count read these instead of a province's every member.
            models.Index(
                fields=["branch"],
                name="member_probationary",
                condition=models.Q(category="probationary", left_on__isnull=True),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self):
        return idcard.mask(self.id_number)

    @property
    def probation_due(self):
        if self.category != self.Category.PROBATIONARY:
            return None
        return rules.probation_due(self.joined_on, self.probation_extended_until)

    @property
    def has_left(self) -> bool:
        return self.left_on is not None

    @property
    def is_full(self):
        return self.category == self.Category.FULL


class MembershipQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"

    def on(self, day):
        """Periods that include `day`."""
        return self.filter(models.Q(start__isnull=True) | models.Q(start__lte=day)).filter(
            models.Q(end__isnull=True) | models.Q(end__gte=day)
        )


class Membership(models.Model):
    """A span of days a member belonged to a branch (and a group in it).

    Attendance expected "on that day" and history across transfers are answered from these spans;
    `Member.branch` and `Member.group` mirror the open span for quick listing.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    branch = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    start = models.DateField(_("起始日期"), null=True, blank=True, help_text=_("空表示建档之前即在本支部"))
    end = models.DateField(_("截止日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织关系")
        verbose_name_plural = _("组织关系")
        ordering = ["member", "start"]
        indexes = [models.Index(fields=["branch", "start", "end"]), models.Index(fields=["group", "start", "end"])]

    def __str__(self):
        return f"{self.member} · {self.branch} · {self.start or gettext('建档前')}—{self.end or gettext('至今')}"


class Transfer(models.Model):
    """组织关系转接: a member moved from one branch to another on a date."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_branch = models.ForeignKey(OrgUnit, verbose_name=_("转出支部"), on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey(OrgUnit, verbose_name=_("转入支部"), on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(_("转接日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-transferred_on", "-pk"]

    def __str__(self):
        return gettext("%(member)s：%(from)s → %(to)s（%(date)s）") % {
            "member": self.member,
            "from": self.from_branch,
            "to": self.to_branch,
            "date": f"{self.transferred_on:%Y-%m-%d}",
        }
