"""What a printed meeting record shows, read for one record or a whole year in three queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from ..models import Attachment, Attendance, Meeting


@dataclass(frozen=True)
class Photo:
    name: str
    src: str  # a scoped URL for the browser, a file:// URL for WeasyPrint


@dataclass
class PrintedRecord:
    meeting: Meeting
    attendance: list[Attendance]
    photos: list[Photo] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # attachments that are not images: listed by name

    @property
    def anchor(self) -> str:
        return f"record-{self.meeting.pk}"


def _photo_src(attachment: Attachment, for_pdf: bool) -> str | None:
    if not for_pdf:
        return reverse("activities:attachment", args=[attachment.pk])
    try:
        path = Path(attachment.file.path)
    except NotImplementedError:  # a storage without local files: the photo is listed by name instead
        return None
    return path.as_uri() if path.exists() else None


def printed_records(meetings: QuerySet[Meeting], *, for_pdf: bool) -> list[PrintedRecord]:
    """The records of `meetings` (already scoped by the caller) in date order, with their sign-in
    list (by name) and attachments. Three queries, whatever the number of records."""
    attendance = Attendance.objects.select_related("member").order_by("member__name", "member_id")
    rows = (
        meetings.select_related("unit", "branch")
        .prefetch_related(
            Prefetch("attendance", queryset=attendance, to_attr="sign_in"),
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk"), to_attr="files"),
        )
        .order_by("held_at", "pk")
    )
    records = []
    for meeting in rows:
        record = PrintedRecord(meeting, meeting.sign_in)
        for attachment in meeting.files:
            src = _photo_src(attachment, for_pdf) if attachment.is_image else None
            if src:
                record.photos.append(Photo(attachment.original_name, src))
            else:
                record.files.append(attachment.original_name)
        records.append(record)
    return records
