"""Loading strategies for relationships: lazy, selectin (and batching), raise, noload.

Design
------
*Lazy* (``'select'``): reading an unloaded relationship of a persistent object runs the
relationship's prebuilt lazy statement (one per relationship, compiled once) with the
object's key values as binds; a many-to-one whose foreign key points at a primary key
first looks in the identity map and usually needs no SQL at all. The only I/O is
:func:`run_lazy_query`, so an async session can replace that one function (with a raise
telling the user to eager-load or ``await session.run_sync``).

*Selectin* (:func:`batch_load`): one ``IN`` query per relationship per batch of parents
(chunks of 500 keys) loads the related rows of all parents at once and distributes them.
The same function serves the opt-in N+1 batching mode (:mod:`athanor.orm.n1`).

*Raise* / *noload*: reading raises a clear error / yields an empty value without SQL.

Per-query options (:mod:`athanor.orm.strategy_options`) arrive as a tree of
:class:`~athanor.orm.strategy_options.Node`; after the parents of a query are loaded,
:func:`post_load` walks the tree (and the mappers' default eager strategies) level by
level, so a chain such as ``selectinload(User.orders).selectinload(Order.items)`` costs one
query per level whatever the number of parents. Objects whose later lazy loads must honour
options (``raiseload``, nested paths) or be watched for N+1 are remembered per result as a
:class:`~athanor.orm.n1.ResultGroup`. Joined eager loading lives in
:mod:`athanor.orm.joined`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm.collections import make_collection, state_for
from athanor.orm.relationships import MANYTOMANY, MANYTOONE, relationships_of
from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.relationships import RelationshipProperty
    from athanor.orm.session import Session
    from athanor.orm.strategy_options import Node

_CHUNK = 500
_MAX_DEPTH = 6


# --------------------------------------------------------------------------------------
# the one I/O function


def run_lazy_query(session: Session, stmt: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Execute a relationship load on the session's connection; rows as plain tuples."""
    from athanor.orm.context import _tuples

    session._autoflush()
    prev = session._enter()
    try:
        session._check_usable("Loading a relationship")
        if session._dispatch.do_orm_execute and "_async_owner" not in session.__dict__:
            from athanor.orm._execute_state import relationship_load

            return _tuples(relationship_load(session, stmt, params))
        return _tuples(session._connection().execute(stmt, params))
    finally:
        session._op_thread = prev


# --------------------------------------------------------------------------------------
# attribute access


def _empty(prop: RelationshipProperty, obj: Any) -> Any:
    if prop.uselist:
        coll = make_collection(prop, state_for(obj), [])
        obj.__dict__[prop.key] = coll
        return coll
    return None


def load_on_access(prop: RelationshipProperty, obj: Any) -> Any:
    """The value of an unloaded relationship attribute (loads it if it can)."""
    prop.setup()
    st = obj.__dict__.get(STATE_KEY)
    if st is None or st.key is None:
        return _empty(prop, obj)
    session = st.session
    if session is None and st.expired and prop.key in st.expired:
        value = obj.__dict__[prop.key] = st.expired.pop(prop.key)  # last known (detached)
        return value
    if session is None:
        from athanor.orm.exc import DetachedInstanceError

        cls = type(obj).__name__
        raise DetachedInstanceError(
            f"Reading {cls}.{prop.key} failed: the relationship was never loaded and the "
            f"{cls} instance is not bound to a Session, so it cannot be loaded now. Load it "
            f"while the Session is open (eager-load it with selectinload({cls}.{prop.key})), "
            f"or attach the object with session.add(obj) or session.merge(obj)."
        )
    from athanor.orm import n1

    group = n1.group_of(session, st)
    strategy = group.strategy(prop) if group is not None else prop.lazy
    if strategy == "raise":
        raise exc.InvalidRequestError(
            f"Reading {prop} failed: it is configured with lazy='raise' (or raiseload()), "
            f"so it may not be loaded on access. Eager-load it in the query with "
            f"selectinload({prop}) or joinedload({prop})."
        )
    if strategy == "noload":
        return _empty(prop, obj)
    if group is not None and n1.before_lazy_load(session, group, prop, obj) and (
            prop.key in obj.__dict__):
        return obj.__dict__[prop.key]
    value = lazy_load(session, prop, obj, _criteria(
        group.node, prop.mapper) if group is not None else None)
    if group is not None and group.node is not None:
        sub = group.node.child(prop.key)
        if sub is not None:
            post_load(session, prop.mapper, prop.items(obj), sub, 1)
    return value


def peek_or_load(prop: RelationshipProperty, obj: Any) -> Any:
    """The current value of a scalar relationship, preferring no SQL (for assignment)."""
    st = obj.__dict__[STATE_KEY]
    if prop.direction == MANYTOONE and prop._use_get:
        values = [obj.__dict__.get(k) for k in prop._get_keys]
        if any(v is None for v in values):
            return None
        key = tuple(values) if len(values) > 1 else values[0]
        found = st.session._identity_map._get_state(prop.mapper, key)
        return found() if found is not None else None
    return getattr(obj, prop.key)


def _local_values(prop: RelationshipProperty, obj: Any) -> list[Any]:
    d = obj.__dict__
    out = []
    for k in prop._local_keys:
        v = d.get(k, _NOT_LOADED)
        out.append(getattr(obj, k) if v is _NOT_LOADED else v)
    return out


_NOT_LOADED: Any = object()


def lazy_load(session: Session, prop: RelationshipProperty, obj: Any,
              criteria: list[Any] | None = None) -> Any:
    """Load one object's relationship with the lazy statement (or the identity map);
    ``criteria``: with_loader_criteria() criteria for the target."""
    from athanor.orm.context import load_entities

    values = _local_values(prop, obj)
    d = obj.__dict__
    target = prop.mapper
    if any(v is None for v in values):
        objs: list[Any] = []
    elif prop._use_get:
        key = tuple(values[prop._local_keys.index(k)] for k in prop._get_keys)
        key = key if len(key) > 1 else key[0]
        found = session._identity_map._get_state(target, key)
        hit = found() if found is not None else None
        if hit is not None and found is not None and not found.deleted:
            objs = [hit]
        else:
            rows = run_lazy_query(session, _lazy_stmt(prop, criteria), _binds(prop, values))
            objs = load_entities(session, target, rows)
    elif target._extra is not None:  # expressions load with the objects (orm/_deferred.py)
        from athanor.orm._deferred import lazy_load_rows

        objs = lazy_load_rows(session, prop, _binds(prop, values), criteria)
    else:
        rows = run_lazy_query(session, _lazy_stmt(prop, criteria), _binds(prop, values))
        objs = load_entities(session, target, rows)
    if prop.key in d:  # an autoflush or a nested load got there first
        return d[prop.key]
    if prop.uselist:
        value = make_collection(prop, state_for(obj), objs)
    else:
        value = objs[0] if objs else None
    d[prop.key] = value
    if objs:
        post_load(session, target, objs, None, 1)
    return value


def _lazy_stmt(prop: RelationshipProperty, criteria: list[Any] | None) -> Any:
    return prop._lazy_stmt.where(*criteria) if criteria else prop._lazy_stmt


def _binds(prop: RelationshipProperty, values: list[Any]) -> dict[str, Any]:
    return {name: v for (name, _), v in zip(prop._lazy_binds, values, strict=False)}


# --------------------------------------------------------------------------------------
# selectin / batching


def batch_load(session: Session, prop: RelationshipProperty, objs: list[Any],
               node: Node | None = None) -> list[Any]:
    """Load ``prop`` for every object of ``objs`` lacking it, in IN queries; returns the
    related objects of all of ``objs``. ``node``: the options below ``prop`` (columns)."""
    prop.setup()
    key = prop.key
    need = [o for o in objs if key not in o.__dict__ and o.__dict__.get(STATE_KEY) is not None
            and o.__dict__[STATE_KEY].key is not None]
    if need:
        if prop.direction == MANYTOONE:
            _batch_many_to_one(session, prop, need, node)
        else:
            _batch_collections(session, prop, need, node)
    out: list[Any] = []
    seen: set[int] = set()
    for o in objs:
        for item in prop.loaded_items(o):
            if id(item) not in seen:
                seen.add(id(item))
                out.append(item)
    return out


def _criteria(node: Node | None, target: Mapper) -> list[Any]:
    """with_loader_criteria() criteria a load of ``target`` below ``node`` applies."""
    if node is None or not node.criteria:
        return []
    from athanor.orm._criteria import for_mapper

    return for_mapper(node.criteria, target)


def _in_clause(cols: list[Any], keys: list[tuple[Any, ...]]) -> Any:
    from athanor.sql import and_, or_

    if len(cols) == 1:
        return cols[0].in_([k[0] for k in keys])
    return or_(*[and_(*[c == v for c, v in zip(cols, k, strict=False)]) for k in keys])


def _batch_many_to_one(session: Session, prop: RelationshipProperty, need: list[Any],
                       node: Node | None = None) -> None:
    from athanor.orm._deferred import Partial, columns_of, plan_for
    from athanor.orm.context import load_entities
    from athanor.orm.loading import instance_loader
    from athanor.sql import select

    target = prop.mapper
    remote_cols = [rem for _, rem in prop.local_remote]
    remote_keys = [target._col_to_key[c] for c in remote_cols]
    wanted: dict[tuple[Any, ...], list[Any]] = {}
    for o in need:
        vals = tuple(_local_values(prop, o))
        if any(v is None for v in vals):
            o.__dict__[prop.key] = None
            continue
        wanted.setdefault(vals, []).append(o)
    found: dict[tuple[Any, ...], Any] = {}
    missing = []
    for vals in wanted:
        hit = None
        if prop._use_get:
            k = tuple(vals[prop._local_keys.index(x)] for x in prop._get_keys)
            st = session._identity_map._get_state(target, k if len(k) > 1 else k[0])
            hit = st() if st is not None and not st.deleted else None
        if hit is not None:
            found[vals] = hit
        else:
            missing.append(vals)
    plan = plan_for(target, node)  # deferred columns, load_only() (orm/_deferred.py)
    cols = target._columns if plan is None else columns_of(target).columns(plan.keys, node)
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start:start + _CHUNK]
        stmt = select(*cols).where(_in_clause(remote_cols, chunk), *_criteria(node, target))
        if target.inherits is not None or target.polymorphic_on is not None:  # inheritance
            from athanor.orm._inheritance import adapt_entity_select

            stmt = adapt_entity_select(target, stmt)
        rows = run_lazy_query(session, stmt, {})
        if plan is None:
            objs = load_entities(session, target, rows)
        else:
            where = Partial(tuple(range(len(cols))), plan.keys, plan.raise_keys)
            objs = instance_loader(target, where, session)(rows)
        for obj in objs:
            found[tuple(obj.__dict__.get(k) for k in remote_keys)] = obj
    for vals, owners in wanted.items():
        for o in owners:
            if prop.key not in o.__dict__:
                o.__dict__[prop.key] = found.get(vals)


def _batch_collections(session: Session, prop: RelationshipProperty, need: list[Any],
                       node: Node | None = None) -> None:
    from athanor.orm._deferred import Partial, columns_of, plan_for
    from athanor.orm.context import _tuples  # noqa: F401 - documents the row shape
    from athanor.orm.loading import instance_loader
    from athanor.sql import and_, select

    target = prop.mapper
    if prop.direction == MANYTOMANY:
        key_cols = [s for _, s in prop.sec_local]
        extra = [prop.secondaryjoin]
    else:
        key_cols = [rem for _, rem in prop.local_remote]
        extra = []
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for o in need:
        by_key.setdefault(tuple(_local_values(prop, o)), []).append(o)
    n = len(key_cols)
    plan = plan_for(target, node)  # deferred columns, load_only() (orm/_deferred.py)
    cols = target._columns if plan is None else columns_of(target).columns(plan.keys, node)
    positions: Any = tuple(range(n, n + len(cols)))
    if plan is not None:
        positions = Partial(positions, plan.keys, plan.raise_keys)
    elif target.polymorphic_on is not None:  # subclass columns the SELECT carries too
        from athanor.orm._inheritance import inline_positions

        positions = inline_positions(target, positions)
    lkey = (target, positions, False)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(target, positions, session)
    results: dict[tuple[Any, ...], list[Any]] = {k: [] for k in by_key}
    keys = [k for k in by_key if None not in k]
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        stmt = select(*key_cols, *cols).where(
            and_(_in_clause(key_cols, chunk), *extra, *_criteria(node, target)))
        if target.inherits is not None or target.polymorphic_on is not None:  # inheritance
            from athanor.orm._inheritance import adapt_entity_select

            stmt = adapt_entity_select(target, stmt)
        if prop.order_by:
            stmt = stmt.order_by(*prop.order_by)
        rows = run_lazy_query(session, stmt, {})
        for row, obj in zip(rows, loader(rows), strict=False):
            if obj is not None:
                results[tuple(row[:n])].append(obj)
    for k, owners in by_key.items():
        for o in owners:
            if prop.key not in o.__dict__:
                items = results.get(k, [])
                if prop.uselist:
                    o.__dict__[prop.key] = make_collection(prop, state_for(o), items)
                else:
                    o.__dict__[prop.key] = items[0] if items else None


# --------------------------------------------------------------------------------------
# after a query


_eager_cache: dict[int, tuple[Any, list[Any]]] = {}


def eager_props(mapper: Mapper) -> list[RelationshipProperty]:
    """The mapper's relationships with a default eager strategy (cached)."""
    hit = _eager_cache.get(id(mapper))
    rels = relationships_of(mapper)
    if hit is not None and hit[0] is mapper and len(hit[1]) == len(rels):
        return [p for p in rels if p.lazy in ("selectin", "joined")]
    _eager_cache[id(mapper)] = (mapper, rels)
    return [p for p in rels if p.lazy in ("selectin", "joined")]


def has_relationships(mapper: Mapper) -> bool:
    return any(getattr(p, "is_relationship", False) for p in mapper._props.values())


def post_load(session: Session, mapper: Mapper, objs: list[Any], node: Node | None,
              depth: int, skip: frozenset[str] = frozenset()) -> None:
    """Run selectin loads (default or requested) for freshly loaded ``objs``, recursively."""
    if not objs or depth > _MAX_DEPTH:
        return
    from athanor.orm import n1

    if mapper.polymorphic_on is not None and mapper._inheriting:  # subclass columns
        from athanor.orm._inheritance_load import load_subclass_columns

        load_subclass_columns(session, mapper, objs, node)
    n1.register(session, mapper, objs, node)
    plain = node is None or bool(node.criteria and node.bare)  # no loader options
    for prop in _props_to_load(mapper, node):
        if prop.key in skip:
            continue
        prop.setup()
        strategy = node.strategy_for(prop) if node is not None else prop.lazy
        if strategy not in ("selectin", "joined"):
            continue
        if plain and prop.join_depth is None and depth > 2 and (
                prop.mapper is mapper):
            continue
        if plain and prop.join_depth is not None and depth > prop.join_depth:
            continue
        sub = node.child(prop.key) if node is not None else None
        children = batch_load(session, prop, objs, sub)
        post_load(session, prop.mapper, children, sub, depth + 1)


def _props_to_load(mapper: Mapper, node: Node | None) -> list[RelationshipProperty]:
    if node is None:
        return eager_props(mapper)
    return relationships_of(mapper)
