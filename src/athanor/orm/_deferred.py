"""Which columns an entity loads: deferred columns, ``column_property()`` expressions and
the column loader options (``load_only``, ``defer``, ``undefer``, ``undefer_group``).

Design
------
A plain mapper (every property a table column, none deferred) never reaches this module:
its statements, row loaders and primary-key SELECTs are the precomputed ones of
:mod:`athanor.orm.mapper` and :mod:`athanor.orm.loading`. A mapper with deferred columns or
SQL-expression properties gets a :class:`MapperColumns` (``mapper._extra``), and any entity
with column options or such a mapper is loaded through a :class:`Partial` layout: the row
positions *and* the attribute keys they fill, plus the keys that must raise when read
unloaded. :class:`Partial` is a hashable tuple, so row loaders stay cached per layout.

The decision is a pure function, :meth:`MapperColumns.plan`, from the mapper and the column
options of one entity (cached per option tuple). :func:`adapt_select` then rewrites an ORM
``select(User, ...)`` once per execution: the entity's table is replaced by the planned
columns (expressions labelled with their keys, adapted onto ``aliased()`` selectables), so
the SELECT really lists fewer (or more) columns.

Reading an unloaded column of an attached object (:func:`load_attribute`) runs one
primary-key SELECT for the columns loaded together: the attribute's deferred group, or
every unloaded ungrouped column, or every unloaded default column after expiry. Detached
objects raise DetachedInstanceError (see :func:`athanor.orm.attributes.load_missing`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from athanor import exc

if TYPE_CHECKING:
    from athanor.orm.mapper import ColumnProperty, Mapper
    from athanor.orm.state import InstanceState


class Partial(NamedTuple):
    """A row layout for one entity: positions, the keys they fill, keys that raise."""

    positions: tuple[int, ...]
    keys: tuple[str, ...]
    raise_keys: frozenset[str]


_NO_RAISE: frozenset[str] = frozenset()


class Plan(NamedTuple):
    """What to load for one entity: attribute keys (mapper order) and keys that raise."""

    keys: tuple[str, ...]
    raise_keys: frozenset[str]


class MapperColumns:
    """Column-loading facts of one mapper (deferred columns, expressions, groups)."""

    def __init__(self, mapper: Mapper, props: list[ColumnProperty]) -> None:
        self.mapper = mapper
        self.props = props
        self.by_key = {p.key: p for p in props}
        self.default = tuple(p.key for p in props if not p.deferred)
        self.deferred = frozenset(p.key for p in props if p.deferred)
        self.raise_default = frozenset(p.key for p in props if p.raiseload)
        self.groups: dict[str, tuple[str, ...]] = {}
        for p in props:
            if p.group is not None:
                self.groups[p.group] = (*self.groups.get(p.group, ()), p.key)
        self.expressions = frozenset(p.key for p in props if p._expr is not None)
        self._plans: dict[Any, Plan] = {}
        self.pk_keys = mapper._pk_keys

    @property
    def always(self) -> tuple[str, ...]:
        """Keys every load includes: the primary key and a polymorphic discriminator."""
        poly = getattr(self.mapper, "_polymorphic_key", None)
        if poly is not None and poly in self.by_key and poly not in self.pk_keys:
            return (*self.pk_keys, poly)
        return self.pk_keys  # type: ignore[no-any-return]

    def plan(self, ops: tuple[Any, ...] = ()) -> Plan:
        """The keys to load under column options ``ops`` ((op, keys, raiseload) triples)."""
        hit = self._plans.get(ops)
        if hit is not None:
            return hit
        load = set(self.default)
        raising = set(self.raise_default)
        cls = self.mapper.class_.__name__
        for op, keys, raiseload in ops:
            if op == "undefer_group":
                named = [k for g in keys for k in self.groups.get(g, ())]
                load.update(named)
                raising.difference_update(named)
                continue
            if any(k not in self.by_key for k in keys):
                keys = self._own_keys(op, keys)
            for k in keys:
                if k not in self.by_key:
                    raise exc.ArgumentError(
                        f"{op}() failed: {cls}.{k} is not a column attribute of {cls}; its "
                        f"column attributes are: {', '.join(self.by_key)}. Pass column "
                        f"attributes such as {cls}.{self.props[-1].key}."
                    )
            if op == "load_only":
                keep = set(keys) | set(self.always)
                dropped = {k for k in self.by_key if k not in keep}
                load = (load | keep) - dropped
                if raiseload:
                    raising |= dropped
                raising -= keep
            elif op == "defer":
                load.difference_update(keys)
                if raiseload:
                    raising.update(keys)
            elif op in ("undefer", "with_expression"):
                load.update(keys)
                raising.difference_update(keys)
        load.update(self.always)
        plan = Plan(tuple(p.key for p in self.props if p.key in load),
                    frozenset(raising - load))
        if len(self._plans) < 256:
            self._plans[ops] = plan
        return plan

    def _own_keys(self, op: str, keys: tuple[str, ...]) -> tuple[str, ...]:
        """``keys`` without the subclasses' column keys (an option naming a subclass
        column on a query of its base: those columns are not loaded here anyway)."""
        subs = self.mapper.self_and_descendants[1:] if self.mapper._inheriting else []
        theirs = {k for m in subs for k in m._props}
        return tuple(k for k in keys if k not in theirs or k in self.by_key)

    def columns(self, keys: tuple[str, ...], node: Any = None) -> list[Any]:
        """The SELECT list for ``keys``: table columns and labelled expressions (a
        ``with_expression()`` of option level ``node`` replaces its attribute's)."""
        exprs = node.exprs if node is not None else None
        if exprs:
            return [exprs[k].label(k) if k in exprs else self.by_key[k].column for k in keys]
        return [self.by_key[k].column for k in keys]

    def load_set(self, key: str, loaded: Any, raising: Any = _NO_RAISE) -> list[str]:
        """Keys loaded together when ``key`` is read unloaded (``loaded``: present keys;
        ``raising``: keys this object must not load on access)."""
        prop = self.by_key[key]
        if prop.group is not None:
            together: Any = self.groups[prop.group]
        elif prop.deferred:
            together = [k for k in self.deferred if self.by_key[k].group is None]
        else:
            together = self.default
        keys = [k for k in together if k not in loaded and k not in self.raise_default
                and k not in raising]
        if key not in keys:
            keys.append(key)
        return [p.key for p in self.props if p.key in keys]


def columns_of(mapper: Mapper) -> MapperColumns:
    """The mapper's :class:`MapperColumns` (made on demand for plain mappers)."""
    info = mapper._extra
    if info is not None:
        return info  # type: ignore[no-any-return]
    info = mapper._stmt_cache.get("_colinfo")
    if info is None:
        info = mapper._stmt_cache["_colinfo"] = MapperColumns(
            mapper, [mapper._props[k] for k in mapper._load_keys])  # type: ignore[misc]
    return info  # type: ignore[no-any-return]


def plan_for(mapper: Mapper, node: Any) -> Plan | None:
    """The plan for an entity with option node ``node``, or None for the fast path."""
    ops = node.cols if node is not None else ()
    if not ops and mapper._extra is None:
        return None
    return columns_of(mapper).plan(tuple(ops))


# --------------------------------------------------------------------------------------
# statements


def adapt_select(stmt: Any, layout: Any, nodes: list[Any]) -> tuple[Any, Any]:
    """Rewrite an ORM SELECT so each entity lists its planned columns; the new layout."""
    from athanor.orm import _adapt
    from athanor.orm.context import EntityLayout, _mapper_of_entity, column_items

    plans = [plan_for(m, n) if m is not None else None
             for (m, _), n in zip(layout.items, nodes, strict=False)]
    if not any(p is not None for p in plans):
        return stmt, layout
    entities: list[Any] = []
    columns: list[Any] = []
    items: list[tuple[Any, Any]] = []
    froms: list[Any] = []
    pos = 0
    for e, coerced in zip(stmt._raw_entities, stmt._raw_columns, strict=False):
        mapper = _mapper_of_entity(e)
        if mapper is not None:
            plan = plans[len(items)]  # items grow in step with layout.items
            if plan is not None and not isinstance(e, type):  # aliased(): no subqueries
                plan = aliased_plan(mapper, nodes[len(items)])
            if plan is None:
                table_cols = list(coerced.c)
                index = {id(c): i for i, c in enumerate(table_cols)}
                cols = mapper._columns if isinstance(e, type) else e._aliased_columns
                items.append((mapper, tuple(pos + index[id(c)] for c in cols)))
                entities.append(e)
                columns.append(coerced)
                pos += len(table_cols)
                continue
            cols = columns_of(mapper).columns(plan.keys, nodes[len(items)])
            if not isinstance(e, type):  # aliased(): the same columns, from the alias
                amap = _adapt.adapt_to(coerced, mapper.local_table.c)
                cols = [_adapt.replace_columns(c, amap) for c in cols]
            entities.extend(cols)
            columns.extend(cols)
            if isinstance(e, type) and mapper._from_clause is not mapper.local_table:
                froms.append(mapper._from_clause)  # a joined subclass: keep its JOIN
            items.append((mapper, Partial(tuple(range(pos, pos + len(cols))), plan.keys,
                                          plan.raise_keys)))
            pos += len(cols)
        else:
            entities.append(e)
            columns.append(coerced)
            found, width = column_items(stmt, e, coerced, pos)
            items.extend(found)
            pos += width
    new = stmt._clone()
    new._raw_entities = tuple(entities)
    new._raw_columns = tuple(_coerce(c) for c in columns)
    if froms:
        new = new.select_from(*froms)
    new.__dict__["_orm_entities"] = (stmt._raw_entities, stmt._raw_columns)
    return new, EntityLayout(layout.keys, items, layout.single)


def _coerce(c: Any) -> Any:
    hook = getattr(c, "__clause_element__", None)
    return hook() if hook is not None else c


def has_subquery(expr: Any, depth: int = 0) -> bool:
    """Does ``expr`` contain a SELECT (which column adaptation cannot follow)?"""
    if getattr(expr, "_is_select", False) or depth > 30:
        return True
    for v in getattr(expr, "__dict__", {}).values():
        if isinstance(v, (list, tuple)):
            if any(has_subquery(x, depth + 1) for x in v if hasattr(x, "__dict__")):
                return True
        elif hasattr(v, "__visit_name__") and not getattr(v, "_is_schema_item", False) and \
                has_subquery(v, depth + 1):
            return True
    return False


def aliased_plan(mapper: Mapper, node: Any) -> Plan | None:
    """A plan for loading ``mapper`` from an anonymous alias (joined eager loads):
    expressions with subqueries are left to load on access."""
    plan = plan_for(mapper, node)
    if plan is None:
        return None
    info = columns_of(mapper)
    keys = tuple(k for k in plan.keys if k not in info.expressions
                 or not has_subquery(info.by_key[k]._expr))
    return Plan(keys, plan.raise_keys)


# --------------------------------------------------------------------------------------
# primary-key loads


def pk_select(mapper: Mapper, keys: tuple[str, ...]) -> Any:
    """``SELECT <keys' columns> WHERE pk = :_pk_...`` (cached per key tuple)."""
    ck = ("pk_keys", keys)
    stmt = mapper._stmt_cache.get(ck)
    if stmt is None:
        from athanor.sql._select import select
        from athanor.sql.elements import BindParameter, and_

        crit = [c == BindParameter("_pk_" + c.key, None, type_=c.type)
                for c in mapper.primary_key]
        stmt = select(*columns_of(mapper).columns(keys)).where(and_(*crit))
        if len(mapper._stmt_cache) < 512:
            mapper._stmt_cache[ck] = stmt
    return stmt


def for_update(stmt: Any, arg: Any) -> Any:
    """``stmt`` with the FOR UPDATE that a ``with_for_update=`` argument asks for
    (True, or a dict of ``Select.with_for_update()`` options); unchanged for None/False."""
    if arg is None or arg is False:
        return stmt
    return stmt.with_for_update(**(arg if isinstance(arg, dict) else {}))


def fetch_row(session: Any, mapper: Mapper, ident: Any, keys: tuple[str, ...],
              with_for_update: Any = None) -> tuple[Any, ...] | None:
    """One row of ``keys`` for the object with primary key ``ident`` (None: gone)."""
    from athanor.orm.context import _pk_bind_params, _tuples

    prev = session._enter()
    try:
        session._check_usable("Loading an attribute")
        if session._dispatch.do_orm_execute and "_async_owner" not in session.__dict__ and (
                not with_for_update):
            from athanor.orm._execute_state import column_rows

            rows = column_rows(session, mapper, ident, keys)
        else:
            rows = _tuples(session._connection().execute(
                for_update(pk_select(mapper, keys), with_for_update),
                _pk_bind_params(mapper, ident)))
    finally:
        session._op_thread = prev
    return rows[0] if rows else None


def get_by_pk(session: Any, mapper: Mapper, ident: Any, populate_existing: bool) -> Any:
    """``Session.get()`` for a mapper with deferred columns or expressions."""
    if session._new or session._modified or session._deleted:
        session._autoflush()
    plan = columns_of(mapper).plan()
    row = fetch_row(session, mapper, ident, plan.keys)
    if row is None:
        return None
    where = Partial(tuple(range(len(plan.keys))), plan.keys, plan.raise_keys)
    from athanor.orm.loading import instance_loader

    lkey = (mapper, where, populate_existing)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(
            mapper, where, session, populate_existing=populate_existing)
    return loader([row])[0]


def get_select(mapper: Mapper, ident: Any, options: Any, with_for_update: Any = None) -> Any:
    """The ORM SELECT behind ``get(Model, pk, options=[...], with_for_update=...)``."""
    from athanor.sql._select import select
    from athanor.sql.elements import and_

    values = ident if mapper._pk_composite else (ident,)
    stmt = select(mapper.class_).where(and_(*[
        c == v for c, v in zip(mapper.primary_key, values, strict=False)]))
    if options:
        stmt = stmt.options(*(options if isinstance(options, (list, tuple)) else [options]))
    return for_update(stmt, with_for_update)


def get_with_options(session: Any, mapper: Mapper, ident: Any, options: Any,
                     populate_existing: bool, with_for_update: Any = None) -> Any:
    """``Session.get(Model, pk, options=[...])``: one ORM SELECT by primary key."""
    stmt = get_select(mapper, ident, options, with_for_update)
    return session.execute(stmt, execution_options={
        "populate_existing": populate_existing}).scalars().first()


def reload_expired(session: Any, st: InstanceState, obj: Any) -> Any:
    """``Session.get()`` found ``obj`` expired: reload it (keeping local changes), or
    forget it and return None when its row is gone. Partly expired objects (the primary
    key still loaded) are returned as they are, as SQLAlchemy does."""
    from athanor.orm.loading import populate_state

    d = obj.__dict__
    mapper = st.mapper
    if any(k in d for k in mapper._pk_keys):
        return obj
    if session._new or session._modified or session._deleted:
        session._autoflush()
    if mapper._extra is not None:
        keys = columns_of(mapper).plan().keys
        row = fetch_row(session, mapper, st.key, keys)
        if row is not None:
            fill(st, obj, keys, row, False)
    else:
        row = session._fetch_row(st)
        if row is not None:
            populate_state(st, obj, mapper._load_keys, row)
    if row is None:
        session._detach(st)
        return None
    return obj


def fill(st: InstanceState, obj: Any, keys: Any, row: Any, overwrite: bool) -> None:
    """Put ``row``'s values for ``keys`` into ``obj`` (unloaded ones, or all)."""
    d = obj.__dict__
    committed = st.committed
    expired = st.expired
    hooks = st.mapper._ievents
    filled: list[str] | None = [] if hooks is not None and hooks.refresh else None
    for k, v in zip(keys, row, strict=False):
        if overwrite:
            d[k] = v
            if committed is not None:
                committed.pop(k, None)
        elif k not in d:
            d[k] = v
        else:
            continue
        if filled is not None:
            filled.append(k)
        if expired is not None:
            expired.pop(k, None)
    if expired is not None and not expired:
        st.expired = None
    if committed is not None and not committed:
        st.committed = None
        if st.session is not None:
            st.session._modified.pop(st, None)
    if filled is not None:
        from athanor.orm._instance_events import fire_refresh

        fire_refresh(st, obj, filled)


def load_attribute(st: InstanceState, obj: Any, key: str) -> Any:
    """Load an unloaded column attribute of an attached object (see the module docstring)."""
    info = columns_of(st.mapper)
    d = obj.__dict__
    cls = type(obj).__name__
    expired = st.expired
    if key not in info.by_key or info.by_key[key]._qexpr:
        return None  # query_expression(): only with_expression() loads it
    if (key in info.raise_default or key in (st.raiseload or _NO_RAISE)) and not (
            expired is not None and key in expired):
        raise exc.InvalidRequestError(
            f"Reading {cls}.{key} failed: it is deferred with raiseload, so it may not be "
            f"loaded on access. Load it with the query: undefer({cls}.{key}) or "
            f"load_only({cls}.{key}, ...)."
        )
    session: Any = st.session
    from athanor.orm.session import Session

    if type(session)._load_expired is not Session._load_expired:
        session._load_expired(st, obj, key)  # an AsyncSession's: raises, naming the fix
    keys = tuple(info.load_set(key, d, st.raiseload or _NO_RAISE))
    row = fetch_row(session, st.mapper, st.key, keys)
    if row is None:
        from athanor.orm.session import _deleted_error

        raise _deleted_error(st, obj)
    fill(st, obj, keys, row, False)
    return d[key]


def refresh(session: Any, st: InstanceState, obj: Any, names: Any,
            with_for_update: Any = None) -> list[str]:
    """``Session.refresh(obj, [names])`` / refresh of a mapper with extras; returns the
    relationship names among ``names`` (unloaded here, for the caller to load)."""
    mapper = st.mapper
    info = columns_of(mapper)
    d = obj.__dict__
    if names is None:
        keys = tuple(k for k in info.by_key if k in info.default or k in d)
        rel_keys: list[str] = []
    else:
        names = list(names)
        rel_keys = [n for n in names if n not in info.by_key]
        for n in rel_keys:
            if n not in mapper._props:
                raise exc.InvalidRequestError(
                    f"Session.refresh() failed: {mapper.class_.__name__} has no attribute "
                    f"{n!r}; its attributes are: {mapper._attribute_names()}."
                )
        wanted = set(names)
        keys = tuple(k for k in info.by_key if k in wanted)
    # as SQLAlchemy: the refreshed attributes' pending changes are discarded, the object's
    # other changes (and the session's) are flushed, then the attributes are loaded
    committed = st.committed
    if committed is not None:
        for k in keys:
            committed.pop(k, None)
        if not committed:
            st.committed = None
            session._modified.pop(st, None)
    session._autoflush()
    row = fetch_row(session, mapper, st.key, keys, with_for_update) if (
        keys or not rel_keys) else None
    if keys or not rel_keys:
        if row is None:
            from athanor.orm.session import _deleted_error

            raise _deleted_error(st, obj)
        fill(st, obj, keys, row, True)
    for n in rel_keys:  # relationships: reloaded on next access
        d.pop(n, None)
        if st.expired is not None:
            st.expired.pop(n, None)
    return rel_keys


def lazy_load_rows(session: Any, prop: Any, binds: dict[str, Any],
                   criteria: list[Any] | None = None) -> list[Any]:
    """A lazy relationship load for a target with extras: the lazy statement with the
    target's planned columns (expressions included)."""
    from athanor.orm.loading import instance_loader
    from athanor.orm.strategies import run_lazy_query

    target = prop.mapper
    plan = columns_of(target).plan()
    stmt = prop.__dict__.get("_lazy_stmt_cols")
    if stmt is None:
        stmt = prop.__dict__["_lazy_stmt_cols"] = prop._lazy_stmt.with_only_columns(
            *columns_of(target).columns(plan.keys))
    rows = run_lazy_query(session, stmt.where(*criteria) if criteria else stmt, binds)
    where = Partial(tuple(range(len(plan.keys))), plan.keys, plan.raise_keys)
    lkey = (target, where, False)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(target, where, session)
    return loader(rows)  # type: ignore[no-any-return]


def aliased_attribute(alias: Any, prop: ColumnProperty) -> Any:
    """``aliased(Model).<deferred column or column_property>``: the alias's version."""
    from athanor.orm import _adapt

    selectable = alias._aliased_selectable
    if prop._expr is None:
        return selectable.corresponding_column(prop.column)
    amap = _adapt.adapt_to(selectable, prop.parent.local_table.c)
    return _adapt.replace_columns(prop._expr, amap)
