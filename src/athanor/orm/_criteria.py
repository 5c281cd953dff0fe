"""``with_loader_criteria()``: extra WHERE criteria for every load of an entity.

Design
------
A :class:`LoaderCriteriaOption` names a mapped class, or a base/mixin class (then every
mapped subclass), and the criteria, as an expression or a function of the class (called
once per mapper and option, and cached on the option). It acts in three places:

* the statement it is an option of: :func:`apply_select` rewrites the SELECT once per
  execution, adding the criteria for each mapped entity it selects (its WHERE), for each
  joined entity (the join's ON clause, so outer joins keep their meaning) and for
  ``select_from()`` tables; aliases only with ``include_aliases=True``;
* joined eager loads of that statement (:mod:`athanor.orm.joined` adds the criteria to
  each step's ON clause);
* with ``propagate_to_loaders=True`` (the default) the later loads of the objects it loaded:
  the option rides on the option tree (:attr:`Node.criteria`), which selectin loads read
  and which result groups (:mod:`athanor.orm.n1`) keep for lazy loads.

Statements without this option never reach this module.
"""

from __future__ import annotations

import types
from typing import Any

from athanor import exc
from athanor.orm import _adapt
from athanor.orm.strategy_options import Node


class LoaderCriteriaOption:
    """What :func:`with_loader_criteria` returns (see the module docstring)."""

    def __init__(self, entity_or_base: Any, where_criteria: Any, loader_only: bool = False,
                 include_aliases: bool = False, propagate_to_loaders: bool = True,
                 track_closure_variables: bool = True) -> None:
        root = entity_or_base
        mapper = getattr(root, "_aliased_mapper", None) or getattr(root, "class_", None)
        if not isinstance(root, type) and mapper is not None:  # a Mapper or an alias
            root = mapper if isinstance(mapper, type) else mapper.class_
        if not isinstance(root, type):
            raise exc.ArgumentError(
                f"with_loader_criteria() failed: {entity_or_base!r} is not a class. Pass a "
                f"mapped class, or a base or mixin class of mapped classes."
            )
        self.root_entity = root
        self.where_criteria = where_criteria
        self.loader_only = loader_only
        self.include_aliases = include_aliases
        self.propagate_to_loaders = propagate_to_loaders
        self._by_mapper: dict[Any, Any] = {}

    def criteria_for(self, mapper: Any) -> Any:
        """The criteria for ``mapper``'s table, or None when the option does not apply.

        A function is called on each use (its closure may read values that change between
        executions); an expression is coerced once per mapper."""
        if mapper in self._by_mapper:
            return self._by_mapper[mapper]
        cls = mapper.class_
        crit = self.where_criteria
        root = self.root_entity
        if cls is not root and ("__mapper__" in root.__dict__ or not issubclass(cls, root)):
            crit = None  # a mapped class: itself only (as SQLAlchemy); a mixin: its subclasses
        elif isinstance(crit, (types.FunctionType, types.MethodType)):
            return _coerce(crit(cls))
        else:
            crit = _coerce(crit)
        self._by_mapper[mapper] = crit
        return crit

    def __repr__(self) -> str:
        return f"with_loader_criteria({self.root_entity.__name__}, {self.where_criteria!r})"


def _coerce(crit: Any) -> Any:
    from athanor.sql.elements import coerce_where

    hook = getattr(crit, "__clause_element__", None)
    return coerce_where(hook() if hook is not None else crit,
                        role="with_loader_criteria() criteria")


def with_loader_criteria(entity_or_base: Any, where_criteria: Any, loader_only: bool = False,
                         include_aliases: bool = False, propagate_to_loaders: bool = True,
                         track_closure_variables: bool = True) -> LoaderCriteriaOption:
    """Add ``where_criteria`` to every SELECT of ``entity_or_base`` (a mapped class, or a
    base/mixin for all of its mapped subclasses) in the statement this option is given to;
    the criteria may be a function taking the class (``lambda cls: cls.deleted == False``)."""
    return LoaderCriteriaOption(entity_or_base, where_criteria, loader_only, include_aliases,
                                propagate_to_loaders, track_closure_variables)


def options_in(options: tuple[Any, ...]) -> tuple[LoaderCriteriaOption, ...]:
    return tuple(o for o in options if isinstance(o, LoaderCriteriaOption))


def for_mapper(crits: tuple[LoaderCriteriaOption, ...], mapper: Any, selectable: Any = None,
               ) -> list[Any]:
    """The criteria of ``crits`` for ``mapper``, rewritten onto ``selectable`` (an alias of
    its table) when given: then only the options with ``include_aliases``."""
    out = []
    for opt in crits:
        if selectable is not None and not opt.include_aliases:
            continue
        crit = opt.criteria_for(mapper)
        if crit is None:
            continue
        if selectable is not None:
            crit = _adapt.replace_columns(crit, _adapt.adapt_to(selectable,
                                                                mapper.local_table.c))
        out.append(crit)
    return out


def for_step(crits: tuple[LoaderCriteriaOption, ...], mapper: Any, amap: dict[int, Any]
             ) -> list[Any]:
    """The criteria for a joined eager load's anonymous alias (column map ``amap``)."""
    out = []
    for opt in crits:
        crit = opt.criteria_for(mapper)
        if crit is not None:
            out.append(_adapt.replace_columns(crit, amap))
    return out


# --------------------------------------------------------------------------------------
# the statement


def _target(e: Any) -> tuple[Any, Any] | None:
    """(mapper, alias selectable or None) for a selected or joined element, or None."""
    from athanor.orm.context import mapper_for_table

    if isinstance(e, type):
        m = e.__dict__.get("__mapper__")
        return (m, None) if m is not None else None
    m = e.__dict__.get("_aliased_mapper") if hasattr(e, "__dict__") else None
    if m is not None:
        return m, e._aliased_selectable
    prop = getattr(e, "prop", None)
    if prop is not None and getattr(prop, "is_column", False):
        parent: Any = getattr(e, "parent", None)
        if getattr(parent, "_aliased_selectable", None) is not None:
            return parent._aliased_mapper, parent._aliased_selectable
        return prop.parent, None
    m = mapper_for_table(e)
    if m is not None:
        return m, None
    table = getattr(e, "table", None)  # aliased(Model).column: a column of the alias
    if table is not None and getattr(table, "__visit_name__", "") == "alias":
        return _target(table)
    element = getattr(e, "element", None)
    if element is not None and getattr(e, "__visit_name__", "") == "alias":
        m = mapper_for_table(element)
        if m is not None:
            return m, e
    return None


def apply_select(stmt: Any) -> Any:
    """``stmt`` with the criteria of its with_loader_criteria() options added."""
    crits = options_in(stmt._with_options)
    if not crits:
        return stmt
    done: set[tuple[int, int]] = set()
    where: list[Any] = []
    joins = []
    for target, onclause, from_, isouter, full in stmt._setup_joins:
        found = _target(target)
        extra = _criteria(crits, found, done)
        if extra and onclause is not None:
            from athanor.sql import and_

            onclause = and_(onclause, *extra)
        elif extra:
            where.extend(extra)
        joins.append((target, onclause, from_, isouter, full))
    for e in (*stmt._raw_entities, *stmt._from_explicit):
        where.extend(_criteria(crits, _target(e), done))
    new = stmt._clone()
    new._setup_joins = tuple(joins)
    if where:
        new = new.where(*where)
    return new


def _criteria(crits: tuple[LoaderCriteriaOption, ...], found: tuple[Any, Any] | None,
              done: set[tuple[int, int]]) -> list[Any]:
    if found is None:
        return []
    mapper, selectable = found
    mark = (id(mapper), id(selectable))
    if mark in done:
        return []
    done.add(mark)
    return for_mapper(crits, mapper, selectable)


# --------------------------------------------------------------------------------------
# option trees


def with_criteria(node: Node | None, crits: tuple[LoaderCriteriaOption, ...]) -> Node | None:
    """``node`` (made when None) carrying the criteria that later loads must apply."""
    crits = tuple(c for c in crits if c.propagate_to_loaders)
    if not crits:
        return node
    if node is None:
        node = Node()
    node.criteria = crits
    return node


__all__ = ["LoaderCriteriaOption", "apply_select", "for_mapper", "for_step", "options_in",
           "with_criteria", "with_loader_criteria"]
