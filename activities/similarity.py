"""疑似雷同: minutes that repeat another record's text nearly word for word.

The measure is the Jaccard similarity of the sets of character 3-grams (shingles) of the normalised
text: |A ∩ B| ÷ |A ∪ B|. Normalising (NFKC, lower case, whitespace and punctuation removed) means
re-spacing or re-punctuating a copy does not hide it. Character shingles suit Chinese, which has no
spaces between words.

Threshold 0.80. A copy whose date, names and a phrase or two were changed keeps about 0.80–0.95
(every changed character breaks up to three shingles); two genuine records of the same kind of
meeting, sharing the usual formulas ("会议由…主持", "传达学习了…"), score well below 0.5. The tests
in tests/test_similarity.py pin both sides. Minutes shorter than MIN_CHARS normalised characters
("无", "同上", a one-line note) are never flagged: they are too short to tell copying from brevity.

Cost: records are compared only with the other records of the same branch, and only when a record's
minutes change (services call `best_matches` for the changed records), never on a page view.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

THRESHOLD = 0.80
MIN_CHARS = 40
SHINGLE = 3


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    # Keep letters and digits (CJK ideographs are letters); drop spaces, punctuation and symbols.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def shingles(text: str) -> frozenset[str]:
    """The set of 3-character shingles of the normalised text; empty when the text is too short."""
    norm = normalise(text)
    if len(norm) < MIN_CHARS:
        return frozenset()
    return frozenset(norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _score(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard, or 0 when it cannot reach the threshold: it is at most min(|A|, |B|) ÷ max(|A|, |B|)."""
    if not a or not b or min(len(a), len(b)) < THRESHOLD * max(len(a), len(b)):
        return 0.0
    return jaccard(a, b)


def similarity(text_a: str, text_b: str) -> float:
    return jaccard(shingles(text_a), shingles(text_b))


def best_matches(
    changed: Iterable[int], texts: Mapping[int, frozenset[str]], current: Mapping[int, tuple[int | None, float | None]]
) -> dict[int, tuple[int | None, float | None]]:
    """New (similar_to, similarity) for every record whose flag must change.

    `texts` holds the shingles of every record of one branch, `current` their stored flags, and
    `changed` the records whose minutes changed (or that were deleted: absent from `texts`). Each
    changed record is compared with all the others; a record that pointed at a changed one is
    re-examined; any other record gains a pointer when a changed one is now more similar to it.
    """
    changed = set(changed)
    best: dict[int, tuple[int | None, float | None]] = {}

    def best_for(record: int) -> tuple[int | None, float | None]:
        mine = texts[record]
        top, top_score = None, 0.0
        for other, theirs in texts.items():
            if other == record:
                continue
            score = _score(mine, theirs)
            # Ties go to the earlier record (lower id), the likelier original.
            if score > top_score or (score == top_score and top is not None and other < top):
                top, top_score = other, score
        if top is None or top_score < THRESHOLD:
            return None, None
        return top, round(top_score, 4)

    for record in changed & texts.keys():
        best[record] = best_for(record)
    for record, (pointer, score) in current.items():
        if record in changed or record not in texts:
            continue
        if pointer in changed:
            best[record] = best_for(record)
            continue
        for other in changed & texts.keys():
            s = _score(texts[record], texts[other])
            if s >= THRESHOLD and s > (score or 0.0):
                best[record] = best_for(record)
                break
    return {record: flag for record, flag in best.items() if flag != tuple(current.get(record, (None, None)))}
