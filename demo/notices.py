"""The demo's notices: addresses for the demo logins and the inbox as of the demo's day.

Idempotent: the addresses are set only where they differ, and the daily job records each occasion
once per person, so running seed_demo again changes nothing. No mail is queued here: the demo's
inboxes fill, and `python manage.py send_notices` (or beat) sends the day's digests.
"""

from demo.org import DemoOrg
from members import services as member_services
from members.models import Member
from notices import services

DEMO_MAIL_DOMAIN = "court.example"  # a reserved domain (RFC 2606 style): nothing is ever delivered there


def seed_notices(org: DemoOrg) -> None:
    for username, user in org.users.items():
        member = Member.objects.filter(user=user).first()
        address = f"{username}@{DEMO_MAIL_DOMAIN}"
        if member is not None and member.email != address:
            member_services.member_update(member=member, email=address)
    services.notices_send_due(today=org.today, send=False)
