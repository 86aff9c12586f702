"""Bulk loader for the demo seeder: COPY on PostgreSQL, multi-row INSERT … RETURNING on SQLite.

Rows are model instances built by :func:`new` (what ``Model(**values)`` builds, without ``Model.__init__``'s
per-field work). Every value reaches the database as its field's ``get_db_prep_save`` would give it: on
SQLite through that method; on PostgreSQL a value that is already in that form (a plain str/int/bool/None,
an aware datetime, a date) goes as it is, sealed text is sealed with the field's purpose by
``core.crypto.sealer`` (what ``EncryptedTextField.get_prep_value`` does), everything else through the field.

* PostgreSQL: the primary keys are taken from the table's sequence in one ``nextval`` query, then the
  rows stream in with ``COPY … FROM STDIN (FORMAT BINARY)`` (psycopg ``cursor.copy``). A multi-row INSERT of 30,000
  parameters spends most of its client time in psycopg splitting the statement at its placeholders
  and most of its server time parsing it; COPY does neither (docs/performance.md, "seed-demo").
  Each load transaction may skip PostgreSQL's per-row foreign-key triggers (:func:`load_session`); the
  loader's caller then checks every foreign key once with :func:`check_references`.
* SQLite: one ``INSERT … VALUES (…), (…) RETURNING id`` per chunk of up to 400 rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, models, router
from django.db.models import signals
from django.db.models.base import ModelState

from salingsapa.core import crypto
from salingsapa.core.fields import EncryptedTextField

# ``bulk_create`` spends most of its time compiling SQL value by value; for a million cases the
# seeder writes rows itself. FAST_INSERT = False falls back to bulk_create (for comparisons).
FAST_INSERT = True
_INSERT_ROWS = 400
COPY_BINARY = True  # binary COPY: no text formatting of dates and numbers on the client, no parsing on the server
_COLUMN_TYPES: dict[str, dict[str, int]] = {}  # table -> column -> type OID (binary COPY needs them)
_PLAIN_FIELDS = {models.CharField, models.TextField, models.IntegerField, models.BigIntegerField,
                 models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField,
                 models.BooleanField, models.ForeignKey, models.BigAutoField, models.AutoField}
_PLAIN_VALUES = {str, int, bool, type(None)}


_Spec = tuple[dict[str, tuple[str, str | None]], dict[str, Any], list[tuple[str, Callable[[], Any]]], bool]
_SPECS: dict[type, _Spec] = {}


def _spec(model: Any) -> _Spec:
    """Per model: keyword -> (attname, the related model's attname it holds, for a related object), the fixed defaults, the callable defaults, and whether
    something listens to its ``pre_init``/``post_init`` (then :func:`new` calls the model as usual)."""
    names: dict[str, tuple[str, str | None]] = {}
    static: dict[str, Any] = {}
    dynamic: list[tuple[str, Callable[[], Any]]] = []
    for f in model._meta.concrete_fields:
        names[f.attname] = (f.attname, None)
        if f.is_relation:
            names[f.name] = (f.attname, f.target_field.attname)
        if f.has_default() and callable(f.default):
            dynamic.append((f.attname, f.default))
        else:
            static[f.attname] = f.get_default()
    listened = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    _SPECS[model] = names, static, dynamic, listened
    return _SPECS[model]


def new(model: Any, **values: Any) -> Any:
    """A model instance as ``model(**values)`` builds it for saving (defaults filled in, a related object
    given by name sets its ``<name>_id`` and is cached), without ``Model.__init__``'s per-field work: that
    was the largest client cost of seeding (docs/performance.md, "seed-demo at scale"). Only concrete
    fields (an unknown keyword raises ``TypeError`` as the model does)."""
    names, static, dynamic, listened = _SPECS.get(model) or _spec(model)
    if listened:
        return model(**values)
    obj = model.__new__(model)
    data = obj.__dict__
    data.update(static)
    for attname, default in dynamic:
        data[attname] = default()
    state = data["_state"] = ModelState()
    for key, value in values.items():
        try:
            attname, target = names[key]
        except KeyError:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {key!r}") from None
        if target is not None and attname != key:
            data[attname] = None if value is None else getattr(value, target)
            state.fields_cache[key] = value
        else:
            data[attname] = value
    return obj


# Skip the per-row foreign-key triggers during the load and check every reference once afterwards
# (check_references). False keeps PostgreSQL's triggers (for comparisons).
DEFER_REFERENCE_CHECKS = True


@contextmanager
def load_session(connection: Any) -> Iterator[bool]:
    """Around the writes of one bulk-load transaction on PostgreSQL (``SET LOCAL``, reset on the way out):

    * ``synchronous_commit = off``: do not wait for the commit to reach the disk. Safe for generated demo
      data: a crash can lose the last few committed batches, never corrupt the database or half-write one.
    * ``session_replication_role = replica`` when the database user may set it (a superuser): PostgreSQL's
      per-row triggers do not fire — the foreign-key checks (45 % of the server's CPU per case), and any
      other ordinary trigger, e.g. the audit log's append-only guard (the loaded tables have none). The
      caller must run :func:`check_references` after the load.

    Both are set back (``TO DEFAULT``) when the block ends, so they never outlive the load's own writes,
    even when the load runs inside an outer transaction (a ``SET LOCAL`` alone would last until the
    outermost one ends); a failed or interrupted load is rolled back with its settings.

    Yields whether the reference checks were deferred (the caller then owes :func:`check_references`)."""
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        deferred = False
        if DEFER_REFERENCE_CHECKS:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
                deferred = True
    yield deferred
    # On an error the transaction (or the savepoint, inside an outer one) is rolled back, which undoes the
    # SET LOCALs; on success they are set back here, before anything else the transaction may still do.
    with connection.cursor() as cursor:
        if deferred:
            cursor.execute("SET LOCAL session_replication_role TO DEFAULT")
        cursor.execute("SET LOCAL synchronous_commit TO DEFAULT")


class DanglingReference(Exception):
    """A bulk-loaded row refers to a row that does not exist (the load is wrong)."""


def check_references(models_: list[Any], using: str = "default") -> int:
    """Every foreign key of ``models_`` (their database constraints): one set-based anti-join per key
    instead of PostgreSQL's per-row trigger. Raises :class:`DanglingReference`; returns the keys checked."""
    connection = connections[using]
    quote = connection.ops.quote_name
    checked = 0
    with connection.cursor() as cursor:
        for model in models_:
            for f in model._meta.concrete_fields:
                if not (f.is_relation and f.many_to_one and f.db_constraint):
                    continue
                child, column = quote(model._meta.db_table), quote(f.column)
                parent, target = quote(f.related_model._meta.db_table), quote(f.target_field.column)
                # only quoted model metadata is formatted into the statement
                cursor.execute(f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                               f"(SELECT 1 FROM {parent} p WHERE p.{target} = c.{column})")
                missing = cursor.fetchone()[0]
                if missing:
                    raise DanglingReference(f"{model._meta.label}.{f.name}: {missing} rows refer to missing rows")
                checked += 1
    return checked


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
        attnames = [f.attname for f in fields]
        kinds = [_kind(f) for f in fields]
        prep = [f.get_db_prep_save for f in fields]
        # a value that is already what get_db_prep_save would return for it on PostgreSQL goes as it is
        plain = [(i, prep[i]) for i, k in enumerate(kinds) if k == "plain"]
        moments = [(i, prep[i]) for i, k in enumerate(kinds) if k == "datetime"]
        days = [(i, prep[i]) for i, k in enumerate(kinds) if k == "date"]
        # sealed exactly as EncryptedTextField.get_prep_value seals a str: the field's purpose, newest key
        sealed = [(i, prep[i], crypto.sealer(f._purpose())) for i, f in enumerate(fields) if kinds[i] == "sealed"]
        other = [(i, prep[i]) for i, k in enumerate(kinds) if k == "other"]
        plain_values, datetime_type, date_type = _PLAIN_VALUES, dt.datetime, dt.date
        # only quoted model metadata is formatted into the statement; the rows are data
        binary = COPY_BINARY
        fmt = " (FORMAT BINARY)" if binary else ""
        if binary and meta.db_table not in _COLUMN_TYPES:
            cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                           [quote(meta.db_table)])
            _COLUMN_TYPES[meta.db_table] = dict(cursor.fetchall())
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN{fmt}") as copy:  # noqa: S608
            if binary:
                copy.set_types([_COLUMN_TYPES[meta.db_table][f.column] for f in fields])
            write = copy.write_row
            for obj in objs:
                data = obj.__dict__
                row = [data[a] for a in attnames]
                for i, to_db in plain:
                    if type(row[i]) not in plain_values:
                        row[i] = to_db(row[i], connection)
                for i, to_db in moments:
                    value = row[i]
                    if value is not None and (type(value) is not datetime_type or value.tzinfo is None):
                        row[i] = to_db(value, connection)
                for i, to_db in days:
                    if row[i] is not None and type(row[i]) is not date_type:
                        row[i] = to_db(row[i], connection)
                for i, to_db, seal in sealed:
                    value = row[i]
                    if type(value) is str:
                        if value:
                            row[i] = seal(value)
                    elif value is not None:
                        row[i] = to_db(value, connection)
                for i, to_db in other:
                    row[i] = to_db(row[i], connection)
                write(row)


def _kind(field: Any) -> str:
    if type(field) is EncryptedTextField:
        return "sealed"
    if type(field) in _PLAIN_FIELDS:
        return "plain"
    if type(field) is models.DateTimeField:  # PostgreSQL takes an aware datetime as it is
        return "datetime"
    if type(field) is models.DateField:
        return "date"
    return "other"


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
