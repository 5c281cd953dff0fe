"""Resolving a relationship's configuration into join data (see relationships.py).

Design
------
:func:`resolve` runs once per relationship. It turns string and callable arguments into
objects (``"Address"``, ``"Address.user_id"``, ``"and_(User.id == Address.user_id, ...)"``
are evaluated against the declarative registry's class names), then infers:

1. the target mapper and ``secondary`` table;
2. the column pairs the join condition equates, from the given ``primaryjoin`` or from the
   foreign keys between the tables (restricted by ``foreign_keys``);
3. the direction, from which side holds the foreign key columns (``remote_side`` decides
   for self-referential tables);
4. ``uselist``, the lazy-load statement, and the reverse relationship (``back_populates``
   links two declared ones, ``backref`` creates the reverse on the target mapper).

Every failure names the relationship and says what to pass instead.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from athanor import exc as sa_exc
from athanor.orm import _adapt
from athanor.orm.exc import MappingError
from athanor.orm.relationships import (
    MANYTOMANY,
    MANYTOONE,
    ONETOMANY,
    RelationshipProperty,
    _rel_mappers,
    _Unresolved,
    annotation_target,
)

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper


def resolve(prop: RelationshipProperty) -> None:
    parent: Mapper = prop.parent
    ns = _namespace(parent)
    target, ann_uselist, ann_coll = _target(prop, ns)
    prop.mapper = target
    prop.entity = target
    prop.target = target.local_table
    prop.secondary = _resolve_secondary(prop, parent)
    marked: dict[str, list[Any]] = {"foreign": [], "remote": []}
    token = _MARKS.set(marked)  # foreign()/remote() called while evaluating the joins
    try:
        pj = _evaluate(prop, prop._primaryjoin_arg, ns, "primaryjoin")
        sj = _evaluate(prop, prop._secondaryjoin_arg, ns, "secondaryjoin")
    finally:
        _MARKS.reset(token)
    fks = _column_set(prop, prop._foreign_keys_arg, ns, "foreign_keys") or (
        _unwrap(marked["foreign"]) or None)
    remote = _column_set(prop, prop._remote_side_arg, ns, "remote_side") or (
        _unwrap(marked["remote"]) or None)
    if prop.secondary is not None:
        _infer_m2m(prop, pj, sj, fks)
    else:
        _infer_direct(prop, pj, fks, remote)
    if prop.collection_class is None and ann_coll is set:
        prop.collection_class = set
    if prop.collection_class is None and ann_coll is dict:
        raise MappingError(
            f"relationship {prop} failed: its annotation is a dict, but a dictionary "
            f"collection needs a key. Pass collection_class=attribute_keyed_dict('<attribute>') "
            f"(or column_keyed_dict(...) / keyfunc_mapping(...))."
        )
    if prop.collection_class is not None:
        from athanor.orm.collections import collection_factory

        collection_factory(prop)  # an unusable collection_class is reported now
    if prop._uselist_arg is not None:
        prop.uselist = bool(prop._uselist_arg)
    elif ann_uselist is not None and prop._annotation is not None and prop.argument is None:
        prop.uselist = ann_uselist
    else:
        prop.uselist = prop.direction != MANYTOONE
    prop.order_by = _order_by(prop, ns)
    _build_lazy(prop)
    _link_reverse(prop)


# --------------------------------------------------------------------------------------
# argument resolution


#: Columns passed to foreign() / remote() while a relationship's join is being evaluated.
_MARKS: ContextVar[dict[str, list[Any]] | None] = ContextVar("athanor_rel_marks", default=None)


def mark(kind: str, expr: Any) -> Any:
    """``foreign(expr)`` / ``remote(expr)``: note the column for the relationship whose
    ``primaryjoin`` is being evaluated (a string or lambda), and return it unchanged."""
    marks = _MARKS.get()
    if marks is not None:
        marks[kind].append(expr)
    return expr


def _unwrap(items: list[Any]) -> list[Any]:
    out = []
    for item in items:
        hook = getattr(item, "__clause_element__", None)
        out.append(hook() if hook is not None else item)
    return out


def _namespace(parent: Mapper) -> dict[str, Any]:
    import athanor.sql as sql

    ns: dict[str, Any] = {
        name: getattr(sql, name)
        for name in ("and_", "or_", "not_", "func", "text", "literal", "null", "true",
                     "false", "desc", "asc", "cast", "select", "exists")
        if hasattr(sql, name)
    }
    ns["foreign"] = lambda expr: mark("foreign", expr)
    ns["remote"] = lambda expr: mark("remote", expr)
    reg = parent.registry
    if reg is not None:
        ns.update(reg._class_registry)
    return ns


def _target(prop: RelationshipProperty, ns: dict[str, Any]) -> tuple[Any, Any, Any]:
    arg = prop.argument
    ann_uselist = ann_coll = None
    if arg is None:
        arg, ann_uselist, ann_coll = annotation_target(prop._annotation)
        if arg is None:
            raise MappingError(
                f"Configuring relationship {prop} failed: no target class was given. Pass it, "
                f"e.g. relationship('Address'), or annotate the attribute: "
                f"{prop.key}: Mapped[List['Address']] = relationship()."
            )
    if callable(arg) and not isinstance(arg, type) and not hasattr(arg, "__mapper__"):
        arg = arg()
    if isinstance(arg, str):
        name = arg.rsplit(".", 1)[-1]
        found = ns.get(name)
        if found is None or not isinstance(found, type):
            raise _Unresolved(
                f"Configuring relationship {prop} failed: no mapped class named {arg!r} in "
                f"this declarative base. Check the spelling, and define the class before the "
                f"first query."
            )
        arg = found
    mapper = getattr(arg, "__mapper__", None) if isinstance(arg, type) else getattr(
        arg, "mapper", None)
    if mapper is None:
        raise MappingError(
            f"Configuring relationship {prop} failed: its target {arg!r} is not a mapped "
            f"class. Pass a declarative model or its name."
        )
    return mapper, ann_uselist, ann_coll


def _resolve_secondary(prop: RelationshipProperty, parent: Mapper) -> Any:
    sec = prop._secondary_arg
    if sec is None:
        return None
    if callable(sec) and not hasattr(sec, "c"):
        sec = sec()
    if isinstance(sec, str):
        tables = getattr(parent.local_table.metadata, "tables", {})
        found = tables.get(sec)
        if found is None:
            raise _Unresolved(
                f"Configuring relationship {prop} failed: secondary table {sec!r} is not in "
                f"the MetaData. Define the Table before the first query, or pass the Table."
            )
        return found
    return sec


def _evaluate(prop: RelationshipProperty, value: Any, ns: dict[str, Any], what: str) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = eval(value, dict(ns))  # noqa: S307 - the model author's own expression
        except NameError as err:
            raise _Unresolved(
                f"Configuring relationship {prop} failed: {what}={value!r} names something "
                f"undefined ({err}). Use mapped class names and and_()/or_()."
            ) from None
    elif callable(value) and not hasattr(value, "__clause_element__") and not hasattr(
            value, "_ck"):
        try:
            value = value()
        except NameError as err:  # a class the lambda names is not defined yet
            raise _Unresolved(
                f"Configuring relationship {prop} failed: the {what} callable names something "
                f"undefined ({err}). Define the classes it uses."
            ) from None
    hook = getattr(value, "__clause_element__", None)
    return hook() if hook is not None else value


def _column_set(prop: RelationshipProperty, value: Any, ns: dict[str, Any], what: str
                ) -> list[Any] | None:
    value = _evaluate(prop, value, ns, what) if isinstance(value, str) or (
        callable(value) and not hasattr(value, "__clause_element__")
        and not hasattr(value, "_ck")) else value
    if value is None:
        return None
    items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            item = _evaluate(prop, item, ns, what)
        from athanor.orm.decl import MappedColumn

        # an attribute, or mapped_column() named in its class body (remote_side=[id])
        col = getattr(item, "column", None) if hasattr(item, "prop") or isinstance(
            item, MappedColumn) else item
        hook = getattr(col, "__clause_element__", None)
        out.append(hook() if hook is not None else col)
    return out


def _order_by(prop: RelationshipProperty, ns: dict[str, Any]) -> tuple[Any, ...]:
    value = prop._order_by_arg
    if value is False or value is None:
        return ()
    if isinstance(value, str):
        value = _evaluate(prop, value, ns, "order_by")
    elif callable(value) and not hasattr(value, "__clause_element__") and not hasattr(
            value, "_ck"):
        value = value()
    items = value if isinstance(value, (list, tuple)) else [value]
    from athanor.orm.decl import MappedColumn

    return tuple(getattr(i, "column", i) if isinstance(i, MappedColumn) else i for i in items)


# --------------------------------------------------------------------------------------
# join inference


def _fk_refs(from_table: Any, to_table: Any, fks: list[Any] | None) -> list[tuple[Any, Any]]:
    """(referring column in from_table, referred column in to_table) pairs."""
    out = []
    for col in from_table.c:
        if fks is not None and not any(col is f for f in fks):
            continue
        for fk in getattr(col, "foreign_keys", ()):
            try:
                ref = getattr(fk, "column", None)
            except sa_exc.NoReferenceError:  # points at a table not defined yet: not to_table
                continue
            if ref is not None and getattr(ref, "table", None) is to_table:
                out.append((col, ref))
    return out


def _infer_direct(prop: RelationshipProperty, pj: Any, fks: list[Any] | None,
                  remote: list[Any] | None) -> None:
    pt, tt = prop.parent.local_table, prop.target
    if pj is None and pt is not tt and (prop.parent.inherits or prop.mapper.inherits):
        pt, tt = _inherited_tables(prop, pt, tt, fks)
    if pj is not None:
        pairs = _pairs_from_condition(prop, pj, fks)  # (fk col, referenced col)
    else:
        pairs = _fk_refs(tt, pt, fks) if pt is not tt else _fk_refs(pt, pt, fks)
        if pt is not tt:
            back = _fk_refs(pt, tt, fks)
            if pairs and back:
                raise _ambiguous(prop, "foreign keys run both ways between the tables")
            if back:
                pairs = back
        if not pairs:
            raise MappingError(
                f"Configuring relationship {prop} failed: no foreign key links tables "
                f"{pt.name!r} and {tt.name!r}. Add a ForeignKey, or pass primaryjoin= and "
                f"foreign_keys=."
            )
        _check_single_path(prop, pairs)
    fk_cols = [fk for fk, _ in pairs]
    if pt is tt:
        in_remote = remote is not None and any(any(c is r for r in remote) for c in fk_cols)
        refs_remote = remote is not None and any(
            any(ref is r for r in remote) for _, ref in pairs)
        direction = MANYTOONE if (refs_remote and not in_remote) else ONETOMANY
    elif all(c.table is tt for c in fk_cols):
        direction = ONETOMANY
    elif all(c.table is pt for c in fk_cols):
        direction = MANYTOONE
    else:
        raise _ambiguous(prop, "its foreign key columns are on both tables")
    prop.direction = direction
    if direction == ONETOMANY:
        prop.local_remote = [(ref, fk) for fk, ref in pairs]
    else:
        prop.local_remote = [(fk, ref) for fk, ref in pairs]
    if pj is None:
        from athanor.sql import and_

        pj = and_(*[loc == rem for loc, rem in prop.local_remote])
        prop._simple = True
    else:
        prop._simple = getattr(prop, "_simple_hint", False)
    prop.primaryjoin = pj
    prop.secondaryjoin = None


def _inherited_tables(prop: RelationshipProperty, pt: Any, tt: Any, fks: list[Any] | None
                      ) -> tuple[Any, Any]:
    """Joined inheritance: the foreign key may sit on a parent class's table."""
    if _fk_refs(tt, pt, fks) or _fk_refs(pt, tt, fks):
        return pt, tt
    for p in reversed(prop.parent._write_tables):
        for t in reversed(prop.mapper._write_tables):
            if p is not t and (_fk_refs(t, p, fks) or _fk_refs(p, t, fks)):
                return p, t
    return pt, tt


def _pairs_from_condition(prop: RelationshipProperty, cond: Any, fks: list[Any] | None
                          ) -> list[tuple[Any, Any]]:
    out = []
    for a, b in _adapt.eq_pairs(cond):
        if fks is not None:
            if any(a is f for f in fks):
                out.append((a, b))
            elif any(b is f for f in fks):
                out.append((b, a))
            continue
        if any(getattr(fk, "column", None) is b for fk in getattr(a, "foreign_keys", ())):
            out.append((a, b))
        elif any(getattr(fk, "column", None) is a for fk in getattr(b, "foreign_keys", ())):
            out.append((b, a))
    if not out:
        raise MappingError(
            f"Configuring relationship {prop} failed: its join condition compares no "
            f"foreign key column. Pass foreign_keys=[...] naming the referring columns."
        )
    return out


def _check_single_path(prop: RelationshipProperty, pairs: list[tuple[Any, Any]]) -> None:
    constraints = {id(getattr(next(iter(fk.foreign_keys)), "constraint", None) or fk)
                   for fk, _ in pairs}
    if len(constraints) > 1:
        names = ", ".join(sorted(f"{fk.table.name}.{fk.name}" for fk, _ in pairs))
        raise _ambiguous(prop, f"several foreign key paths exist ({names})")


def _ambiguous(prop: RelationshipProperty, why: str) -> MappingError:
    return MappingError(
        f"Configuring relationship {prop} failed: the join condition is ambiguous: {why}. "
        f"Pass foreign_keys=[...] (the referring columns) or primaryjoin=..."
    )


def _infer_m2m(prop: RelationshipProperty, pj: Any, sj: Any, fks: list[Any] | None) -> None:
    pt, tt, sec = prop.parent.local_table, prop.target, prop.secondary
    if pj is not None:
        local = [(a, b) if b.table is sec else (b, a) for a, b in _adapt.eq_pairs(pj)]
    else:
        if pt is tt:
            raise MappingError(
                f"Configuring relationship {prop} failed: a self-referential many-to-many "
                f"needs primaryjoin= and secondaryjoin= to tell the two foreign keys apart."
            )
        local = [(ref, col) for col, ref in _fk_refs(sec, pt, fks)]
    if sj is not None:
        remote = [(a, b) if b.table is sec else (b, a) for a, b in _adapt.eq_pairs(sj)]
    else:
        remote = [(ref, col) for col, ref in _fk_refs(sec, tt, fks)]
    if not local or not remote:
        raise MappingError(
            f"Configuring relationship {prop} failed: secondary table {sec.name!r} has no "
            f"foreign key to {(pt if not local else tt).name!r}. Add ForeignKeys to it, or "
            f"pass primaryjoin= and secondaryjoin=."
        )
    from athanor.sql import and_

    prop.direction = MANYTOMANY
    prop.sec_local = local
    prop.sec_remote = remote
    prop.local_remote = []
    prop.primaryjoin = pj if pj is not None else and_(*[e == s for e, s in local])
    prop.secondaryjoin = sj if sj is not None else and_(*[e == s for e, s in remote])
    prop._simple = False


# --------------------------------------------------------------------------------------
# derived statements


def _build_lazy(prop: RelationshipProperty) -> None:
    """The lazy-load SELECT with parent values as binds ``_lz_<n>`` (built once)."""
    from athanor.sql import and_, bindparam, select

    parent = prop.parent
    local_cols = [e for e, _ in prop.sec_local] if prop.direction == MANYTOMANY else [
        loc for loc, _ in prop.local_remote]
    mapping: dict[int, Any] = {}
    binds: list[tuple[str, str]] = []
    for i, col in enumerate(local_cols):
        name = f"_lz_{i}"
        mapping[id(col)] = bindparam(name, None, type_=col.type)
        binds.append((name, parent._col_to_key[col]))
    crit = _adapt.replace_columns(prop.primaryjoin, mapping)
    target = prop.mapper
    stmt = select(*target._columns)
    if prop.direction == MANYTOMANY:
        stmt = stmt.where(and_(crit, prop.secondaryjoin))
    else:
        stmt = stmt.where(crit)
    if target.inherits is not None or target.polymorphic_on is not None:  # inheritance
        from athanor.orm._inheritance import adapt_entity_select

        stmt = adapt_entity_select(target, stmt)
    if prop.order_by:
        stmt = stmt.order_by(*prop.order_by)
    prop._lazy_stmt = stmt
    prop._lazy_binds = binds
    prop._local_keys = tuple(k for _, k in binds)
    if prop.direction == MANYTOONE:
        remote_cols = [rem for _, rem in prop.local_remote]
        pk = list(target.primary_key)
        prop._use_get = prop._simple and len(pk) == len(remote_cols) and all(
            any(r is c for r in remote_cols) for c in pk)
        if prop._use_get:
            order = [next(i for i, r in enumerate(remote_cols) if r is c) for c in pk]
            prop._get_keys = tuple(prop._local_keys[i] for i in order)
    else:
        prop._use_get = False
    # attribute keys for flush-time synchronisation
    if prop.direction == ONETOMANY:
        prop._sync = [(parent._col_to_key[loc], target._col_to_key[rem])
                      for loc, rem in prop.local_remote]
    elif prop.direction == MANYTOONE:
        prop._sync = [(target._col_to_key[rem], parent._col_to_key[loc])
                      for loc, rem in prop.local_remote]
    else:
        prop._sync = []
        prop._sec_local_keys = [(parent._col_to_key[e], s) for e, s in prop.sec_local]
        prop._sec_remote_keys = [(target._col_to_key[e], s) for e, s in prop.sec_remote]


def _link_reverse(prop: RelationshipProperty) -> None:
    target = prop.mapper
    if prop.back_populates:
        other = target._props.get(prop.back_populates)
        if other is None or not getattr(other, "is_relationship", False):
            raise MappingError(
                f"Configuring relationship {prop} failed: back_populates="
                f"{prop.back_populates!r} names no relationship on "
                f"{target.class_.__name__}. Declare it there with "
                f"back_populates={prop.key!r}."
            )
        prop._reverse = other
        other._reverse = prop
    if prop.backref:
        name, kw = (prop.backref, {}) if isinstance(prop.backref, str) else prop.backref
        if name in target._props:
            raise MappingError(
                f"Configuring relationship {prop} failed: backref {name!r} clashes with an "
                f"existing attribute of {target.class_.__name__}. Pick another name."
            )
        from athanor.orm.relationships import relationship

        kw = dict(kw)
        if prop.direction == MANYTOMANY:
            kw.setdefault("primaryjoin", prop.secondaryjoin)
            kw.setdefault("secondaryjoin", prop.primaryjoin)
            other = relationship(prop.parent.class_, prop.secondary, **kw)
        else:
            kw.setdefault("primaryjoin", prop.primaryjoin)
            kw.setdefault("foreign_keys", [
                rem if prop.direction == ONETOMANY else loc for loc, rem in prop.local_remote])
            if prop.parent.local_table is prop.target:
                kw.setdefault("remote_side", [loc for loc, _ in prop.local_remote])
            kw.setdefault("uselist", prop.direction == MANYTOONE)
            other = relationship(prop.parent.class_, **kw)
            other._simple_hint = prop._simple
        add_property(target, name, other)
        prop._reverse = other
        other._reverse = prop
        other.setup()


def add_property(mapper: Mapper, key: str, prop: RelationshipProperty) -> None:
    """Attach a relationship to an already-built mapper (backrefs)."""
    prop.key = key
    prop.parent = mapper
    mapper._props[key] = prop
    prop.instrument_class(mapper)
    for sub in mapper.self_and_descendants[1:]:  # inheriting mappers share the attribute
        sub._props.setdefault(key, prop)
        _rel_mappers.add(sub)
    from athanor.orm.joined import _kinds

    _kinds.clear()
