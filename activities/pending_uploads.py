"""Files chosen on the meeting form that passed their checks while something else on the form did not.

A browser cannot put a chosen file back into a file input, so a secretary who attached three photos
and then mistyped the date would have to choose them again. Instead the files are kept aside under
MEDIA_ROOT/pending/ with a random name, and the redrawn form carries a signed token for each (who may
claim it, where it is, what it was called). Saving the form claims them like fresh uploads, so they pass
the same checks again. Tokens expire after a day; files left behind (a form abandoned after an error)
are swept when another file is kept aside.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "pending"
SALT = "activities.pending-upload"
MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class PendingUpload:
    token: str
    name: str
    size: int
    path: str

    def open(self) -> File:
        """The file, as an upload named as the user's file was."""
        return File(default_storage.open(self.path, "rb"), name=self.name)


def keep(upload, *, user) -> PendingUpload:
    """Put a checked upload aside for `user` and return its token."""
    _sweep()
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    suffix = PurePosixPath(name).suffix.lower()[:8]
    upload.seek(0)
    path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}{suffix}", upload)
    token = signing.dumps({"p": path, "n": name, "s": upload.size, "u": user.pk}, salt=SALT)
    return PendingUpload(token=token, name=name, size=upload.size, path=path)


def claim(tokens: list[str], *, user) -> list[PendingUpload]:
    """The files behind `tokens` that `user` put aside and that are still there; others are ignored."""
    found, seen = [], set()
    for token in tokens:
        try:
            data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            continue
        path = data.get("p", "")
        if data.get("u") != user.pk or path in seen or not path.startswith(f"{FOLDER}/"):
            continue
        if default_storage.exists(path):
            seen.add(path)
            found.append(PendingUpload(token=token, name=data["n"], size=data["s"], path=path))
    return found


def discard(pending: list[PendingUpload]) -> None:
    """Remove files once they are stored with their record."""
    for upload in pending:
        default_storage.delete(upload.path)


def _sweep() -> None:
    try:
        _folders, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    stale = timezone.now() - MAX_AGE
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < stale:
                default_storage.delete(path)
        except FileNotFoundError:
            continue  # removed meanwhile by another request
