"""The steps of ``AutomapBase.prepare()`` (see :mod:`athanor.ext.automap` for the design)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from athanor import exc
from athanor.orm import MANYTOMANY, MANYTOONE, ONETOMANY, relationship
from athanor.orm.relationships import RelationshipProperty, configure_pending
from athanor.orm.relconfig import add_property
from athanor.sql.constraint import ForeignKeyConstraint
from athanor.sql.schema import Table


class Hooks(NamedTuple):
    classname: Callable[..., str]
    scalar_name: Callable[..., str]
    collection_name: Callable[..., str]
    generate: Callable[..., Any]
    collection_class: Any


class _Plan:
    """One prepare() run: the base, the hooks and the classes being mapped now."""

    def __init__(self, base: Any, hooks: Hooks) -> None:
        self.base = base
        self.hooks = hooks
        #: table -> class mapped in this run
        self.new: dict[Table, type] = {}
        #: table -> class mapped earlier (an earlier prepare(), or plain declarative)
        self.known: dict[Any, type] = {m.local_table: m.class_ for m in base.registry.mappers}

    @property
    def table_of(self) -> dict[type, Table]:
        """Classes that may get relationships: this run's, and this base's earlier ones."""
        mine = {cls: t for t, cls in self.known.items() if issubclass(cls, self.base)}
        return {**mine, **{cls: table for table, cls in self.new.items()}}

    def class_for(self, table: Any) -> type | None:
        return self.new.get(table) or self.known.get(table)

    def free(self, cls: type, name: str) -> bool:
        """Can ``name`` be added to ``cls`` (name not taken by an attribute or column)?"""
        table = self.table_of.get(cls)
        mapper = cls.__dict__.get("__mapper__")
        return table is not None and name not in cls.__dict__ and name not in table.c and (
            mapper is None or name not in mapper._props)

    def add(self, cls: type, name: str, rel: Any) -> None:
        if rel is None:
            return
        mapper = cls.__dict__.get("__mapper__")
        if mapper is None:  # mapped below: an ordinary class attribute
            type.__setattr__(cls, name, rel)
        else:  # a fully declared class, mapped already
            add_property(mapper, name, rel)

    def link_declared(self, cls: type, name: str, other: str) -> None:
        """If the user declared ``cls.name`` as a relationship, point it at ``other``."""
        mapper = cls.__dict__.get("__mapper__")
        declared = mapper._props.get(name) if mapper is not None else cls.__dict__.get(name)
        if isinstance(declared, RelationshipProperty) and declared.back_populates is None:
            declared.back_populates = other


def prepare(base: Any, hooks: Hooks, schema: str | None) -> None:
    queued = list(base._automap_pending)
    base._automap_pending.clear()
    plan = _Plan(base, hooks)
    metadata = base.metadata
    for cls in queued:
        table = _declared_table(cls, metadata, schema)
        if table is None and isinstance(cls.__dict__.get("__tablename__"), str):
            base.registry.mapped(cls)  # a table nobody reflected: the class declares it all
            table = cls.__dict__.get("__table__")
        if table is not None:
            plan.new[table] = cls
    generated: list[type] = []
    associations: list[tuple[Table, list[ForeignKeyConstraint]]] = []
    for table in list(metadata.tables.values()):
        if table in plan.new or table in plan.known:
            continue
        pair = _association(table)
        if pair is not None:
            associations.append((table, pair))
        elif table.primary_key.columns:
            name = hooks.classname(base, table.name, table)
            cls = type(str(name), (base,), {"__table__": table})
            plan.new[table] = cls
            generated.append(cls)
    base._automap_pending.clear()  # the generated classes queued themselves
    for table, cls in list(plan.new.items()):
        for fkc in sorted(table.foreign_key_constraints, key=_fk_order):
            _many_to_one(plan, cls, fkc)
    for table, pair in associations:
        _many_to_many(plan, table, pair)
    for cls in [*queued, *generated]:
        if "__mapper__" not in cls.__dict__:
            base.registry.mapped(cls)
    configure_pending(strict=False)
    for cls in generated:  # declared classes are not listed, as in SQLAlchemy
        setattr(base.classes, cls.__name__, cls)


def _fk_order(fkc: ForeignKeyConstraint) -> tuple[str, ...]:
    return tuple(c.name for c in fkc.columns)


def _declared_table(cls: type, metadata: Any, schema: str | None) -> Table | None:
    """The reflected table of a user-declared class, its declared columns swapped in."""
    from athanor.ext.automap import declared_column_names

    own = cls.__dict__.get("__table__")
    if own is not None:
        return own  # type: ignore[no-any-return]
    tablename = cls.__dict__.get("__tablename__")
    if not isinstance(tablename, str):
        return None  # inheritance subclass sharing its parent's table
    table = metadata.tables.get(f"{schema}.{tablename}" if schema else tablename)
    if table is None:
        return None  # not reflected: plain declarative mapping
    declared = declared_column_names(cls)
    if not declared:
        type.__setattr__(cls, "__table__", table)
        return table  # type: ignore[no-any-return]
    for col in [c for c in table.columns if c.name in declared]:
        for fkc in [f for f in table.foreign_key_constraints if col in f.columns]:
            table.constraints.discard(fkc)
        table._remove_column(col)
    type.__setattr__(cls, "__table_args__", _extend(cls.__dict__.get("__table_args__")))
    return table  # type: ignore[no-any-return]


def _extend(table_args: Any) -> Any:
    if table_args is None:
        return {"extend_existing": True}
    if isinstance(table_args, dict):
        return {**table_args, "extend_existing": True}
    if table_args and isinstance(table_args[-1], dict):
        return (*table_args[:-1], {**table_args[-1], "extend_existing": True})
    return (*table_args, {"extend_existing": True})


def _association(table: Table) -> list[ForeignKeyConstraint] | None:
    """The two foreign keys of a pure association table (they cover every column)."""
    fks = sorted(table.foreign_key_constraints, key=_fk_order)
    if len(fks) != 2:
        return None
    covered = {c for fk in fks for c in fk.columns}
    return fks if covered == set(table.columns) else None


def _referred(fkc: ForeignKeyConstraint) -> Any:
    try:
        return fkc.referred_table
    except exc.AthanorError:  # the referred table is not in the MetaData
        return None


def _many_to_one(plan: _Plan, cls: type, fkc: ForeignKeyConstraint) -> None:
    referred = _referred(fkc)
    ref_cls = plan.class_for(referred) if referred is not None else None
    if ref_cls is None:
        return
    hooks, base = plan.hooks, plan.base
    scalar = hooks.scalar_name(base, cls, ref_cls, fkc)
    coll = hooks.collection_name(base, ref_cls, cls, fkc)
    make_scalar, make_coll = plan.free(cls, scalar), plan.free(ref_cls, coll)
    fk_cols = list(fkc.columns)
    m2o = o2m = None
    if make_scalar:
        kw: dict[str, Any] = {"foreign_keys": fk_cols}
        if make_coll:
            kw["back_populates"] = coll
        else:  # a collection the user declared: only it points back, as in SQLAlchemy
            plan.link_declared(ref_cls, coll, scalar)
        if referred is fkc.table:  # self-referential: the parent row is the remote side
            kw["remote_side"] = [fk.column for fk in fkc.elements]
        m2o = hooks.generate(base, MANYTOONE, relationship, scalar, cls, ref_cls, **kw)
    if make_coll:
        kw = {"foreign_keys": fk_cols, "collection_class": hooks.collection_class,
              **_one_to_many_options(fkc)}
        if make_scalar:
            kw["back_populates"] = scalar
        else:
            plan.link_declared(cls, scalar, coll)
        o2m = hooks.generate(base, ONETOMANY, relationship, coll, ref_cls, cls, **kw)
    _add_pair(plan, (cls, scalar, m2o, make_scalar), (ref_cls, coll, o2m, make_coll))


def _add_pair(plan: _Plan, one: tuple[type, str, Any, bool], two: tuple[type, str, Any, bool]
              ) -> None:
    """Add both sides; a side the generate hook declined (None) unlinks the other."""
    for (cls, name, rel, _), (_, _, other, wanted) in ((one, two), (two, one)):
        if rel is None:
            continue
        if wanted and other is None and isinstance(rel, RelationshipProperty):
            rel.back_populates = None
        plan.add(cls, name, rel)


def _one_to_many_options(fkc: ForeignKeyConstraint) -> dict[str, Any]:
    """Children that cannot exist without the parent are deleted with it; a database-side
    ON DELETE is trusted rather than repeated."""
    kw: dict[str, Any] = {}
    if not any(c.nullable for c in fkc.columns):
        kw["cascade"] = "all, delete-orphan"
    if (fkc.ondelete or "").lower() in ("cascade", "set null"):
        kw["passive_deletes"] = True
    return kw


def _many_to_many(plan: _Plan, table: Table, pair: list[ForeignKeyConstraint]) -> None:
    from athanor.ext.automap import join_condition

    first, second = pair
    t1, t2 = _referred(first), _referred(second)
    cls1 = plan.class_for(t1) if t1 is not None else None
    cls2 = plan.class_for(t2) if t2 is not None else None
    if cls1 is None or cls2 is None:
        return
    hooks, base = plan.hooks, plan.base
    name1 = hooks.collection_name(base, cls1, cls2, first)
    name2 = hooks.collection_name(base, cls2, cls1, second)
    make1 = plan.free(cls1, name1)
    make2 = plan.free(cls2, name2) and not (cls1 is cls2 and name1 == name2)
    joins: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    if t1 is t2:  # self-referential: say which key leads where
        a, b = join_condition(first), join_condition(second)
        joins = ({"primaryjoin": a, "secondaryjoin": b}, {"primaryjoin": b, "secondaryjoin": a})
    common = {"secondary": table, "collection_class": hooks.collection_class}
    rel1 = rel2 = None
    if make1:
        kw = {**common, **joins[0], **({"back_populates": name2} if make2 else {})}
        rel1 = hooks.generate(base, MANYTOMANY, relationship, name1, cls1, cls2, **kw)
    if make2:
        kw = {**common, **joins[1], **({"back_populates": name1} if make1 else {})}
        rel2 = hooks.generate(base, MANYTOMANY, relationship, name2, cls2, cls1, **kw)
    _add_pair(plan, (cls1, name1, rel1, make1), (cls2, name2, rel2, make2))
