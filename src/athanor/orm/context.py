"""ORM statement execution: entities in SELECTs, ORM-enabled INSERT/UPDATE/DELETE.

Design
------
Core statements keep the objects they were built from (``Select._raw_entities``), so the
ORM recognises ``select(User, Address.email)`` without a separate statement type: mapped
classes become entity loaders (:func:`athanor.orm.loading.instance_loader`) over their
columns' row positions; other elements pass through as plain values. The load plan for a
statement shape is cached on the statement object's structure.

``update(User)`` / ``delete(User)`` executed by a Session keep objects already loaded in
step (``synchronize_session``: ``'auto'``/``'evaluate'`` evaluate the WHERE clause in
Python over the identity map, ``'fetch'`` selects the affected keys first, ``False`` does
nothing). ``session.execute(insert(User), [dicts])`` is a bulk executemany keyed by
attribute names.

The functions here do the I/O through ``session._connection()``; their planning halves
(:func:`entity_layout`, :func:`_sync_targets`) are pure for reuse by an async session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm._bundle import Bundle, BundleLoad
from athanor.orm.attributes import InstrumentedAttribute
from athanor.orm.loading import expire_state, instance_loader
from athanor.orm.persistence import select_by_pk_stmt
from athanor.orm.result import BulkInsertResult, ORMResult
from athanor.orm.state import STATE_KEY
from athanor.sql._select import Select, select
from athanor.sql.elements import ClauseElement
from athanor.sql.schema import Column

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.session import Session
    from athanor.orm.unitofwork import Batch, Capabilities


def _mapper_of_entity(e: Any) -> Mapper | None:
    if isinstance(e, type):
        return e.__dict__.get("__mapper__")
    return e.__dict__.get("_aliased_mapper") if hasattr(e, "_aliased_columns") else None


_mappers_by_table: dict[int, Any] = {}

#: set once a mapper inherits from another (column selects then check for subclass attributes)
_inheritance_used = False


def mapper_for_table(table: Any) -> Mapper | None:
    m = _mappers_by_table.get(id(table))
    if m is not None and m.local_table is table:
        return m
    return None


def register_table(mapper: Mapper) -> None:
    _mappers_by_table[id(mapper.local_table)] = mapper


# ------------------------------------------------------------------------------------
# SELECT


class EntityLayout:
    """Where each output element of an ORM select comes from in the cursor row."""

    __slots__ = ("keys", "items", "single", "criteria", "cols", "groups")

    def __init__(self, keys: tuple[str, ...], items: list[tuple[Any, Any]], single: bool) -> None:
        self.keys = keys
        #: per output element: (mapper, positions or None) or (None, position)
        self.items = items
        self.single = single
        #: WHERE criteria the ORM adds (single-table inheritance subclasses), or None
        self.criteria: tuple[Any, ...] | None = None
        #: an entity has deferred columns or column_property() expressions (orm/_deferred.py)
        self.cols = any(m is not None and m._extra is not None for m, _ in items)
        #: composite() attributes selected: (first item, width, property) (orm/_composites.py)
        self.groups: list[tuple[int, int, Any]] | None = None


def entity_layout(stmt: Any) -> EntityLayout | None:
    """The entity layout of a Select, or None when it selects no mapped class."""
    raw = stmt._raw_entities
    try:
        hit = _layout_cache.get(raw, _MISSING)
    except TypeError:  # an unhashable element: no shared cache
        hit = _MISSING
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    cached = stmt.__dict__.get("_orm_layout", _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[no-any-return]
    layout = None
    if raw and any(_mapper_of_entity(e) is not None or isinstance(e, Bundle)
                   or hasattr(e, "_composite_prop") for e in raw):
        layout = _build_layout(stmt, raw)
    stmt.__dict__["_orm_layout"] = layout
    if _cacheable(raw):
        if len(_layout_cache) > 2000:
            _layout_cache.clear()
        _layout_cache[raw] = layout  # the key holds the entities, so it stays valid
    return layout


_MISSING = object()

#: layouts by the tuple of selected entities when all are long-lived objects (mapped
#: classes, their attributes, table columns): building a layout reads the statement's
#: exported columns, which costs more than the rest of an ORM execution. Tuples of the same
#: objects hash and compare equal without calling the elements' SQL ``__eq__``.
_layout_cache: dict[tuple[Any, ...], EntityLayout | None] = {}


def _cacheable(raw: tuple[Any, ...]) -> bool:
    return all(isinstance(e, (type, InstrumentedAttribute)) or type(e) is Column for e in raw)


def _build_layout(stmt: Any, raw: tuple[Any, ...]) -> EntityLayout:
    exported = stmt._export_columns()
    items: list[tuple[Any, Any]] = []
    keys: list[str] = []
    groups: list[tuple[int, int, Any]] = []
    pos = 0
    for e, coerced in zip(raw, stmt._raw_columns, strict=False):
        mapper = _mapper_of_entity(e)
        if mapper is not None:
            table_cols = list(coerced.c)
            index = {id(c): i for i, c in enumerate(table_cols)}
            cols = mapper._columns if isinstance(e, type) else e._aliased_columns
            positions = tuple(pos + index[id(c)] for c in cols)
            if mapper.polymorphic_on is not None:  # subclass columns too (_inheritance.py)
                positions = _inheritance().poly_positions(mapper, positions, index, pos)
            if positions == tuple(range(len(table_cols))) and len(raw) == 1 and len(
                    positions) == len(cols):
                items.append((mapper, None))
            else:
                items.append((mapper, positions))
            keys.append(mapper.class_.__name__ if isinstance(e, type) else e.__name__)
            pos += len(table_cols)
        else:
            comp = getattr(e, "_composite_prop", None)
            found, width = column_items(stmt, e, coerced, pos)
            if comp is not None:  # one value built from several columns
                width = len(coerced.clauses)
                found = [(None, pos + j) for j in range(width)]
                groups.append((len(items), width, comp))
            if isinstance(e, Bundle):
                items.extend(found)
                keys.append(e.name)
            elif width != 1:
                items.extend(found)
                keys.extend(exported[pos + j][0] for j in range(width))
            else:
                items.append((None, pos))
                # an entity's columns do not take names: query(User, User.name) -> "name"
                own = getattr(exported[pos][1], "_label_name", None)
                keys.append(own if isinstance(own, str) and own not in keys
                            else exported[pos][0])
            pos += width
    layout = EntityLayout(tuple(keys), items, len(items) == 1)
    if groups:
        from athanor.orm._composites import fold_keys

        layout.groups = groups
        layout.keys = fold_keys(layout.keys, groups)
    layout.criteria = _inheritance().layout_criteria(
        _mapper_of_entity(e) for e in raw if isinstance(e, type))
    return layout


def column_items(stmt: Any, e: Any, coerced: Any, pos: int
                 ) -> tuple[list[tuple[None, Any]], int]:
    """Layout items of a selected element that is not an entity, at row position ``pos``:
    one per column, or one :class:`BundleLoad` for a bundle; and its width in the row."""
    if isinstance(e, Bundle):
        return [(None, BundleLoad(e, stmt, pos))], len(coerced._cols)
    width = len(coerced.c) if hasattr(coerced, "c") and not hasattr(coerced, "type") else 1
    return [(None, pos + j) for j in range(width)], width


def _inheritance() -> Any:
    from athanor.orm import _inheritance

    return _inheritance


def load_entities(
    session: Session, mapper: Mapper, rows: list[tuple[Any, ...]], populate_existing: bool = False
) -> list[Any]:
    """Objects for rows that are exactly the mapper's columns in order."""
    lkey = (mapper, None, populate_existing)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(
            mapper, None, session, populate_existing=populate_existing
        )
    return loader(rows)


def _load(session: Session, layout: EntityLayout, rows: list[tuple[Any, ...]],
          populate_existing: bool) -> ORMResult:
    columns: list[list[Any]] = []
    loaders = session._loaders
    for mapper, where in layout.items:
        if mapper is not None:
            lkey = (mapper, where, populate_existing)
            loader = loaders.get(lkey)
            if loader is None:
                loader = loaders[lkey] = instance_loader(
                    mapper, where, session, populate_existing=populate_existing
                )
            columns.append(loader(rows))
        else:  # a column's position, or a bundle's loader
            columns.append([r[where] for r in rows] if type(where) is int else where(rows))
    if layout.groups is not None:  # composite() values from their columns
        from athanor.orm._composites import fold_columns

        columns = fold_columns(columns, layout.groups)
        if len(columns) == 1:
            return ORMResult(layout.keys, columns[0], scalar=True)
    if layout.single:
        return ORMResult(layout.keys, columns[0], scalar=True)
    return ORMResult(layout.keys, list(zip(*columns, strict=False)) if rows else [], scalar=False)


def execute(session: Session, stmt: Any, params: Any, options: dict[str, Any]) -> Any:
    own = getattr(stmt, "_execution_options", None)  # select(...).execution_options(...)
    if own:
        options = {**own, **options}
    if type(stmt) is Select:
        if session._new or session._modified or session._deleted or session.__dict__.get(
                "_athanor_rel"):  # relationship changes (orm/collections.py)
            session._autoflush()
        layout = entity_layout(stmt)
        if stmt._with_options:  # with_loader_criteria() (orm/_criteria.py)
            from athanor.orm._criteria import apply_select

            stmt = apply_select(stmt)
        if layout is not None:
            if layout.criteria is not None:  # single-table inheritance subclasses
                stmt = _inheritance().add_criteria(stmt, layout.criteria)
            joined = _joined()
            if joined.wants(session, stmt, layout):  # relationship loading (issue 6)
                return joined.execute_select(session, stmt, params, layout, options or {})
        elif _inheritance_used:  # select(Manager.name): the subclass's criteria / join
            stmt = _inheritance().adapt_column_select(stmt)
        conn = session._conn if session._conn is not None else session._connection()
        result = conn.execute(stmt, params)
        if layout is None:
            return result
        loaded = _load(session, layout, result._tuples_all(),
                       bool(options) and bool(options.get("populate_existing")))
        if options and options.get("yield_per"):  # the size of partitions()
            loaded._yield_per = options["yield_per"]
        return loaded
    if getattr(stmt, "_is_dml", False):  # before the checks below: no DML passes them
        mapper = mapper_for_table(stmt.table)
        if stmt._entity is not None and _inheritance_used:  # update(Subclass)
            from athanor.orm import _inheritance_dml as idml

            mapper = idml.dml_mapper(stmt) or mapper
            if mapper is not None and mapper.inherits is not None:
                if not mapper.single:
                    return idml.execute_joined_dml(session, mapper, stmt, params, options)
                stmt = idml.single_table_statement(mapper, stmt)
        if mapper is not None:
            return _execute_orm_dml(session, mapper, stmt, params, options)
        session._autoflush()
        return session._connection().execute(stmt, params)
    if getattr(stmt, "_is_from_statement", False):  # select(User).from_statement(text)
        from athanor.orm._fromstmt import execute as execute_from_statement

        return execute_from_statement(session, stmt, params, options)
    if getattr(stmt, "_is_select", False) or getattr(stmt, "__visit_name__", "") == "textclause":
        session._autoflush()
        layout = entity_layout(stmt) if hasattr(stmt, "_raw_entities") else None
        if layout is not None:
            if layout.criteria is not None and hasattr(stmt, "_where"):
                stmt = _inheritance().add_criteria(stmt, layout.criteria)
            joined = _joined()
            if joined.wants(session, stmt, layout):  # relationship loading (issue 6)
                return joined.execute_select(session, stmt, params, layout, options)
        conn = session._connection()
        result = conn.execute(stmt, params)
        if layout is None:
            return result
        rows = _tuples(result)
        return _load(session, layout, rows, bool(options.get("populate_existing")))
    session._autoflush()
    return session._connection().execute(stmt, params)


#: value types that are never SQL expressions (skips a failing hasattr per value)
_PLAIN_VALUES = frozenset({str, int, float, bool, bytes})


def filter_by_list(
    session: Session, mapper: Mapper, pairs: tuple[tuple[str, Any], ...]
) -> list[Any] | None:
    """Run ``select(Model).filter_by(**pairs)`` from a statement cached per key shape.

    The statement (``col = :_fb_0 AND ...``) is built and compiled once per mapper, key
    tuple and dialect; a call then costs one ``exec_driver_sql`` with the values as a tuple.
    Returns None (the caller takes the general path) for None values (``IS NULL``),
    relationship-aware loading, or a dialect/type where plain tuples do not apply.
    """
    values = tuple([v for _, v in pairs])
    if None in values or session.__dict__.get("_athanor_rel"):
        return None
    for v in values:
        if type(v) not in _PLAIN_VALUES and (
            hasattr(v, "__clause_element__") or isinstance(v, ClauseElement)
        ):
            return None  # an expression, not a value: the general path renders it
    keys = tuple([k for k, _ in pairs])
    entry = mapper._stmt_cache.get(("filter_by", keys))
    if entry is None:
        from athanor.sql.elements import BindParameter, and_

        cols = [mapper._props[k].column for k in keys]  # type: ignore[attr-defined]
        stmt = select(mapper.class_).where(
            and_(*[c == BindParameter(f"_fb_{i}", None, type_=c.type) for i, c in enumerate(cols)])
        )
        if mapper._single_criteria is not None:  # single-table subclass: general path
            stmt = stmt.where(mapper._single_criteria)
        per: dict[int, Any] = {}
        entry = mapper._stmt_cache[("filter_by", keys)] = (stmt, cols, per)
    stmt, cols = entry[0], entry[1]
    per_dialect: dict[int, Any] = entry[2]
    layout = entity_layout(stmt)
    if layout is None or _joined().wants(session, stmt, layout):
        return None
    if session._new or session._modified or session._deleted:
        session._autoflush()
    conn = session._conn if session._conn is not None else session._connection()
    dialect = conn.dialect
    prepared = per_dialect.get(id(dialect))
    if prepared is None or prepared[0] is not dialect:
        prepared = per_dialect[id(dialect)] = (dialect, _prepare_filter_by(stmt, cols, dialect))
    if prepared[1] is None:
        return None
    sql, procs = prepared[1]
    rows = conn.exec_driver_sql(sql, values)._tuples_all()
    if procs is not None:
        rows = [
            tuple(v if p is None else p(v) for p, v in zip(procs, r, strict=False)) for r in rows
        ]
    mapper_, where = layout.items[0]
    lkey = (mapper_, where, False)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(mapper_, where, session)
    return loader(rows)  # type: ignore[no-any-return]


def _prepare_filter_by(stmt: Any, cols: list[Any], dialect: Any) -> tuple[str, Any] | None:
    try:
        compiled, _ = dialect.compile_statement(stmt)
    except Exception:  # the general path will report the problem
        return None
    names = [f"_fb_{i}" for i in range(len(cols))]
    if not getattr(compiled, "positional", False) or list(compiled.bind_names) != names:
        return None
    if any(c.type.bind_processor(dialect) is not None for c in cols):
        return None
    procs = list(compiled.result_processors)
    return compiled.string, (procs if any(p is not None for p in procs) else None)


def entity_list(session: Session, stmt: Any) -> list[Any]:
    """Run a single-entity Select and return its objects (no Result wrapper)."""
    layout = entity_layout(stmt)
    if (
        layout is None
        or not layout.single
        or type(stmt) is not Select
        or session.__dict__.get("_athanor_rel")
        or _joined().wants(session, stmt, layout)
    ):
        return execute(session, stmt, None, {}).scalars().all()  # type: ignore[no-any-return]
    if session._new or session._modified or session._deleted:
        session._autoflush()
    if layout.criteria is not None:  # single-table inheritance subclasses
        stmt = _inheritance().add_criteria(stmt, layout.criteria)
    conn = session._conn if session._conn is not None else session._connection()
    rows = conn.execute(stmt)._tuples_all()
    mapper, where = layout.items[0]
    lkey = (mapper, where, False)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(mapper, where, session)
    return loader(rows)  # type: ignore[no-any-return]


_joined_module: Any = None


def _joined() -> Any:
    """``athanor.orm.joined`` (relationship loading), imported on first use only."""
    global _joined_module
    if _joined_module is None:
        from athanor.orm import joined

        _joined_module = joined
    return _joined_module


def _tuples(result: Any) -> list[tuple[Any, ...]]:
    fast = getattr(result, "_tuples_all", None)
    return fast() if fast is not None else [tuple(r) for r in result]


# ------------------------------------------------------------------------------------
# flush helpers (called by run_plan)

#: most bound values one multi-row INSERT may carry (SQLite's default limit is 32766)
_MAX_BINDS = 30_000
_MAX_ROWS = 1_000


def insert_many_returning(
    conn: Any, stmt: Any, params: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """INSERT many rows with RETURNING as a few multi-row ``VALUES (...), (...)`` statements.

    The single-row statement is compiled once through the dialect; its ``VALUES`` group is
    repeated per row (the approach of "insertmanyvalues"), the positional parameters are
    concatenated, and the returned rows come back in parameter order. Falls back to the
    Connection's own executemany-with-RETURNING when the SQL shape is not recognised.
    """
    if len(params) == 1:
        return _tuples(conn.execute(stmt, params[0]))
    dialect = conn.dialect
    compiled, extracted = dialect.compile_statement(stmt, column_keys=list(params[0]))
    hit = _split_cache.get(id(compiled))
    if hit is not None and hit[0] is compiled:
        split = hit[1]
    else:
        split = _values_group(compiled.string) if getattr(compiled, "positional", True) else None
        if len(_split_cache) > 500:
            _split_cache.clear()
        _split_cache[id(compiled)] = (compiled, split)
    if split is None or not getattr(dialect, "supports_multivalues_insert", False):
        return _tuples(conn.execute(stmt, params))
    head, group, tail = split
    per_row = max(1, len(compiled.bind_names))
    chunk = max(1, min(_MAX_ROWS, _MAX_BINDS // per_row))
    procs = [p for p in compiled.result_processors]
    has_procs = any(p is not None for p in procs)
    out: list[tuple[Any, ...]] = []
    sql_cache: dict[int, str] = {}
    for start in range(0, len(params), chunk):
        part = params[start:start + chunk]
        sql = sql_cache.get(len(part))
        if sql is None:
            sql = sql_cache[len(part)] = head + ", ".join([group] * len(part)) + tail
        flat: list[Any] = []
        for row in compiled.construct_params_many(part, extracted):
            flat.extend(row)
        result = conn.exec_driver_sql(sql, tuple(flat))
        if not compiled.has_returning:
            continue
        rows = _tuples(result)
        if has_procs:
            rows = [
                tuple(v if p is None else p(v) for p, v in zip(procs, r, strict=False))
                for r in rows
            ]
        out.extend(rows)
    return out


_split_cache: dict[int, tuple[Any, Any]] = {}


def _values_group(sql: str) -> tuple[str, str, str] | None:
    """Split ``INSERT ... VALUES (<group>) RETURNING ...`` into (head, group, tail)."""
    at = sql.find(" VALUES (")
    if at < 0:
        return None
    start = at + len(" VALUES ")
    depth = 0
    quote = ""
    for i in range(start, len(sql)):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return sql[:start], sql[start:i + 1], sql[i + 1:]
    return None


def apply_returned(batch: Batch, rows: list[tuple[Any, ...]], journal: list[Any]) -> None:
    """Copy RETURNING rows of a batched INSERT into the objects, in parameter order."""
    fetch = batch.fetch
    if len(rows) != len(batch.rows):
        raise exc.InvalidRequestError(
            f"Flushing {batch.info.mapper.class_.__name__} failed: the batched INSERT returned "
            f"{len(rows)} rows for {len(batch.rows)} objects."
        )
    single = fetch[0] if len(fetch) == 1 else None
    for (_st, obj), row in zip(batch.rows, rows, strict=False):
        d = obj.__dict__
        if single is not None:
            d[single] = row[0]
        else:
            for key, value in zip(fetch, row, strict=False):
                d[key] = value
        journal.append((d, fetch))


def apply_generated(
    batch: Batch, i: int, result: Any, caps: Capabilities, journal: list[Any]
) -> None:
    """Fill generated values of one inserted row (RETURNING row or inserted_primary_key)."""
    _st, obj = batch.rows[i]
    d = obj.__dict__
    fetch = batch.fetch
    if caps.returning:
        rows = _tuples(result)
        if rows:
            for key, value in zip(fetch, rows[0], strict=False):
                d[key] = value
                journal.append((d, key))
        return
    info = batch.info
    pk = getattr(result, "inserted_primary_key", None)
    if pk is None:
        lastrowid = getattr(result, "lastrowid", None)
        pk = (lastrowid,) if lastrowid is not None else ()
    for cw, value in zip(info.pk_writes, pk, strict=False):
        if cw.key in fetch and value is not None:
            d[cw.key] = value
            journal.append((d, cw.key))


# ------------------------------------------------------------------------------------
# bulk and ORM-enabled DML


def _column_params(mapper: Mapper, mapping: dict[str, Any]) -> dict[str, Any]:
    props = mapper._props
    out = {}
    for k, v in mapping.items():
        prop = props.get(k)
        if prop is None or not getattr(prop, "is_column", False):
            raise exc.InvalidRequestError(
                f"Bulk write of {mapper.class_.__name__} failed: it has no column attribute "
                f"{k!r}; its attributes are: {mapper._attribute_names()}."
            )
        out[prop.column.key] = v  # type: ignore[attr-defined]
    return out


def bulk_insert(session: Session, mapper: Mapper, mappings: list[dict[str, Any]]) -> Any:
    if not mappings:
        return None
    from athanor.orm.persistence import write_info

    info = write_info(mapper)
    params = []
    for m in mappings:
        row = _column_params(mapper, m)
        for cw in info.columns:
            if cw.column.key not in row and cw.python_default is not None:
                row[cw.column.key] = cw.python_default()
        params.append(row)
    from athanor.sql.dml import insert

    return bulk_insert_pages(session._connection(), insert(mapper.local_table), params)


def bulk_update(session: Session, mapper: Mapper, mappings: list[dict[str, Any]]) -> None:
    from athanor.orm.persistence import update_stmt, write_info

    info = write_info(mapper)
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    pk_keys = mapper._pk_keys
    for m in mappings:
        missing = [k for k in pk_keys if k not in m]
        if missing:
            raise exc.InvalidRequestError(
                f"bulk_update_mappings({mapper.class_.__name__}) failed: a mapping lacks the "
                f"primary key attribute {missing[0]!r}. Each dict needs "
                f"{', '.join(pk_keys)} plus the attributes to change."
            )
        keys = frozenset(k for k in m if k not in pk_keys)
        if not keys:
            continue
        _column_params(mapper, m)
        cols = {cw.key: cw.column.key for cw in info.columns}
        params = {"_set_" + cols[k]: m[k] for k in keys}
        for w in info.pk_writes:
            params["_pk_" + w.column.key] = m[w.key]
        groups.setdefault(keys, []).append(params)
    conn = session._connection()
    for keys, plist in groups.items():
        conn.execute(update_stmt(info, keys), plist)
    bulk_sync(session, mapper, mappings)


def bulk_sync(session: Session, mapper: Mapper, mappings: list[dict[str, Any]]) -> None:
    """Objects of the session that a bulk UPDATE by primary key changed take the values."""
    pk_keys = mapper._pk_keys
    imap = session._identity_map._maps.get(mapper.base_mapper)
    if imap:
        for m in mappings:
            key = tuple(m[k] for k in pk_keys) if len(pk_keys) > 1 else m[pk_keys[0]]
            st = imap.get(key)
            obj = st() if st is not None else None
            if obj is not None:
                d = obj.__dict__
                for k, v in m.items():
                    if k not in pk_keys:
                        d[k] = v


def bulk_insert_pages(conn: Any, stmt: Any, params: list[dict[str, Any]]) -> Any:
    """executemany of an INSERT, as multi-row pages when Core would run it row by row.

    A dialect that adds implicit RETURNING to an INSERT (for the new key) makes
    ``Connection.execute(stmt, [many])`` run one statement per row; the ORM does not need
    those keys for bulk inserts, so it sends pages of ``VALUES (...), (...)`` instead.
    """
    if len(params) > 1:
        compiled, _ = conn.dialect.compile_statement(stmt, column_keys=list(params[0]))
        if compiled.has_returning and not getattr(stmt, "_returning", ()):
            insert_many_returning(conn, stmt, params)
            return BulkInsertResult(len(params))
    return conn.execute(stmt, params)


def _execute_orm_dml(
    session: Session, mapper: Mapper, stmt: Any, params: Any, options: dict[str, Any]
) -> Any:
    kind = stmt.__visit_name__
    if kind == "insert":
        if mapper._keys_are_column_keys:
            keys_ok = mapper._column_keys.issuperset
            if isinstance(params, list):
                for p in params:
                    if not keys_ok(p):
                        _column_params(mapper, p)  # raises naming the bad key
            elif isinstance(params, dict) and not keys_ok(params):
                _column_params(mapper, params)
        elif isinstance(params, list):
            params = [_column_params(mapper, p) for p in params]
        elif isinstance(params, dict):
            params = _column_params(mapper, params)
        session._autoflush()
        if isinstance(params, list):
            result = bulk_insert_pages(session._connection(), stmt, params)
        else:
            result = session._connection().execute(stmt, params)
        from athanor.orm import _fromstmt

        if _fromstmt.returning_entity(mapper, stmt):  # insert(User).returning(User)
            return _fromstmt.load_returned(session, mapper, result)
        return result
    sync = options.get("synchronize_session", "auto")
    session._autoflush()
    if (kind == "update" and isinstance(params, list) and not stmt._where
            and stmt._values is None):  # ORM bulk UPDATE by primary key
        bulk_update(session, mapper, params)
        return BulkInsertResult(len(params))
    return synchronized_dml(session, mapper, stmt, params, sync)


def synchronized_dml(session: Session, mapper: Mapper, stmt: Any, params: Any, sync: Any) -> Any:
    """Run an UPDATE/DELETE against ``mapper``'s table and bring loaded objects in step."""
    if sync not in (False, None, "auto", "evaluate", "fetch"):
        raise exc.ArgumentError(
            f"synchronize_session={sync!r} is not valid. Use 'auto', 'evaluate', 'fetch' or False."
        )
    imap = session._identity_map._maps.get(mapper.base_mapper)
    if imap:
        session._identity_map._sweep(imap)
    conn = session._connection()
    if not sync or not imap:
        return conn.execute(stmt, params)
    targets = None
    if sync in ("auto", "evaluate"):
        targets = _evaluate_targets(mapper, stmt, imap)
        if targets is None and sync == "evaluate":
            raise exc.InvalidRequestError(
                "synchronize_session='evaluate' failed: the WHERE clause cannot be evaluated in "
                "Python. Use synchronize_session='fetch'."
            )
    if targets is None:
        targets = _fetch_targets(session, mapper, stmt, imap)
    result = conn.execute(stmt, params)
    _apply_sync(session, mapper, stmt, targets)
    return result


def _evaluate_targets(mapper: Mapper, stmt: Any, imap: dict[Any, Any]) -> list[Any] | None:
    from athanor.orm.evaluator import UnevaluatableError, compile_criteria

    col_to_key = {c: k for c, k in mapper._col_to_key.items()}
    try:
        pred = compile_criteria(list(stmt._where), col_to_key)
        out = []
        for st in list(imap.values()):
            obj = st()
            if obj is None:
                continue
            d = obj.__dict__
            if st.expired:
                d = {**st.expired, **d}
            if pred(d):
                out.append(obj)
        return out
    except UnevaluatableError:
        return None


def _fetch_targets(session: Session, mapper: Mapper, stmt: Any, imap: dict[Any, Any]) -> list[Any]:
    sel = select(*mapper.primary_key)
    if stmt._where:
        sel = sel.where(*stmt._where)
    rows = _tuples(session._connection().execute(sel))
    out = []
    for row in rows:
        key = tuple(row) if mapper._pk_composite else row[0]
        st = imap.get(key)
        obj = st() if st is not None else None
        if obj is not None:
            out.append(obj)
    return out


def _apply_sync(session: Session, mapper: Mapper, stmt: Any, targets: list[Any]) -> None:
    if stmt.__visit_name__ == "delete":
        for obj in targets:
            st = obj.__dict__[STATE_KEY]
            session._identity_map._discard_state(st)
            session._modified.pop(st, None)
            session._deleted.pop(st, None)
            st.deleted = True
            if session._stack:
                session._stack[-1].deleted.append(st)
        return
    literal: dict[str, Any] = {}
    expire: list[str] = []
    from athanor.sql.elements import BindParameter

    for col, value in stmt._values or ():
        key = mapper._col_to_key.get(col)
        if key is None:
            continue
        if isinstance(value, BindParameter) and value.callable is None:
            literal[key] = value.value
        else:
            expire.append(key)
    for obj in targets:
        st = obj.__dict__[STATE_KEY]
        d = obj.__dict__
        committed = st.committed
        for key, value in literal.items():
            if committed is None or key not in committed:
                d[key] = value
            if st.expired and key in st.expired:
                st.expired[key] = value
        if expire:
            expire_state(st, obj, [k for k in expire if committed is None or k not in committed])


# ------------------------------------------------------------------------------------
# primary-key SELECT (Session.get, refresh, expired attribute loads)


def select_by_pk(conn: Any, mapper: Mapper, key: Any) -> list[tuple[Any, ...]]:
    """Rows of ``SELECT <mapper's columns> WHERE pk = key`` (get, refresh, expired loads).

    The statement never changes, so on positional dialects its compiled SQL is kept on the
    mapper and run through ``exec_driver_sql`` with a plain tuple, skipping the per-call
    cache-key walk; result processors, if the columns have any, are applied here.
    """
    dialect = conn.dialect
    fast = mapper._stmt_cache.get(("pk_sql", id(dialect)))
    if fast is None or fast[0] is not dialect:
        fast = mapper._stmt_cache[("pk_sql", id(dialect))] = (
            dialect, _prepare_pk_select(mapper, dialect)
        )
    prepared = fast[1]
    if prepared is None:
        stmt = select_by_pk_stmt(mapper)
        return conn.execute(stmt, _pk_bind_params(mapper, key))._tuples_all()  # type: ignore[no-any-return]
    sql, procs = prepared
    params = key if mapper._pk_composite else (key,)
    rows = conn.exec_driver_sql(sql, params)._tuples_all()
    if procs is not None:
        rows = [
            tuple(v if p is None else p(v) for p, v in zip(procs, r, strict=False)) for r in rows
        ]
    return rows  # type: ignore[no-any-return]


def _prepare_pk_select(mapper: Mapper, dialect: Any) -> tuple[str, Any] | None:
    try:
        compiled, _ = dialect.compile_statement(select_by_pk_stmt(mapper))
    except Exception:  # fall back to the general path
        return None
    if not getattr(compiled, "positional", False) or list(compiled.bind_names) != list(
        mapper._pk_bind_names
    ):
        return None
    if any(c.type.bind_processor(dialect) is not None for c in mapper.primary_key):
        return None
    procs = list(compiled.result_processors)
    return compiled.string, (procs if any(p is not None for p in procs) else None)


def _pk_bind_params(mapper: Mapper, key: Any) -> dict[str, Any]:
    names = mapper._pk_bind_names
    if len(names) == 1:
        return {names[0]: key}
    return dict(zip(names, key, strict=False))
