"""HTML → PDF with WeasyPrint: real text (selectable, searchable), fonts embedded, A4 print CSS.

Generic on purpose — any template and context: 发展党员纪实, meeting records, the year archive.
WeasyPrint needs Debian's pango (libpango-1.0-0, libpangoft2-1.0-0) and a CJK font (fonts-noto-cjk
or fonts-wqy-microhei); the Makefile and scripts/services.sh install them.
"""

import logging
from collections.abc import Sequence

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# The A4 page, margins, page numbers and the CJK font stack; also linked by the HTML print views.
PRINT_CSS = "css/print-a4.css"
# A document reads only files and inline data: never the network (no request can be smuggled in
# through a URL in the text), and nothing but what the template and the stylesheets name.
ALLOWED_PROTOCOLS = ("file", "data")

# WeasyPrint logs every page it lays out at INFO (hundreds of lines for a year archive): keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_document(
    template_name: str,
    context: dict,
    *,
    base_url: str,
    stylesheets: Sequence[str] = (PRINT_CSS,),
    request=None,
):
    """Lay out `template_name` with `context` as a WeasyPrint Document (its `pages` are known), for
    callers that report progress between layout and writing; `.write_pdf()` gives the bytes."""
    from weasyprint import CSS, HTML  # imported late: pango loads only when a PDF is made
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, {**context, "pdf": True}, request=request)
    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
    sheets = []
    for path in stylesheets:
        found = finders.find(path)
        if found is None:
            raise FileNotFoundError(f"static file {path} not found")
        sheets.append(CSS(filename=found, url_fetcher=fetcher))
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(stylesheets=sheets)


def render_pdf(
    template_name: str,
    context: dict,
    *,
    base_url: str,
    stylesheets: Sequence[str] = (PRINT_CSS,),
    request=None,
) -> bytes:
    """Render `template_name` with `context` to PDF bytes.

    `base_url` resolves relative links in the HTML (a directory or file:// URL); `stylesheets` are
    static-file paths applied on top of the page's own styles.
    """
    document = render_document(template_name, context, base_url=base_url, stylesheets=stylesheets, request=request)
    return document.write_pdf()
