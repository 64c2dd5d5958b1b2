"""Meeting records as PDF (through core.pdf, WeasyPrint): one record, or a branch's year archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from branches.models import OrgUnit
from core import pdf
from core.periods import QUARTERS

from .. import compliance, selectors
from ..models import Meeting
from .records import PrintedRecord, printed_records

RECORD_TEMPLATE = "activities/archive/record_print.html"
ARCHIVE_TEMPLATE = "activities/archive/year_archive.html"


def base_url() -> str:
    return str(settings.BASE_DIR / "static") + "/"


def record_pdf(record: PrintedRecord, *, today: date | None = None) -> bytes:
    context = {"record": record, "printed_on": today or timezone.localdate()}
    return pdf.render_pdf(RECORD_TEMPLATE, context, base_url=base_url())


@dataclass(frozen=True)
class QuarterLine:
    quarter: int
    line: selectors.ComplianceLine


def archive_context(branch: OrgUnit, year: int, *, today: date | None = None) -> dict:
    """Everything the year archive shows: the branch's submitted records of the year in date order
    (its groups' included) and the compliance table of the four quarters."""
    today = today or timezone.localdate()
    meetings = Meeting.objects.submitted().filter(branch=branch, held_on__year=year)
    records = printed_records(meetings, for_pdf=True)
    quarters = [QuarterLine(q, selectors.compliance_table([branch], year, q, today)[0]) for q in QUARTERS]
    return {
        "branch": branch,
        "parent": OrgUnit.objects.get_parent(branch),
        "year": year,
        "records": records,
        "quarters": quarters,
        "requirements": compliance.REQUIREMENTS,
        "printed_on": today,
    }


def archive_document(context: dict):
    """The laid-out year archive (a WeasyPrint Document: `len(doc.pages)`, `doc.write_pdf()`)."""
    return pdf.render_document(ARCHIVE_TEMPLATE, context, base_url=base_url())
