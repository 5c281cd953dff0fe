"""ORM SELECT execution when relationships are involved: joined eager loads and options.

Design
------
:func:`wants` decides, per execution and cheaply, whether a statement needs this path
(loader options, default eager strategies, N+1 tracking); everything else stays on the
ORM core's plain path. :func:`execute_select` then:

1. merges the statement's loader options into option trees
   (:mod:`athanor.orm.strategy_options`) and plans *join steps*: every ``joined`` (and
   ``contains_eager``) relationship reachable through joined steps, each with its source
   (an entity of the statement or an earlier step);
2. rewrites the statement once: for each joined step an anonymous alias of the target
   (and of the secondary table) is LEFT OUTER JOINed with the relationship's condition
   rewritten onto the aliases, and its columns are appended after the statement's own
   columns, so the entity positions of the original statement stay valid. When the
   statement has LIMIT/OFFSET and a joined step loads a collection, the original statement
   becomes a subquery first, so the limit counts parents, not joined rows;
3. loads entities with the core's precomputed row loaders (one per step, by column
   positions), fills each parent's collection once, in row order, without duplicates,
   and returns each parent once for single-entity statements;
4. runs :func:`athanor.orm.strategies.post_load` for selectin loads and registers the
   result groups for lazy-load options and N+1 detection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor.orm import _adapt
from athanor.orm._criteria import for_step, options_in, with_criteria
from athanor.orm._deferred import Partial, adapt_select, aliased_plan, columns_of
from athanor.orm.collections import make_collection, state_for
from athanor.orm.relationships import MANYTOMANY, relationships_of
from athanor.orm.strategies import has_relationships, post_load
from athanor.orm.strategy_options import build_tree, tree_for

if TYPE_CHECKING:
    from athanor.orm.context import EntityLayout
    from athanor.orm.mapper import Mapper
    from athanor.orm.relationships import RelationshipProperty
    from athanor.orm.session import Session
    from athanor.orm.strategy_options import Node

_MAX_JOIN_DEPTH = 4


def wants(session: Session, stmt: Any, layout: EntityLayout) -> bool:
    """True when the statement needs relationship-aware execution (cheap per call)."""
    if stmt._with_options if hasattr(stmt, "_with_options") else False:
        return True
    if layout.cols:  # deferred columns / column_property() (orm/_deferred.py)
        return True
    for mapper, _ in layout.items:
        if mapper is None:
            continue
        kind = _kinds.get(mapper)
        if kind is None:
            kind = _kind(mapper)
        if kind == 2:
            return True
        if kind == 1:
            from athanor.orm import n1

            if n1.mode_of(session) is not None:
                return True
    return False


#: per mapper: 0 no relationships, 1 only lazy ones, 2 some eager by default
_kinds: dict[Any, int] = {}


def _kind(mapper: Mapper) -> int:
    from athanor.orm._inheritance_load import has_selectin_subclasses
    from athanor.orm.relationships import configure_pending
    from athanor.orm.strategies import eager_props

    if mapper._inheriting and has_selectin_subclasses(mapper):
        kind = 2  # polymorphic_load="selectin" subclasses: a second SELECT after the query
    elif not has_relationships(mapper):
        kind = 0
    else:
        configure_pending()
        kind = 2 if eager_props(mapper) else 1
    _kinds[mapper] = kind
    return kind


class Step:
    """One joined (or contains_eager) relationship of a statement."""

    __slots__ = ("prop", "source", "sub", "kind", "alias_map", "positions", "alias",
                 "innerjoin")

    def __init__(self, prop: RelationshipProperty, source: tuple[str, int], sub: Node | None,
                 kind: str, alias: Any = None, innerjoin: bool = False) -> None:
        self.prop = prop
        self.innerjoin = innerjoin
        self.source = source
        self.sub = sub
        self.kind = kind  # "joined" | "contains"
        self.alias = alias
        self.alias_map: dict[int, Any] = {}
        self.positions: tuple[int, ...] = ()


def _plan(mapper: Mapper, node: Node | None, source: tuple[str, int], steps: list[Step],
          depth: int, path: frozenset[tuple[int, str]]) -> None:
    if depth > _MAX_JOIN_DEPTH:
        return
    plain = node is None or bool(node.criteria and node.bare)  # no loader options
    for prop in relationships_of(mapper):
        prop.setup()
        strategy = node.strategy_for(prop) if node is not None else prop.lazy
        if strategy not in ("joined", "contains_eager"):
            continue
        mark = (id(mapper), prop.key)
        if mark in path:
            continue
        if plain and prop.mapper is mapper and depth > (prop.join_depth or 1):
            continue
        sub = node.child(prop.key) if node is not None else None
        alias = node.aliases.get(prop.key) if node is not None else None
        inner = node.aliases.get("__inner__" + prop.key) if node is not None else None
        if inner is None:
            inner = prop.innerjoin
        steps.append(Step(prop, source, sub, "joined" if strategy == "joined" else "contains",
                          alias, bool(inner)))
        _plan(prop.mapper, sub, ("s", len(steps) - 1), steps, depth + 1, path | {mark})


def _build(stmt: Any, steps: list[Step], entity_tables: list[Any], crits: tuple[Any, ...] = ()
           ) -> Any:
    from athanor.sql import and_, select

    limited = (stmt._limit is not None or stmt._offset is not None) and any(
        s.kind == "joined" and s.prop.uselist for s in steps)
    root_map: dict[int, Any] = {}
    aliased_map: dict[int, Any] = {}  # aliased() roots: table column -> alias column
    raw_entities, raw_columns = stmt.__dict__.get(  # before _deferred.adapt_select
        "_orm_entities", (stmt._raw_entities, stmt._raw_columns))
    for raw, coerced in zip(raw_entities, raw_columns, strict=False):
        if hasattr(raw, "_aliased_columns"):
            aliased_map.update(_adapt.adapt_to(coerced, raw._aliased_mapper.local_table.c))
    root_map.update(aliased_map)
    base = stmt
    if limited:
        inner = stmt.subquery()
        for t in entity_tables:
            root_map.update(_adapt.adapt_to(inner, t.c))
        for key, col in aliased_map.items():
            match = inner.corresponding_column(col)
            if match is not None:
                root_map[key] = root_map[id(col)] = match
        base = select(inner)
        if stmt._order_by:
            base = base.order_by(*_adapt.replace_columns(list(stmt._order_by), root_map))
    offset = len(base._export_columns())
    for step in steps:
        parent_map = root_map if step.source[0] == "e" else steps[step.source[1]].alias_map
        prop = step.prop
        target_cols = prop.mapper._columns
        plan = aliased_plan(prop.mapper, step.sub) if step.kind != "contains" else None
        if plan is not None:
            target_cols = columns_of(prop.mapper).columns(plan.keys, step.sub)
        outer = not _inner(step, steps)
        if step.kind == "contains":
            dest = step.alias
            if dest is not None:
                hook = getattr(dest, "__clause_element__", None)
                dest = hook() if hook is not None else dest
                step.alias_map = _adapt.adapt_to(dest, prop.target.c)
            cols = [step.alias_map.get(id(c), c) for c in target_cols]
        else:
            if prop.mapper._from_clause is not prop.target:  # a joined-inheritance target
                from athanor.orm._inheritance import flat_alias

                alias, amap = flat_alias(prop.mapper)
            else:
                alias = prop.target.alias()
                amap = _adapt.adapt_to(alias, prop.target.c)
            step.alias_map = amap
            if prop.direction == MANYTOMANY:
                salias = prop.secondary.alias()
                smap = _adapt.adapt_to(salias, prop.secondary.c)
                pj = _adapt.replace_columns(prop.primaryjoin, {**parent_map, **smap})
                sj = _adapt.replace_columns(prop.secondaryjoin, {**amap, **smap})
                if crits:  # with_loader_criteria() (orm/_criteria.py)
                    sj = and_(sj, *for_step(crits, prop.mapper, amap))
                base = base.join(salias, pj, isouter=outer).join(alias, sj, isouter=outer)
            else:
                mapping = {**parent_map, **amap}
                if prop.parent.local_table is prop.target:
                    for loc, _ in prop.local_remote:
                        mapping[id(loc)] = parent_map.get(id(loc), loc)
                on = _adapt.replace_columns(prop.primaryjoin, mapping)
                if prop.mapper._single_criteria is not None:  # single-table subclass target
                    on = and_(on, _adapt.replace_columns(prop.mapper._single_criteria, amap))
                if crits:  # with_loader_criteria() (orm/_criteria.py)
                    on = and_(on, *for_step(crits, prop.mapper, amap))
                base = base.join(alias, on, isouter=outer)
            cols = [amap[id(c)] if id(c) in amap else _adapt.replace_columns(c, amap)
                    for c in target_cols]
        base = base.add_columns(*cols)
        step.positions = tuple(range(offset, offset + len(cols)))
        if plan is not None:
            step.positions = Partial(step.positions, plan.keys, plan.raise_keys)  # type: ignore[assignment]
        offset += len(cols)
    # a collection's relationship(order_by=...) orders its rows within each parent
    ordering = [
        c for step in steps if step.kind == "joined" and step.prop.uselist and step.prop.order_by
        for c in _adapt.replace_columns(list(step.prop.order_by), step.alias_map)]
    return base.order_by(*ordering) if ordering else base


def _inner(step: Step, steps: list[Step]) -> bool:
    """INNER JOIN for ``innerjoin=True`` steps whose whole chain is inner (an inner join
    under an outer one would drop the outer parent's rows)."""
    while True:
        if step.kind != "joined" or not step.innerjoin:
            return False
        if step.source[0] == "e":
            return True
        step = steps[step.source[1]]


def execute_select(session: Session, stmt: Any, params: Any, layout: EntityLayout,
                   options: dict[str, Any]) -> Any:
    """Execute an ORM SELECT with relationship loading (see the module docstring)."""
    from athanor.orm.context import _tuples

    opts = getattr(stmt, "_with_options", ())
    roots = build_tree(opts)
    crits = options_in(opts) if opts else ()
    populate = bool(options.get("populate_existing"))
    nodes: list[Node | None] = []
    steps: list[Step] = []
    primary = True
    for mapper, _ in layout.items:
        node = tree_for(roots, mapper, primary) if mapper is not None else None
        if crits and mapper is not None:  # with_loader_criteria() for later loads
            node = with_criteria(node, crits)
        nodes.append(node)
        if mapper is not None:
            primary = False
    stmt, layout = adapt_select(stmt, layout, nodes)  # deferred columns, load_only(), ...
    for i, (mapper, _) in enumerate(layout.items):
        if mapper is not None:
            _plan(mapper, nodes[i], ("e", i), steps, 1, frozenset())
    final = _build(stmt, steps, [m.local_table for m, _ in layout.items if m is not None],
                   crits) if steps else stmt
    rows = _tuples(session._connection().execute(final, params))
    columns = _load_columns(session, layout, rows, populate)
    step_objs = _load_steps(session, steps, columns, rows, populate)
    result = _result(layout, columns, rows, any(s.prop.uselist for s in steps))
    _post(session, layout, nodes, steps, columns, step_objs)
    return result


def _loader(session: Session, mapper: Mapper, where: Any, populate: bool) -> Any:
    from athanor.orm.loading import instance_loader

    lkey = (mapper, where, populate)
    loader = session._loaders.get(lkey)
    if loader is None:
        loader = session._loaders[lkey] = instance_loader(
            mapper, where, session, populate_existing=populate)
    return loader


def _load_columns(session: Session, layout: EntityLayout, rows: list[Any], populate: bool
                  ) -> list[list[Any]]:
    out = []
    for mapper, where in layout.items:
        if mapper is not None:
            out.append(_loader(session, mapper, where, populate)(rows))
        else:  # a column's position, or a bundle's loader
            out.append([r[where] for r in rows] if type(where) is int else where(rows))
    return out


def _load_steps(session: Session, steps: list[Step], columns: list[list[Any]],
                rows: list[Any], populate: bool) -> list[list[Any]]:
    step_objs: list[list[Any]] = []
    for step in steps:
        prop = step.prop
        children = _loader(session, prop.mapper, step.positions, populate)(rows)
        step_objs.append(children)
        parents = columns[step.source[1]] if step.source[0] == "e" else step_objs[
            step.source[1]]
        key = prop.key
        fill: dict[int, tuple[Any, list[Any], set[int]]] = {}
        for parent in parents:
            if parent is not None and id(parent) not in fill and (
                    populate or key not in parent.__dict__):
                fill[id(parent)] = (parent, [], set())
        for parent, child in zip(parents, children, strict=False):
            if parent is None or child is None:
                continue
            entry = fill.get(id(parent))
            if entry is not None and id(child) not in entry[2]:
                entry[2].add(id(child))
                entry[1].append(child)
        for parent, items, _ in fill.values():
            if prop.uselist:
                parent.__dict__[key] = make_collection(prop, state_for(parent), items)
            else:
                parent.__dict__[key] = items[0] if items else None
    return step_objs


def _result(layout: EntityLayout, columns: list[list[Any]], rows: list[Any], dedupe: bool
            ) -> Any:
    from athanor.orm.result import ORMResult

    if layout.single:
        values = columns[0]
        if dedupe:
            values = _unique(values)
        return ORMResult(layout.keys, values, scalar=True)
    return ORMResult(layout.keys, list(zip(*columns, strict=False)) if rows else [], scalar=False)


def _unique(values: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for v in values:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _post(session: Session, layout: EntityLayout, nodes: list[Node | None], steps: list[Step],
          columns: list[list[Any]], step_objs: list[list[Any]]) -> None:
    for i, (mapper, _) in enumerate(layout.items):
        if mapper is None:
            continue
        skip = frozenset(s.prop.key for s in steps if s.source == ("e", i))
        objs = [o for o in _unique(columns[i]) if o is not None]
        post_load(session, mapper, objs, nodes[i], 1, skip)
    for j, step in enumerate(steps):
        skip = frozenset(s.prop.key for s in steps if s.source == ("s", j))
        objs = [o for o in _unique(step_objs[j]) if o is not None]
        post_load(session, step.prop.mapper, objs, step.sub, 2, skip)
