"""Notices: occasions, each person's inbox, the messages sent out, preferences and the committee's settings.

An Occasion is one situation worth telling (a meeting due in a unit this month, a record returned);
its key makes it unique. A Notice is that occasion in one person's inbox: one per recipient and
occasion, enforced by the database, so running the daily job again adds nobody twice. A Delivery is
one message that left (or tried to leave) the app: a mail, or a text to a unit's work-chat group.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.access import MATCH_ALL, MATCH_NOTHING, Scope, ScopedQuerySet, scope_for
from branches.models import OrgUnit

from . import rules


class Kind(models.TextChoices):
    MEETING_DUE = rules.MEETING_DUE, _("会议提醒")
    RECORD_RETURNED = rules.RECORD_RETURNED, _("记录退回")
    PROBLEM_OPENED = rules.PROBLEM_OPENED, _("新问题")
    PROBLEM_DUE = rules.PROBLEM_DUE, _("整改到期")
    PROBLEM_OVERDUE = rules.PROBLEM_OVERDUE, _("整改逾期")
    LAGGING = rules.LAGGING, _("后进党支部整改")
    PROBATION_DUE = rules.PROBATION_DUE, _("预备党员转正")
    TERM_ENDING = rules.TERM_ENDING, _("换届提醒")
    APPRAISAL_OPEN = rules.APPRAISAL_OPEN, _("民主评议")
    PLEDGES_MISSING = rules.PLEDGES_MISSING, _("公开承诺")
    RATING_APPROVED = rules.RATING_APPROVED, _("星级评定结果")
    RATING_REVERSED = rules.RATING_REVERSED, _("星级评定撤销")
    RECRUITMENT = rules.RECRUITMENT, _("发展党员")


class Occasion(models.Model):
    """One situation to tell people about, identified by its key (see notices.rules)."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    # The unit it is about, when it is a unit's business (its work-chat group hears of it).
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300)
    immediate = models.BooleanField(_("即时"), default=False)
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提醒事项")
        verbose_name_plural = _("提醒事项")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "day"])]

    def __str__(self):
        return self.text[:60]


class NoticeQuerySet(ScopedQuerySet):
    """A person's inbox is theirs alone: not even the committee reads anyone else's."""

    def scope_q(self, scope: Scope) -> models.Q:
        return models.Q(recipient_id=scope.user_id)

    def managed_by(self, user_or_scope):
        return self.visible_to(user_or_scope)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def listed_for(self, user_or_scope):
        """Everyone's notices, for the committee's list of what was sent; nothing for anyone else."""
        scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)
        return self.filter(MATCH_ALL if scope.is_committee else MATCH_NOTHING)


class Notice(models.Model):
    """An occasion in one person's inbox."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="notices"
    )
    # The day the notice was recorded for (the job's day): each day's digest lists that day's notices.
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "occasion"], name="one_notice_per_occasion")]
        indexes = [
            # The bell's count: one index-only lookup per page.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notice_unread"),
            models.Index(fields=["recipient", "day"]),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.occasion}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class CommitteeOnlyQuerySet(ScopedQuerySet):
    """Rows only the committee may see (what was sent to whom; work-chat addresses, which are secrets)."""

    def scope_q(self, scope: Scope) -> models.Q:
        return MATCH_ALL if scope.is_committee else MATCH_NOTHING

    def managed_by(self, user_or_scope):
        return self.visible_to(user_or_scope)


class Delivery(models.Model):
    """One message sent out (or trying to be): a mail to a person, or a text to a unit's group.

    Marked sent only once the server took it; a failure keeps the error, in words the committee can
    act on, and the task tries again a bounded number of times.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WECOM = "wecom", _("企业微信群")
        DINGTALK = "dingtalk", _("钉钉群")

    class Mode(models.TextChoices):
        DIGEST = "digest", _("每日汇总")
        IMMEDIATE = "immediate", _("即时")
        TEST = "test", _("测试")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        RETRYING = "retrying", _("等待重试")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    # One per recipient (or unit) and occasion or day: a rerun of the job finds it and sends nothing.
    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The mail address, or the robot's address with its key hidden, as used at the last attempt.
    address = models.CharField(_("地址"), max_length=320, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    day = models.DateField(_("日期"))
    notices = models.ManyToManyField(Notice, blank=True, related_name="deliveries")
    occasions = models.ManyToManyField(Occasion, blank=True, related_name="deliveries")
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = CommitteeOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["channel", "created_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.subject}"

    @property
    def is_open(self) -> bool:
        """Still on its way: being sent, or waiting for another try."""
        return self.status in (self.Status.PENDING, self.Status.SENDING, self.Status.RETRYING)


class NoticePreference(models.Model):
    """What a person wants by mail. The inbox is always on."""

    class EmailMode(models.TextChoices):
        DIGEST = rules.DIGEST, _("每日汇总（每天最多一封）")
        IMMEDIATE = rules.IMMEDIATE, _("即时（每条提醒一封）")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference")
    email_enabled = models.BooleanField(_("接收邮件"), default=True)
    email_mode = models.CharField(_("邮件方式"), max_length=10, choices=EmailMode.choices, default=EmailMode.DIGEST)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)


LEAD_VALIDATORS = [MinValueValidator(0), MaxValueValidator(365)]


class LeadTimeSetting(models.Model):
    """The committee's lead times for a year; a year without a row takes the latest earlier one."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    meeting_days = models.PositiveSmallIntegerField(
        _("会议提前天数"),
        default=rules.DEFAULT_LEAD_TIMES.meetings,
        validators=LEAD_VALIDATORS,
        help_text=_("本月/本季度/本年度结束前几天提醒尚未召开的会议"),
    )
    problem_days = models.PositiveSmallIntegerField(
        _("整改提前天数"),
        default=rules.DEFAULT_LEAD_TIMES.problems,
        validators=LEAD_VALIDATORS,
        help_text=_("问题整改期限前几天提醒支部"),
    )
    probation_days = models.PositiveSmallIntegerField(
        _("转正提前天数"),
        default=rules.DEFAULT_LEAD_TIMES.probation,
        validators=LEAD_VALIDATORS,
        help_text=_("预备党员预备期满前几天提醒"),
    )
    term_days = models.PositiveSmallIntegerField(
        _("换届提前天数"),
        default=rules.DEFAULT_LEAD_TIMES.term,
        validators=LEAD_VALIDATORS,
        help_text=_("委员会任期届满前几天提醒"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("提醒提前天数")
        verbose_name_plural = _("提醒提前天数")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)

    def as_rules(self) -> rules.LeadTimes:
        return rules.LeadTimes(self.meeting_days, self.problem_days, self.probation_days, self.term_days)


class UnitWebhook(models.Model):
    """A unit's work-chat group robot (企业微信 / 钉钉 群机器人), set by the committee."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    unit = models.OneToOneField(OrgUnit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_(
            "仅钉钉：机器人安全设置选择“加签”时，填写以 SEC 开头的密钥；选择“自定义关键词”时请把关键词设为“星级支部”"
        ),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitteeOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["unit__path"]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"

    @property
    def channel(self) -> str:
        return Delivery.Channel.WECOM if self.kind == self.Kind.WECOM else Delivery.Channel.DINGTALK
