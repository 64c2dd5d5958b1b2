"""The ledger (台账): filters, flags, the .xlsx export, and a query count that does not grow with rows."""

import datetime as dt
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from activities import ledger_io
from activities.models import Meeting
from tests.factories import COPY, ORIGINAL, log_meeting, make_member


@pytest.fixture
def ledger_org(org):
    members = [make_member(org.branch, name=f"党员{i}", committee_post="委员" if i < 3 else "") for i in range(6)]
    return org, members


def test_flags_and_filters(ledger_org, login):
    org, members = ledger_org
    absent = {m.pk: ("absent", "") for m in members[:5]}
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 2, 3), marks=absent, topic="人数不够的大会")
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 2, 5), logged=date(2025, 3, 20), topic="补录的主题党日")
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 5, 5), minutes=ORIGINAL, topic="五月主题党日")
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 6, 5), minutes=COPY, topic="六月主题党日", submit=False)
    log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2025, 2, 7), topic="小组学习")
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2024, 2, 5), topic="去年的主题党日")
    client = login(org.secretary)
    url = reverse("activities:ledger", args=[org.branch.pk])

    def topics(**params):
        html = client.get(url, {"year": 2025, **params}).content.decode()
        return {t for t in ("人数不够", "补录的", "五月", "六月", "小组学习", "去年的") if t in html}

    assert topics() == {"人数不够", "补录的", "五月", "六月", "小组学习"}
    assert topics(quarter=1) == {"人数不够", "补录的", "小组学习"}
    assert topics(kind="theme_day") == {"补录的", "五月", "六月"}
    assert topics(status="draft") == {"六月"}
    assert topics(flag="backfilled") == {"补录的"}
    assert topics(flag="below_quorum") == {"人数不够"}
    assert topics(flag="similar") == {"五月", "六月"}
    assert topics(year=2024) == {"去年的"}
    html = client.get(url, {"year": 2025}).content.decode()
    assert "未达法定人数" in html and "疑似雷同" in html and "补录" in html
    # The group's own ledger holds only its records.
    group_html = client.get(reverse("activities:ledger", args=[org.group.pk]), {"year": 2025}).content.decode()
    assert "小组学习" in group_html and "五月主题党日" not in group_html


def test_export_follows_the_filter_and_escapes_formulas(ledger_org, login):
    org, members = ledger_org
    log_meeting(
        org.branch,
        Meeting.Kind.COMMITTEE_MEETING,
        date(2025, 3, 5),
        marks={members[1].pk: ("leave", "出差"), members[2].pk: ("absent", "")},
        topic='=HYPERLINK("http://evil")',
        place="@会议室",
        minutes="-1+1",
    )
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 6), topic="主题党日")
    client = login(org.secretary)
    response = client.get(
        reverse("activities:ledger_export", args=[org.branch.pk]), {"year": 2025, "kind": "committee_meeting"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["会议"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0][: len(ledger_io.IMPORT_COLUMNS)]) == ledger_io.IMPORT_COLUMNS
    assert len(rows) == 2  # the theme day is filtered out
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["类型"] == "支部委员会" and row["单位编码"] == "ZB1"
    assert row["日期"] == dt.datetime(2025, 3, 5, 15, 0)
    # Risky text comes back exactly as typed, stored as text that Excel will not evaluate.
    assert row["主题"] == '=HYPERLINK("http://evil")' and row["地点"] == "@会议室" and row["会议记录"] == "-1+1"
    topic = ws.cell(row=2, column=rows[0].index("主题") + 1)
    assert topic.data_type == "s" and topic.quotePrefix
    assert row["请假人员"] == "党员1" and row["缺席人员"] == "党员2"
    assert (row["应到"], row["实到"]) == (3, 1)
    assert row["标记"] == "未达法定人数"  # 1 of 3 committee members present
    assert ws.freeze_panes == "A2"


def _ledger_queries(client, unit):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("activities:ledger", args=[unit.pk]), {"year": 2025})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_ledger_query_count_does_not_grow_with_rows(ledger_org, login):
    org, members = ledger_org
    client = login(org.secretary)
    for i in range(2):
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 1, 3 + i), minutes=ORIGINAL if i == 0 else COPY)
    few = _ledger_queries(client, org.branch)
    for i in range(10):
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 2, 3 + i), logged=date(2025, 4, 1))
        log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2025, 2, 3 + i))
    many = _ledger_queries(client, org.branch)
    assert few == many


def test_export_query_count_does_not_grow_with_rows(ledger_org, login):
    org, members = ledger_org
    client = login(org.secretary)
    url = reverse("activities:ledger_export", args=[org.branch.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"year": 2025})
            b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 1, 3), marks={members[0].pk: ("leave", "")})
    few = count()
    for i in range(10):
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 2, 3 + i), marks={members[1].pk: ("absent", "")})
    assert count() == few
