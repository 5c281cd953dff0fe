"""Mapper inheritance: single-table and joined-table hierarchies, polymorphic loading.

Design
------
A subclass mapper (``inherits=``) shares its base mapper's identity map (keyed by the base
table's primary key) and starts from its parent's properties; the parent's property objects
are shared, not copied, and reach the subclass through Python's own class inheritance. A
joined-table subclass maps its own table too: its key column (a foreign key to the parent's
key) is merged into the parent's key property, so ``id`` has the columns
``[employee.id, engineer.id]`` and the flush copies the generated parent key into the child
row. ``select(Subclass)`` selects from ``persist_selectable`` (parent JOIN child); a
single-table subclass selects from the parent's table and adds ``type IN (...)`` criteria
(:attr:`Mapper._single_criteria`) when the ORM executes the statement.

Polymorphic loading happens only for mappers with ``polymorphic_on``: their row loader reads
the discriminator and builds an instance of the mapper registered for that value, filling
the attributes whose columns the row carries; subclass columns that were not selected
(querying the base of a joined hierarchy) load on first access through the ordinary
unloaded-attribute path. Every other mapper keeps the generated loader of
:mod:`athanor.orm.loading` with no per-row cost. Loader positions for a polymorphic mapper
are aligned with ``mapper._columns`` followed by ``mapper._poly_extra`` (descendants'
columns, append-only so cached layouts stay valid).

The flush side lives in :mod:`athanor.orm._inheritance_flush`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from gc import disable as gc_disable
from gc import enable as gc_enable
from gc import isenabled as gc_isenabled
from typing import TYPE_CHECKING, Any, NoReturn

from athanor.orm.attributes import InstrumentedAttribute
from athanor.orm.exc import MappingError
from athanor.orm.state import STATE_KEY
from athanor.orm.state import InstanceState as _State

if TYPE_CHECKING:
    from athanor.orm._deferred import Partial
    from athanor.orm.mapper import Mapper, MapperProperty
    from athanor.orm.session import Session


# --------------------------------------------------------------------------------------
# mapper construction


def setup_inherits(mapper: Mapper, inherits: Any, inherit_condition: Any, concrete: bool) -> None:
    """Link ``mapper`` to its parent mapper; pick the table(s) it selects from."""
    from athanor.orm.mapper import Mapper, class_mapper

    parent = inherits if isinstance(inherits, Mapper) else class_mapper(inherits)
    if concrete:  # a class of its own for loading and flushing (see _setup_concrete)
        _setup_concrete(mapper, parent)
        return
    from athanor.orm import context

    context._inheritance_used = True
    mapper.inherits = parent
    mapper.base_mapper = parent.base_mapper
    parent._inheriting.append(mapper)
    if mapper.local_table is None:
        mapper.local_table = parent.local_table
    table = mapper.local_table
    if table is parent.local_table:  # single-table inheritance
        mapper.persist_selectable = parent.persist_selectable
        mapper._from_clause = parent.persist_selectable
        return
    onclause = inherit_condition
    if onclause is None:
        onclause = _inherit_condition(mapper, parent, table)
    mapper.persist_selectable = parent.persist_selectable.join(table, onclause)
    mapper._from_clause = mapper.persist_selectable
    mapper.inherit_condition = onclause  # type: ignore[attr-defined]


def _setup_concrete(mapper: Mapper, parent: Mapper) -> None:
    """``concrete=True``: the subclass maps its own table, all of its columns, with its own
    identity map and flush; only ``isa()`` and the class hierarchy link it to ``parent``.
    (Polymorphic loading of concrete hierarchies, ``polymorphic_union``, is not done.)"""
    if mapper.local_table is None or mapper.local_table is parent.local_table:
        raise MappingError(
            f"Mapping {mapper.class_.__name__} failed: concrete=True needs a table of its "
            f"own holding every column of the class. Give it a __tablename__ and declare its "
            f"columns (the parent's are not inherited)."
        )
    mapper._concrete_parent = parent  # type: ignore[attr-defined]


def _inherit_condition(mapper: Mapper, parent: Mapper, table: Any) -> Any:
    from athanor.sql.elements import and_

    parent_tables = parent._write_tables
    pairs = [
        (col, fk.column)
        for col in table.columns
        for fk in col.foreign_keys
        if any(_fk_target(fk) is not None and fk.column.table is t for t in parent_tables)
    ]
    if not pairs:
        raise MappingError(
            f"Mapping {mapper.class_.__name__} failed: its table {table.name!r} has no "
            f"foreign key to its parent {parent.class_.__name__}'s table "
            f"{parent.local_table.name!r}, so the two cannot be joined. Declare the key as "
            f"Column(ForeignKey({parent.local_table.name + '.id'!r}), primary_key=True), or "
            f"pass __mapper_args__ = {{'inherit_condition': ...}}."
        )
    return and_(*[parent_col == col for col, parent_col in pairs])


def _fk_target(fk: Any) -> Any:
    try:
        return fk.column
    except Exception:  # an unresolvable foreign key is not the inheritance link
        return None


def merge_inherited(
    mapper: Mapper, own: dict[str, MapperProperty], col_to_key: dict[Any, str]
) -> dict[str, MapperProperty]:
    """The subclass's properties: the parent's (shared), then its own.

    An own column property named like a parent column property (the joined subclass's key
    column ``id``) becomes one property over both columns, parent column first.
    """
    from athanor.orm.mapper import ColumnProperty

    parent = mapper.inherits
    assert parent is not None
    merged: dict[str, MapperProperty] = {}
    for key, prop in parent._props.items():
        mine = own.get(key)
        if mine is None:
            merged[key] = prop
            if prop.is_column:
                for col in prop.columns:  # type: ignore[attr-defined]
                    col_to_key.setdefault(col, key)
        elif mine.is_column and prop.is_column:
            both = ColumnProperty(prop.column, key)  # type: ignore[attr-defined]
            both.columns = list(prop.columns) + [  # type: ignore[attr-defined]
                c for c in mine.columns if not any(c is p for p in prop.columns)  # type: ignore[attr-defined]
            ]
            both.parent = mapper
            # ``Engineer.id`` renders the subclass's own column (as in SQLAlchemy); loading
            # and the identity keep reading the base table's column
            both._class_column = mine.column  # type: ignore[attr-defined]
            merged[key] = both
            for col in both.columns:
                col_to_key[col] = key
        else:
            merged[key] = mine
    for key, prop in own.items():
        merged.setdefault(key, prop)
    # a child key column under another name than the parent's (engineer_id -> id)
    sync = []
    if mapper.local_table is not parent.local_table:
        for col in mapper.local_table.primary_key.columns:
            for fk in col.foreign_keys:
                target = _fk_target(fk)
                parent_key = parent._col_to_key.get(target) if target is not None else None
                child_key = col_to_key.get(col)
                if parent_key is not None and child_key is not None and child_key != parent_key:
                    sync.append((child_key, parent_key))
    mapper._inherit_sync = sync  # type: ignore[attr-defined]
    if any(p.is_relationship for p in parent._props.values()):
        from athanor.orm.relationships import _rel_mappers

        _rel_mappers.add(mapper)
    return merged


def setup_polymorphic(
    mapper: Mapper, on: Any, identity: Any, with_polymorphic: Any, load: str | None
) -> None:
    """Discriminator, identity map of the hierarchy, criteria and polymorphic FROM."""
    name = mapper.class_.__name__
    parent = mapper.inherits
    for key, prop in mapper._props.items():
        child_col = getattr(prop, "_class_column", None)
        attr = mapper.class_.__dict__.get(key)
        if child_col is not None and attr is not None and hasattr(attr, "column"):
            attr.column = child_col
    if on is not None:
        col, poly_key = _resolve_column(mapper, on)
    elif parent is not None:
        col, poly_key = parent.polymorphic_on, parent._polymorphic_key  # type: ignore[attr-defined]
    else:
        col = poly_key = None
    mapper.polymorphic_on = col
    mapper._polymorphic_key = poly_key  # type: ignore[attr-defined]
    if parent is not None and parent.polymorphic_on is not None:
        mapper.polymorphic_map = parent.polymorphic_map
    if identity is not None:
        if col is None:
            raise MappingError(
                f"Mapping {name} failed: polymorphic_identity={identity!r} needs a "
                f"discriminator column. Set __mapper_args__ = {{'polymorphic_on': 'type', ...}} "
                f"on the base class of the hierarchy."
            )
        other = mapper.polymorphic_map.get(identity)
        if other is not None and other is not mapper:
            raise MappingError(
                f"Mapping {name} failed: polymorphic_identity {identity!r} is already used by "
                f"{other.class_.__name__}. Give each class its own identity."
            )
        mapper.polymorphic_map[identity] = mapper
        _install_identity_init(mapper, identity)
    mapper.polymorphic_identity = identity
    mapper._with_polymorphic = with_polymorphic  # type: ignore[attr-defined]
    mapper._inline = load == "inline"  # type: ignore[attr-defined]
    mapper._selectin = load == "selectin"  # type: ignore[attr-defined]
    if load not in (None, "inline", "selectin"):
        raise MappingError(
            f"Mapping {name} failed: polymorphic_load={load!r} is not supported; use "
            f"'inline' or 'selectin' (or leave it unset to load subclass columns on first "
            f"access)."
        )
    for anc in list(mapper.iterate_to_root())[1:]:
        extra = anc.__dict__.setdefault("_poly_extra", [])
        known = {id(c) for c in anc._columns} | {id(c) for c in extra}
        for c in mapper._columns:
            if id(c) not in known:
                extra.append(c)
                known.add(id(c))
    mapper.__dict__.setdefault("_poly_extra", [])
    for m in mapper.iterate_to_root():
        if m.single and m.polymorphic_on is not None:
            idents = [s.polymorphic_identity for s in m.self_and_descendants
                      if s.polymorphic_identity is not None]
            m._single_criteria = m.polymorphic_on.in_(idents) if idents else None
        _refresh_polymorphic_from(m)
    from athanor.orm import context

    context._layout_cache.clear()  # layouts of already-seen entities may change
    joined = sys.modules.get("athanor.orm.joined")
    if joined is not None:
        joined._kinds.clear()  # a base's loading path may change (polymorphic_load)
    refresh_dependents(mapper)


def expression_discriminator(properties: dict[str, Any] | None, on: Any
                             ) -> tuple[dict[str, Any] | None, Any]:
    """``polymorphic_on=case(...)``: the expression becomes a read-only column property
    (:data:`EXPRESSION_KEY`) that every load selects; other values pass through."""
    from athanor.sql.schema import Column

    if isinstance(on, (str, Column)) or not hasattr(on, "__visit_name__") or hasattr(
            on, "prop") or getattr(on, "is_column", False):
        return properties, on
    from athanor.orm._colprops import column_property, expression_property

    prop = expression_property(column_property(on), EXPRESSION_KEY)
    return {**(properties or {}), EXPRESSION_KEY: prop}, EXPRESSION_KEY


#: the attribute an expression discriminator loads into
EXPRESSION_KEY = "_polymorphic_on"


def install_abstract_init(mapper: Mapper) -> None:
    """``polymorphic_abstract=True``: the class itself cannot be instantiated."""
    cls = mapper.class_
    original = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kw: Any) -> None:  # noqa: N807 - the constructor
        if type(self) is cls:
            from athanor.exc import InvalidRequestError

            subs = [m.class_.__name__ for m in mapper.self_and_descendants[1:]]
            raise InvalidRequestError(
                f"Creating a {cls.__name__} failed: it is mapped with "
                f"polymorphic_abstract=True, so only its subclasses can be instantiated "
                f"({', '.join(subs) or 'none mapped yet'})."
            )
        original(self, *args, **kw)

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    type.__setattr__(cls, "__init__", __init__)


def _resolve_column(mapper: Mapper, on: Any) -> tuple[Any, str | None]:
    """The discriminator (a column, or a column_property's expression) and its key, from a
    name, a mapped attribute or a column."""
    col: Any
    if isinstance(on, str):
        prop = mapper._props.get(on)
        expr = getattr(prop, "_expr", None)
        if expr is not None:  # column_property() / an expression discriminator
            return expr, on
        col = getattr(prop, "column", None)
        if col is None:
            col = mapper.local_table.c.get(on)
    elif isinstance(on, InstrumentedAttribute):
        if getattr(on.prop, "_expr", None) is not None:
            return on.prop._expr, on.key
        col = on.column
    else:
        col = getattr(on, "column", None) if not hasattr(on, "table") else on
        hook = getattr(col, "__clause_element__", None)
        if hook is not None:
            col = hook()
    if col is not None and getattr(col, "table", None) is None:  # a mixin's column: its copy
        col = mapper.local_table.c.get(getattr(col, "key", None) or "", col)
    if col is None or not any(c is col for c in mapper._col_to_key):
        raise MappingError(
            f"Mapping {mapper.class_.__name__} failed: polymorphic_on={on!r} is not a mapped "
            f"column of {mapper.class_.__name__}. Name a column, e.g. 'polymorphic_on': "
            f"'type', or pass a SQL expression; its columns are: "
            f"{', '.join(mapper._load_keys)}."
        )
    return col, mapper._col_to_key[col]


def _install_identity_init(mapper: Mapper, identity: Any) -> None:
    """Set the discriminator when an instance is constructed (as SQLAlchemy does)."""
    key = mapper._polymorphic_key  # type: ignore[attr-defined]
    if key is None or getattr(mapper._props.get(key), "_expr", None) is not None:
        return  # an expression discriminator is computed by the database
    cls = mapper.class_
    original = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kw: Any) -> None:  # noqa: N807 - the constructor
        d = self.__dict__
        if key not in d:
            d[key] = identity
        original(self, *args, **kw)

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    __init__.__doc__ = original.__doc__
    type.__setattr__(cls, "__init__", __init__)


def _refresh_polymorphic_from(mapper: Mapper) -> None:
    """``with_polymorphic='*'`` / inline subclasses: the base selects their tables too."""
    wp = getattr(mapper, "_with_polymorphic", None)
    subs = [s for s in mapper.self_and_descendants[1:] if not s.single and (
        wp == "*" or getattr(s, "_inline", False)
        or (isinstance(wp, (list, tuple)) and s.class_ in _wp_classes(wp)))]
    if subs:
        mapper._from_clause = _outer_join(mapper, subs)


def _wp_classes(wp: Any) -> list[Any]:
    if isinstance(wp, tuple) and len(wp) == 2 and isinstance(wp[0], (list, tuple, str)):
        wp = wp[0]
    return list(wp) if isinstance(wp, (list, tuple)) else []


def _outer_join(mapper: Mapper, subs: Iterable[Mapper]) -> Any:
    """``base LEFT OUTER JOIN sub_table ON ...`` for each subclass table not yet joined."""
    sel = mapper.persist_selectable
    joined = {id(t) for t in mapper._write_tables}
    for sub in subs:
        chain = [m for m in reversed(list(sub.iterate_to_root())) if not m.single]
        for m in chain:
            if id(m.local_table) in joined:
                continue
            cond = getattr(m, "inherit_condition", None)
            sel = sel.outerjoin(m.local_table, cond)
            joined.add(id(m.local_table))
    return sel


def flat_alias(mapper: Mapper) -> tuple[Any, dict[int, Any]]:
    """The mapper's FROM (its JOIN) over anonymous table aliases, and the column map
    (table column id -> alias column) for rewriting conditions onto it (joined eager
    loads of a joined-inheritance target)."""
    from athanor.orm import _adapt

    join = alias_from_clause(mapper, None, True)
    amap: dict[int, Any] = {}
    for table, alias in zip(mapper._from_clause._tables(), join._tables(), strict=True):
        amap.update(_adapt.adapt_to(alias, table.c))
    return join, amap


def alias_from_clause(mapper: Mapper, name: str | None, flat: bool) -> Any:
    """What ``aliased(JoinedSubclass)`` selects from: a subquery of the mapper's JOIN, or
    with ``flat=True`` the same JOIN over an alias of each table."""
    frm = mapper._from_clause
    if not flat:
        from athanor.sql._select import LABEL_STYLE_TABLENAME_PLUS_COL, select

        cols = [c for t in frm._tables() for c in t.c]
        return select(*cols).select_from(frm).set_label_style(
            LABEL_STYLE_TABLENAME_PLUS_COL).subquery(name)
    from athanor.orm import _adapt

    tables = frm._tables()
    amap: dict[int, Any] = {}
    aliases = []
    for t in tables:
        a = t.alias(f"{name}_{t.name}" if name else None)
        aliases.append(a)
        amap.update(_adapt.adapt_to(a, t.c))
    join = _rejoin(frm, dict(zip(map(id, tables), aliases, strict=True)), amap)
    for a in aliases:  # select(flat.name, flat.sub) selects FROM the join (adapt_column_select)
        a.__dict__["_flat_join"] = join
    return join


def _rejoin(frm: Any, table_alias: dict[int, Any], amap: dict[int, Any]) -> Any:
    from athanor.orm import _adapt

    if id(frm) in table_alias:
        return table_alias[id(frm)]
    left = _rejoin(frm.left, table_alias, amap)
    right = _rejoin(frm.right, table_alias, amap)
    on = _adapt.replace_columns(frm.onclause, amap)
    return left.join(right, on, isouter=frm.isouter)


# --------------------------------------------------------------------------------------
# statements


def add_criteria(stmt: Any, criteria: tuple[Any, ...]) -> Any:
    """``stmt`` with the single-table criteria added (once: they are cached objects)."""
    where = stmt._where
    missing = [c for c in criteria if not any(w is c for w in where)]
    return stmt.where(*missing) if missing else stmt


def adapt_entity_select(mapper: Mapper, stmt: Any) -> Any:
    """A ``select(*mapper._columns)`` made right for an inheriting/polymorphic mapper.

    Appends the descendants' columns its FROM can carry (:func:`inline_extra`; the loaders
    recognise the wider rows), selects FROM the mapper's join, adds single-table criteria.
    """
    extra = inline_extra(mapper)
    if extra:
        stmt = stmt.add_columns(*extra)
    if mapper._from_clause is not mapper.local_table:
        stmt = stmt.select_from(mapper._from_clause)
    if mapper._single_criteria is not None:
        stmt = stmt.where(mapper._single_criteria)
    return stmt


def inline_extra(mapper: Mapper) -> list[Any]:
    """Descendants' columns that live in the tables ``select(mapper)`` reads anyway
    (single-table subclasses, ``polymorphic_load='inline'``), in ``_poly_extra`` order."""
    extra = mapper.__dict__.get("_poly_extra")
    if not extra or mapper.polymorphic_on is None:
        return []
    frm = mapper._from_clause
    tables = frm._tables() if hasattr(frm, "_tables") else [frm]
    return [c for c in extra if any(c.table is t for t in tables)]


def inline_positions(mapper: Mapper, positions: tuple[int, ...]) -> tuple[int, ...]:
    """``positions`` extended for rows that carry :func:`inline_extra` right after them."""
    extra = mapper.__dict__.get("_poly_extra")
    inline = inline_extra(mapper)
    if not extra or not inline:
        return positions
    at = {id(c): positions[-1] + 1 + i for i, c in enumerate(inline)}
    return positions + tuple(at.get(id(c), -1) for c in extra)


def refresh_dependents(mapper: Mapper) -> None:
    """A new subclass changes what its ancestors' statements select: drop cached ones."""
    ancestors = list(mapper.iterate_to_root())[1:]
    for anc in ancestors:
        for key in [k for k in anc._stmt_cache if k in ("select_pk", "select_all") or (
                isinstance(k, tuple) and k and k[0] in ("pk_sql", "filter_by", "loader_code"))]:
            del anc._stmt_cache[key]
    reg = mapper.registry
    if reg is None:
        return
    from athanor.orm.relconfig import _build_lazy

    for m in list(reg._mappers):
        for prop in list(m._props.values()):
            if (prop.is_relationship and getattr(prop, "_configured", False)
                    and any(prop.mapper is a for a in ancestors)  # type: ignore[attr-defined]
                    and hasattr(prop, "_lazy_stmt")):
                _build_lazy(prop)  # type: ignore[arg-type]


def adapt_column_select(stmt: Any) -> Any:
    """``select(Manager.name)``: subclass-bound attributes add their criteria / join."""
    froms: list[Any] = []
    crit: list[Any] = []
    for e in stmt._raw_entities:
        if type(e) is not InstrumentedAttribute:
            join = getattr(e, "_wp_from", None)  # wp.Engineer.x: the with_polymorphic join
            if join is None:
                join = getattr(getattr(e, "table", None), "__dict__", {}).get("_flat_join")
            if join is not None and not any(f is join for f in (*froms, *stmt._from_explicit)):
                froms.append(join)  # a column of aliased(JoinedSubclass, flat=True)
            continue
        m = e.class_.__dict__.get("__mapper__")
        if m is None or m.inherits is None:
            continue
        if m._single_criteria is not None and not any(c is m._single_criteria for c in crit):
            crit.append(m._single_criteria)
        frm = m._from_clause
        if frm is not m.local_table and not any(f is frm for f in froms) and not any(
                f is frm for f in stmt._from_explicit):
            froms.append(frm)
    if froms:
        stmt = stmt.select_from(*froms)
    if crit:
        stmt = add_criteria(stmt, tuple(crit))
    return stmt


def layout_criteria(mappers: Iterable[Any]) -> tuple[Any, ...] | None:
    crit = tuple(m._single_criteria for m in mappers if m is not None
                 and m._single_criteria is not None)
    return crit or None


def poly_positions(
    mapper: Mapper, positions: tuple[int, ...], index: dict[int, int], offset: int
) -> tuple[int, ...]:
    """``positions`` extended by the row positions of descendants' columns (-1: absent)."""
    extra = getattr(mapper, "_poly_extra", None)
    if not extra:
        return positions
    more = tuple(offset + index[id(c)] if id(c) in index else -1 for c in extra)
    if all(p < 0 for p in more):
        return positions
    return positions + more


# --------------------------------------------------------------------------------------
# loading


class UnknownDiscriminatorError(MappingError):
    """Raised when a loaded row's discriminator value names no mapped class."""


def polymorphic_loader(
    mapper: Mapper,
    positions: tuple[int, ...] | Partial | None,
    session: Session,
    *,
    populate_existing: bool = False,
) -> Callable[[list[tuple[Any, ...]]], list[Any]]:
    """Row loader for a mapper with ``polymorphic_on``: one class per discriminator value.

    ``positions`` as for :func:`athanor.orm.loading.instance_loader`: None (the row is
    ``mapper._columns`` maybe followed by :func:`inline_extra`), positions aligned with
    ``_columns + _poly_extra``, or a :class:`Partial` (load_only/defer/...: attribute keys
    and their positions; keys of ``raise_keys`` raise when read unloaded).
    """
    from athanor.orm._deferred import Partial

    raise_keys: frozenset[str] | None = None
    key_pos: dict[str, int] | None = None
    if isinstance(positions, Partial):
        key_pos = dict(zip(positions.keys, positions.positions, strict=True))
        raise_keys = positions.raise_keys or None
        base_pos = tuple(key_pos[k] for k in mapper._pk_keys)
        pos_of: dict[int, int] = {}
        pk_pos = list(base_pos)
    else:
        ncols = len(mapper._columns)
        base_pos = positions[:ncols] if positions is not None else tuple(range(ncols))
        pos_of = {id(c): p for c, p in zip(mapper._columns, base_pos, strict=True)}
        if positions is not None and len(positions) > ncols:
            extra = mapper.__dict__.get("_poly_extra", ())
            for c, p in zip(extra, positions[ncols:], strict=False):
                if p >= 0:
                    pos_of.setdefault(id(c), p)
        pk_pos = [base_pos[i] for i in mapper._pk_positions]

    def spec(m: Mapper) -> tuple[type, Mapper, tuple[str, ...], tuple[int, ...]]:
        keys: list[str] = []
        where: list[int] = []
        if key_pos is not None:
            for k in m._load_keys:
                if k in key_pos:
                    keys.append(k)
                    where.append(key_pos[k])
            return m.class_, m, tuple(keys), tuple(where)
        for prop in m._column_props:
            for col in prop.columns:
                p = pos_of.get(id(col))
                if p is not None:
                    keys.append(prop.key)
                    where.append(p)
                    break
        return m.class_, m, tuple(keys), tuple(where)

    def specs_for() -> tuple[Any, dict[Mapper, Any], dict[Any, Any]]:
        own = spec(mapper)
        by_mapper = {mapper: own}
        specs: dict[Any, Any] = {}
        for ident, m in mapper.polymorphic_map.items():
            s = by_mapper.get(m)
            if s is None:
                s = by_mapper[m] = spec(m)
            specs[ident] = s
        return own, by_mapper, specs

    plain = specs_for()
    wide = plain
    if positions is None:  # exact rows, possibly followed by inline_extra() columns
        inline = inline_extra(mapper)
        if inline:
            for i, c in enumerate(inline):
                pos_of.setdefault(id(c), ncols + i)
            wide = specs_for()
    poly_key = mapper._polymorphic_key  # type: ignore[attr-defined]
    disc = pos_of.get(id(mapper.polymorphic_on)) if key_pos is None else key_pos.get(poly_key)
    nwide = len(mapper._columns) if key_pos is None else len(key_pos)
    single_pk = pk_pos[0] if len(pk_pos) == 1 else None
    identity_map = session._identity_map
    imap = identity_map._map_for(mapper)
    imap_get = imap.get
    note_added = identity_map._note_added
    new = object.__new__
    from athanor.orm import _instance_events
    from athanor.orm.loading import _refresh_from_row

    def unknown(value: Any) -> NoReturn:
        known = ", ".join(repr(k) for k in mapper.polymorphic_map)
        raise UnknownDiscriminatorError(
            f"Loading {mapper.class_.__name__} failed: a row's discriminator "
            f"{poly_key!r} is {value!r}, which is no polymorphic_identity "
            f"of this hierarchy (known: {known}). Map a subclass with "
            f"__mapper_args__ = {{'polymorphic_identity': {value!r}}}, or fix the row."
        )

    def load_rows(rows: list[tuple[Any, ...]]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        size = len(imap)
        own, by_mapper, specs = wide if rows and len(rows[0]) > nwide else plain
        for row in rows:
            k = row[single_pk] if single_pk is not None else tuple(row[p] for p in pk_pos)
            st = imap_get(k)
            if st is not None:
                obj = st()
                if obj is not None:
                    if st.expired is not None or populate_existing or key_pos is not None:
                        s = by_mapper.get(st.mapper) or spec(st.mapper)
                        if st.expired is not None or populate_existing or not (
                                obj.__dict__.keys() >= set(s[2])):
                            _refresh_from_row(st, obj, s[2], tuple(row[p] for p in s[3]),
                                              populate_existing)
                    append(obj)
                    continue
            if k is None or (single_pk is None and None in k):
                append(None)
                continue
            if disc is None:
                s = own
            else:
                value = row[disc]
                found = own if value is None else specs.get(value)
                if found is None:
                    unknown(value)
                s = found
            cls, m, keys, where = s
            obj = new(cls)
            st = _State(obj)
            st.mapper = m
            st.key = k
            st.session = session
            st.committed = None
            st.expired = None
            if raise_keys is not None:
                st.raiseload = raise_keys
            d = obj.__dict__
            for key, p in zip(keys, where, strict=True):
                d[key] = row[p]
            d[STATE_KEY] = st
            imap[k] = st
            append(obj)
        added = len(imap) - size
        if added > 0:
            note_added(imap, added)
        return out

    def load_batch(rows: list[tuple[Any, ...]]) -> list[Any]:
        if len(rows) >= 64 and gc_isenabled():
            gc_disable()
            try:
                return load_rows(rows)
            finally:
                gc_enable()
        return load_rows(rows)

    def row_key(row: tuple[Any, ...]) -> Any:
        return row[single_pk] if single_pk is not None else tuple(row[p] for p in pk_pos)

    def load(rows: list[tuple[Any, ...]]) -> list[Any]:
        # a class of the hierarchy may have load hooks; or a session listener
        if _instance_events.LOAD or session._dispatch.loaded_as_persistent:
            return _instance_events.load_firing(load_batch, rows, row_key, imap, session)
        return load_batch(rows)

    return load


def identity_lookup(session: Session, mapper: Mapper, key: Any) -> tuple[bool, Any]:
    """``Session.get(Subclass, key)`` in the identity map: (found, object or None)."""
    st = session._identity_map._get_state(mapper, key)
    obj = st() if st is not None else None
    if obj is None:
        return False, None
    if st.deleted or st in session._deleted:  # type: ignore[union-attr]
        return True, None
    return True, (obj if isinstance(obj, mapper.class_) else None)


# --------------------------------------------------------------------------------------
# with_polymorphic()


def with_polymorphic(
    base: Any,
    classes: Any,
    selectable: Any = False,
    flat: bool = False,
    polymorphic_on: Any = None,
    aliased: bool = False,
    innerjoin: bool = False,
    adapt_on_names: bool = False,
    name: str | None = None,
) -> Any:
    """An entity selecting ``base`` with the tables of ``classes`` outer-joined (``"*"``:
    every subclass), so one query loads every subclass's columns; ``wp.Engineer.x`` filters
    on a subclass column."""
    from athanor.orm._aliased import AliasedClass
    from athanor.orm.mapper import Mapper, class_mapper

    mapper = base if isinstance(base, Mapper) else class_mapper(base)
    if classes == "*":
        subs = mapper.self_and_descendants[1:]
    else:
        subs = []
        for c in classes:
            m = c if isinstance(c, Mapper) else class_mapper(c)
            if not m.isa(mapper):
                raise MappingError(
                    f"with_polymorphic({mapper.class_.__name__}, ...) failed: "
                    f"{m.class_.__name__} is not a subclass of {mapper.class_.__name__}."
                )
            subs.append(m)
    sel = selectable if selectable is not False and selectable is not None else _outer_join(
        mapper, [s for s in subs if not s.single])

    class _WithPolymorphic(AliasedClass):
        def __getattr__(self, key: str) -> Any:
            sub = self.__dict__["_wp_classes"].get(key)
            if sub is not None:
                view = self.__dict__[key] = _WpSubclass(sub, sel)
                return view
            return AliasedClass.__getattr__(self, key)

        def __repr__(self) -> str:
            return f"<with_polymorphic({mapper.class_.__name__}, {list(self._wp_classes)})>"

    entity = _WithPolymorphic(mapper, sel, name)
    entity.__dict__["_wp_classes"] = {m.class_.__name__: m.class_ for m in subs}
    entity.__dict__["_wp_mappers"] = [mapper, *subs]
    return entity


class _WpAttribute(InstrumentedAttribute):
    """A subclass attribute seen through a :func:`with_polymorphic` entity."""

    __slots__ = ("_wp_from",)
    _wp_from: Any


class _WpSubclass:
    """``wp.Engineer`` of a :func:`with_polymorphic` entity: the subclass's attributes,
    marked so a column-only ``select(wp.name, wp.Engineer.x)`` reads FROM the entity's
    outer join (not the subclass's inner join)."""

    def __init__(self, cls: type, selectable: Any) -> None:
        self._cls = cls
        self._selectable = selectable

    def __getattr__(self, key: str) -> Any:
        attr = getattr(self._cls, key)
        if type(attr) is not InstrumentedAttribute:
            return attr
        wp_attr = _WpAttribute(attr.class_, attr.key, attr.prop)
        wp_attr._wp_from = self._selectable
        self.__dict__[key] = wp_attr
        return wp_attr

    def __repr__(self) -> str:
        return f"<with_polymorphic view of {self._cls.__name__}>"
