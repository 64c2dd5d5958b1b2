"""Files kept aside while the meeting form comes back with an error: only for who chose them, for a
day, and swept away when abandoned."""

import os
import time

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import pending_uploads

from .test_attachments import JPEG


def test_kept_files_are_claimed_by_their_owner_only(org):
    kept = pending_uploads.keep(SimpleUploadedFile("会场.jpg", JPEG), user=org.secretary)
    assert kept.name == "会场.jpg" and kept.size == len(JPEG) and default_storage.exists(kept.path)
    assert "会场" not in kept.path  # a random name on disk
    assert pending_uploads.claim([kept.token], user=org.general_secretary) == []
    tampered = kept.token[:-2] + ("AA" if not kept.token.endswith("AA") else "BB")
    assert pending_uploads.claim([tampered, "rubbish"], user=org.secretary) == []
    (claimed,) = pending_uploads.claim([kept.token, kept.token], user=org.secretary)
    with claimed.open() as upload:
        assert upload.name == "会场.jpg" and upload.read() == JPEG
    pending_uploads.discard([claimed])
    assert not default_storage.exists(kept.path)
    assert pending_uploads.claim([kept.token], user=org.secretary) == []


def test_files_left_behind_are_swept_after_a_day(org):
    old = pending_uploads.keep(SimpleUploadedFile("旧.jpg", JPEG), user=org.secretary)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(old.path), (two_days_ago, two_days_ago))
    new = pending_uploads.keep(SimpleUploadedFile("新.jpg", JPEG), user=org.secretary)
    assert not default_storage.exists(old.path) and default_storage.exists(new.path)
    pending_uploads.discard([new])
