from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    """One line of the sign-in log: who, when, from where, and what happened.

    Written from Django's auth signals and axes' lockout signal (receivers.py); read by the committee
    (views.py); pruned after SIGNIN_LOG_RETENTION_DAYS (tasks.py).
    """

    class Kind(models.TextChoices):
        SUCCESS = "success", _("登录成功")
        FAILURE = "failure", _("登录失败")
        LOCKED_ADDRESS = "locked_address", _("锁定（账号+地址）")
        LOCKED_USERNAME = "locked_username", _("锁定（账号）")
        REFUSED = "refused", _("锁定期间拒绝登录")
        LOGOUT = "logout", _("退出登录")

    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("结果"), max_length=20, choices=Kind.choices)
    # As typed at the login form, so failures for names that do not exist are seen too.
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("登录日志")
        verbose_name_plural = _("登录日志")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_kind_display()}"
