"""Field encryption: AES-256-GCM for values at rest, HMAC-SHA256 "blind indexes" to find them.

One secret, FIELD_ENCRYPTION_KEY (32 random bytes, URL-safe base64), is expanded with HKDF into an
AES-GCM key and an HMAC key, so IT keeps and rotates one value. Every stored value names the key
that wrote it (a short key id), so old values stay readable while FIELD_ENCRYPTION_KEYS_OLD lists
the keys they were written with, and `rotate_encryption_key` can find what still needs rewriting.

A stored value reads `v1:<key id>:<base64 of nonce + ciphertext + tag>`. The field's purpose
("members.Member.id_number") is bound in as associated data, so a value copied into another column
does not decrypt there.

A blind index is HMAC(key, purpose, plain value): equal numbers give equal indexes, so a unique
index and exact lookups work, while the database alone reveals nothing about the number. Lookups
compute the index under every configured key, so they keep working while a rotation is under way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """A stored value that no configured key can read (wrong key, missing old key, or tampering)."""


def decode_key(text: str, variable: str = "FIELD_ENCRYPTION_KEY") -> bytes:
    """The 32 bytes of a key written as URL-safe base64 (what `generate_key` prints)."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{variable} is not URL-safe base64: {exc}") from exc
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{variable} must be {KEY_BYTES} random bytes in URL-safe base64 (44 characters), not {len(raw)} bytes"
        )
    return raw


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class FieldKey:
    kid: str
    aead: AESGCM
    mac_key: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> FieldKey:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=b"star-branch field encryption v1")
        material = hkdf.derive(secret)
        # The id says which key wrote a value; it is derived separately so it reveals nothing of the key.
        kid = hmac.new(secret, b"star-branch key id", hashlib.sha256).hexdigest()[:8]
        return cls(kid=kid, aead=AESGCM(material[:32]), mac_key=material[32:])

    @property
    def prefix(self) -> str:
        return f"{VERSION}:{self.kid}:"

    def blind_index(self, plain: str, purpose: str) -> str:
        # hmac.digest: OpenSSL's one-shot HMAC, several times cheaper than hmac.new for a short value.
        return hmac.digest(self.mac_key, f"{purpose}\0{plain}".encode(), "sha256").hex()


class KeyRing:
    """The current key, which writes, and the old keys, which only read (during a rotation)."""

    def __init__(self, current: bytes, old: tuple[bytes, ...] = ()):
        self.current = FieldKey.from_secret(current)
        self.old = tuple(FieldKey.from_secret(secret) for secret in old)
        self.by_kid = {key.kid: key for key in (*self.old, self.current)}

    @property
    def keys(self) -> tuple[FieldKey, ...]:
        return (self.current, *(key for key in self.old if key.kid != self.current.kid))

    def encrypt(self, plain: str, purpose: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.current.aead.encrypt(nonce, plain.encode(), purpose.encode())
        return self.current.prefix + base64.b64encode(nonce + sealed).decode("ascii")

    def key_of(self, token: str) -> str | None:
        """The key id a stored value was written with; None if it is not an encrypted value."""
        parts = token.split(":", 2)
        if len(parts) != 3 or parts[0] != VERSION:
            return None
        return parts[1]

    def decrypt(self, token: str, purpose: str) -> str:
        kid = self.key_of(token)
        if kid is None:
            raise DecryptionError("not an encrypted value (was the data migration run?)")
        key = self.by_kid.get(kid)
        if key is None:
            raise DecryptionError(
                f"written with key {kid}, which is neither FIELD_ENCRYPTION_KEY nor in FIELD_ENCRYPTION_KEYS_OLD"
            )
        try:
            blob = base64.b64decode(token[len(key.prefix) :], validate=True)
            return key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], purpose.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise DecryptionError(f"value written with key {kid} does not decrypt: altered or misplaced") from exc

    def blind_index(self, plain: str, purpose: str) -> str:
        return self.current.blind_index(plain, purpose)

    def blind_indexes(self, plain: str, purpose: str) -> list[str]:
        """The value's index under every configured key: what a lookup must match during a rotation."""
        return [key.blind_index(plain, purpose) for key in self.keys]


@lru_cache(maxsize=4)
def _keyring(current: str, old: tuple[str, ...]) -> KeyRing:
    return KeyRing(
        decode_key(current),
        tuple(decode_key(text, "FIELD_ENCRYPTION_KEYS_OLD") for text in old),
    )


def keyring() -> KeyRing:
    """The keys of the current settings (cached; a test that overrides the settings gets its own)."""
    current = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if not current:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set")
    return _keyring(current, tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS_OLD", ())))
