"""Encrypted model fields. Values are sealed by ``core.crypto`` before they reach the database.

The purpose bound into each ciphertext is ``<app_label>.<model>.<field>`` unless given, so a
value copied into another column will not decrypt; a field declared on an abstract base takes the
name of each concrete model that inherits it. Encrypted fields cannot be filtered on;
use a blind-index column next to them for exact-match lookups.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from salingsapa.core import crypto


class EncryptedMixin:
    purpose: str | None

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)  # type: ignore[misc]
        # On an abstract base the purpose stays open: each concrete model gets its own copy of the field,
        # bound to its own name (a value copied from one of them into another will not decrypt).
        if not getattr(self, "purpose", None) and not cls._meta.abstract:
            self.purpose = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def _purpose(self) -> str:
        assert self.purpose
        return self.purpose


class EncryptedTextField(EncryptedMixin, models.TextField):  # type: ignore[type-arg]
    """Text sealed with AES-GCM. Empty strings and None are stored as they are."""

    description = "Encrypted text"

    def __init__(self, *args: Any, purpose: str | None = None, **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.seal(str(value), purpose=self._purpose())

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.unseal(value, purpose=self._purpose())

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError(f"encrypted field {self.name!r} cannot be searched with {lookup_name!r}; use a blind index")
        return super().get_lookup(lookup_name)


class EncryptedJSONField(EncryptedTextField):
    """A JSON document sealed as one value (e.g. assessment answers)."""

    description = "Encrypted JSON"

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        # Seal the JSON text directly: TextField.get_prep_value would run to_python() and parse it back.
        return crypto.seal(json.dumps(value, ensure_ascii=False, sort_keys=True), purpose=self._purpose())

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        if text is None or text == "":
            return None
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
