"""The documentation holds together: every relative link resolves, the README stays short and lists
every page, and nothing points outside the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").rglob("*.md"))
PAGES = [README, *DOCS]
README_LIMIT = 12 * 1000  # "under 12 KB": what a newcomer reads first

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code: a link-shaped string in a code sample is not a link."""
    text = FENCE.sub("", text)
    return INLINE_CODE.sub("", text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(page: Path) -> list[str]:
    return LINK.findall(prose(page.read_text(encoding="utf-8")))


def relative_links(page: Path) -> list[str]:
    return [target for target in links(page) if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)]


def test_the_docs_exist():
    names = {page.relative_to(ROOT).as_posix() for page in DOCS}
    for name in (
        "docs/domain.md",
        "docs/configuration.md",
        "docs/deployment.md",
        "docs/architecture.md",
        "docs/i18n.md",
        "docs/performance.md",
    ):
        assert name in names
    assert any(name.startswith("docs/features/") for name in names)


@pytest.mark.parametrize("doc", PAGES, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(doc):
    broken = []
    for target in relative_links(doc):
        path_part, _, anchor = target.partition("#")
        resolved = (doc.parent / path_part).resolve() if path_part else doc
        if not resolved.is_relative_to(ROOT):
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor} in {resolved.relative_to(ROOT)}")
    assert not broken, broken


@pytest.mark.parametrize("doc", PAGES, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_no_page_points_outside_the_repository(doc):
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text
    assert "shared/DOMAIN.md" not in text


def test_the_readme_is_short():
    assert README.stat().st_size < README_LIMIT


def test_the_readme_links_every_docs_page():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in relative_links(README)}
    missing = [page.relative_to(ROOT).as_posix() for page in DOCS if page.resolve() not in linked]
    assert not missing, f"add these to the README's Documentation section: {missing}"


def test_the_link_checker_finds_what_it_must():
    """The checks above would pass on anything if these helpers found nothing."""
    assert slug("`make run`: the demo") == "make-run-the-demo"
    assert slug("三会一课 and the other regular activities") == "三会一课-and-the-other-regular-activities"
    sample = "[a](docs/x.md) `[b](not/a/link.md)`\n\n```\n[c](nor/this.md)\n```\n[d](https://example.org)"
    found = LINK.findall(prose(sample))
    assert found == ["docs/x.md", "https://example.org"]
    assert "make-test-the-checks-ci-runs" in anchors(README)
    assert len(relative_links(README)) >= len(DOCS)
