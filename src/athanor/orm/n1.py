"""N+1 query detection and the opt-in batching mode.

Design
------
Objects loaded together by one query (more than one of them) are remembered as a
:class:`ResultGroup`: the session keeps ``{state: group}`` (one dict store per object, and
only while detection, batching or per-query loader options need it). When a lazy load is
about to emit SQL for an object of a group, :func:`before_lazy_load` counts it per
relationship; the second such load of the same relationship in the same group is the N+1
pattern, reported once per group and relationship with the relationship, the number of
extra queries so far and the most the loop can cost, and the first line of user code on
the stack (the line that triggered it).

The mode comes from ``session.n_plus_one``, else the engine's ``n_plus_one`` attribute,
else the default: ``'warn'`` when running under pytest (``PYTEST_CURRENT_TEST`` is set),
off otherwise. ``'raise'`` raises :class:`NPlusOneError`; ``'batch'`` turns the first lazy
load into a load for every sibling of the group (one IN query,
:func:`athanor.orm.strategies.batch_load`), so a loop over N parents costs 2 queries.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.relationships import RelationshipProperty
    from athanor.orm.session import Session
    from athanor.orm.state import InstanceState
    from athanor.orm.strategy_options import Node

MODES = ("warn", "raise", "batch", None)
_GROUPS_KEY = "_athanor_groups"
_MAX_TRACKED = 200_000
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class NPlusOneWarning(UserWarning):
    """Issued (``n_plus_one='warn'``) when one lazy load repeats over a query's objects."""


class NPlusOneError(exc.InvalidRequestError):
    """Raised (``n_plus_one='raise'``) when one lazy load repeats over a query's objects."""


class ResultGroup:
    """Objects one query loaded together, with the options that loaded them."""

    __slots__ = ("mapper", "states", "node", "counts", "reported")

    def __init__(self, mapper: Mapper, states: list[InstanceState], node: Node | None) -> None:
        self.mapper = mapper
        self.states = states
        self.node = node
        self.counts: dict[str, int] = {}
        self.reported: set[str] = set()

    def strategy(self, prop: RelationshipProperty) -> str:
        return self.node.strategy_for(prop) if self.node is not None else prop.lazy

    def siblings(self) -> list[Any]:
        return [o for o in (st() for st in self.states) if o is not None]


def mode_of(session: Session) -> str | None:
    mode = session.__dict__.get("n_plus_one", "default")
    if mode == "default":
        bind = session.bind
        engine = getattr(bind, "engine", bind)
        mode = getattr(engine, "n_plus_one", "default")
    if mode == "default":
        return "warn" if "PYTEST_CURRENT_TEST" in os.environ else None
    if mode not in MODES:
        raise exc.ArgumentError(
            f"n_plus_one={mode!r} is not a valid setting. Use 'warn', 'raise', 'batch' or None."
        )
    return mode  # type: ignore[no-any-return]


def group_of(session: Session, st: InstanceState) -> ResultGroup | None:
    groups = session.__dict__.get(_GROUPS_KEY)
    return groups.get(st) if groups else None


def register(session: Session, mapper: Mapper, objs: list[Any], node: Node | None) -> None:
    """Remember ``objs`` as loaded together (when anything will need to know)."""
    if len(objs) < 2 and node is None:
        return
    if node is None and (mode_of(session) is None or not _has_lazy(mapper)):
        return
    groups = session.__dict__.get(_GROUPS_KEY)
    if groups is None or len(groups) > _MAX_TRACKED:
        groups = session.__dict__[_GROUPS_KEY] = {}
    states = [o.__dict__[STATE_KEY] for o in objs]
    group = ResultGroup(mapper, states, node)
    for st in states:
        groups[st] = group


def _has_lazy(mapper: Mapper) -> bool:
    from athanor.orm.relationships import relationships_of

    return any(p.lazy == "select" for p in relationships_of(mapper))


def _needs_sql(session: Session, prop: RelationshipProperty, obj: Any) -> bool:
    if not prop._use_get:
        return True
    d = obj.__dict__
    values = [d.get(k) for k in prop._get_keys]
    if any(v is None for v in values):
        return False
    st = session._identity_map._get_state(prop.mapper, tuple(values) if len(values) > 1
                                          else values[0])
    return st is None or st() is None


def before_lazy_load(session: Session, group: ResultGroup, prop: RelationshipProperty,
                     obj: Any) -> bool:
    """Count (and maybe report) a lazy load; True if batching loaded it already."""
    if not _needs_sql(session, prop, obj):
        return False
    mode = mode_of(session)
    if mode is None:
        return False
    if mode == "batch":
        from athanor.orm.strategies import batch_load, post_load

        sub = group.node.child(prop.key) if group.node is not None else None
        children = batch_load(session, prop, group.siblings(), sub)
        post_load(session, prop.mapper, children, sub, 1)
        return True
    count = group.counts.get(prop.key, 0) + 1
    group.counts[prop.key] = count
    if count >= 2 and prop.key not in group.reported:
        group.reported.add(prop.key)
        _report(mode, prop, count, len(group.states))
    return False


def user_frame() -> str:
    """``file:line`` of the innermost stack frame outside the athanor package."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not os.path.abspath(name).startswith(_PKG_DIR):
            return f"{name}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return "<unknown>"


def _report(mode: str, prop: RelationshipProperty, count: int, total: int) -> None:
    cls = prop.parent.class_.__name__
    where = user_frame()
    msg = (
        f"N+1 queries: {prop} was lazy-loaded for {count} of the {total} {cls} objects one "
        f"query returned ({count} extra queries so far, up to {total}), triggered at {where}. "
        f"Eager-load it with .options(selectinload({prop})), or set n_plus_one='batch' on "
        f"the session or engine."
    )
    if mode == "raise":
        raise NPlusOneError(msg)
    warnings.warn(msg, NPlusOneWarning, stacklevel=_stacklevel())


def _stacklevel() -> int:
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PKG_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
