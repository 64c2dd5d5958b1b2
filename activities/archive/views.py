"""Meeting records on paper: one record's print view and PDF; the year archive's jobs and downloads.

Records are read through Meeting.objects.visible_to (outsiders get 404); archive jobs through
ArchiveJob.objects.visible_to (the branch's managers and the committee).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from ..models import Meeting
from . import document
from .records import PrintedRecord, printed_records


def _record(request, pk: int, *, for_pdf: bool) -> PrintedRecord:
    records = printed_records(Meeting.objects.visible_to(request.user).filter(pk=pk), for_pdf=for_pdf)
    if not records:
        raise Http404
    return records[0]


@login_required
def record_print(request, pk: int):
    """One record on A4 (the browser's print dialog uses the page's print CSS)."""
    record = _record(request, pk, for_pdf=False)
    return render(request, document.RECORD_TEMPLATE, {"record": record, "printed_on": timezone.localdate()})


@login_required
def record_pdf(request, pk: int):
    record = _record(request, pk, for_pdf=True)
    response = HttpResponse(document.record_pdf(record), content_type="application/pdf")
    m = record.meeting
    filename = _("%(date)s%(kind)s记录.pdf") % {"date": f"{m.held_on:%Y%m%d}", "kind": m.get_kind_display()}
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, max-age=0"
    return response
