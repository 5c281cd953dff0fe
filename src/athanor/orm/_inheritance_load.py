"""Loading subclass columns in a second SELECT: ``selectin_polymorphic()`` and
``polymorphic_load="selectin"``.

Design
------
A query of a polymorphic base reads the base's columns only (the other tables of a joined
hierarchy are not in its FROM). Subclasses named by ``selectin_polymorphic(Base, [Sub,
...])`` or mapped with ``__mapper_args__ = {"polymorphic_load": "selectin"}`` then get
their remaining columns right after the query, for all loaded objects of that subclass at
once: ``SELECT key, sub columns FROM <subclass join> WHERE key IN (...)`` in chunks, so a
result costs one extra query per subclass instead of one per object on first access. The
step runs from :func:`athanor.orm.strategies.post_load` (so relationship loads of a base
class get it too) and only fills attributes an object has not loaded yet.

Concrete hierarchies: :func:`polymorphic_union` builds the ``UNION ALL`` of their tables for
Core queries; polymorphic ORM loading from it (``ConcreteBase``, ``AbstractConcreteBase``)
is not implemented, and those two names raise when a class derives from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.session import Session
    from athanor.orm.strategy_options import Node

_CHUNK = 500


def selectin_mappers(mapper: Mapper, node: Node | None) -> list[Mapper]:
    """The subclasses of ``mapper`` whose columns load by a second SELECT."""
    chosen = list(node.poly) if node is not None and node.poly else []
    for m in mapper.self_and_descendants[1:]:
        if getattr(m, "_selectin", False) and m not in chosen:
            chosen.append(m)
    return [m for m in chosen if m is not mapper and m.isa(mapper)]


def has_selectin_subclasses(mapper: Mapper) -> bool:
    return any(getattr(m, "_selectin", False) for m in mapper.self_and_descendants[1:])


def load_subclass_columns(session: Session, mapper: Mapper, objs: list[Any],
                          node: Node | None) -> None:
    """Fill the subclass columns of ``objs`` (loaded as ``mapper``) for the subclasses of
    :func:`selectin_mappers`, one SELECT per subclass (and chunk of 500 keys)."""
    subs = selectin_mappers(mapper, node)
    if not subs:
        return
    depth = {m: len(list(m.iterate_to_root())) for m in subs}
    groups: dict[Mapper, list[Any]] = {}
    for obj in objs:
        st = obj.__dict__.get(STATE_KEY)
        if st is None or st.key is None:
            continue
        best = None
        for m in subs:  # the most specific listed class the object is an instance of
            if st.mapper.isa(m) and (best is None or depth[m] > depth[best]):
                best = m
        if best is not None:
            groups.setdefault(best, []).append(obj)
    for m, members in groups.items():
        _load_group(session, mapper, m, members)


def _load_group(session: Session, mapper: Mapper, sub: Mapper, objs: list[Any]) -> None:
    from athanor.orm._deferred import columns_of, fill

    have = set(mapper._load_keys)
    keys = tuple(k for k in columns_of(sub).plan().keys if k not in have)
    if not keys:
        return
    need = [o for o in objs if any(k not in o.__dict__ for k in keys)]
    if not need:
        return
    by_key = {o.__dict__[STATE_KEY].key: o for o in need}
    for start in range(0, len(need), _CHUNK):
        chunk = [o.__dict__[STATE_KEY].key for o in need[start:start + _CHUNK]]
        for row in _fetch(session, sub, keys, chunk):
            npk = len(sub.primary_key)
            ident = row[0] if npk == 1 else tuple(row[:npk])
            obj = by_key.get(ident)
            if obj is not None:
                fill(obj.__dict__[STATE_KEY], obj, keys, row[npk:], False)


def _fetch(session: Session, sub: Mapper, keys: tuple[str, ...], idents: list[Any]
           ) -> list[tuple[Any, ...]]:
    from athanor.orm._deferred import columns_of
    from athanor.orm.strategies import _in_clause, run_lazy_query
    from athanor.sql import select

    pk = list(sub.primary_key)
    rows = [k if isinstance(k, tuple) else (k,) for k in idents]
    stmt = select(*pk, *columns_of(sub).columns(keys)).select_from(
        sub.persist_selectable).where(_in_clause(pk, rows))
    return run_lazy_query(session, stmt, {})


def selectin_polymorphic(base: Any, classes: Any) -> Any:
    """A loader option: after loading ``base`` objects, load the columns of each class of
    ``classes`` for the objects of that class in one more SELECT per class."""
    from athanor.orm.strategy_options import Load

    mapper = _mapper(base)
    opt = Load(mapper)
    opt.path = ((mapper, "poly", {"mappers": poly_mappers(mapper, classes)}),)
    return opt


def _mapper(entity: Any) -> Mapper:
    from athanor.orm.mapper import Mapper, class_mapper

    if isinstance(entity, Mapper):
        return entity
    aliased = getattr(entity, "_aliased_mapper", None)
    return aliased if aliased is not None else class_mapper(entity)


def poly_mappers(base: Any, classes: Any) -> tuple[Mapper, ...]:
    """The mappers of ``classes``, each checked to be a subclass of ``base``."""
    from athanor import exc

    mapper = _mapper(base)
    subs = []
    for c in classes:
        m = _mapper(c)
        if not m.isa(mapper):
            raise exc.ArgumentError(
                f"selectin_polymorphic({mapper.class_.__name__}, ...) failed: "
                f"{m.class_.__name__} is not a subclass of {mapper.class_.__name__}. List "
                f"subclasses of {mapper.class_.__name__}."
            )
        subs.append(m)
    return tuple(subs)


# --------------------------------------------------------------------------------------
# concrete hierarchies


def polymorphic_union(table_map: dict[Any, Any], typecolname: str | None,
                      aliasname: str = "p_union", cast_nulls: bool = True) -> Any:
    """``UNION ALL`` of the tables of ``table_map`` (identity -> table) over the union of
    their column names, missing columns as typed NULLs, plus a ``typecolname`` column
    holding each table's identity; returned as a subquery named ``aliasname``."""
    from athanor.sql import cast, literal, null, type_coerce, union_all
    from athanor.sql._select import select

    names: dict[str, Any] = {}
    for table in table_map.values():
        for col in table.c:
            names.setdefault(col.key, col.type)
    parts = []
    for identity, table in table_map.items():
        cols = [table.c[n] if n in table.c else (
            cast(null(), typ) if cast_nulls else type_coerce(null(), typ)).label(n)
            for n, typ in names.items()]
        if typecolname is not None:
            cols.append(literal(identity).label(typecolname))
        parts.append(select(*cols).select_from(table))
    return union_all(*parts).subquery(aliasname)


class _Unsupported:
    """A stand-in that names what to use instead when a class derives from it."""

    _name = ""

    def __init_subclass__(cls, **kw: Any) -> None:
        if "_name" in cls.__dict__:  # ConcreteBase / AbstractConcreteBase themselves
            return
        from athanor.orm.exc import MappingError

        raise MappingError(
            f"Mapping {cls.__name__} failed: {cls._name} (polymorphic loading of a concrete "
            f"hierarchy) is not supported. Map each class with __mapper_args__ = "
            f"{{'concrete': True}} and query the classes one by one (polymorphic_union() "
            f"builds the UNION ALL for Core queries), or use joined-table inheritance."
        )


class ConcreteBase(_Unsupported):
    """Not supported: raises when a class derives from it (see :class:`_Unsupported`)."""

    _name = "ConcreteBase"


class AbstractConcreteBase(_Unsupported):
    """Not supported: raises when a class derives from it (see :class:`_Unsupported`)."""

    _name = "AbstractConcreteBase"
