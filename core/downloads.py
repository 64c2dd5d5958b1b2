"""A stored file (a FileField's value) handed to the user as a download.

Every such view first fetches its object through the user's scope and decides whether it may be
downloaded yet (a job not done is a 404); what is left is the same everywhere: an empty field, or a
file gone from the disk (pruned with its job, or a database restored without its media), is a 404
rather than a 500.
"""

from django.core.files import File
from django.http import FileResponse, Http404


def stored_file_response(file: File, filename: str) -> FileResponse:
    """`file` as an attachment named `filename`; a 404 when nothing is stored or the file is gone."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=filename)
