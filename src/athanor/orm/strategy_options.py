"""Loader options: ``joinedload``, ``selectinload``, ``lazyload``, ``raiseload``, ...

Design
------
An option is a :class:`Load`: an immutable path of ``(attribute, strategy)`` steps built by
chaining (``selectinload(User.orders).selectinload(Order.items)``); ``'*'`` stands for every
relationship at that level, and :func:`defaultload` walks a step without changing its
strategy. When a statement executes, :func:`build_tree` merges all its options into one
:class:`Node` tree per root mapper, which the loaders consult (:meth:`Node.strategy_for`,
:meth:`Node.child`); building it is proportional to the number of options, not of rows.
"""

from __future__ import annotations

from typing import Any

from athanor import exc

_STRATEGIES = {"joined", "selectin", "select", "raise", "noload", "contains_eager", None}


class Node:
    """Per-level loader decisions: explicit strategies by key, a wildcard, sub-levels."""

    __slots__ = ("children", "wildcard", "aliases")

    def __init__(self) -> None:
        self.children: dict[str, list[Any]] = {}  # key -> [strategy, Node]
        self.wildcard: str | None = None
        self.aliases: dict[str, Any] = {}

    def strategy_for(self, prop: Any) -> str:
        entry = self.children.get(prop.key)
        if entry is not None and entry[0] is not None:
            return entry[0]
        if self.wildcard is not None:
            return self.wildcard
        return prop.lazy

    def child(self, key: str) -> Node | None:
        entry = self.children.get(key)
        return entry[1] if entry is not None else None

    def __repr__(self) -> str:
        return f"<Node {self.children} *={self.wildcard}>"


class Load:
    """A loader option path (what ``joinedload(...)`` & co return)."""

    def __init__(self, entity: Any = None) -> None:
        self.entity = entity
        self.path: tuple[tuple[Any, str | None, dict[str, Any]], ...] = ()
        self.subs: tuple[Load, ...] = ()

    def _chain(self, attrs: tuple[Any, ...], strategy: str | None, kw: dict[str, Any]) -> Load:
        if not attrs:
            raise exc.ArgumentError(
                "Building a loader option failed: no attribute was given. Pass a relationship "
                "attribute, e.g. selectinload(User.addresses), or '*'."
            )
        new = Load(self.entity)
        steps: list[tuple[Any, str | None, dict[str, Any]]] = [
            (a, None, {}) for a in attrs[:-1]]
        new.path = self.path + tuple(steps) + ((attrs[-1], strategy, kw),)
        return new

    def joinedload(self, *attrs: Any, innerjoin: bool = False) -> Load:
        return self._chain(attrs, "joined", {"innerjoin": innerjoin})

    def selectinload(self, *attrs: Any, **kw: Any) -> Load:
        return self._chain(attrs, "selectin", {})

    subqueryload = selectinload
    immediateload = selectinload

    def lazyload(self, *attrs: Any) -> Load:
        return self._chain(attrs, "select", {})

    def raiseload(self, *attrs: Any, sql_only: bool = False) -> Load:
        return self._chain(attrs, "raise", {})

    def noload(self, *attrs: Any) -> Load:
        return self._chain(attrs, "noload", {})

    def defaultload(self, *attrs: Any) -> Load:
        return self._chain(attrs, None, {})

    def contains_eager(self, *attrs: Any, alias: Any = None) -> Load:
        return self._chain(attrs, "contains_eager", {"alias": alias})

    def load_only(self, *attrs: Any, raiseload: bool = False) -> Load:
        return self  # column deferral is not supported: every column is loaded

    def undefer(self, *attrs: Any) -> Load:
        return self

    defer = undefer

    def options(self, *opts: Load) -> Load:
        new = Load(self.entity)
        new.path = self.path
        new.subs = self.subs + opts
        return new

    def __repr__(self) -> str:
        return f"<Load {[(str(a), s) for a, s, _ in self.path]}>"


def joinedload(*attrs: Any, innerjoin: bool = False) -> Load:
    return Load().joinedload(*attrs, innerjoin=innerjoin)


def selectinload(*attrs: Any, **kw: Any) -> Load:
    return Load().selectinload(*attrs)


subqueryload = selectinload
immediateload = selectinload


def lazyload(*attrs: Any) -> Load:
    return Load().lazyload(*attrs)


def raiseload(*attrs: Any, sql_only: bool = False) -> Load:
    return Load().raiseload(*attrs)


def noload(*attrs: Any) -> Load:
    return Load().noload(*attrs)


def defaultload(*attrs: Any) -> Load:
    return Load().defaultload(*attrs)


def contains_eager(*attrs: Any, alias: Any = None) -> Load:
    return Load().contains_eager(*attrs, alias=alias)


def load_only(*attrs: Any, raiseload: bool = False) -> Load:
    return Load()


def undefer(*attrs: Any) -> Load:
    return Load()


defer = undefer


# --------------------------------------------------------------------------------------
# trees


def build_tree(options: tuple[Any, ...]) -> dict[Any, Node]:
    """Merge loader options into one Node tree per root mapper (None: the first entity)."""
    roots: dict[Any, Node] = {}
    for opt in options:
        if isinstance(opt, Load):
            _add(roots, opt.path, opt.subs)
    return roots


def _root_of(attr: Any) -> Any:
    prop = getattr(attr, "prop", None)
    if prop is not None and getattr(prop, "is_relationship", False):
        return prop.parent
    return None


def _add(roots: dict[Any, Node], path: tuple[Any, ...], subs: tuple[Load, ...]) -> None:
    if not path:
        return
    root = _root_of(path[0][0])
    node = roots.setdefault(root, Node())
    for attr, strategy, kw in path:
        if isinstance(attr, str) and attr == "*":
            node.wildcard = strategy
            return
        key = attr if isinstance(attr, str) else getattr(attr, "key", None)
        if key is None:
            raise exc.ArgumentError(
                f"Building a loader option failed: {attr!r} is not a relationship attribute. "
                f"Pass e.g. User.addresses or the attribute name."
            )
        entry = node.children.get(key)
        if entry is None:
            entry = node.children[key] = [strategy, Node()]
        elif strategy is not None:
            entry[0] = strategy
        if strategy == "contains_eager" and kw.get("alias") is not None:
            node.aliases[key] = kw["alias"]
        if strategy == "joined" and kw.get("innerjoin"):
            node.aliases.setdefault("__inner__" + key, True)
        node = entry[1]
    for sub in subs:
        sub_path = path + sub.path
        _add(roots, sub_path, sub.subs)


def tree_for(roots: dict[Any, Node], mapper: Any, primary: bool) -> Node | None:
    """The option tree for one entity of a statement."""
    node = roots.get(mapper)
    if primary and None in roots:
        extra = roots[None]
        if node is None:
            return extra
        merged = Node()
        merged.children = {**extra.children, **node.children}
        merged.wildcard = node.wildcard or extra.wildcard
        merged.aliases = {**extra.aliases, **node.aliases}
        return merged
    return node
