"""core.downloads.stored_file_response: a stored file as a download, or a 404 when there is none."""

from urllib.parse import quote

import pytest
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import Http404

from assessment.models import ExportJob
from core.downloads import stored_file_response


def stored(tmp_path, name: str) -> FieldFile:
    field = ExportJob._meta.get_field("file")
    file = FieldFile(ExportJob(), field, name)
    file.storage = FileSystemStorage(location=tmp_path)
    return file


def test_a_stored_file_is_an_attachment_under_the_name_given(tmp_path):
    (tmp_path / "yearbook").mkdir()
    (tmp_path / "yearbook" / "2025-1.xlsx").write_bytes(b"workbook")
    response = stored_file_response(stored(tmp_path, "yearbook/2025-1.xlsx"), "2025年度考核表.xlsx")
    assert b"".join(response.streaming_content) == b"workbook"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("2025年度考核表.xlsx") in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["", "yearbook/pruned.xlsx"], ids=["nothing stored", "gone from the disk"])
def test_no_file_is_a_404(tmp_path, name):
    with pytest.raises(Http404):
        stored_file_response(stored(tmp_path, name), "x.xlsx")
