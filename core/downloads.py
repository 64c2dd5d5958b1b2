"""A stored file (a FileField's value) handed to the user as a download.

Every such view first fetches its object through the user's scope and decides whether it may be
downloaded yet (a job not done is a 404); what is left is the same everywhere: an empty field, or a
file gone from the disk (pruned with its job, or a database restored without its media), is a 404
rather than a 500.
"""

from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest


def stored_file_response(
    file: File, filename: str, *, content_type: str | None = None, as_attachment: bool = True
) -> FileResponse:
    """`file` as an attachment named `filename`; a 404 when nothing is stored or the file is gone."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)


def evidence_response(request: HttpRequest, upload) -> FileResponse:
    """An uploaded piece of evidence (a meeting's attachment, a recruit's document): a photo, or a PDF
    asked for with ?inline=1, opens in the browser; anything else downloads. Never sniffed as another
    type (the content type is the one checked at upload), never kept by a shared cache."""
    inline = upload.is_image or (request.GET.get("inline") == "1" and upload.content_type == "application/pdf")
    response = stored_file_response(
        upload.file, upload.original_name, content_type=upload.content_type, as_attachment=not inline
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response
