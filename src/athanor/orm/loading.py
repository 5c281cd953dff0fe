"""Rows to objects: precomputed loaders, pure (no I/O).

Design
------
A loader is built once per (mapper, column positions) by :func:`instance_loader` and turns a
list of plain row tuples (``result._tuples_all()``) into instances. Per row it does one
identity-map lookup; a new row costs one ``object.__new__``, one ``dict(zip(keys, row))``
(the whole ``__dict__`` in one step), one InstanceState (which is also the weak reference)
and one dict store. No per-attribute descriptor machinery runs.

Rows whose identity is already in the map return the existing object unchanged (its
pending changes win), except that expired attributes are refreshed from the row, or every
attribute with ``populate_existing``.

Loading strategies for relationships (issue 6) plug in as extra per-row steps collected in
:class:`LoadPlan.post_row` (joined eager loads) and per-result steps in
:class:`LoadPlan.post_load` (selectin loads), both empty today.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from athanor.orm.state import _on_instance_gc
from athanor.orm.state import InstanceState as _State
from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.session import Session


class LoadPlan:
    """What a query loads: entity loaders and plain columns, by row position."""

    __slots__ = ("columns", "entities", "post_row", "post_load", "single_entity")

    def __init__(self) -> None:
        #: (kind, payload) per output element: ("entity", (mapper, positions)) or
        #: ("column", position)
        self.columns: list[tuple[str, Any]] = []
        self.entities: list[Mapper] = []
        self.post_row: list[Callable[..., None]] = []
        self.post_load: list[Callable[..., None]] = []
        self.single_entity = False


def instance_loader(
    mapper: Mapper,
    positions: tuple[int, ...] | None,
    session: Session,
    *,
    populate_existing: bool = False,
) -> Callable[[list[tuple[Any, ...]]], list[Any]]:
    """Build ``load(rows) -> [instance or None, ...]`` for one entity of a result.

    ``positions`` are the row positions of the mapper's columns (``mapper._load_keys``
    order); None means the row is exactly those columns in order (the fast path).
    """
    cls = mapper.class_
    keys = mapper._load_keys
    new = object.__new__
    set_dict = object.__setattr__  # obj.__dict__ = d would run the class's tracking __setattr__
    imap = session._identity_map._map_for(mapper)
    imap_get = imap.get
    refresh = _refresh_from_row
    if positions is None:
        pick: Callable[[Any], Any] | None = None
        pk_src = mapper._pk_positions
    else:
        pick = itemgetter(*positions) if len(positions) > 1 else (lambda r, p=positions[0]: (r[p],))
        pk_src = tuple(positions[i] for i in mapper._pk_positions)
    composite = len(pk_src) > 1
    pk_pos = pk_src[0]
    pk_get = itemgetter(*pk_src) if composite else None

    def load(rows: list[tuple[Any, ...]]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for row in rows:
            k = pk_get(row) if pk_get is not None else row[pk_pos]
            st = imap_get(k)
            if st is not None:
                obj = st()
                if obj is not None:
                    if st.expired is not None or populate_existing:
                        refresh(st, obj, keys, row if pick is None else pick(row),
                                populate_existing)
                    append(obj)
                    continue
            if k is None or (composite and None in k):
                append(None)
                continue
            obj = new(cls)
            st = _State(obj, _on_instance_gc)
            st.mapper = mapper
            st.key = k
            st.session = session
            st.committed = None
            st.expired = None
            st.deleted = False
            d = dict(zip(keys, row if pick is None else pick(row)))
            d[STATE_KEY] = st
            set_dict(obj, "__dict__", d)
            imap[k] = st
            append(obj)
        return out

    return load


def _refresh_from_row(
    st: _State, obj: Any, keys: tuple[str, ...], values: Any, overwrite: bool
) -> None:
    d = obj.__dict__
    committed = st.committed or {}
    for key, value in zip(keys, values):
        if overwrite and key not in committed:
            d[key] = value
        elif key not in d:
            d[key] = value
    st.expired = None


def populate_state(st: _State, obj: Any, keys: tuple[str, ...], values: Any) -> None:
    """Fill expired/unloaded attributes of a persistent instance from a fresh row."""
    _refresh_from_row(st, obj, keys, values, False)


def overwrite_state(st: _State, obj: Any, keys: tuple[str, ...], values: Any) -> None:
    """Replace every loaded value with the row's (refresh / populate_existing)."""
    d = obj.__dict__
    for key, value in zip(keys, values):
        d[key] = value
    st.expired = None
    st.committed = None


def expire_state(st: _State, obj: Any, keys: Any = None) -> None:
    """Move loaded values out of ``__dict__`` into ``st.expired`` (all, or ``keys``)."""
    d = obj.__dict__
    mapper = st.mapper
    if keys is None:
        if d.keys() <= mapper._dict_keys_ok:
            del d[STATE_KEY]
            stash = d
            object.__setattr__(obj, "__dict__", {STATE_KEY: st})
        else:
            colkeys = mapper._column_keys
            stash = {k: d.pop(k) for k in list(d) if k in colkeys}
        if st.expired:
            for k, v in st.expired.items():
                stash.setdefault(k, v)
        st.expired = stash
    else:
        stash = st.expired if st.expired is not None else {}
        for k in keys:
            if k in d:
                stash[k] = d.pop(k)
        st.expired = stash
    st.committed = None
