"""Every date a user types lies within 1900–2100, and records stored outside before are repaired.

- the bounds and the clamp (core/dates.py), without a database;
- every DateField and DateTimeField of every form in the project is bounded (core/forms.py);
- the meeting that used to 500 for ever (0001-01-01) is refused with a message, as are far dates on
  the other forms;
- the data migrations: a meeting and a member seeded through SQL with dates of year 1 and 9999 are
  readable again after the migration function runs, flagged and explained in their history.
"""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from activities import services as activity_services
from activities.forms import LedgerFilter, MeetingForm, TalkForm
from activities.models import Meeting
from assessment.models import Holiday
from assessment.publication import services as publication_services
from assessment.services import checks
from branches.forms import UnitForm
from branches.models import OrgUnit
from core import dates
from core import forms as core_forms
from members.forms import MemberForm
from members.models import Member
from tests.factories import log_meeting, make_member, make_recruit, open_dues_year, pay_dues, set_dues_base

ROOT = Path(settings.BASE_DIR)
APPS = [
    "accounts",
    "activities",
    "assessment",
    "branches",
    "core",
    "dues",
    "members",
    "notices",
    "recruitment",
    "security",
]


# --- the bounds -----------------------------------------------------------------------------------


def test_the_bounds_are_the_spreadsheet_imports():
    assert (dates.FIRST_YEAR, dates.LAST_YEAR) == (1900, 2100)
    assert dates.date_is_sensible(date(1900, 1, 1)) and dates.date_is_sensible(date(2100, 12, 31))
    assert not dates.date_is_sensible(date(1899, 12, 31)) and not dates.date_is_sensible(date(2101, 1, 1))


def test_clamp_moves_a_date_onto_the_nearest_bound():
    assert dates.clamp_date(date(1, 1, 1)) == date(1900, 1, 1)
    assert dates.clamp_date(date(9999, 12, 31)) == date(2100, 12, 31)
    assert dates.clamp_date(date(2025, 6, 1)) == date(2025, 6, 1)
    moment = dates.clamp_date(datetime(9999, 1, 1, 8, 0, tzinfo=UTC))
    assert moment == datetime(2100, 12, 31, 23, 59, tzinfo=UTC)


def test_the_validator_says_what_is_wrong():
    dates.validate_sensible_date(date(2025, 1, 1))
    with pytest.raises(forms.ValidationError) as refused:
        dates.validate_sensible_date(date(1, 1, 1))
    assert "年份不合理" in str(refused.value) and "1900-01-01" in str(refused.value)


# --- every form ---------------------------------------------------------------------------------


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and path != ROOT / "core" / "forms.py":
                yield path


def test_no_form_declares_an_unbounded_date_field():
    """A plain form declares core.forms.DateField / DateTimeField, never Django's own."""
    unbounded = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("DateField", "DateTimeField", "SplitDateTimeField")
                and isinstance(node.value, ast.Name)
                and node.value.id == "forms"
            ):
                unbounded.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unbounded


def _form_classes():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.stem in ("forms", "filters") and "migrations" not in path.parts:
                importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    seen, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [cls for cls in seen if cls.__module__.split(".")[0] in APPS]


def test_every_date_field_of_every_form_is_bounded():
    """ModelForms too: the fields Django makes from the model's date fields are named in field_classes."""
    classes = _form_classes()
    assert {MeetingForm, TalkForm, MemberForm, UnitForm} <= set(classes)
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
        and dates.validate_sensible_date not in field.validators
    ]
    assert not unbounded


def test_the_date_picker_offers_the_same_bounds():
    class DayForm(forms.Form):
        day = core_forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    html = str(DayForm()["day"])
    assert 'min="1900-01-01"' in html and 'max="2100-12-31"' in html
    assert 'max="2100-12-31T23:59"' in str(MeetingForm(units=[])["held_at"])


@pytest.mark.django_db
def test_a_meeting_of_year_one_is_refused_with_a_message(org, login):
    client = login(org.secretary)
    data = {"kind": "theme_day", "unit": org.branch.pk, "held_at": "0001-01-01T00:00", "topic": "主题党日"}
    response = client.post(reverse("activities:create") + f"?unit={org.branch.pk}", data)
    assert response.status_code == 200
    assert "年份不合理" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_far_dates_are_refused_on_the_roster_and_the_talks(org, value):
    member = MemberForm(data={"birth_date": value}, groups=OrgUnit.objects.none(), instance=org.member)
    assert "年份不合理" in " ".join(member.errors["birth_date"])
    talk = TalkForm(data={"talked_on": value, "member": org.member.pk}, members=[org.member])
    assert "年份不合理" in " ".join(talk.errors["talked_on"])


def test_a_junk_year_in_the_ledger_filter_is_reported_and_ignored():
    for junk in ("-1", "0", "99999999999", "1e309", "NaN"):
        filterset = LedgerFilter({"year": junk}, queryset=Meeting.objects.none())
        assert not filterset.is_valid() and "year" in filterset.errors


# --- the data migrations ----------------------------------------------------------------------------


def _apps_before(app: str, migration: str):
    """The models as the migration sees them."""
    return MigrationExecutor(connection).loader.project_state([(app, migration)]).apps


def _run(app: str, name: str, previous: str) -> None:
    module = importlib.import_module(f"{app}.migrations.{name}")
    with connection.schema_editor(atomic=False) as editor:
        module.repair(_apps_before(app, previous), editor)


@pytest.mark.django_db
def test_a_meeting_dated_year_one_is_readable_and_fixable_after_the_migration(org, login):
    meeting = log_meeting(org.branch, day=date(2025, 6, 10), by=org.secretary)
    far = log_meeting(org.branch, day=date(2025, 7, 10), by=org.secretary)
    with connection.cursor() as cursor:
        # What the old form stored for 0001-01-01 00:00 in Beijing: year 0 in UTC.
        cursor.execute(
            "UPDATE activities_meeting SET held_at = '0001-01-01 00:00:00+08', held_on = '0001-01-01' WHERE id = %s",
            [meeting.pk],
        )
        cursor.execute(
            "UPDATE activities_meeting SET held_at = '9999-12-31 23:59:00+08', held_on = '9999-12-31' WHERE id = %s",
            [far.pk],
        )
    client = login(org.secretary)
    with pytest.raises(ValueError, match="out of range"):
        client.get(reverse("activities:detail", args=[meeting.pk]))

    _run("activities", "0009_dates_within_bounds", "0008_archivejob_heartbeat")

    repaired = Meeting.objects.get(pk=meeting.pk)
    assert repaired.held_on == date(1900, 1, 1)
    assert repaired.status == Meeting.Status.RETURNED
    assert "召开时间" in repaired.return_comment and "年份不合理" in repaired.return_comment
    assert Meeting.objects.get(pk=far.pk).held_on == date(2100, 12, 31)
    reason = repaired.history.order_by("-history_date").first().history_change_reason
    assert reason.startswith("年份不合理") and "召开日期“0001-01-01”" in reason
    # Every page of it answers again, and its editor can correct it.
    assert client.get(reverse("activities:ledger", args=[org.branch.pk]), {"year": 1900}).status_code == 200
    detail = client.get(reverse("activities:detail", args=[meeting.pk])).content.decode()
    assert "年份不合理" in detail and "已退回" in detail
    assert client.get(reverse("activities:edit", args=[meeting.pk])).status_code == 200
    # Running it again changes nothing more.
    _run("activities", "0009_dates_within_bounds", "0008_archivejob_heartbeat")
    assert repaired.history.count() == Meeting.objects.get(pk=meeting.pk).history.count()


@pytest.mark.django_db
def test_a_member_born_in_year_one_is_repaired_with_a_note_in_the_audit_trail(org, login):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET birth_date = '0001-01-01', joined_on = '9999-12-31' WHERE id = %s",
            [org.member.pk],
        )
    _run("members", "0006_dates_within_bounds", "0005_member_email")
    member = Member.objects.get(pk=org.member.pk)
    assert (member.birth_date, member.joined_on) == (date(1900, 1, 1), date(2100, 12, 31))
    page = login(org.secretary).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "年份不合理" in page and "出生日期“0001-01-01”" in page


def _recruit(org):
    return make_recruit(org.branch, name="欧阳申请")


def _payment(org):
    open_dues_year(2025)
    set_dues_base(org.member, 2025, "6000")
    return pay_dues(org.member, 2025, 1, "90")


def _problem(org):
    return checks.problem_create(
        branch=org.branch, year=2025, quarter=None, description="台账不全", deadline=date(2025, 12, 31), by=None,
        found_on=date(2025, 3, 1),
    )  # fmt: skip


def _talk(org):
    colleague = make_member(org.branch, name="李娜")
    return activity_services.talk_create(
        by=org.secretary, branch=org.branch, member=colleague, talker=org.member, talked_on=date(2025, 5, 1)
    )


# (app, migration, the one before it, a builder of a record, the date field seeded with 9999-12-31)
REPAIRS = [
    ("branches", "0003_dates_within_bounds", "0002_unitrole_history", lambda org: org.branch, "founded_on"),
    ("recruitment", "0002_dates_within_bounds", "0001_initial", _recruit, "birth_date"),
    ("dues", "0003_dates_within_bounds", "0002_job_heartbeat", _payment, "paid_on"),
    ("assessment", "0008_dates_within_bounds", "0007_job_heartbeat", _problem, "deadline"),
    ("activities", "0009_dates_within_bounds", "0008_archivejob_heartbeat", _talk, "talked_on"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "name", "previous", "build", "column"), REPAIRS, ids=[r[0] for r in REPAIRS])
def test_each_apps_migration_moves_its_dates_onto_the_bounds(org, app, name, previous, build, column):
    record = build(org)
    table = type(record)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = '9999-12-31' WHERE id = %s", [record.pk])
    _run(app, name, previous)
    record.refresh_from_db()
    assert getattr(record, column) == date(2100, 12, 31)


@pytest.mark.django_db
def test_a_holiday_of_year_one_is_deleted(org):
    kept = publication_services.holiday_save(day=date(2025, 10, 1), name="国庆节", kind="off", by=None)
    gone = publication_services.holiday_save(day=date(2025, 10, 2), name="国庆节", kind="off", by=None)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE assessment_holiday SET day = '0001-10-02' WHERE id = %s", [gone.pk])
    _run("assessment", "0008_dates_within_bounds", "0007_job_heartbeat")
    assert list(Holiday.objects.values_list("pk", flat=True)) == [kept.pk]
