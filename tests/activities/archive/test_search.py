"""Finding a record: words in topic, minutes, place or names, only among what the user may see,
highlighted and paginated; short Chinese terms kept to one year; the trigram index is used."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities import search
from activities.models import Attendance, Meeting
from tests.factories import log_meeting, make_member


def test_terms_split_on_chinese_and_western_separators_without_repeats():
    assert search.terms_of(" 党建  工作，党建、学习 ") == ["党建", "工作", "学习"]
    assert search.terms_of("") == []
    assert len(search.terms_of("一 二 三 四 五 六 七")) == search.MAX_TERMS
    assert search.needs_year(["党建"]) and not search.needs_year(["党建", "审判执行"]) and not search.needs_year([])


def test_highlight_escapes_and_marks_every_term():
    html = search.highlight("<b>审判</b>执行与审判", ["审判"])
    assert html == "&lt;b&gt;<mark>审判</mark>&lt;/b&gt;执行与<mark>审判</mark>"
    text = "甲" * 100 + "司法为民" + "乙" * 100
    cut = search.snippet(text, ["司法为民"], width=10)
    assert cut == "…" + "甲" * 10 + "司法为民" + "乙" * 10 + "…"


@pytest.fixture
def records(org):
    make_member(org.other_branch, name="王五")
    mine = log_meeting(
        org.branch,
        Meeting.Kind.GENERAL_MEETING,
        date(2025, 3, 6),
        topic="一季度党员大会",
        place="三楼党员活动室",
        host="欧阳主持",
        minutes="会议传达学习了关于加强司法为民工作的意见，大家结合审判执行工作谈了体会。",
    )
    group = log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2025, 4, 8), topic="小组学习", minutes="学习讨论")
    theirs = log_meeting(
        org.other_branch,
        Meeting.Kind.GENERAL_MEETING,
        date(2025, 3, 7),
        topic="办公室党员大会",
        minutes="会议传达学习了关于加强司法为民工作的意见。",
    )
    return mine, group, theirs


def found(client, **params):
    response = client.get(reverse("activities:search"), params)
    assert response.status_code == 200
    return response, [hit.meeting.pk for hit in response.context["hits"]]


def test_a_chinese_word_inside_the_minutes_is_found_and_highlighted_only_in_what_the_user_may_see(org, login, records):
    mine, _group, theirs = records
    response, pks = found(login(org.secretary), q="司法为民")
    assert pks == [mine.pk]  # the other branch's record with the same words never appears
    page = response.content.decode()
    assert "<mark>司法为民</mark>" in page and "办公室党员大会" not in page
    _response, pks = found(login(org.outsider), q="司法为民")
    assert pks == [theirs.pk]
    _response, pks = found(login(org.committee_user), q="司法为民")
    assert sorted(pks) == sorted([mine.pk, theirs.pk])
    # Every term must appear: one in the minutes, one in the place.
    assert found(login(org.committee_user), q="司法为民 三楼党员活动室")[1] == [mine.pk]
    assert found(login(org.committee_user), q="司法为民 不存在的词")[1] == []


def test_people_topic_and_place_are_searched_and_the_ledger_box_keeps_to_its_unit(org, login, records):
    mine, group, _theirs = records
    client = login(org.secretary)
    # 张伟 is a member of the branch and its group: expected at both meetings.
    response, pks = found(client, q="张伟")
    assert sorted(pks) == sorted([mine.pk, group.pk]) and "<mark>张伟</mark>" in response.content.decode()
    assert found(client, q="欧阳主持")[1] == [mine.pk]
    assert found(client, q="小组学习")[1] == [group.pk]
    assert found(client, q="张伟", unit=org.group.pk)[1] == [group.pk]
    assert client.get(reverse("activities:search"), {"q": "张伟", "unit": org.other_branch.pk}).status_code == 404
    ledger = client.get(reverse("activities:ledger", args=[org.branch.pk])).content.decode()
    assert reverse("activities:search") in ledger and f'name="unit" value="{org.branch.pk}"' in ledger
    assert reverse("activities:search") in client.get(reverse("activities:index")).content.decode()


def test_a_short_term_searches_text_in_one_year_and_names_in_all_and_says_so(org, login, records):
    client = login(org.secretary)
    this_year = log_meeting(org.branch, Meeting.Kind.THEME_DAY, topic="今年的党建活动")
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 6, 1), topic="去年的党建活动")
    response, pks = found(client, q="党建")
    assert pks == [this_year.pk] and response.context["text_year"] == timezone.localdate().year
    assert 'id="year-forced"' in response.content.decode()
    assert len(found(client, q="党建", year=2025)[1]) == 1  # a year chosen: that year's
    response, pks = found(client, q="学习", year=2025)
    assert sorted(pks) == sorted(m.pk for m in records[:2]) and 'id="year-forced"' not in response.content.decode()


def test_results_are_paginated(org, login):
    for day in range(1, 26):
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 1, day), topic=f"学习党章第{day}次")
    client = login(org.secretary)
    first, pks = found(client, q="学习党章")
    assert len(pks) == 20 and first.context["page"].paginator.count == 25
    assert "page=2" in first.content.decode()
    _second, more = found(client, q="学习党章", page=2)
    assert len(more) == 5 and not set(pks) & set(more)


def test_the_trigram_index_answers_a_three_character_term(org, records):
    if connection.vendor != "postgresql":
        pytest.skip("the index exists on PostgreSQL only")
    found = search.search_meetings(Meeting.objects.all(), ["司法为民"], Attendance.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show its choice
        plan = found.explain()
    assert "meeting_search_trgm" in plan


def test_junk_in_the_search_box_and_its_filters_answers_without_a_server_error(org, login, records):
    client = login(org.secretary)
    url = reverse("activities:search")
    # A NUL byte cannot go into a PostgreSQL string; ² passes str.isdigit() but not int().
    assert client.get(url, {"q": "司法\x00为民"}).status_code == 200
    assert client.get(url, {"q": "司法为民", "year": "-1"}).status_code == 200
    assert client.get(url, {"q": "司法为民", "unit": "²"}).status_code == 404
    assert client.get(url, {"q": "司法为民", "unit": "9" * 30}).status_code == 404


@pytest.mark.parametrize(
    ("query", "text_year"),
    [
        ("司法为民", None),
        ("学习", 2025),
        ("张伟", None),
        ("学习 三楼", None),
        ("党员 张伟", None),
        ("不存在的词", None),
    ],
)
def test_the_walk_finds_exactly_what_the_index_finds_in_the_same_scope(org, records, query, text_year):
    terms = search.terms_of(query)
    people = Attendance.objects.all()
    scopes = [Meeting.objects.all(), Meeting.objects.filter(branch=org.branch), Meeting.objects.filter(unit=org.group)]
    for scope in scopes:
        by_index = search.search_meetings(scope, terms, people, text_year=text_year, plan=search.INDEX)
        walked = search.search_meetings(scope, terms, people, text_year=text_year, plan=search.WALK)
        expected = list(by_index.order_by("-held_at", "-pk").values_list("pk", flat=True))
        assert list(walked.order_by("-held_at", "-pk").values_list("pk", flat=True)) == expected
        assert set(expected) <= set(scope.values_list("pk", flat=True))  # another branch's never appears
    # The branch's own search of its minutes' phrase: the other branch's record with it stays out.
    mine, _group, theirs = records
    branch_only = Meeting.objects.filter(branch=org.branch)
    walked = search.search_meetings(branch_only, ["司法为民"], people, plan=search.WALK)
    assert list(walked.values_list("pk", flat=True)) == [mine.pk] and theirs.pk not in walked.values_list(
        "pk", flat=True
    )


def test_a_common_word_walks_a_rare_one_uses_the_index(org, records):
    people = Attendance.objects.all()
    for day in range(1, 21):
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 5, day), topic=f"常见主题第{day}次")
    scope = Meeting.objects.all()
    assert search.choose_plan(scope, ["常见主题"], people) == search.WALK  # 20 of the 23 newest
    assert search.choose_plan(scope, ["司法为民"], people) == search.INDEX  # 2 of 23: less than one in ten
    assert search.choose_plan(scope, [], people) == search.INDEX


def test_the_count_stops_at_the_cap_and_the_page_says_more_than_it(org, login, monkeypatch):
    days = range(1, 26)
    for day in days:
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 1, day), topic=f"学习党章第{day}次")
    found_ = search.search_meetings(Meeting.objects.all(), ["学习党章"], Attendance.objects.all())
    newest = list(found_.order_by("-held_at", "-pk").values_list("pk", flat=True))
    assert len(newest) == 25
    assert search.newest_ids(found_, cap=10) == (newest[:10], True)
    assert search.newest_ids(found_, cap=25) == (newest, False)
    assert search.newest_ids(found_, cap=100) == (newest, False)
    client = login(org.secretary)
    monkeypatch.setattr(search, "COUNT_CAP", 10)
    response, pks = found(client, q="学习党章")
    page = response.content.decode()
    assert 'id="search-capped"' in page and "超过 10 条" in page and pks == newest[:10]
    assert response.context["page"].paginator.count == 10
    monkeypatch.setattr(search, "COUNT_CAP", 1000)
    response, pks = found(client, q="学习党章")
    assert 'id="search-capped"' not in response.content.decode() and response.context["page"].paginator.count == 25
    assert pks == newest[:20]


def test_a_short_term_with_latin_letters_is_found_whatever_their_case_by_both_plans(org, records):
    room = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 7, 1), topic="主题党日", place="B座会议室")
    people = Attendance.objects.all()
    for plan in (search.INDEX, search.WALK):
        for term in ("b座", "B座"):
            pks = search.search_meetings(Meeting.objects.all(), [term], people, text_year=2025, plan=plan)
            assert list(pks.values_list("pk", flat=True)) == [room.pk]


def test_a_walk_that_finds_too_few_matches_in_its_window_gives_way_to_the_index(org, records, monkeypatch):
    mine, _group, theirs = records
    people = Attendance.objects.all()
    newest = [
        log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 9, day), topic=f"近期主题{day}") for day in (1, 2, 3)
    ]
    old = log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2024, 1, 5), topic="近期主题旧")
    monkeypatch.setattr(search, "PROBE", 3)  # the three newest all match: a "common" word
    assert search.choose_plan(Meeting.objects.all(), ["近期主题"], people) == search.WALK
    expected = [m.pk for m in reversed(newest)] + [old.pk]
    # The window of the 3 newest holds 3 matches, not cap + 1: the index answers, and finds the old one too.
    monkeypatch.setattr(search, "WALK_WINDOW", 3)
    assert search.find(Meeting.objects.all(), ["近期主题"], people, cap=3) == (expected[:3], True, search.INDEX)
    assert search.find(Meeting.objects.all(), ["近期主题"], people, cap=10) == (expected, False, search.INDEX)
    # A window that holds cap + 1 matches answers by itself.
    assert search.find(Meeting.objects.all(), ["近期主题"], people, cap=2) == (expected[:2], True, search.WALK)
    # A window wider than the scope is the whole scope: the walk's answer is complete.
    monkeypatch.setattr(search, "WALK_WINDOW", 1000)
    assert search.find(Meeting.objects.all(), ["近期主题"], people, cap=10) == (expected, False, search.WALK)
    # Scoped: the other branch's record with the same words never appears, whichever plan answers.
    for window in (1, 1000):
        monkeypatch.setattr(search, "WALK_WINDOW", window)
        ids, _more, _plan = search.find(Meeting.objects.filter(branch=org.branch), ["司法为民"], people)
        assert ids == [mine.pk] and theirs.pk not in ids
