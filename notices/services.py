"""Writes for notices: record what is due, queue the mails and group messages, send them, settings.

The flow, for the daily job and for an event alike:
1. the rules (fed by the selectors) give Reminders, each with an occasion key and its recipients;
2. `_plan` works out, by reading only, which occasions and notices are new and which deliveries
   (one digest per person per day, immediate mails, one message per unit group per day) are due;
3. `_apply` writes them in one transaction; the database's unique keys (occasion, recipient +
   occasion, delivery) make a second run add nothing; the sends are queued after the commit;
4. `delivery_attempt` (run by the `deliver` task) sends one delivery and records sent or the error.

`--dry-run` stops after step 2. What is stored is read by everyone concerned, so it is written in
Chinese (rules.py builds the text; the tasks run under the default language).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from branches.models import OrgUnit

from . import channels, rules, selectors
from .models import Delivery, LeadTimeSetting, Notice, NoticePreference, Occasion, UnitWebhook

logger = logging.getLogger(__name__)

# A digest lists the person's reminders not yet mailed from this many days back (today included):
# a reminder recorded after the day's digest left, or carried by a digest that failed, is in the next.
DIGEST_DAYS = 7
# A delivery claimed by a worker that died mid-send is taken up again after this long.
STALE_SENDING = timedelta(minutes=15)

OPEN_OR_SENT = [Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.RETRYING, Delivery.Status.SENT]

CHANNEL_WORDS = {rules.IMMEDIATE: "邮件（即时）", rules.DIGEST: "邮件（每日汇总）"}
GROUP_WORDS: dict[str, str] = {Delivery.Channel.WECOM: "企业微信群", Delivery.Channel.DINGTALK: "钉钉群"}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _path(link: rules.Link) -> str:
    path = reverse(link.name, args=link.args)
    return f"{path}?{urlencode(link.query)}" if link.query else path


def _merge(reminders: list[rules.Reminder]) -> dict[str, rules.Reminder]:
    """One reminder per key: the same occasion found twice (by the event and the sweep) is one."""
    merged: dict[str, rules.Reminder] = {}
    for reminder in reminders:
        if reminder.key in merged:
            first = merged[reminder.key]
            merged[reminder.key] = rules.Reminder(
                first.key, first.kind, first.text, first.link, first.recipients | reminder.recipients, first.unit_id
            )
        else:
            merged[reminder.key] = reminder
    return merged


# ---------------------------------------------------------------------------------------------
# The plan: what is new, and what to send (reads only)


@dataclass
class PlannedNotice:
    reminder: rules.Reminder
    person: selectors.Person
    route: str | None  # rules.IMMEDIATE, rules.DIGEST or None (inbox only)

    @property
    def channels(self) -> str:
        return "站内" + (f"、{CHANNEL_WORDS[self.route]}" if self.route else "")

    @property
    def line(self) -> str:
        return f"{self.channels}  {self.person.username}（{self.person.name}）  {self.reminder.text}"


@dataclass
class PlannedDelivery:
    key: str
    channel: str
    mode: str
    subject: str
    body: str
    recipient: selectors.Person | None = None
    unit_id: int | None = None
    unit_name: str = ""
    address: str = ""
    # (occasion key, user id) of the notices a mail carries; occasion keys a group message carries.
    notices: list[tuple[str, int]] = field(default_factory=list)
    occasions: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        """The command's report line (management commands print Chinese, whatever the locale)."""
        count = len(self.notices) or len(self.occasions)
        if self.channel == Delivery.Channel.EMAIL:
            mode = "每日汇总" if self.mode == Delivery.Mode.DIGEST else "即时"
            assert self.recipient is not None  # a mail always has its recipient
            return f"邮件（{mode}） → {self.recipient.username} <{self.address}>：{count} 条提醒"
        return f"{GROUP_WORDS[self.channel]} → {self.unit_name}：{count} 条提醒"


@dataclass
class Plan:
    today: date
    reminders: dict[str, rules.Reminder]
    notices: list[PlannedNotice]  # new ones only
    deliveries: list[PlannedDelivery]


def _existing(reminders: dict[str, rules.Reminder]) -> tuple[dict[str, int], set[tuple[int, int]]]:
    """Occasions already recorded (key → id) and the notices they already have ((occasion id, user))."""
    occasions = dict(Occasion.objects.filter(key__in=list(reminders)).values_list("key", "pk"))
    pairs = set(
        Notice.objects.filter(occasion_id__in=list(occasions.values())).values_list("occasion_id", "recipient_id")
    )
    return occasions, pairs


def _plan(reminders: list[rules.Reminder], today: date, *, daily: bool) -> Plan:
    merged = _merge(reminders)
    occasions, pairs = _existing(merged)
    wanted = [
        (r, uid) for r in merged.values() for uid in sorted(r.recipients) if (occasions.get(r.key), uid) not in pairs
    ]
    people = selectors.people({uid for _, uid in wanted})
    new = []
    for reminder, uid in wanted:
        if uid not in people:  # an account deleted meanwhile
            continue
        person = people[uid]
        route = rules.email_route(
            immediate=reminder.immediate,
            address=person.address,
            email_enabled=person.email_enabled,
            mode=person.email_mode,
        )
        new.append(PlannedNotice(reminder, person, route))
    deliveries = _immediate_mails(new, today)
    if daily:
        deliveries += _digests(new, today, still_due=set(merged))
    deliveries += _group_messages(merged, occasions, today, daily=daily)
    return Plan(today, merged, new, deliveries)


def _item(reminder_or_occasion) -> rules.Item:
    if isinstance(reminder_or_occasion, rules.Reminder):
        return rules.Item(reminder_or_occasion.text, _absolute(_path(reminder_or_occasion.link)))
    return rules.Item(reminder_or_occasion.text, _absolute(reminder_or_occasion.url))


def _footer_urls() -> tuple[str, str]:
    return _absolute(reverse("notices:inbox")), _absolute(reverse("notices:preferences"))


def _immediate_mails(new: list[PlannedNotice], today: date) -> list[PlannedDelivery]:
    inbox_url, preferences_url = _footer_urls()
    mails = []
    for planned in new:
        if planned.route != rules.IMMEDIATE:
            continue
        reminder, person = planned.reminder, planned.person
        mails.append(
            PlannedDelivery(
                key=f"email:{person.user_id}:{reminder.key}"[:200],
                channel=Delivery.Channel.EMAIL,
                mode=Delivery.Mode.IMMEDIATE,
                subject=rules.immediate_subject(reminder.kind, reminder.text),
                body=rules.immediate_body(person.name, _item(reminder), inbox_url, preferences_url),
                recipient=person,
                address=person.address,
                notices=[(reminder.key, person.user_id)],
            )
        )
    return mails


def _carried(channel_q: Q, through_field: str):
    """Exists(): the row is already carried by a delivery on its way or sent."""
    through = Delivery.notices.through if through_field == "notice_id" else Delivery.occasions.through
    return Exists(
        through.objects.filter(**{through_field: OuterRef("pk")})
        .filter(delivery__status__in=OPEN_OR_SENT)
        .filter(channel_q)
    )


def _digests(new: list[PlannedNotice], today: date, still_due: set[str]) -> list[PlannedDelivery]:
    """One mail per person for the day, listing their daily reminders not yet mailed: the new ones, and
    those of the last days no mail carried (the day's digest had left, or failed) that are still due."""
    first = today - timedelta(days=DIGEST_DAYS - 1)
    planned: dict[int, list[tuple[str, rules.Item, date]]] = defaultdict(list)
    people: dict[int, selectors.Person] = {}
    for notice in new:
        if notice.route == rules.DIGEST:
            planned[notice.person.user_id].append((notice.reminder.key, _item(notice.reminder), today))
            people[notice.person.user_id] = notice.person
    waiting = (
        Notice.objects.filter(day__range=(first, today), occasion__immediate=False, occasion__key__in=list(still_due))
        .annotate(mailed=_carried(Q(delivery__channel=Delivery.Channel.EMAIL), "notice_id"))
        .filter(mailed=False)
        .select_related("occasion")
        .order_by("day", "pk")
    )
    waiting_people = selectors.people(set(waiting.values_list("recipient_id", flat=True)))
    for old in waiting:
        person = waiting_people.get(old.recipient_id)
        if person is None:
            continue
        route = rules.email_route(
            immediate=False, address=person.address, email_enabled=person.email_enabled, mode=person.email_mode
        )
        if route == rules.DIGEST:
            planned[person.user_id].append((old.occasion.key, _item(old.occasion), old.day))
            people[person.user_id] = person
    keys = {uid: f"digest:{uid}:{today:%Y-%m-%d}" for uid in planned}
    sent_today = set(Delivery.objects.filter(key__in=list(keys.values())).values_list("key", flat=True))
    inbox_url, preferences_url = _footer_urls()
    digests = []
    for uid, entries in planned.items():
        if keys[uid] in sent_today:
            continue  # today's digest has left (or is leaving); the rest waits for tomorrow's
        person = people[uid]
        entries.sort(key=lambda entry: entry[2])
        items = [item for _, item, _ in entries]
        digests.append(
            PlannedDelivery(
                key=keys[uid],
                channel=Delivery.Channel.EMAIL,
                mode=Delivery.Mode.DIGEST,
                subject=rules.digest_subject(today, len(items)),
                body=rules.digest_body(person.name, today, items, inbox_url, preferences_url),
                recipient=person,
                address=person.address,
                notices=[(key, uid) for key, _, _ in entries],
            )
        )
    return digests


def _group_messages(
    merged: dict[str, rules.Reminder], occasions: dict[str, int], today: date, *, daily: bool
) -> list[PlannedDelivery]:
    """Texts to units' work-chat groups: one per event told at once, and (daily) one per group per day."""
    # (unit id, reminder or occasion): for_unit_chat and the query leave only those with a unit.
    new_for_chat = [
        (r.unit_id, r)
        for key, r in merged.items()
        if key not in occasions and r.for_unit_chat and r.unit_id is not None
    ]
    waiting: list[tuple[int, Occasion]] = []
    if daily:
        first = today - timedelta(days=DIGEST_DAYS - 1)
        waiting = [
            (o.unit_id, o)
            for o in Occasion.objects.filter(
                day__range=(first, today), immediate=False, kind__in=sorted(rules.UNIT_CHAT_KINDS), unit__isnull=False
            )
            .filter(key__in=list(merged))  # still due today: a meeting held since is not posted late
            .annotate(told=_carried(~Q(delivery__channel=Delivery.Channel.EMAIL), "occasion_id"))
            .filter(told=False)
            .order_by("day", "pk")
            if o.unit_id is not None
        ]
    unit_ids = {unit_id for unit_id, _r in new_for_chat} | {unit_id for unit_id, _o in waiting}
    hooks = selectors.webhooks_for(unit_ids)
    if not hooks:
        return []
    messages = []
    daily_items: dict[int, list[tuple[str, rules.Item]]] = defaultdict(list)
    for unit_id, reminder in new_for_chat:
        hook = hooks.get(unit_id)
        if hook is None:
            continue
        if reminder.immediate:
            key = f"chat:{hook.unit_id}:{reminder.key}"
            messages.append(_chat(hook, key, Delivery.Mode.IMMEDIATE, [(reminder.key, _item(reminder))]))
        elif daily:
            daily_items[hook.unit_id].append((reminder.key, _item(reminder)))
    # Recorded before this run and not yet told (the day's message had left, or failed).
    for unit_id, occasion in waiting:
        hook = hooks.get(unit_id)
        if hook is not None:
            daily_items[hook.unit_id].append((occasion.key, _item(occasion)))
    by_unit = {hook.unit_id: hook for hook in hooks.values()}
    keys = {unit_id: f"chat:{unit_id}:{today:%Y-%m-%d}" for unit_id in daily_items}
    sent_today = set(Delivery.objects.filter(key__in=list(keys.values())).values_list("key", flat=True))
    for unit_id, items in daily_items.items():
        if keys[unit_id] not in sent_today:
            messages.append(_chat(by_unit[unit_id], keys[unit_id], Delivery.Mode.DIGEST, items))
    return messages


def _chat(hook: UnitWebhook, key: str, mode: str, items: list[tuple[str, rules.Item]]) -> PlannedDelivery:
    return PlannedDelivery(
        key=key[:200],
        channel=hook.channel,
        mode=mode,
        subject=rules.SUBJECT_PREFIX + hook.unit.name,
        body=rules.chat_text(hook.unit.name, [item for _, item in items], settings.SITE_URL),
        unit_id=hook.unit_id,
        unit_name=hook.unit.name,
        address=channels.masked(hook.url),
        occasions=[key for key, _ in items],
    )


# ---------------------------------------------------------------------------------------------
# Writing the plan


@transaction.atomic
def _apply(plan: Plan) -> list[int]:
    """Write the plan's occasions, notices and deliveries; return the ids of the deliveries to send."""
    today = plan.today
    wanted_keys = set(plan.reminders)
    existing = dict(Occasion.objects.filter(key__in=list(wanted_keys)).values_list("key", "pk"))
    Occasion.objects.bulk_create(
        [
            Occasion(
                key=r.key,
                kind=r.kind,
                unit_id=r.unit_id,
                text=r.text,
                url=_path(r.link),
                immediate=r.immediate,
                day=today,
            )
            for key, r in plan.reminders.items()
            if key not in existing
        ],
        ignore_conflicts=True,  # a run at the same moment recorded it: theirs is as good
    )
    mentioned = (
        wanted_keys
        | {key for d in plan.deliveries for key, _ in d.notices}
        | {key for d in plan.deliveries for key in d.occasions}
    )
    occasion_ids = dict(Occasion.objects.filter(key__in=list(mentioned)).values_list("key", "pk"))
    Notice.objects.bulk_create(
        [
            Notice(occasion_id=occasion_ids[n.reminder.key], recipient_id=n.person.user_id, day=today)
            for n in plan.notices
        ],
        ignore_conflicts=True,
    )
    notice_keys = {(key, uid) for d in plan.deliveries for key, uid in d.notices}
    notice_ids = {
        (key, uid): pk
        for pk, key, uid in Notice.objects.filter(
            occasion_id__in=[occasion_ids[key] for key, _ in notice_keys],
            recipient_id__in={uid for _, uid in notice_keys},
        ).values_list("pk", "occasion__key", "recipient_id")
    }
    Delivery.objects.bulk_create(
        [
            Delivery(
                key=d.key,
                channel=d.channel,
                mode=d.mode,
                recipient_id=d.recipient.user_id if d.recipient else None,
                unit_id=d.unit_id,
                address=d.address,
                subject=d.subject[:200],
                body=d.body,
                day=today,
            )
            for d in plan.deliveries
        ],
        ignore_conflicts=True,  # the same digest or message queued by another run: sent once
    )
    deliveries = {
        key: pk
        for key, pk in Delivery.objects.filter(key__in=[d.key for d in plan.deliveries]).values_list("key", "pk")
    }
    Delivery.notices.through.objects.bulk_create(
        [
            Delivery.notices.through(delivery_id=deliveries[d.key], notice_id=notice_ids[ref])
            for d in plan.deliveries
            for ref in d.notices
            if ref in notice_ids
        ],
        ignore_conflicts=True,
    )
    Delivery.occasions.through.objects.bulk_create(
        [
            Delivery.occasions.through(delivery_id=deliveries[d.key], occasion_id=occasion_ids[key])
            for d in plan.deliveries
            for key in d.occasions
        ],
        ignore_conflicts=True,
    )
    to_send = list(
        Delivery.objects.filter(pk__in=list(deliveries.values()), status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: _enqueue(to_send))
    return to_send


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver  # the tasks module imports this one

    for delivery_id in delivery_ids:
        try:
            deliver.delay(delivery_id)
        except Exception:  # a broker that is down: the committee sees it pending and can resend
            logger.exception("could not queue delivery %s", delivery_id)


# ---------------------------------------------------------------------------------------------
# The two ways in: the daily job and an event


@dataclass
class RunReport:
    today: date
    dry_run: bool
    notices: list[PlannedNotice]
    deliveries: list[PlannedDelivery]
    delivery_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [n.line for n in self.notices] + [d.line for d in self.deliveries]

    @property
    def summary(self) -> str:
        verb = "将新增" if self.dry_run else "新增"
        mails = sum(d.channel == Delivery.Channel.EMAIL for d in self.deliveries)
        chats = len(self.deliveries) - mails
        return f"{self.today:%Y-%m-%d}：{verb}通知 {len(self.notices)} 条，邮件 {mails} 封，群消息 {chats} 条"


def notices_send_due(*, today: date | None = None, dry_run: bool = False, send: bool = True) -> RunReport:
    """The daily job: every reminder due as of `today`, each person's digest for the day, and the
    units' group messages; also the events of the last days in case their at-once task was lost.

    `dry_run` reads only and returns what would be recorded and sent. `send=False` records the
    notices (the inbox) and queues no mail or message (the demo builder).
    """
    today = today or timezone.localdate()
    roles = selectors.roles()
    lead = selectors.lead_times(today.year)
    reminders = selectors.daily_reminders(today, lead, roles)
    reminders += selectors.event_reminders(roles, since=today - timedelta(days=selectors.SWEEP_DAYS), until=today)
    plan = _plan(reminders, today, daily=True)
    if not send:
        plan.deliveries = []
    report = RunReport(today, dry_run, plan.notices, plan.deliveries)
    if not dry_run:
        report.delivery_ids = _apply(plan)
        logger.info("notices %s", report.summary)
    return report


EVENTS = {
    "meeting_returned": lambda ids: {"meeting_ids": [ids["meeting_id"]]},
    "problem_opened": lambda ids: {"problem_ids": [ids["problem_id"]]},
    "ratings_approved": lambda ids: {"year": ids["year"]},
    "ratings_reversed": lambda ids: {"reversal_id": ids["reversal_id"]},
}


def notices_for_event(*, event: str, ids: dict, today: date | None = None) -> RunReport:
    """An event told at once: its notices, immediate mails and group messages (no digests)."""
    today = today or timezone.localdate()
    reminders = selectors.event_reminders(selectors.roles(), **EVENTS[event](ids))
    plan = _plan(reminders, today, daily=False)
    report = RunReport(today, False, plan.notices, plan.deliveries)
    report.delivery_ids = _apply(plan)
    return report


# ---------------------------------------------------------------------------------------------
# Sending one delivery

SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


class _Final(channels.SendError):
    """A failure no retry can mend (nobody to send to any more)."""


def delivery_attempt(*, delivery_id: int, final: bool = False) -> str:
    """Try to send one delivery. Returns SENT, RETRY (try again later), FAILED (given up) or SKIPPED
    (already sent, or another worker is on it). Never raises for a failed send: the error is stored."""
    now = timezone.now()
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING]) | Q(
        status=Delivery.Status.SENDING, last_attempt_at__lt=now - STALE_SENDING
    )
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(claimable)
        .update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return SKIPPED  # sent already, given up, or being sent by another worker
    delivery = Delivery.objects.select_related("unit").get(pk=delivery_id)
    address = delivery.address
    try:
        address = _send(delivery)
    except channels.SendError as exc:
        status = Delivery.Status.FAILED if final or isinstance(exc, _Final) else Delivery.Status.RETRYING
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=status, error=str(exc), address=address
        )
        logger.warning(
            "delivery %s (%s %s) attempt %s failed%s: %s",
            delivery_id,
            delivery.channel,
            delivery.key,
            delivery.attempts,
            "" if status == Delivery.Status.RETRYING else ", giving up",
            exc,
        )
        return RETRY if status == Delivery.Status.RETRYING else FAILED
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error="", address=address
    )
    logger.info("delivery %s (%s %s) sent to %s", delivery_id, delivery.channel, delivery.key, address)
    return SENT


def _send(delivery: Delivery) -> str:
    """Send through the delivery's channel; return the address used."""
    if delivery.channel == Delivery.Channel.EMAIL:
        address = delivery.address
        if delivery.recipient_id is not None and delivery.mode != Delivery.Mode.TEST:
            person = selectors.people([delivery.recipient_id]).get(delivery.recipient_id)
            if person is None:
                raise _Final("收件人的账号已删除，未发送")
            if not person.email_enabled:
                raise _Final("收件人已在“通知设置”中关闭邮件，未发送")
            # The roster may have been corrected since the mail was queued: use today's address.
            address = person.address or address
        if not address:
            raise _Final("收件人没有登记邮箱：请在党员名册的“邮箱”列或登录账号中填写")
        channels.send_email(to=address, subject=delivery.subject, body=delivery.body)
        return address
    hook = UnitWebhook.objects.filter(unit_id=delivery.unit_id, enabled=True).first()
    if hook is None:
        raise _Final("该单位的群机器人已删除或停用，未发送")
    channels.send_chat(channels.Robot(hook.kind, hook.url, hook.secret), delivery.body)
    return channels.masked(hook.url)


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by) -> Delivery:
    """The committee sends a failed delivery again (after mending EMAIL_URL, an address or a robot)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != Delivery.Status.FAILED:
        raise ValidationError(_("只有发送失败的消息可以重新发送"))
    delivery.status = Delivery.Status.PENDING
    delivery.save(update_fields=["status"])
    logger.info("delivery %s resent by %s", delivery.pk, by)
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


@transaction.atomic
def delivery_test_email(*, by, address: str) -> Delivery:
    """A test mail to `address`, listed with the rest: the quickest way to see whether EMAIL_URL works."""
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": _("请填写收件邮箱")})
    now = timezone.now()
    delivery = Delivery.objects.create(
        key=f"test:email:{by.pk}:{now:%Y%m%d%H%M%S%f}",
        channel=Delivery.Channel.EMAIL,
        mode=Delivery.Mode.TEST,
        recipient=by,
        address=address,
        subject=f"{rules.SUBJECT_PREFIX}测试邮件",
        body="这是一封测试邮件：收到它，说明星级支部的邮件设置（EMAIL_URL）可以正常发信。",
        day=timezone.localdate(),
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


@transaction.atomic
def delivery_test_chat(*, hook: UnitWebhook, by) -> Delivery:
    now = timezone.now()
    delivery = Delivery.objects.create(
        key=f"test:chat:{hook.unit_id}:{now:%Y%m%d%H%M%S%f}",
        channel=hook.channel,
        mode=Delivery.Mode.TEST,
        unit=hook.unit,
        address=channels.masked(hook.url),
        subject=f"{rules.SUBJECT_PREFIX}测试消息",
        body=f"{rules.SUBJECT_PREFIX}{hook.unit.name}：这是一条测试消息，收到它说明群机器人设置正确。",
        day=timezone.localdate(),
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


# ---------------------------------------------------------------------------------------------
# The inbox, preferences and settings


def notice_read(*, notice: Notice) -> Notice:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_read_all(*, user) -> int:
    return Notice.objects.visible_to(user).unread().update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, user, email_enabled: bool, email_mode: str) -> NoticePreference:
    if email_mode not in NoticePreference.EmailMode.values:
        raise ValidationError({"email_mode": _("邮件方式只能是每日汇总或即时")})
    preference, _created = NoticePreference.objects.update_or_create(
        user=user, defaults={"email_enabled": email_enabled, "email_mode": email_mode}
    )
    return preference


@transaction.atomic
def lead_times_set(*, year: int, by, meeting_days: int, problem_days: int, probation_days: int, term_days: int):
    setting, _created = LeadTimeSetting.objects.get_or_create(year=year)
    for name, value in {
        "meeting_days": meeting_days,
        "problem_days": problem_days,
        "probation_days": probation_days,
        "term_days": term_days,
    }.items():
        setattr(setting, name, value)
    setting.updated_by = by
    setting.full_clean()
    setting.save()
    return setting


@transaction.atomic
def webhook_set(*, unit: OrgUnit, kind: str, url: str, secret: str = "", enabled: bool = True, by) -> UnitWebhook:
    url = (url or "").strip()
    errors = {}
    if not url.lower().startswith(("https://", "http://")):
        errors["url"] = _("Webhook 地址应以 https:// 开头，请从群机器人设置中完整复制")
    if kind not in UnitWebhook.Kind.values:
        errors["kind"] = _("请选择企业微信或钉钉")
    if unit.kind == OrgUnit.Kind.COMMITTEE:
        errors["unit"] = _("群机器人设置在党总支、党支部或党小组上")
    if errors:
        raise ValidationError(errors)
    hook = UnitWebhook.objects.filter(unit=unit).first() or UnitWebhook(unit=unit)
    hook.kind, hook.url, hook.secret, hook.enabled, hook.updated_by = kind, url, (secret or "").strip(), enabled, by
    hook.full_clean()
    hook.save()
    return hook


@transaction.atomic
def webhook_delete(*, hook: UnitWebhook, by) -> None:
    logger.info("webhook of unit %s removed by %s", hook.unit_id, by)
    hook.delete()
