"""Page benchmarks (`make bench`): every main page of the committee and of a branch secretary.

Each page is requested through Django's test client in one warm process with DEBUG off (as served):
one untimed request first (templates, translations, the connection), then `PAGE_REPEATS` timed ones;
the report gives the median server time, the number of queries and the HTML bytes, before and after
gzip (what GZipMiddleware sends a browser that accepts it). The two users are made by
`bench_users` in the benchmark database: a committee staff account on the root and the secretary of
the first branch.
"""

from __future__ import annotations

import gzip
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from activities import gaps
from activities.models import ComplianceChange
from branches.models import OrgUnit, UnitRole

PAGE_REPEATS = 5
COMMITTEE_USER = "bench-committee"
SECRETARY_USER = "bench-secretary"


def bench_users() -> tuple:
    """The committee's and a branch secretary's accounts, made once in the benchmark database."""
    users = get_user_model().objects
    root = OrgUnit.objects.get_root_nodes().first()
    branch = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("path").first()
    if root is None or branch is None:
        raise RuntimeError("benchmark database has no organisation: run seed_scale first")
    committee, _ = users.get_or_create(username=COMMITTEE_USER)
    secretary, _ = users.get_or_create(username=SECRETARY_USER)
    UnitRole.objects.get_or_create(user=committee, unit=root, role=UnitRole.Role.COMMITTEE_STAFF)
    UnitRole.objects.get_or_create(user=secretary, unit=branch, role=UnitRole.Role.BRANCH_SECRETARY)
    return committee, secretary, branch


def page_urls(year: int, branch: OrgUnit) -> dict[str, list[tuple[str, str]]]:
    """(label, URL) of the main pages each user opens from the navigation."""
    common = [
        ("home", reverse("home")),
        ("org tree", reverse("branches:tree")),
        ("roster", reverse("members:list")),
        ("probationary", reverse("members:probationary")),
        ("meetings", reverse("activities:index")),
        ("compliance", reverse("activities:compliance") + f"?year={year}&quarter=4"),
        ("talks", reverse("activities:talks")),
        ("pledges", reverse("pledges:index")),
        ("stars", reverse("assessment:index")),
        ("problems", reverse("assessment:problems")),
        ("dues", reverse("dues:index")),
        ("recruitment", reverse("recruitment:list")),
        ("notices", reverse("notices:inbox")),
    ]
    committee = common + [
        ("quarter check", reverse("assessment:quarter", args=[year, 4])),
        ("rating review", reverse("assessment:rating", args=[year])),
        ("yearbook", reverse("yearbook:index")),
        ("recruitment pipeline", reverse("recruitment:pipeline")),
    ]
    secretary = common + [
        ("ledger", reverse("activities:ledger", args=[branch.pk]) + f"?year={year}"),
        ("branch unit", reverse("branches:detail", args=[branch.pk])),
        ("branch stars", reverse("assessment:branch", args=[branch.pk])),
    ]
    return {"committee": committee, "secretary": secretary}


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Counts the statements run inside, without the debug cursor's bookkeeping."""
    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def measure(client: Client, url: str, repeats: int = PAGE_REPEATS) -> dict:
    warm = client.get(url)  # warm: templates compiled, translations loaded
    if warm.status_code == 302:  # e.g. dues before the year is opened: time the page it leads to
        url = warm["Location"]
        client.get(url)
    times, queries = [], 0
    response = None
    for _ in range(repeats):
        with counting_queries() as count:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        queries = count[0]
    assert response is not None
    body = response.content
    return {
        "url": url,
        "status": response.status_code,
        "time": statistics.median(times),
        "queries": queries,
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body)),
    }


# Branches written to in the minute before a request, for the compliance overview's busy case: their
# stored gaps are stale and they are counted from their meetings (activities/gaps.py).
BUSY_BRANCHES = 50


def compliance_gaps(n: int) -> dict:
    """Storing every branch's gaps (what beat's first refresh does on a loaded database), then one
    branch's after a write (what each minute's refresh does per branch written to)."""
    started = time.perf_counter()
    built = gaps.gaps_refresh()
    full = time.perf_counter() - started
    branch = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("path").first()
    assert branch is not None
    ComplianceChange.objects.create(branch_id=branch.pk)
    started = time.perf_counter()
    gaps.gaps_refresh()
    return {"n": n, "job": "compliance_gaps", "time": full, "branches": built, "one": time.perf_counter() - started}


def run_pages(year: int, repeats: int = PAGE_REPEATS) -> list[dict]:
    committee, secretary, branch = bench_users()
    n = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).count()
    results = [compliance_gaps(n)]  # as beat keeps them: the pages read stored gaps
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts, SECURE_SSL_REDIRECT=False):
        for who, user in (("committee", committee), ("secretary", secretary)):
            client = Client()
            client.force_login(user)
            for label, url in page_urls(year, branch)[who]:
                results.append({"n": n, "page": label, "user": who, **measure(client, url, repeats)})
        # A busy minute: some branches written to since the refresh, counted from their meetings.
        busy = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("?").values_list("pk", flat=True)
        ComplianceChange.objects.bulk_create([ComplianceChange(branch_id=pk) for pk in busy[:BUSY_BRANCHES]])
        client = Client()
        client.force_login(committee)
        url = dict(page_urls(year, branch)["committee"])["compliance"]
        label = f"compliance, {BUSY_BRANCHES} stale"
        results.append({"n": n, "page": label, "user": "committee", **measure(client, url, repeats)})
        gaps.gaps_refresh()
    return results


def report(lines: list[dict]) -> str:
    rows = [line for line in lines if "page" in line]
    if not rows:
        return ""
    out = [f"{'N':>6}  {'user':<10}{'page':<22}{'status':>6}{'ms':>8}{'queries':>8}{'KB':>8}{'gzip KB':>8}"]
    for line in sorted(rows, key=lambda r: (r["n"], r["user"], r["page"])):
        out.append(
            f"{line['n']:>6}  {line['user']:<10}{line['page']:<22}{line['status']:>6}{1000 * line['time']:>8.0f}"
            f"{line['queries']:>8}{line['bytes'] / 1024:>8.0f}{line['gzip_bytes'] / 1024:>8.0f}"
        )
    return "\n".join(out)
