"""The optional filters of a list page: a form's empty choice means "any", so only given values filter."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def filter_given(qs: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """``qs`` filtered on each lookup that has a value; a lookup whose value is ``None`` or ``""`` is left out.

    The lookups are applied in one ``filter()``: use it for single-valued fields (a column, a foreign key
    forward), where that is the same as chaining them; a lookup across a to-many relation needs its own call."""
    given = {lookup: value for lookup, value in lookups.items() if value is not None and value != ""}
    return qs.filter(**given) if given else qs


def place_lookups(*, kelurahan: Any, kecamatan: Any, field: str = "kelurahan") -> dict[str, Any]:
    """The lookups for a place chosen as a kelurahan or a kecamatan (the kelurahan wins when both are given):
    ``{field}_id`` for the kelurahan, else ``{field}__parent_id`` for every kelurahan of the kecamatan.
    Meant for :func:`filter_given`: a place not chosen gives a lookup it leaves out."""
    if kelurahan not in (None, ""):
        return {f"{field}_id": kelurahan}
    return {f"{field}__parent_id": kecamatan}
