"""core.workdays: counting working days, and the calendar the assessment app provides to apps below it."""

from datetime import date

import pytest

from assessment.publication import services as publication_services
from core import workdays
from core.workdays import Calendar

MAY_DAY = Calendar(off=frozenset(date(2026, 5, day) for day in range(1, 6)), worked=frozenset({date(2026, 5, 9)}))


def test_working_days_between_counts_both_ends_and_follows_the_calendar():
    assert workdays.working_days_between(date(2026, 4, 27), date(2026, 5, 1), Calendar()) == 5  # Mon–Fri
    assert workdays.working_days_between(date(2026, 4, 27), date(2026, 5, 1), MAY_DAY) == 4  # 1 May off
    assert workdays.working_days_between(date(2026, 5, 4), date(2026, 5, 4), MAY_DAY) == 0  # a Monday off
    assert workdays.working_days_between(date(2026, 5, 9), date(2026, 5, 9), MAY_DAY) == 1  # a Saturday worked
    assert workdays.working_days_between(date(2026, 5, 2), date(2026, 5, 1), Calendar()) == 0  # backwards


@pytest.mark.django_db
def test_the_assessment_app_provides_the_entered_days(org):
    publication_services.holiday_save(day=date(2026, 5, 1), name="劳动节", kind="off", by=org.committee_user)
    publication_services.holiday_save(day=date(2026, 5, 9), name="劳动节调休", kind="worked", by=org.committee_user)
    publication_services.holiday_save(day=date(2026, 10, 1), name="国庆节", kind="off", by=org.committee_user)
    found = workdays.calendar_between(date(2026, 4, 1), date(2026, 5, 31))
    assert found == Calendar(off=frozenset({date(2026, 5, 1)}), worked=frozenset({date(2026, 5, 9)}))
    assert workdays.calendar_between(date(2026, 5, 31), date(2026, 4, 1)) == Calendar()


def test_without_a_provider_only_weekends_are_off(monkeypatch):
    monkeypatch.setattr(workdays, "_source", None)
    assert workdays.calendar_between(date(2026, 4, 1), date(2026, 5, 31)) == workdays.WEEKDAYS_ONLY
