"""ORM-enabled UPDATE / DELETE statements on inheriting classes.

Design
------
``update(Manager)`` / ``delete(Manager)`` / ``query(Manager).update()`` on a single-table
subclass run against the shared table with the subclass's ``type IN (...)`` criteria added.

A joined-table subclass's rows span several tables, and UPDATE/DELETE over a join is not
portable (SQLite and PostgreSQL cannot set or delete through it). So the statement becomes:

1. ``SELECT key FROM <subclass join> WHERE <criteria>``: the keys of the matched rows;
2. per table holding a changed column (UPDATE), or per table of the subclass, child tables
   first (DELETE): ``UPDATE/DELETE table ... WHERE key IN (...)`` in chunks of 500 keys.

The result's ``rowcount`` is the number of matched rows. Loaded objects with those keys are
then brought in step as for a one-table statement (values set, SQL expressions expired,
deleted objects leave the session), whatever ``synchronize_session`` asks, except False.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.session import Session

_CHUNK = 500


def dml_mapper(stmt: Any) -> Mapper | None:
    """The mapper an UPDATE/DELETE/INSERT was built from (``update(Model)``), else None."""
    entity = stmt._entity
    if entity is None:
        return None
    mapper = getattr(entity, "__mapper__", None)
    if mapper is None:
        mapper = getattr(entity, "_aliased_mapper", None)
    return mapper


def single_table_statement(mapper: Mapper, stmt: Any) -> Any:
    """``update(Manager)`` on a single-table subclass: + ``type IN (...)``."""
    crit = mapper._single_criteria
    if crit is None or stmt.__visit_name__ == "insert" or any(w is crit for w in stmt._where):
        return stmt
    return stmt.where(crit)


def execute_joined(session: Session, mapper: Mapper, stmt: Any, params: Any, sync: Any
                   ) -> Any:
    """Run an UPDATE/DELETE of a joined-table subclass (see the module docstring)."""
    from athanor.orm.context import _apply_sync, _tuples
    from athanor.orm.result import BulkInsertResult
    from athanor.sql import select

    kind = stmt.__visit_name__
    name = mapper.class_.__name__
    if stmt._returning:
        raise exc.InvalidRequestError(
            f"{kind.upper()} of {name} failed: RETURNING is not supported for a joined-table "
            f"subclass, whose rows span several tables. Select the rows first, or run the "
            f"statement against one of its tables."
        )
    if isinstance(params, list):
        raise exc.InvalidRequestError(
            f"{kind.upper()} of {name} failed: executemany parameters are not supported for "
            f"a joined-table subclass. Pass one parameter dict, or use values()."
        )
    conn = session._connection()
    pk = list(mapper.primary_key)
    found = select(*pk).select_from(mapper._from_clause)
    if stmt._where:
        found = found.where(*stmt._where)
    keys = [tuple(r) for r in _tuples(conn.execute(found, params))]
    if keys:
        for table, cols, values in _per_table(mapper, stmt, kind):
            for start in range(0, len(keys), _CHUNK):
                conn.execute(_table_statement(kind, table, cols, values,
                                              keys[start:start + _CHUNK]), params)
    if sync is not False and sync is not None:
        targets = _loaded(session, mapper, keys)
        if targets:
            _apply_sync(session, mapper, stmt, targets)
    return BulkInsertResult(len(keys))


def _per_table(mapper: Mapper, stmt: Any, kind: str) -> list[tuple[Any, list[Any], Any]]:
    """(table, its key columns, its SET pairs) for each table the statement writes."""
    out = []
    tables = mapper._write_tables if kind == "update" else list(reversed(mapper._write_tables))
    for table in tables:
        cols = [_table_key(mapper, table, c) for c in mapper.primary_key]
        if kind == "update":
            values = {c: v for c, v in stmt._values or () if c.table is table}
            if not values:
                continue
        else:
            values = None
        out.append((table, cols, values))
    return out


def _table_key(mapper: Mapper, table: Any, pk_col: Any) -> Any:
    """The column of ``table`` that holds the mapper's key column ``pk_col``."""
    prop = mapper._props[mapper._col_to_key[pk_col]]
    for col in prop.columns:  # type: ignore[attr-defined]
        if col.table is table:
            return col
    raise exc.InvalidRequestError(
        f"Writing {mapper.class_.__name__} failed: table {table.name!r} has no column for "
        f"the key {pk_col.name!r}. Map the table's key column to the same attribute."
    )


def _table_statement(kind: str, table: Any, cols: list[Any], values: Any,
                     keys: list[tuple[Any, ...]]) -> Any:
    from athanor.orm.strategies import _in_clause
    from athanor.sql import delete, update

    where = _in_clause(cols, keys)
    if kind == "update":
        return update(table).values({c: v for c, v in values.items()}).where(where)
    return delete(table).where(where)


def _loaded(session: Session, mapper: Mapper, keys: list[tuple[Any, ...]]) -> list[Any]:
    imap = session._identity_map._maps.get(mapper.base_mapper)
    if not imap:
        return []
    out = []
    for k in keys:
        st = imap.get(k if mapper._pk_composite else k[0])
        obj = st() if st is not None else None
        if obj is not None and isinstance(obj, mapper.class_):
            out.append(obj)
    return out
