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

    __slots__ = ("children", "wildcard", "aliases", "cols", "exprs", "criteria", "poly")

    def __init__(self) -> None:
        self.children: dict[str, list[Any]] = {}  # key -> [strategy, Node]
        self.wildcard: str | None = None
        self.aliases: dict[str, Any] = {}
        #: column options at this level: (op, keys, raiseload) (see athanor.orm._deferred)
        self.cols: tuple[tuple[str, tuple[str, ...], bool], ...] = ()
        #: ``with_expression()`` SQL by attribute key (kept out of ``cols``, which keys caches)
        self.exprs: dict[str, Any] = {}
        #: with_loader_criteria() options every load below this level applies
        #: (athanor.orm._criteria); a level made only to carry them has no other entries
        self.criteria: tuple[Any, ...] = ()
        #: subclass mappers whose columns load in a second SELECT (selectin_polymorphic)
        self.poly: tuple[Any, ...] = ()

    def strategy_for(self, prop: Any) -> str:
        entry = self.children.get(prop.key)
        if entry is not None and entry[0] is not None:
            return entry[0]
        if self.wildcard is not None:
            return self.wildcard
        return prop.lazy

    @property
    def bare(self) -> bool:
        """No loader choices here or below (a level only carrying criteria)."""
        return self.wildcard is None and not self.cols and not self.aliases and all(
            e[0] is None and e[1].bare for e in self.children.values())

    def child(self, key: str) -> Node | None:
        entry = self.children.get(key)
        if self.criteria:  # the sub-level carries the criteria on (made when missing)
            if entry is None:
                entry = self.children[key] = [None, Node()]
            if not entry[1].criteria:
                entry[1].criteria = self.criteria
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
        for a in attrs:
            if getattr(a, "_athanor_criteria", None):
                raise exc.ArgumentError(
                    f"Building a loader option failed: {a.attr}.and_(...) criteria are not "
                    f"supported in loader options yet. Use with_loader_criteria("
                    f"{a.attr.prop.mapper.class_.__name__}, ...) beside the option instead."
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

    def _columns(self, op: str, attrs: tuple[Any, ...], raiseload: bool) -> Load:
        keys = tuple(_column_key(a, op) for a in attrs)
        new = Load(self.entity)
        first = attrs[0] if attrs and op != "undefer_group" else None
        new.path = self.path + ((first, "cols", {"op": (op, keys, raiseload)}),)
        new.subs = self.subs
        return new

    def load_only(self, *attrs: Any, raiseload: bool = False) -> Load:
        """Load only these columns (and the primary key); the others load on access."""
        return self._columns("load_only", attrs, raiseload)

    def defer(self, *attrs: Any, raiseload: bool = False) -> Load:
        """Leave these columns out of the SELECT; they load on first access."""
        return self._columns("defer", attrs, raiseload)

    def undefer(self, *attrs: Any) -> Load:
        """Load these deferred columns with the object."""
        return self._columns("undefer", attrs, False)

    def undefer_group(self, name: str) -> Load:
        """Load the deferred columns of group ``name`` with the object."""
        return self._columns("undefer_group", (name,), False)

    def with_expression(self, key: Any, expression: Any) -> Load:
        """Load the ``query_expression()`` attribute ``key`` as ``expression``."""
        prop = getattr(key, "prop", None)
        if prop is None or not getattr(prop, "_qexpr", False):
            raise exc.ArgumentError(
                f"with_expression() failed: {key!r} is not a query_expression() attribute. "
                f"Declare it as `attr = query_expression()` on the model first."
            )
        hook = getattr(expression, "__clause_element__", None)
        new = Load(self.entity)
        new.path = self.path + ((key, "cols", {"op": ("with_expression", (prop.key,), False),
                                               "expr": hook() if hook else expression}),)
        new.subs = self.subs
        return new

    def selectin_polymorphic(self, classes: Any) -> Load:
        """Load the columns of subclasses ``classes`` of this path's entity in one more
        SELECT per class (see :func:`athanor.orm.selectin_polymorphic`)."""
        from athanor.orm._inheritance_load import poly_mappers

        last = self.path[-1][0] if self.path else self.entity
        target = getattr(getattr(last, "prop", None), "mapper", None) or last
        new = Load(self.entity)
        new.path = self.path + ((None, "poly", {"mappers": poly_mappers(target, classes)}),)
        new.subs = self.subs
        return new

    def options(self, *opts: Load) -> Load:
        new = Load(self.entity)
        new.path = self.path
        new.subs = self.subs + opts
        return new

    def __repr__(self) -> str:
        return f"<Load {[(str(a), s) for a, s, _ in self.path]}>"


class UserDefinedOption:
    """An option carrying a user's ``payload`` to ``do_orm_execute`` listeners
    (:attr:`ORMExecuteState.user_defined_options`); the ORM itself ignores it."""

    propagate_to_loaders = False

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.payload!r})"


class AliasOption(UserDefinedOption):
    """``contains_alias(alias)``: a legacy option with no effect (rows already map to the
    entity through ``select(Model).from_statement()`` / ``aliased()``)."""

    def __init__(self, alias: Any) -> None:
        super().__init__(alias)
        self.alias = alias


def contains_alias(alias: Any) -> AliasOption:
    """Legacy: accepted and ignored, as in SQLAlchemy 2.x."""
    return AliasOption(alias)


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
    return Load().load_only(*attrs, raiseload=raiseload)


def defer(key: Any, *addl_attrs: Any, raiseload: bool = False) -> Load:
    return Load().defer(key, *addl_attrs, raiseload=raiseload)


def undefer(key: Any, *addl_attrs: Any) -> Load:
    return Load().undefer(key, *addl_attrs)


def undefer_group(name: str) -> Load:
    return Load().undefer_group(name)


def with_expression(key: Any, expression: Any) -> Load:
    return Load().with_expression(key, expression)


def _column_key(attr: Any, op: str) -> str:
    if op == "undefer_group" or isinstance(attr, str):
        return str(attr)
    prop = getattr(attr, "prop", None)
    if prop is None or not getattr(prop, "is_column", False):
        raise exc.ArgumentError(
            f"{op}() failed: {attr!r} is not a column attribute. Pass mapped column "
            f"attributes (User.name) or their names; relationships take their own loader "
            f"options (selectinload(), joinedload(), ...)."
        )
    return str(prop.key)


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
    if prop is not None and (getattr(prop, "is_relationship", False) or getattr(
            prop, "is_column", False)):
        return prop.parent
    return None


def _add(roots: dict[Any, Node], path: tuple[Any, ...], subs: tuple[Load, ...]) -> None:
    if not path:
        return
    root = _root_of(path[0][0]) if path[0][1] != "poly" else path[0][0]
    node = roots.setdefault(root, Node())
    for attr, strategy, kw in path:
        if strategy == "poly":  # selectin_polymorphic(): athanor.orm._inheritance_load
            node.poly = (*node.poly, *kw["mappers"])
            continue
        if strategy == "cols":  # column options apply to this level's entity
            node.cols = (*node.cols, kw["op"])
            if "expr" in kw:
                node.exprs = {**node.exprs, kw["op"][1][0]: kw["expr"]}
            continue
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
        of_type = getattr(attr, "of_type_mappers", None)
        if of_type is not None:  # Co.people.of_type(Engineer): its columns load too
            node.poly = (*node.poly, *of_type())
    for sub in subs:
        sub_path = path + sub.path
        _add(roots, sub_path, sub.subs)


def tree_for(roots: dict[Any, Node], mapper: Any, primary: bool) -> Node | None:
    """The option tree for one entity of a statement."""
    node = roots.get(mapper)
    if getattr(mapper, "inherits", None) is not None or getattr(mapper, "_inheriting", None):
        node = _hierarchy_node(roots, mapper, node)
    if primary and None in roots:
        extra = roots[None]
        if node is None:
            return extra
        merged = Node()
        merged.children = {**extra.children, **node.children}
        merged.wildcard = node.wildcard or extra.wildcard
        merged.aliases = {**extra.aliases, **node.aliases}
        merged.cols = extra.cols + node.cols
        merged.exprs = {**extra.exprs, **node.exprs}
        merged.criteria = extra.criteria or node.criteria
        merged.poly = extra.poly + node.poly
        return merged
    return node


def _hierarchy_node(roots: dict[Any, Node], mapper: Any, node: Node | None) -> Node | None:
    """Options given through a base or subclass attribute (``load_only(Engineer.name)``,
    whose property belongs to ``Employee``) apply to the entity of a related class too."""
    related = [n for m, n in roots.items() if m is mapper or (
        m is not None and getattr(m, "base_mapper", None) is mapper.base_mapper
        and (m.isa(mapper) or mapper.isa(m)))]
    if len(related) < 2 and (node is not None or not related):
        return node
    merged = Node()
    for n in related:  # in the order the options were given
        merged.children = {**merged.children, **n.children}
        merged.wildcard = n.wildcard or merged.wildcard
        merged.aliases = {**merged.aliases, **n.aliases}
        merged.cols = merged.cols + n.cols
        merged.poly = merged.poly + n.poly
    return merged
