"""Bulk loader for the demo seeder: one multi-row INSERT per chunk, primary keys by RETURNING."""

from __future__ import annotations

from typing import Any

from django.db import connections, router

# ``bulk_create`` spends most of its time compiling SQL value by value; for a million cases the
# seeder builds one multi-row INSERT per chunk itself. Values still go through each field's
# ``get_db_prep_save`` (so encrypted fields are sealed by core.fields/core.crypto exactly as with
# the ORM), and primary keys come back with RETURNING, in row order, as bulk_create relies on.
FAST_INSERT = True
_INSERT_ROWS = 400


def bulk_insert(model: Any, objs: list[Any]) -> None:
    """Insert model instances and set their primary keys (SQLite >= 3.35 and PostgreSQL)."""
    if not objs:
        return
    if not FAST_INSERT:
        model.objects.bulk_create(objs, batch_size=_INSERT_ROWS)
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk or getattr(objs[0], pk.attname) is not None]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_query = max(1, min(_INSERT_ROWS, 30000 // len(fields)))
    for start in range(0, len(objs), per_query):
        chunk = objs[start:start + per_query]
        params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in fields]
        # only quoted model metadata is formatted into the statement; every value is a parameter
        sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(chunk))} "  # noqa: S608
               f"RETURNING {quote(pk.column)}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = sorted(r[0] for r in cursor.fetchall())  # ids are given in row order; output order is not promised
        for obj, new_id in zip(chunk, ids, strict=True):
            setattr(obj, pk.attname, new_id)
            obj._state.adding = False
            obj._state.db = connection.alias
