"""Login accounts for members: what the auth app does not hold."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingPasswordChange(models.Model):
    """The user signs in with a one-time password and must choose their own before anything else.

    The row exists from account creation or a password reset until the user changes the password
    (accounts.middleware sends them to the change page meanwhile).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_password_change"
    )
    since = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("待修改的初始密码")
        verbose_name_plural = _("待修改的初始密码")

    def __str__(self):
        return str(self.user)
