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
from gc import disable as gc_disable
from gc import enable as gc_enable
from gc import isenabled as gc_isenabled
from typing import TYPE_CHECKING, Any

from athanor.orm._deferred import Partial
from athanor.orm._instance_events import fire_refresh, load_firing
from athanor.orm.state import STATE_KEY
from athanor.orm.state import InstanceState as _State

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
    positions: tuple[int, ...] | Partial | None,
    session: Session,
    *,
    populate_existing: bool = False,
) -> Callable[[list[tuple[Any, ...]]], list[Any]]:
    """Build ``load(rows) -> [instance or None, ...]`` for one entity of a result.

    ``positions`` are the row positions of the mapper's columns (``mapper._load_keys``
    order); None means the row is exactly those columns in order (the fast path).
    """
    if mapper.polymorphic_on is not None:  # one class per discriminator value
        from athanor.orm._inheritance import polymorphic_loader

        return polymorphic_loader(mapper, positions, session, populate_existing=populate_existing)
    identity_map = session._identity_map
    imap = identity_map._map_for(mapper)
    keys = mapper._load_keys
    raise_keys = None
    if type(positions) is Partial:  # chosen columns (athanor.orm._deferred)
        keys, raise_keys = positions.keys, positions.raise_keys or None
        positions = positions.positions
        code = loader_code(mapper, positions, False, keys, raise_keys is not None)
    else:
        code = None
    cols: tuple[int, ...] = positions if positions is not None else tuple(  # type: ignore[assignment]
        range(len(keys)))
    ns: dict[str, Any] = {
        "cls": mapper.class_,
        "keys": keys,
        "raise_keys": raise_keys,
        "new": object.__new__,
        "State": _State,
        "mapper": mapper,
        "session": session,
        "imap": imap,
        "imap_get": imap.get,
        "note_added": identity_map._note_added,
        "refresh": _refresh_from_row,
        "load_firing": load_firing,
        "populate_existing": populate_existing,
        "gc_isenabled": gc_isenabled,
        "gc_disable": gc_disable,
        "gc_enable": gc_enable,
    }
    if code is None:
        code = loader_code(mapper, cols, positions is None)
    exec(code, ns)  # noqa: S102 - generated below
    return ns["load"]  # type: ignore[no-any-return]


def loader_code(mapper: Mapper, cols: tuple[int, ...], exact: bool,
                keys: tuple[str, ...] | None = None, raising: bool = False) -> Any:
    """The compiled loader source for one layout, compiled once per mapper and layout.

    ``keys``: the attribute keys the columns fill when they are not the mapper's default
    ``_load_keys`` (deferred columns, expressions, load_only()); ``raising``: new objects
    get ``state.raiseload`` set.
    """
    key = ("loader_code", cols, exact) if keys is None else ("loader_code", cols, keys, raising)
    code = mapper._stmt_cache.get(key)
    if code is None:
        source = _loader_source(mapper, cols, exact, keys, raising)
        code = compile(source, f"<athanor loader {mapper}>", "exec")
        if len(mapper._stmt_cache) < 1024 or keys is None:
            mapper._stmt_cache[key] = code
    return code


def _loader_source(mapper: Mapper, cols: tuple[int, ...], exact: bool,
                   load_keys: tuple[str, ...] | None = None, raising: bool = False) -> str:
    """Source of a row loader specialised to one mapper and column layout.

    Unrolled assignments into the new instance's own ``__dict__`` keep CPython's
    key-sharing instance dicts (about half the time and memory of ``dict(zip(...))``
    plus replacing ``__dict__``), and the key/values expressions are fixed per layout.
    """
    keys = mapper._load_keys if load_keys is None else load_keys
    pks = [cols[keys.index(k)] for k in mapper._pk_keys] if load_keys is not None else [
        cols[i] for i in mapper._pk_positions]
    # an object already in the identity map gets the columns it has not loaded yet
    fill_check = "".join(f" or {k!r} not in obj.__dict__" for k in keys
                         if k not in mapper._pk_keys) if load_keys is not None else ""
    set_raise = "\n        st.raiseload = raise_keys" if raising else ""
    key_expr = (
        f"row[{pks[0]}]" if len(pks) == 1 else "(" + ", ".join(f"row[{p}]" for p in pks) + ")"
    )
    null_check = "k is None" if len(pks) == 1 else "None in k"
    values_expr = "row" if exact else "(" + "".join(f"row[{c}], " for c in cols) + ")"
    assign = "\n".join(f"            d[{k!r}] = row[{c}]" for k, c in zip(keys, cols, strict=False))
    return f"""
def load(rows):
    hooks = mapper._ievents  # load listeners / a reconstructor / loaded_as_persistent
    if hooks is not None and hooks.load or session._dispatch.loaded_as_persistent:
        return load_firing(load_batch, rows, row_key, imap, session)
    return load_batch(rows)

def row_key(row):
    return {key_expr}

def load_batch(rows):
    # The cyclic GC would scan the young objects every ~700 allocations while we build
    # several per row, none of them cyclic garbage: pause it for big batches (only when
    # it was on, so a user's gc.disable() is respected).
    if len(rows) >= 64 and gc_isenabled():
        gc_disable()
        try:
            return load_rows(rows)
        finally:
            gc_enable()
    return load_rows(rows)

def load_rows(rows):
    out = []
    append = out.append
    size = len(imap)
    for row in rows:
        k = {key_expr}
        st = imap_get(k)
        if st is not None:
            obj = st()
            if obj is not None:
                if st.expired is not None or populate_existing{fill_check}:
                    refresh(st, obj, keys, {values_expr}, populate_existing)
                append(obj)
                continue
        if {null_check}:
            append(None)
            continue
        obj = new(cls)
        st = State(obj)
        st.mapper = mapper
        st.key = k
        st.session = session
        st.committed = None
        st.expired = None{set_raise}
        d = obj.__dict__
        if True:
{assign}
        d[{STATE_KEY!r}] = st
        imap[k] = st
        append(obj)
    added = len(imap) - size
    if added > 0:
        note_added(imap, added)
    return out
"""


def _refresh_from_row(
    st: _State, obj: Any, keys: tuple[str, ...], values: Any, overwrite: bool
) -> None:
    d = obj.__dict__
    committed = st.committed or {}
    hooks = st.mapper._ievents
    filled: list[str] | None = [] if hooks is not None and hooks.refresh and not overwrite else None
    for key, value in zip(keys, values, strict=False):
        if overwrite and key not in committed or key not in d:
            if filled is not None:
                filled.append(key)
            d[key] = value
    st.expired = None
    if hooks is not None and hooks.refresh:
        fire_refresh(st, obj, filled)


def populate_state(st: _State, obj: Any, keys: tuple[str, ...], values: Any) -> None:
    """Fill expired/unloaded attributes of a persistent instance from a fresh row."""
    _refresh_from_row(st, obj, keys, values, False)


def overwrite_state(st: _State, obj: Any, keys: tuple[str, ...], values: Any) -> None:
    """Replace every loaded value with the row's (refresh / populate_existing)."""
    d = obj.__dict__
    for key, value in zip(keys, values, strict=False):
        d[key] = value
    st.expired = None
    st.committed = None
    if st.mapper._ievents is not None:
        fire_refresh(st, obj, None)


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
            props = mapper._props  # columns and relationships (orm/relationships.py)
            stash = {k: d.pop(k) for k in list(d) if k in props}
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
    if st.committed is not None:
        st.committed = None
