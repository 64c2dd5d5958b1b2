"""The one pager of every list (templates/core/_pagination.html), in each of its ways of building a link."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def page(number: int, count: int = 30):
    return Paginator(range(count), 10).get_page(number)


def pager(**context) -> str:
    with translation.override("zh-hans"):
        return render_to_string("core/_pagination.html", context, request=context.pop("request", None))


def test_a_single_page_shows_no_pager():
    assert pager(page=page(1, count=10)).strip() == ""


def test_a_middle_page_links_both_ways_with_the_labels_screen_readers_read():
    html = pager(page=page(2))
    assert '<nav aria-label="分页">' in html
    assert '<a class="page-link" href="?page=1">上一页</a>' in html
    assert '<span class="page-link">第 2 / 3 页</span>' in html
    assert '<a class="page-link" href="?page=3">下一页</a>' in html


def test_the_first_and_last_pages_link_one_way_only():
    assert "上一页" not in pager(page=page(1)) and "下一页" in pager(page=page(1))
    assert "上一页" in pager(page=page(3)) and "下一页" not in pager(page=page(3))


def test_the_view_s_query_goes_before_the_page():
    html = pager(page=page(2), query="year=2025&unit=3")  # escaped as HTML, like any variable
    assert 'href="?year=2025&amp;unit=3&page=1"' in html and 'href="?year=2025&amp;unit=3&page=3"' in html


def test_a_second_list_on_a_page_has_its_own_parameter():
    html = pager(page=page(2), param="qpage")
    assert 'href="?qpage=1"' in html and 'href="?qpage=3"' in html and "?page=" not in html


@pytest.mark.parametrize("number", [1, 2, 3])
def test_keep_query_keeps_every_parameter_of_the_request_and_replaces_the_page(number):
    request = RequestFactory().get("/members/", {"q": "张三", "branch": "3", "page": str(number)})
    html = pager(page=page(number), keep_query=True, nav_class="mt-3", request=request)
    assert '<nav class="mt-3" aria-label="分页">' in html
    for other in {number - 1, number + 1} & {1, 2, 3}:
        assert f'href="?q=%E5%BC%A0%E4%B8%89&amp;branch=3&amp;page={other}"' in html
    assert f'page={number}"' not in html
