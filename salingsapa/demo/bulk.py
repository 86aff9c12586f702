"""Bulk loader for the demo seeder: COPY on PostgreSQL, multi-row INSERT … RETURNING on SQLite.

Values always go through each field's ``get_db_prep_save`` (so encrypted fields are sealed by
core.fields/core.crypto exactly as with the ORM, JSON is adapted as the ORM adapts it).

* PostgreSQL: the primary keys are taken from the table's sequence in one ``nextval`` query, then the
  rows stream in with ``COPY … FROM STDIN`` (psycopg ``cursor.copy``). A multi-row INSERT of 30,000
  parameters spends most of its client time in psycopg splitting the statement at its placeholders
  and most of its server time parsing it; COPY does neither (docs/performance.md, "seed-demo").
* SQLite: one ``INSERT … VALUES (…), (…) RETURNING id`` per chunk of up to 400 rows.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, models, router

# ``bulk_create`` spends most of its time compiling SQL value by value; for a million cases the
# seeder writes rows itself. FAST_INSERT = False falls back to bulk_create (for comparisons).
FAST_INSERT = True
_INSERT_ROWS = 400
_PLAIN_FIELDS = {models.CharField, models.TextField, models.IntegerField, models.BigIntegerField,
                 models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField,
                 models.BooleanField, models.ForeignKey, models.BigAutoField, models.AutoField}
_PLAIN_VALUES = {str, int, bool, type(None)}


def bulk_insert(model: Any, objs: list[Any]) -> None:
    """Insert model instances and set their primary keys (SQLite >= 3.35 and PostgreSQL)."""
    if not objs:
        return
    if not FAST_INSERT:
        model.objects.bulk_create(objs, batch_size=_INSERT_ROWS)
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        _copy(connection, model, objs)
    else:
        _insert_returning(connection, model, objs)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _copy(connection: Any, model: Any, objs: list[Any]) -> None:
    meta = model._meta
    pk = meta.pk
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if getattr(objs[0], pk.attname) is None:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, pk.column, len(objs)])
            for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, new_id)
        fields = list(meta.concrete_fields)
        columns = ", ".join(quote(f.column) for f in fields)
        plain = [type(f) in _PLAIN_FIELDS for f in fields]
        # only quoted model metadata is formatted into the statement; the rows are data
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for obj in objs:
                row = []
                for f, is_plain in zip(fields, plain, strict=True):
                    value = getattr(obj, f.attname)
                    # a plain str/int/bool/None goes to psycopg as is (what get_db_prep_save returns for
                    # it anyway); everything else (sealed text, JSON, dates, enums) through the field
                    row.append(value if is_plain and type(value) in _PLAIN_VALUES
                               else f.get_db_prep_save(value, connection))
                copy.write_row(row)


def _insert_returning(connection: Any, model: Any, objs: list[Any]) -> None:
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
