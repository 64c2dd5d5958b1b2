"""The dues section of the member's record page (个人综合业绩档案), registered by DuesConfig.ready."""

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.pledges.selectors import RecordSection
from members.models import Member

from . import selectors


def dues_record_section(member: Member, scope) -> RecordSection:
    """This year's dues month by month. The record page lets in only the member and the managers of
    their branch (who keep its dues), so a viewer other than the member gets the link to change them."""
    today = timezone.localdate()
    dues = selectors.member_dues(member, today.year, today)
    is_self = member.pk == scope.member_id
    return RecordSection("dues", _("党费"), "dues/record_section.html", {"dues": dues, "is_self": is_self})
