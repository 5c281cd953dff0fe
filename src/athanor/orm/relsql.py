"""SQL built from relationships: joins, EXISTS (``any``/``has``), comparisons, with_parent.

Design
------
Every construct here is the relationship's ``primaryjoin`` (and ``secondaryjoin`` for
many-to-many) with some columns substituted (:func:`athanor.orm._adapt.replace_columns`):
an object's column values become bound literals (``Address.user == u``,
``with_parent(u, User.addresses)``), a target table becomes an alias
(``join(User.addresses.of_type(a))``). EXISTS subqueries rely on Core's
auto-correlation to tie them to the enclosing statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm import _adapt
from athanor.orm.relationships import MANYTOMANY, MANYTOONE

if TYPE_CHECKING:
    from athanor.orm.relationships import RelationshipProperty


def _crit(prop: RelationshipProperty) -> list[Any]:
    prop.setup()
    out = [prop.primaryjoin]
    if prop.direction == MANYTOMANY:
        out.append(prop.secondaryjoin)
    return out


def exists_clause(prop: RelationshipProperty, criterion: Any, kwargs: dict[str, Any],
                  what: str, target: Any = None) -> Any:
    """``User.addresses.any(...)`` / ``Address.user.has(...)`` as correlated EXISTS
    (``target``: the class or entity of ``of_type()``, whose tables the EXISTS reads)."""
    from athanor.sql import and_, exists, literal_column, select

    crits = _crit(prop)
    if what == "any()" and not prop.uselist or what == "has()" and prop.uselist:
        other = "has()" if what == "any()" else "any()"
        raise exc.InvalidRequestError(
            f"{prop}.{what} failed: {what} is for "
            f"{'collections' if what == 'any()' else 'scalar references'}. Use {prop}.{other}."
        )
    extra = []
    if criterion is not None:
        hook = getattr(criterion, "__clause_element__", None)
        extra.append(hook() if hook is not None else criterion)
    cls = prop.mapper.class_ if target is None else target
    for key, value in kwargs.items():
        extra.append(getattr(cls, key) == value)
    if target is not None:
        return _exists_of_type(crits, extra, target)
    if prop.direction != MANYTOMANY and prop.parent.local_table is prop.target:
        # self-referential: the related rows come from an alias of the same table
        alias = prop.target.alias()
        amap = _adapt.adapt_to(alias, prop.target.c)
        remote = {id(r) for _, r in prop.local_remote}
        crits = [_adapt.replace_columns(prop.primaryjoin,
                                        {k: v for k, v in amap.items() if k in remote})]
        extra = [_adapt.replace_columns(c, amap) for c in extra]
    return exists(select(literal_column("1")).where(and_(*crits, *extra)))


def _exists_of_type(crits: list[Any], extra: list[Any], target: Any) -> Any:
    """EXISTS from the tables of an ``of_type()`` target (a subclass's join, with its
    discriminator criteria, or a with_polymorphic() entity)."""
    from athanor.sql import and_, exists, literal_column, select

    hook = getattr(target, "__clause_element__", None)
    frm = hook() if hook is not None else target
    mapper = getattr(target, "__mapper__", None)
    single = getattr(mapper, "_single_criteria", None)
    if single is not None:
        extra = [*extra, single]
    return exists(select(literal_column("1")).select_from(frm).where(and_(*crits, *extra)))


def _values(obj: Any, keys: list[str], prop: RelationshipProperty) -> list[Any]:
    if obj is not None and getattr(obj, "__mapper__", None) is None:
        raise exc.ArgumentError(
            f"Comparing {prop} failed: expected a mapped object or None; got "
            f"{type(obj).__name__}. Compare the foreign key column to plain values instead."
        )
    return [getattr(obj, k) for k in keys]


def compare_clause(prop: RelationshipProperty, other: Any, *, negate: bool) -> Any:
    """``Address.user == u`` / ``!= u`` / ``== None``."""
    from athanor.sql import and_, not_, or_

    prop.setup()
    if prop.direction == MANYTOONE:
        target = prop.mapper
        cols = [loc for loc, _ in prop.local_remote]
        if other is None:
            parts = [c.is_not(None) if negate else c.is_(None) for c in cols]
            return and_(*parts) if not negate else or_(*parts)
        vals = _values(other, [target._col_to_key[r] for _, r in prop.local_remote], prop)
        if negate:
            return or_(*[or_(c != v, c.is_(None)) for c, v in zip(cols, vals, strict=False)])
        return and_(*[c == v for c, v in zip(cols, vals, strict=False)])
    if other is None and not prop.uselist:
        clause = _scalar_exists(prop)
        return clause if negate else not_(clause)
    raise exc.InvalidRequestError(
        f"Comparing {prop} with == failed: it is a collection. Use {prop}.contains(obj) or "
        f"{prop}.any(...)."
    )


def _scalar_exists(prop: RelationshipProperty) -> Any:
    from athanor.sql import and_, exists, literal_column, select

    return exists(select(literal_column("1")).where(and_(*_crit(prop))))


def contains_clause(prop: RelationshipProperty, other: Any) -> Any:
    """``User.addresses.contains(a)``."""
    from athanor.sql import and_, exists, literal_column, select

    prop.setup()
    target = prop.mapper
    if prop.direction == MANYTOMANY:
        vals = _values(other, [target._col_to_key[e] for e, _ in prop.sec_remote], prop)
        pairs = zip(prop.sec_remote, vals, strict=False)
        crit = [prop.primaryjoin] + [s == v for (_, s), v in pairs]
        return exists(select(literal_column("1")).where(and_(*crit)))
    if prop.direction == MANYTOONE:
        raise exc.InvalidRequestError(
            f"{prop}.contains() failed: it is a scalar reference. Use {prop} == obj.")
    vals = _values(other, [target._col_to_key[r] for _, r in prop.local_remote], prop)
    return and_(*[loc == v for (loc, _), v in zip(prop.local_remote, vals, strict=False)])


def join_select(prop: RelationshipProperty, select: Any, isouter: bool, full: bool,
                target: Any = None, criteria: tuple[Any, ...] = ()) -> Any:
    """Add the relationship's join(s) to ``select`` (``target``: an alias of the target;
    ``criteria``: ``.and_()`` conditions added to the ON clause of the target)."""
    from athanor.sql import and_

    prop.setup()
    pj, sj = prop.primaryjoin, prop.secondaryjoin
    if criteria:  # written against the target class: adapted below with the join
        if prop.direction == MANYTOMANY:
            sj = and_(sj, *criteria)
        else:
            pj = and_(pj, *criteria)
    dest = prop.target
    if target is not None:
        hook = getattr(target, "__clause_element__", None)
        dest = hook() if hook is not None else target
        mapping = _adapt.adapt_to(dest, prop.target.c)
        if prop.direction == MANYTOMANY:
            sj = _adapt.replace_columns(sj, mapping)
        elif prop.parent.local_table is not prop.target:
            pj = _adapt.replace_columns(pj, mapping)
        else:
            remote = [r for _, r in prop.local_remote]
            pj = _adapt.replace_columns(pj, {k: v for k, v in mapping.items()
                                             if any(id(r) == k for r in remote)})
    if prop.direction == MANYTOMANY:
        return select.join(prop.secondary, pj, isouter=isouter, full=full).join(
            dest, sj, isouter=isouter, full=full)
    return select.join(dest, pj, isouter=isouter, full=full)


def with_parent(instance: Any, prop_attr: Any, from_entity: Any = None) -> Any:
    """Criterion selecting the objects related to ``instance`` through ``prop_attr``."""
    from athanor.sql import and_, literal

    prop = getattr(prop_attr, "prop", None)
    if isinstance(prop_attr, str):
        prop = type(instance).__mapper__.get_property(prop_attr)
    if prop is None or not getattr(prop, "is_relationship", False):
        raise exc.ArgumentError(
            f"with_parent() failed: {prop_attr!r} is not a relationship attribute. Pass e.g. "
            f"User.addresses."
        )
    prop.setup()
    parent = prop.parent
    locals_ = [e for e, _ in prop.sec_local] if prop.direction == MANYTOMANY else [
        loc for loc, _ in prop.local_remote]
    mapping = {}
    for col in locals_:
        value = getattr(instance, parent._col_to_key[col])
        mapping[id(col)] = literal(value, col.type)
    crit = _adapt.replace_columns(prop.primaryjoin, mapping)
    if prop.direction == MANYTOMANY:
        crit = and_(crit, prop.secondaryjoin)
    if from_entity is not None:
        hook = getattr(from_entity, "__clause_element__", None)
        dest = hook() if hook is not None else from_entity
        crit = _adapt.replace_columns(crit, _adapt.adapt_to(dest, prop.target.c))
    return crit
