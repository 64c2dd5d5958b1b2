"""Model fields for values kept encrypted at rest (security.crypto), transparent to the code above.

`EncryptedCharField` reads and writes the plain value in Python (forms, exports, masks and rules see
the number) and stores it AES-GCM encrypted. The database cannot compare encrypted values, so it
refuses every lookup but `isnull`; exact matches and uniqueness go through a `BlindIndexField` beside
it, the keyed hash of the same value, which the model computes from the plain value whenever it is
read (so it can never disagree with it) and which carries the unique index.

    id_number = EncryptedCharField(_("身份证号"), max_length=18, purpose="members.Member.id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True, null=True)

Look values up with `Model.id_number_hash` values from `blind_indexes(...)` (members.selectors does).
"""

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Lookup
from django.db.models.query_utils import DeferredAttribute

from .crypto import keyring


class EncryptedCharField(models.CharField):
    """A short text stored encrypted; `max_length` is the plain value's, the column is unbounded text."""

    def __init__(self, *args, purpose: str, **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def get_internal_type(self):
        # The column holds the token (about 80 characters), whatever the plain value's length.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return keyring().decrypt(value, self.purpose)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return keyring().encrypt(value, self.purpose)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        field = self

        class Refused(Lookup):
            lookup_name = "refused"

            def __init__(self, lhs, rhs):
                raise FieldError(
                    f"{field.model.__name__}.{field.name} is stored encrypted and cannot be compared in the "
                    f"database ({lookup_name}); match its blind index instead (members.selectors.members_by_id_numbers)"
                )

        return Refused

    def get_transform(self, lookup_name):
        return None


class BlindIndexDescriptor(DeferredAttribute):
    """Reads the index from the plain value: stale stored values (a changed number) never leak out."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        return self.field.index_of(getattr(instance, self.field.source))

    def __set__(self, instance, value):
        # Kept so Django sees the field as loaded (not deferred); reads recompute it all the same.
        instance.__dict__[self.field.attname] = value


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of another (encrypted) field's plain value, under the current key: 64 hex digits."""

    descriptor_class = BlindIndexDescriptor

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        return self.model._meta.get_field(self.source).purpose

    def index_of(self, plain: str | None) -> str | None:
        if plain is None or plain == "":
            return None
        return keyring().blind_index(plain, self.purpose)

    def indexes_of(self, plain: str) -> list[str]:
        """What a lookup of `plain` must match: its index under every configured key."""
        return keyring().blind_indexes(plain, self.purpose)
