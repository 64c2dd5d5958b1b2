"""The new pages speak English once it is chosen: no Chinese left in their own words."""

from datetime import date

from django.urls import reverse

from activities.models import ArchiveJob, Meeting
from tests.factories import log_meeting


def test_the_archive_search_and_review_pages_are_english_once_chosen(org, login, settings, chinese_in_chrome):
    meeting = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 5), topic="三月主题党日")
    job = ArchiveJob.objects.create(year=2025, unit=org.branch, requested_by=org.committee_user, status="running")
    client = login(org.committee_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    urls = [
        reverse("activities:archives"),
        reverse("activities:archive_job", args=[job.pk]),
        reverse("activities:review"),
        reverse("activities:search") + "?q=主题党日",
        reverse("activities:search") + "?q=党日",
        reverse("activities:record_print", args=[meeting.pk]),
        reverse("assessment:problems_close"),
    ]
    for url in urls:
        assert chinese_in_chrome(client, url) == [], url
