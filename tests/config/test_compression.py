"""Pages are compressed by the app (GZipMiddleware; docs/deployment.md says the proxy must not)."""

import gzip

import pytest


@pytest.mark.django_db
def test_pages_are_gzipped_for_browsers_that_accept_it(org, login):
    client = login(org.committee_user)
    plain = client.get("/org/")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    packed = client.get("/org/", headers={"accept-encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert org.general.name in html
    assert len(packed.content) < len(plain.content)
