"""``relationship()``: mapped attributes that link objects through foreign keys.

Design
------
A :class:`RelationshipProperty` is a :class:`~athanor.orm.mapper.MapperProperty`. Declared
on a class, it is collected by the declarative scan and attached to the mapper like a
column; its configuration (the target class, ``secondary``, join conditions, ``order_by``,
possibly given as strings) is *resolved lazily* by :meth:`RelationshipProperty.setup`, the
first time anything needs it, because the target class may not exist yet when the parent
is declared. :func:`configure_pending` resolves everything resolvable; it runs after each
class is mapped (so backrefs appear as soon as both classes exist) and before every use.

Setup reduces any relationship to data the rest of the ORM works from, computed once:

- ``direction``: MANYTOONE (the foreign key is on the parent row), ONETOMANY (on the
  target rows) or MANYTOMANY (rows of a ``secondary`` table);
- ``local_remote``: ``(parent column, target column)`` pairs, or for MANYTOMANY
  ``sec_local`` / ``sec_remote``: ``(entity column, secondary column)`` pairs;
- ``primaryjoin`` / ``secondaryjoin`` and, derived from them by substitution
  (:mod:`athanor.orm._adapt`), the lazy-load statement with its bind names.

The class attribute installed for a relationship is a :class:`RelationshipAttribute`: a
data descriptor whose ``__get__`` returns the loaded value from ``__dict__`` or asks the
loading strategy (:mod:`athanor.orm.strategies`) for it, and whose ``__set__`` keeps the
other side in step (:mod:`athanor.orm.collections`). At class level it is a comparator:
``User.addresses.any()``, ``Address.user == u``, ``join(User.addresses)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm._constants import MANYTOMANY as MANYTOMANY
from athanor.orm._constants import MANYTOONE as MANYTOONE
from athanor.orm._constants import ONETOMANY as ONETOMANY
from athanor.orm._constants import RelationshipDirection
from athanor.orm.exc import MappingError
from athanor.orm.mapper import MapperProperty
from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.state import InstanceState

_LAZY = ("select", True, "joined", False, "selectin", "subquery", "raise", "raise_on_sql",
         "noload", "immediate", "dynamic", "write_only")
_ALL_CASCADES = frozenset({"save-update", "merge", "refresh-expire", "expunge", "delete"})
#: SQLAlchemy arguments accepted without effect here (documentation, typing, tuning)
_ACCEPTED = frozenset({
    "info", "doc", "overlaps", "cascade_backrefs", "sync_backref", "enable_typechecks",
    "distinct_target_key", "active_history", "bake_queries", "query_class", "omit_join",
    "init", "repr", "default", "default_factory", "compare", "kw_only", "comparator_factory",
    "load_on_pending", "passive_updates", "confirm_deleted_rows",
})

#: relationships declared but not yet resolved (targets may be defined later)
_pending: list[RelationshipProperty] = []
#: mappers that have relationships (Session.add cascades only for these)
_rel_mappers: set[Mapper] = set()


class CascadeOptions(frozenset):  # type: ignore[type-arg]
    """The parsed ``cascade=`` string: a frozenset of names with boolean shortcuts."""

    save_update: bool
    delete: bool
    delete_orphan: bool
    merge: bool

    def __new__(cls, spec: str | None) -> CascadeOptions:
        names = {p.strip() for p in (spec or "").split(",") if p.strip()}
        unknown = names - _ALL_CASCADES - {"all", "delete-orphan", "none"}
        if unknown:
            raise exc.ArgumentError(
                f"relationship(cascade=...) failed: unknown cascade {sorted(unknown)[0]!r}. "
                f"Use a comma-separated list of: all, save-update, merge, delete, "
                f"delete-orphan, expunge, refresh-expire."
            )
        if "all" in names:
            names |= _ALL_CASCADES
        if "delete-orphan" in names:
            names.add("delete")
        names.discard("all")
        names.discard("none")
        self = super().__new__(cls, names)
        self.save_update = "save-update" in names
        self.delete = "delete" in names
        self.delete_orphan = "delete-orphan" in names
        self.merge = "merge" in names
        return self


def relationship(
    argument: Any = None,
    secondary: Any = None,
    *,
    uselist: bool | None = None,
    back_populates: str | None = None,
    backref: Any = None,
    primaryjoin: Any = None,
    secondaryjoin: Any = None,
    foreign_keys: Any = None,
    remote_side: Any = None,
    order_by: Any = False,
    lazy: Any = "select",
    cascade: str | None = None,
    passive_deletes: Any = False,
    post_update: bool = False,
    viewonly: bool = False,
    collection_class: Any = None,
    single_parent: bool = False,
    innerjoin: bool = False,
    join_depth: int | None = None,
    **kw: Any,
) -> Any:
    """Declare a relationship to another mapped class (see the module docstring)."""
    unknown = set(kw) - _ACCEPTED
    if unknown:
        raise exc.ArgumentError(
            f"relationship() failed: unknown argument {sorted(unknown)[0]!r}. Check the "
            f"spelling (back_populates, backref, cascade, lazy, uselist, order_by, ...)."
        )
    if lazy not in _LAZY:
        raise exc.ArgumentError(
            f"relationship(lazy=...) failed: unknown loader strategy {lazy!r}. Use 'select', "
            f"'joined', 'selectin', 'raise', 'raise_on_sql' or 'noload'."
        )
    prop = RelationshipProperty(
        argument, secondary, uselist=uselist, back_populates=back_populates,
        backref=backref, primaryjoin=primaryjoin, secondaryjoin=secondaryjoin,
        foreign_keys=foreign_keys, remote_side=remote_side, order_by=order_by, lazy=lazy,
        cascade=cascade, passive_deletes=passive_deletes, post_update=post_update,
        viewonly=viewonly, collection_class=collection_class, join_depth=join_depth,
        innerjoin=innerjoin,
    )
    if kw:
        from athanor.orm._dataclass import field_options

        prop._dc_options = field_options(kw)  # MappedAsDataclass (orm/_dataclass.py)
    return prop


def backref(name: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """``relationship(..., backref=backref("user", lazy="joined"))``."""
    return (name, kwargs)


class RelationshipProperty(MapperProperty):
    """A mapped relationship (configuration, resolved join data, cascade behaviour)."""

    is_relationship = True
    strategy_key = "select"
    #: ``@validates`` for this relationship: (fn, include_removes, include_backrefs) or None
    _validator: Any = None
    #: attribute-event hooks (athanor.orm._attr_events.AttrHooks), or None
    _events: Any = None

    # resolved by setup() (athanor.orm.relconfig.resolve)
    mapper: Any
    entity: Any
    target: Any
    secondary: Any
    direction: RelationshipDirection
    uselist: bool
    order_by: tuple[Any, ...]
    primaryjoin: Any
    secondaryjoin: Any
    local_remote: list[tuple[Any, Any]]
    sec_local: list[tuple[Any, Any]]
    sec_remote: list[tuple[Any, Any]]
    _simple: bool
    _simple_hint: bool
    _lazy_stmt: Any
    _lazy_binds: list[tuple[str, str]]
    _local_keys: tuple[str, ...]
    _use_get: bool
    _get_keys: tuple[str, ...]
    _sync: list[tuple[str, str]]
    _sec_local_keys: list[tuple[str, Any]]
    _sec_remote_keys: list[tuple[str, Any]]

    def __init__(self, argument: Any, secondary: Any, **kw: Any) -> None:
        self.argument = argument
        self._secondary_arg = secondary
        self._uselist_arg = kw["uselist"]
        self.back_populates = kw["back_populates"]
        self.backref = kw["backref"]
        self._primaryjoin_arg = kw["primaryjoin"]
        self._secondaryjoin_arg = kw["secondaryjoin"]
        self._foreign_keys_arg = kw["foreign_keys"]
        self._remote_side_arg = kw["remote_side"]
        self._order_by_arg = kw["order_by"]
        lazy = kw["lazy"]
        #: "dynamic" / "write_only": the attribute is a query/collection object (_dynamic.py)
        self._dynamic = lazy if lazy in ("dynamic", "write_only") else None
        self.lazy = {True: "select", False: "joined", "subquery": "selectin",
                     "immediate": "select", "raise_on_sql": "raise",
                     "dynamic": "select", "write_only": "select"}.get(lazy, lazy)
        self.cascade = CascadeOptions(kw["cascade"] if kw["cascade"] is not None
                                      else "save-update, merge")
        self.passive_deletes = kw["passive_deletes"]
        self.post_update = kw["post_update"]
        self.viewonly = kw["viewonly"]
        self.collection_class = kw["collection_class"]
        self.join_depth = kw["join_depth"]
        #: joined eager loads render INNER JOIN (the related row always exists)
        self.innerjoin = bool(kw.get("innerjoin", False))
        self._annotation: Any = None
        self._configured = False
        self._reverse: RelationshipProperty | None = None
        self.key = ""

    # -- MapperProperty hooks -------------------------------------------------------------
    def instrument_class(self, mapper: Mapper) -> None:
        if self._dynamic is not None:
            from athanor.orm._dynamic import DynamicAttribute

            type.__setattr__(mapper.class_, self.key, DynamicAttribute(self))
        else:
            type.__setattr__(mapper.class_, self.key, RelationshipAttribute(self))
        _rel_mappers.add(mapper)
        if self not in _pending:
            _pending.append(self)

    def cascade_iterator(self, cascade: str, state: InstanceState) -> Iterator[InstanceState]:
        if cascade == "save-update" and not self.cascade.save_update:
            return iter(())
        if cascade == "delete" and not self.cascade.delete:
            return iter(())
        obj = state()
        if obj is None:
            return iter(())
        return (o.__dict__[STATE_KEY] for o in self.loaded_items(obj)
                if STATE_KEY in o.__dict__)

    def merge(self, source: dict[str, Any], dest: Any, load: bool) -> None:
        if not self.cascade.merge or self.key not in source:
            return
        session = dest.__dict__[STATE_KEY].session
        value = source[self.key]
        if session is None:
            return
        if self.uselist:
            from athanor.orm.collections import members

            if isinstance(value, dict):
                setattr(dest, self.key, {k: session.merge(o, load=load) for k, o in value.items()})
                return
            merged = [session.merge(o, load=load) for o in members(value)]
            setattr(dest, self.key, set(merged) if self.collection_class is set else merged)
        else:
            setattr(dest, self.key, session.merge(value, load=load) if value is not None
                    else None)

    # -- values ---------------------------------------------------------------------------
    def loaded_items(self, obj: Any) -> list[Any]:
        """The related objects currently in ``obj.__dict__`` (no loading)."""
        value = obj.__dict__.get(self.key)
        if value is None:
            return []
        if self.uselist:
            return list(value.values() if isinstance(value, dict) else value)
        return [value]

    def items(self, obj: Any) -> list[Any]:
        """The related objects, loading them if needed."""
        value = obj.__dict__.get(self.key, _MISS)
        if value is _MISS:  # not getattr(): dynamic attributes return queries
            from athanor.orm.strategies import load_on_access

            value = load_on_access(self, obj)
        if value is None:
            return []
        if self.uselist:
            return list(value.values() if isinstance(value, dict) else value)
        return [value]

    @property
    def reverse(self) -> RelationshipProperty | None:
        """The relationship on the target that mirrors this one (back_populates/backref)."""
        self.setup()
        return self._reverse

    @property
    def class_attribute(self) -> Any:
        return self.parent.class_.__dict__[self.key]

    # -- resolution -----------------------------------------------------------------------
    def setup(self) -> None:
        """Resolve the configuration (idempotent); raises a clear error when impossible."""
        if self._configured:
            return
        from athanor.orm.relconfig import resolve

        resolve(self)
        self._configured = True
        if self in _pending:
            _pending.remove(self)

    def __repr__(self) -> str:
        owner = self.parent.class_.__name__ if hasattr(self, "parent") else "?"
        return f"<RelationshipProperty {owner}.{self.key}>"

    def __str__(self) -> str:
        owner = self.parent.class_.__name__ if hasattr(self, "parent") else "?"
        return f"{owner}.{self.key}"


def cascade_add(session: Any, obj: Any) -> None:
    """``session.add(obj)``: add what ``obj`` reaches through save-update relationships."""
    d = session.__dict__
    if d.get("_athanor_cascading"):
        return  # an add made by the walk below: the walk continues from it
    d["_athanor_cascading"] = True
    try:
        queue = [obj]
        seen = {id(obj)}
        i = 0
        while i < len(queue):
            current = queue[i]
            i += 1
            for prop in relationships_of(current.__dict__[STATE_KEY].mapper):
                if not prop.cascade.save_update or prop.viewonly:
                    continue
                for item in prop.loaded_items(current):
                    if id(item) in seen:
                        continue
                    seen.add(id(item))
                    st = item.__dict__.get(STATE_KEY)
                    if st is None or st.session is None:
                        session.add(item)
                        queue.append(item)
                    elif st.session is session:
                        queue.append(item)
    finally:
        d["_athanor_cascading"] = False


def relationships_of(mapper: Mapper) -> list[RelationshipProperty]:
    """The relationship properties of a mapper, in declaration order."""
    return [p for p in mapper._props.values() if isinstance(p, RelationshipProperty)]


def configure_pending(strict: bool = True) -> None:
    """Resolve every declared relationship; ``strict=False`` skips unresolvable ones."""
    if not _pending:
        return
    for prop in list(_pending):
        if prop._configured or not hasattr(prop, "parent"):
            continue
        if strict:
            prop.setup()
            continue
        try:
            prop.setup()
        except MappingError:  # reported when the relationship is first used
            continue


class _Unresolved(MappingError):
    """A relationship names a class or table that is not defined (yet)."""


# --------------------------------------------------------------------------------------
# declarative integration


def declared_relationships(cls: type) -> dict[str, RelationshipProperty]:
    """The relationship() attributes of a class about to be mapped (mixins included)."""
    from athanor.orm.decl import declared_attr

    found: dict[str, RelationshipProperty] = {}
    for klass in reversed(cls.__mro__):
        annotations = klass.__dict__.get("__annotations__", {})
        for key, value in list(klass.__dict__.items()):
            if isinstance(value, declared_attr) and klass is not cls:
                try:
                    value = value.fget(cls)
                except Exception:  # a declared_attr for something else entirely
                    continue
            if isinstance(value, RelationshipProperty):
                if value.key and value.key != key or hasattr(value, "parent"):
                    value = _copy_prop(value)
                value.key = key
                value._annotation = annotations.get(key)
                if value._dynamic is None:  # WriteOnlyMapped[...] / DynamicMapped[...]
                    value._dynamic = _dynamic_kind(value._annotation)
                found[key] = value
    return found


def _copy_prop(prop: RelationshipProperty) -> RelationshipProperty:
    new = RelationshipProperty.__new__(RelationshipProperty)
    new.__dict__.update(prop.__dict__)
    new.__dict__.pop("parent", None)
    new._configured = False
    new._reverse = None
    return new


def after_mapped(mapper: Mapper) -> None:
    """Called once a class is mapped: resolve whatever relationships have become resolvable."""
    configure_pending(strict=False)


_ANN_NAME = re.compile(r"""['"]?([A-Za-z_][\w.]*)['"]?\s*\]*\s*$""")


def _dynamic_kind(ann: Any) -> str | None:
    """"write_only"/"dynamic" for ``WriteOnlyMapped[...]``/``DynamicMapped[...]``, else None."""
    import typing

    text = ann if isinstance(ann, str) else getattr(typing.get_origin(ann), "__name__", "")
    text = text.strip().rsplit(".", 1)[-1] if "[" not in text else text.split("[", 1)[0]
    text = text.rsplit(".", 1)[-1]
    return {"WriteOnlyMapped": "write_only", "DynamicMapped": "dynamic"}.get(text)


def annotation_target(ann: Any) -> tuple[str | type | None, bool | None, Any]:
    """(target class or name, uselist, collection class) from ``Mapped[List["X"]]``."""
    if ann is None:
        return None, None, None
    text = ann if isinstance(ann, str) else _ann_text(ann)
    if text is None:
        return None, None, None
    text = text.strip()
    head, bracket, rest = text.partition("[")
    if bracket:  # "orm.Mapped[...]" / "typing.List[...]": drop the module prefix
        text = head.rsplit(".", 1)[-1] + bracket + rest
    coll = None
    for wrapper in ("WriteOnlyMapped[", "DynamicMapped["):  # always collections
        if text.startswith(wrapper) and text.endswith("]"):
            text = "Mapped[list[" + text[len(wrapper):] + "]"
    if text.startswith("Mapped[") and text.endswith("]"):
        text = text[7:-1].strip()
    low = text.lower()
    for prefix, cc in (("list[", list), ("typing.list[", list), ("set[", set),
                       ("typing.set[", set), ("collection[", list), ("sequence[", list),
                       ("dict[", dict), ("typing.dict[", dict), ("mapping[", dict),
                       ("mutablemapping[", dict)):
        if low.startswith(prefix):
            coll = cc
            text = text[len(prefix):-1]
            if cc is dict:  # Mapped[dict[str, "Note"]]: the value type is the target
                text = text.rsplit(",", 1)[-1]
            break
    if text.startswith("Optional["):
        text = text[9:-1]
    text = text.split("|")[0].strip().strip("'\"")
    return text or None, (coll is not None), coll


def _ann_text(ann: Any) -> str | None:
    import typing

    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is None:
        if isinstance(ann, str):  # Mapped[list["Address"]] evaluated: builtins keep str
            return ann
        if isinstance(ann, typing.ForwardRef):
            return ann.__forward_arg__
        if isinstance(ann, type):
            return ann.__name__
        return None
    name = getattr(origin, "__name__", str(origin))
    inner = ", ".join(_ann_text(a) or "" for a in args)
    if name in ("Union", "UnionType"):  # Optional[X], X | None
        return [(_ann_text(a) or "") for a in args if a is not type(None)][0]
    return f"{name}[{inner}]"


# --------------------------------------------------------------------------------------
# the class attribute


_MISS: Any = object()


class RelationshipAttribute:
    """Class attribute of a relationship: data descriptor and SQL comparator."""

    __slots__ = ("prop", "key", "class_", "__weakref__")

    def __init__(self, prop: RelationshipProperty) -> None:
        self.prop = prop
        self.key = prop.key
        self.class_ = prop.parent.class_

    # -- descriptor -----------------------------------------------------------------------
    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__.get(self.key, _MISS)
        if value is not _MISS:
            return value
        from athanor.orm.strategies import load_on_access

        return load_on_access(self.prop, obj)

    def __set__(self, obj: Any, value: Any) -> None:
        from athanor.orm.collections import set_value

        set_value(self.prop, obj, value)

    def __delete__(self, obj: Any) -> None:
        from athanor.orm.collections import set_value

        set_value(self.prop, obj, _empty_value(self.prop))

    # -- inspection -----------------------------------------------------------------------
    @property
    def parent(self) -> Any:
        return self.prop.parent

    @property
    def mapper(self) -> Any:
        self.prop.setup()
        return self.prop.mapper

    @property
    def entity(self) -> Any:
        return self.mapper

    def __str__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"

    def __repr__(self) -> str:
        return f"<RelationshipAttribute {self}>"

    __hash__ = object.__hash__

    # -- SQL comparator -------------------------------------------------------------------
    def any(self, criterion: Any = None, **kwargs: Any) -> Any:  # noqa: A003
        from athanor.orm.relsql import exists_clause

        return exists_clause(self.prop, criterion, kwargs, "any()")

    def has(self, criterion: Any = None, **kwargs: Any) -> Any:
        from athanor.orm.relsql import exists_clause

        return exists_clause(self.prop, criterion, kwargs, "has()")

    def contains(self, other: Any) -> Any:
        from athanor.orm.relsql import contains_clause

        return contains_clause(self.prop, other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        from athanor.orm.relsql import compare_clause

        return compare_clause(self.prop, other, negate=False)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        from athanor.orm.relsql import compare_clause

        return compare_clause(self.prop, other, negate=True)

    def _athanor_join(self, select: Any, isouter: bool, full: bool, target: Any = None) -> Any:
        """``select.join(User.addresses)``: join the target with ON from the relationship."""
        from athanor.orm.relsql import join_select

        return join_select(self.prop, select, isouter, full, target)

    def of_type(self, target: Any) -> Any:
        return _OfType(self, target)

    def and_(self, *criteria: Any) -> Any:
        """``join(User.addresses.and_(Address.email.like("%@x")))``: extra ON criteria."""
        return _OfType(self, None, criteria)

    # defined last: the name shadows the builtin inside the class body
    property = property(lambda self: self.prop)  # noqa: A003 - SQLAlchemy's name


def _empty_value(prop: RelationshipProperty) -> Any:
    """What ``del obj.<relationship>`` assigns: an empty collection (dict or list) or None."""
    if not prop.uselist:
        return None
    from athanor.orm.collections import collection_factory

    dict_like = prop.collection_class is not None and collection_factory(prop)[0] == "dict"
    return {} if dict_like else []


class _OfType:
    """``User.addresses.of_type(aliased_address)`` / ``.and_(criteria)`` for joins."""

    def __init__(self, attr: RelationshipAttribute, target: Any,
                 criteria: tuple[Any, ...] = ()) -> None:
        self.attr = attr
        self.target = target
        self._athanor_criteria = criteria
        self.key = attr.key  # loader options: selectinload(Co.people.of_type(Engineer))
        self.prop = attr.prop

    def of_type(self, target: Any) -> _OfType:
        return _OfType(self.attr, target, self._athanor_criteria)

    def and_(self, *criteria: Any) -> _OfType:
        return _OfType(self.attr, self.target, self._athanor_criteria + criteria)

    def _athanor_join(self, select: Any, isouter: bool, full: bool, target: Any = None) -> Any:
        from athanor.orm.relsql import join_select

        if not self._athanor_criteria:
            return self.attr._athanor_join(select, isouter, full, self.target)
        if not isinstance(self.attr, RelationshipAttribute):  # aliased(Parent).children
            raise exc.ArgumentError(
                f"Joining {self.attr} failed: .and_() criteria on a relationship of an "
                f"aliased() class are not supported. Put the criteria in where()."
            )
        return join_select(self.attr.prop, select, isouter, full, self.target,
                           self._athanor_criteria)

    def __repr__(self) -> str:
        return f"<{self.attr} of_type/and_>"

    def any(self, criterion: Any = None, **kwargs: Any) -> Any:  # noqa: A003
        """EXISTS over the related rows of the ``of_type()`` class (its tables joined)."""
        from athanor.orm.relsql import exists_clause

        return exists_clause(self.prop, criterion, kwargs, "any()", self.target)

    def has(self, criterion: Any = None, **kwargs: Any) -> Any:
        from athanor.orm.relsql import exists_clause

        return exists_clause(self.prop, criterion, kwargs, "has()", self.target)

    def of_type_mappers(self) -> tuple[Any, ...]:
        """Subclass mappers whose columns a loader option through this path loads too."""
        wp = getattr(self.target, "_wp_mappers", None)
        if wp is not None:
            return tuple(wp[1:])
        mapper = getattr(self.target, "__mapper__", None)
        return (mapper,) if mapper is not None and mapper.isa(self.prop.mapper) and (
            mapper is not self.prop.mapper) else ()
