"""The identity map: one Python object per database row per Session, held weakly.

Design
------
One plain dict per mapper, keyed by the primary key *value* (the scalar for single-column
keys, a tuple for composite keys), mapping to the InstanceState (which is itself a weak
reference to the instance). The row loader and ``Session.get()`` fetch the per-mapper dict
once and then do one dict lookup per row, with no key tuple built for the common
single-column case. The SQLAlchemy-shaped identity key ``(cls, (pk, ...), None)`` is only
built when a caller asks for it (``inspect(obj).identity_key``, ``identity_map.keys()``).

Clean instances nobody references are garbage collected; their states stay behind as dead
weak references (readers treat them as absent) until a *sweep* drops them. A sweep of one
per-mapper dict runs after as many insertions as the dict held live entries at the previous
sweep (at least 1024), so its cost is amortised O(1) per loaded row and the dict never grows
past about twice its live size: memory stays flat when many rows are loaded in batches, and
no per-object weakref callback runs when objects die. Instances with unflushed changes are
kept alive by the session, not by this map.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from athanor.orm import _instance_events

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.state import InstanceState


class IdentityMap:
    """Per-session map of identity -> InstanceState, weak on the instances."""

    __slots__ = ("_maps", "_by_class", "_added", "_limit")

    def __init__(self) -> None:
        self._maps: dict[Mapper, dict[Any, InstanceState]] = {}
        #: insertions since the last sweep, and the sweep threshold, per dict (by id)
        self._added: dict[int, int] = {}
        self._limit: dict[int, int] = {}
        #: the same per-mapper dicts keyed by mapped class (Session.get's fast path)
        self._by_class: dict[type, dict[Any, InstanceState]] = {}

    # -- internal API (hot paths) --------------------------------------------------------
    def _map_for(self, mapper: Mapper) -> dict[Any, InstanceState]:
        m = self._maps.get(mapper.base_mapper)
        if m is None:
            base = mapper.base_mapper
            m = self._maps[base] = {}
            # Session.get's fast path: only the base class may take any row of the map
            self._by_class[base.class_] = m
        return m

    def _get_state(self, mapper: Mapper, key: Any) -> InstanceState | None:
        m = self._maps.get(mapper.base_mapper)
        return m.get(key) if m is not None else None

    def _add_state(self, st: InstanceState) -> None:
        # _map_for and _note_added(m, 1), inline: one call per flushed or loaded object
        base = st.mapper.base_mapper
        m = self._maps.get(base)
        if m is None:
            m = self._map_for(base)
        m[st.key] = st
        i = id(m)
        added = self._added.get(i, 0) + 1
        if added >= self._limit.get(i, 1024):
            self._sweep(m)
        else:
            self._added[i] = added

    def _note_added(self, m: dict[Any, InstanceState], n: int) -> None:
        i = id(m)
        added = self._added.get(i, 0) + n
        if added >= self._limit.get(i, 1024):
            self._sweep(m)
        else:
            self._added[i] = added

    def _sweep(self, m: dict[Any, InstanceState]) -> None:
        """Drop the dead entries of one per-mapper dict."""
        dead = [k for k, st in m.items() if st() is None]
        for k in dead:
            del m[k]
        self._added[id(m)] = 0
        self._limit[id(m)] = max(1024, len(m))

    def _discard_state(self, st: InstanceState) -> None:
        m = self._maps.get(st.mapper.base_mapper)
        if m is not None and m.get(st.key) is st:
            del m[st.key]

    def _all_states(self) -> list[InstanceState]:
        """Live states only (dead weak references are skipped)."""
        return [st for m in self._maps.values() for st in m.values() if st() is not None]

    def _expire_all(self, expire: Any) -> None:
        """Call ``expire(state, obj)`` for every live entry and sweep the dead ones."""
        if _instance_events.EXPIRE:  # someone listens for "expire"
            expire = _instance_events.expiring(expire)
        for m in self._maps.values():
            dead = []
            for k, st in m.items():
                obj = st()
                if obj is None:
                    dead.append(k)
                else:
                    expire(st, obj)
            for k in dead:
                del m[k]
            self._added[id(m)] = 0
            self._limit[id(m)] = max(1024, len(m))

    def _clear(self) -> None:
        # cleared in place: row loaders cached by the session hold these dicts
        for m in self._maps.values():
            m.clear()

    # -- public, SQLAlchemy-shaped API ---------------------------------------------------
    def _split(self, identity_key: Any) -> tuple[Mapper, Any] | None:
        try:
            cls, ident = identity_key[0], identity_key[1]
        except (TypeError, IndexError):
            return None
        mapper = getattr(cls, "__mapper__", None)
        if mapper is None:
            return None
        ident = tuple(ident)
        return mapper, (ident if mapper._pk_composite else ident[0])

    def __contains__(self, identity_key: Any) -> bool:
        return self.get(identity_key) is not None

    def __getitem__(self, identity_key: Any) -> Any:
        obj = self.get(identity_key)
        if obj is None:
            raise KeyError(identity_key)
        return obj

    def get(self, identity_key: Any, default: Any = None) -> Any:
        split = self._split(identity_key)
        if split is None:
            return default
        st = self._get_state(*split)
        obj = st() if st is not None else None
        return obj if obj is not None else default

    def keys(self) -> list[Any]:
        return [st.identity_key for st in self._all_states() if st() is not None]

    def values(self) -> list[Any]:
        return [o for o in (st() for st in self._all_states()) if o is not None]

    def items(self) -> list[tuple[Any, Any]]:
        return [(st.identity_key, o) for st in self._all_states() if (o := st()) is not None]

    def all_states(self) -> list[InstanceState]:
        return self._all_states()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._all_states())

    def __repr__(self) -> str:
        return f"<IdentityMap of {len(self)} objects>"
