import base64

import pytest

from security.crypto import generate_key


@pytest.fixture
def new_key():
    return generate_key()


def fixed_key(text: str) -> str:
    """A readable 32-byte test key."""
    return base64.urlsafe_b64encode(text.encode().ljust(32, b"-")[:32]).decode()
