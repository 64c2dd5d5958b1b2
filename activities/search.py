"""Finding a meeting record by words in its topic, minutes, place or people's names.

Chinese has no spaces between words, so PostgreSQL's full-text search (its default parser splits on
spaces and punctuation) would see a whole sentence as one "word" and never find 党建 inside it. What
works for Chinese is substring search (LIKE '%党建%'); to make it fast on a province's 200,000 records
the searched text carries a trigram GIN index (pg_trgm, `gin_trgm_ops`), which answers LIKE with any
pattern of three or more characters from the index. A term of one or two characters has no trigram,
so the index cannot help and PostgreSQL would read every record (seconds at 200,000): when every term
is that short, the text is searched in one year only (the one chosen, or the current year) and the
page says so, while people's names (a 2-character name is common) are still looked up in every year,
through the members' table. A short term beside a longer one costs nothing: the longer term narrows
the records through the index first. On SQLite (the laptop demo) the same query runs as a plain LIKE
without an index.

Counting and paging. A word found in nearly every record ("传达学习", "党员") would make the index hand
back all of them, each read to check it: over a second at 210,000 records, for a count nobody needs
exactly. So the page asks for the ids of the newest COUNT_CAP + 1 matches only (`newest_ids`): one query
that gives the count (exact up to 1,000; beyond it the page says "more than 1,000" and lists the newest
1,000) and every page, instead of a full count plus a page that would read the matches twice.

Two plans, one answer. INDEX (above: the matches' ids from the trigram index and from the members'
names, joined by UNION) is right for a rare word: it reads only its matches. WALK checks each record,
newest first along the (held_at, id) index, and stops at the 1,001st match: right for a common word, whose
matches come every few records (about 20 ms for "传达学习" against 1.3 s), and ruinous for a rare one
(it would read every record to fill a page). Which one applies is decided by `choose_plan`, a probe of
the scope's PROBE (200) newest records: one in PROBE_SHARE (ten) or more matching means WALK. The probe
reads at most 200 records (a few ms) and measures exactly what matters - how many records the walk must
read per match, among the records it would read first - where pg_trgm's similarity or the planner's
row estimate describe the whole table and misjudge a word that is common only lately, or names.
A word common only in old records is sent to the index and costs what it cost before. A word common
only among the newest records would fool the probe and walk back through every record: `find` lets a
walk read at most WALK_WINDOW newest records and, with fewer than COUNT_CAP + 1 matches there, asks the
index plan instead (the walk's answer is kept only when it is certainly the newest COUNT_CAP + 1).
Both plans give the same records (tests/activities/archive/test_search.py compares them).

A term too short for the index is checked field by field (`_in_fields`): plain LIKE for Chinese,
case-blind for Latin letters, cheaper than building each record's upper-cased text (a rare two-character
name over a year of 210,000 records: 391 -> 159 ms).

The rules here (splitting the query, snippets, highlighting) are plain functions; the one query is
`search_meetings`, always applied to a user-scoped queryset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat, Upper
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The searched text of a record, in one expression: the trigram index is built on exactly this
# (activities.models.Meeting.Meta.indexes), so the query must use it unchanged.
SEARCH_FIELDS = ("topic", "minutes", "place", "host", "recorder", "lecturer")
SEPARATOR = "\n"
MIN_INDEXED = 3  # a trigram index answers LIKE only for terms of three or more characters
MAX_TERMS = 5
SNIPPET = 60  # characters of context around the first match in the minutes
COUNT_CAP = 1000  # counted exactly up to this; beyond it the page says "more than 1,000"
PROBE = 200  # newest records of the scope the planner's probe looks at
PROBE_SHARE = 10  # one in this many of them matching (or more): walk the records instead of the index
WALK_WINDOW = 20_000  # newest records a walk reads at most (2 x COUNT_CAP x PROBE_SHARE) before the index
INDEX = "index"
WALK = "walk"


def search_text():
    parts: list = []
    for name in SEARCH_FIELDS:
        if parts:
            parts.append(Value(SEPARATOR))
        parts.append(name)
    return Upper(Concat(*parts, output_field=TextField()))


def terms_of(query: str) -> list[str]:
    """The words of a query (split on spaces, Chinese or Western), without repeats, at most MAX_TERMS."""
    seen: list[str] = []
    for term in re.split(r"[\s\u3000,，、;；]+", query.strip()):
        if term and term not in seen:
            seen.append(term[:50])
    return seen[:MAX_TERMS]


def needs_year(terms: list[str]) -> bool:
    """True if no term is long enough for the trigram index: the search is then kept to one year."""
    return bool(terms) and all(len(t) < MIN_INDEXED for t in terms)


def search_meetings(
    meetings: QuerySet, terms: list[str], people: QuerySet, *, text_year: int | None = None, plan: str = INDEX
) -> QuerySet:
    """Records of `meetings` (already scoped to the user) containing every term in their text or in the
    name of someone expected at them. `people` is Attendance.objects (passed in to keep this module
    free of model imports). `text_year` keeps the text part to one year (for terms too short for the
    index); names are looked up in the members' table, which is small, whatever the year. `plan` is
    INDEX (the matches' ids from the indexes, for rare terms) or WALK (each record checked in turn,
    newest first, for common ones: see the module's docstring); both give the same records."""
    if not terms:
        return meetings.none()
    if plan == WALK:
        return meetings.annotate(search_text=search_text()).filter(_walk_condition(terms, people, text_year))
    texts = meetings.model.objects.annotate(search_text=search_text())
    # A short term reads records one by one anyway: only those of the scope (a branch's, not the province's).
    short_texts = meetings.order_by()
    if text_year is not None:
        texts = texts.filter(held_on__year=text_year)
        short_texts = short_texts.filter(held_on__year=text_year)
    for term in terms:
        if len(term) < MIN_INDEXED:  # no index for it: the cheaper check of each field
            by_text = short_texts.filter(_in_fields(term)).values("pk")
            by_name = people.filter(member__name__contains=term).order_by().values("meeting_id")
            meetings = meetings.filter(pk__in=by_text.union(by_name))
            continue
        # Two id lists, each from its own index (the trigram index; attendance by member), joined with
        # UNION: an OR of the two conditions on one query would make PostgreSQL scan every record.
        by_text = texts.filter(search_text__contains=term.upper()).order_by().values("pk")
        by_name = people.filter(member__name__contains=term).order_by().values("meeting_id")
        meetings = meetings.filter(pk__in=by_text.union(by_name))
    return meetings


def _in_fields(term: str) -> Q:
    """The term in one of the searched fields, case aside: the same records as the search text's
    UPPER(...) LIKE (a term never holds the separator), read field by field, which costs PostgreSQL less
    than building the whole text of each record: what a term too short for the index uses."""
    # A term without letters that have a case (Chinese, digits) is matched as it is: UPPER() of every
    # field (the minutes are long) would cost more than the LIKE itself.
    lookup = "contains" if term.upper() == term.lower() else "icontains"
    condition = Q()
    for name in SEARCH_FIELDS:
        condition |= Q(**{f"{name}__{lookup}": term})
    return condition


def _walk_condition(terms: list[str], people: QuerySet, text_year: int | None) -> Q:
    """Every term in the record's own text (the `search_text` annotation) or in the name of someone
    expected at it: a condition checked on each record, with no list of all the matches built first."""
    condition = Q()
    for term in terms:
        in_text = _in_fields(term) if len(term) < MIN_INDEXED else Q(search_text__contains=term.upper())
        if text_year is not None:
            in_text &= Q(held_on__year=text_year)
        by_name = people.filter(meeting_id=OuterRef("pk"), member__name__contains=term)
        condition &= in_text | Q(Exists(by_name))
    return condition


def choose_plan(meetings: QuerySet, terms: list[str], people: QuerySet, *, text_year: int | None = None) -> str:
    """WALK if at least one in PROBE_SHARE of the scope's PROBE newest records match (a common term: the
    first page is then found after reading a few hundred records, newest first, and the capped count
    after a few thousand), else INDEX (a rare term: its few matches come straight from the indexes).
    One query reading at most PROBE records."""
    if not terms:
        return INDEX
    newest = meetings.order_by("-held_at", "-pk").values("pk")[:PROBE]
    sample = meetings.model.objects.filter(pk__in=newest).annotate(search_text=search_text())
    matches = sample.filter(_walk_condition(terms, people, text_year)).count()
    return WALK if matches * PROBE_SHARE >= PROBE else INDEX


def newest_ids(found: QuerySet, cap: int = COUNT_CAP) -> tuple[list[int], bool]:
    """The ids of `found`'s newest `cap` records, newest first, and whether there are more: one query
    that stops after cap + 1 matches. It gives the count (exact up to cap; past it the page says "more
    than 1,000") and every page's ids at once, where counting and then fetching a page would read the
    matches twice, and counting every match of a common word would read them all."""
    ids = list(found.order_by("-held_at", "-pk").values_list("pk", flat=True)[: cap + 1])
    return ids[:cap], len(ids) > cap


def find(
    meetings: QuerySet, terms: list[str], people: QuerySet, *, text_year: int | None = None, cap: int | None = None
) -> tuple[list[int], bool, str]:
    """What the page runs: the newest `cap` matching ids, whether there are more, and the plan used.
    A walk reads at most the scope's WALK_WINDOW newest records (one cheap index read finds where that
    window starts): a word common among the newest records but rare before them would otherwise walk
    back through every record. If the window holds fewer than cap + 1 matches, the index plan answers
    instead, exactly: the walk's answer is used only when it is certain to be the newest cap + 1."""
    cap = COUNT_CAP if cap is None else cap
    plan = choose_plan(meetings, terms, people, text_year=text_year)
    if plan == WALK:
        edge = meetings.order_by("-held_at", "-pk").values_list("held_at", flat=True)[WALK_WINDOW - 1 : WALK_WINDOW]
        window = meetings.filter(held_at__gte=edge[0]) if edge else meetings
        ids, more = newest_ids(search_meetings(window, terms, people, text_year=text_year, plan=WALK), cap)
        if more or not edge:  # the newest cap + 1 matches lie in the window (or the window is everything)
            return ids, more, WALK
        plan = INDEX
    ids, more = newest_ids(search_meetings(meetings, terms, people, text_year=text_year, plan=plan), cap)
    return ids, more, plan


# --- showing a hit -----------------------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with every term wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return mark_safe(escape(text))  # noqa: S308 - escaped just above
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped


def snippet(text: str, terms: list[str], width: int = SNIPPET) -> str:
    """The part of `text` around the first term found ("…" where cut), or its beginning."""
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        return text[: width * 2] + ("…" if len(text) > width * 2 else "")
    start = max(0, match.start() - width)
    end = min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@dataclass(frozen=True)
class Hit:
    meeting: object
    topic: SafeString
    excerpt: SafeString
    people: SafeString  # host, recorder, lecturer and the expected members whose names matched


def hits(meetings, terms: list[str], names: dict[int, list[str]]) -> list[Hit]:
    """What a result row shows for each record; `names` maps a meeting id to its matching members."""
    pattern = _pattern(terms)
    rows = []
    for m in meetings:
        people = [p for p in (m.host, m.recorder, m.lecturer) if p and pattern and pattern.search(p)]
        people += [n for n in names.get(m.pk, []) if n not in people]
        rows.append(
            Hit(
                m,
                highlight(m.topic, terms),
                highlight(snippet(m.minutes or m.place, terms), terms),
                highlight("、".join(people), terms),
            )
        )
    return rows
