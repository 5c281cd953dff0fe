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


def execute_joined_dml(session: Session, mapper: Mapper, stmt: Any, params: Any,
                       options: dict[str, Any] | None) -> Any:
    """An INSERT/UPDATE/DELETE of a joined-table subclass (see the module docstring)."""
    from athanor.orm.result import BulkInsertResult

    session._autoflush()
    kind = stmt.__visit_name__
    many = isinstance(params, list)
    if kind == "insert" and many and stmt._values is None and not stmt._returning:
        return bulk_insert_joined(session, mapper, params)
    if kind == "update" and many and not stmt._where and stmt._values is None:
        bulk_update_joined(session, mapper, params)
        from athanor.orm.context import bulk_sync

        bulk_sync(session, mapper, params)
        return BulkInsertResult(len(params))
    if kind == "insert":
        raise exc.InvalidRequestError(
            f"INSERT of {mapper.class_.__name__} failed: a joined-table subclass is inserted "
            f"from a list of parameter dicts (one per row), without values() or RETURNING; "
            f"or add the objects to the session."
        )
    return execute_joined(session, mapper, stmt, params,
                          (options or {}).get("synchronize_session", "auto"))


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


# --------------------------------------------------------------------------------------
# ORM bulk statements with a list of dicts (by primary key / new rows)


def bulk_update_joined(session: Session, mapper: Mapper, mappings: list[dict[str, Any]]
                       ) -> None:
    """``execute(update(JoinedSubclass), [{"id": 1, "name": ..., "sub": ...}, ...])``: per
    table, one executemany per set of changed attributes, by primary key."""
    from athanor.orm.context import _column_params
    from athanor.orm.persistence import update_stmt, write_info

    for m in mappings:
        missing = [k for k in mapper._pk_keys if k not in m]
        if missing:
            raise exc.InvalidRequestError(
                f"UPDATE of {mapper.class_.__name__} failed: a parameter dict lacks the "
                f"primary key attribute {missing[0]!r}. Each dict needs "
                f"{', '.join(mapper._pk_keys)} plus the attributes to change."
            )
        _column_params(mapper, m)  # raises naming an unknown key
    conn = session._connection()
    for table in mapper._write_tables:
        info = write_info(mapper, table)
        own = {cw.key for cw in info.columns if not cw.is_pk}
        groups: dict[frozenset[str], list[dict[str, Any]]] = {}
        for m in mappings:
            keys = frozenset(k for k in m if k in own)
            if keys:
                params = {info.set_names[k]: m[k] for k in keys}
                for w, name in zip(info.pk_writes, info.pk_names, strict=True):
                    params[name] = m[w.key]
                groups.setdefault(keys, []).append(params)
        for keys, plist in groups.items():
            conn.execute(update_stmt(info, keys), plist)


def bulk_insert_joined(session: Session, mapper: Mapper, rows: list[dict[str, Any]]) -> Any:
    """``execute(insert(JoinedSubclass), [{...}, ...])``: each row into every table of the
    subclass, base table first (its generated key is copied to the child rows)."""
    from athanor.orm.context import _column_params
    from athanor.orm.persistence import write_info
    from athanor.orm.result import BulkInsertResult
    from athanor.sql import insert

    conn = session._connection()
    poly = mapper._polymorphic_key  # type: ignore[attr-defined]
    tables = mapper._write_tables
    for row in rows:
        _column_params(mapper, row)  # raises naming an unknown key
        values = dict(row)
        if poly is not None and poly not in values and mapper.polymorphic_identity is not None:
            values[poly] = mapper.polymorphic_identity
        for i, table in enumerate(tables):
            info = write_info(mapper, table)
            params = {cw.column.key: values[cw.key] for cw in info.columns if cw.key in values}
            result = conn.execute(insert(table), params)
            if i == 0:
                for key, value in zip(mapper._pk_keys, result.inserted_primary_key or (),
                                      strict=False):
                    values.setdefault(key, value)
    return BulkInsertResult(len(rows))
