"""``aliased()``: a mapped class seen through a table alias or a subquery.

Design
------
An :class:`AliasedClass` stands where a mapped class stands (``select(a)``,
``session.query(a)``, ``join(a, onclause)``, ``User.addresses.of_type(a)``) and converts
to its selectable through ``__clause_element__()``, so Core needs no special case. Its
attributes are the selectable's columns (plain Core columns: comparisons, labels, ordering
and aggregates all work as for table columns); relationship attributes become
:class:`AliasedRelationship`, which joins from the alias.

The ORM's row layout (``context._build_layout``) recognises an aliased entity through
:attr:`AliasedClass._aliased_mapper` and reads its columns' positions from
:attr:`AliasedClass._aliased_columns` (the selectable's column for each of the mapper's
columns, computed once here), so objects load from the alias exactly as from the table.
"""

from __future__ import annotations

from typing import Any

from athanor import exc
from athanor.orm import _adapt


class AliasedClass:
    """A mapped class under another name in the FROM clause (see :func:`aliased`)."""

    def __init__(self, mapper: Any, selectable: Any, name: str | None) -> None:
        cols = []
        for col in mapper._columns:
            match = selectable.corresponding_column(col)
            if match is None:
                raise exc.ArgumentError(
                    f"aliased() failed: the selectable has no column for "
                    f"{mapper.class_.__name__}.{mapper._col_to_key.get(col, col.name)}. Alias a "
                    f"selectable that includes every mapped column, e.g. select(Model).subquery()."
                )
            cols.append(match)
        d = self.__dict__
        d["_aliased_mapper"] = mapper
        d["_aliased_selectable"] = selectable
        d["_aliased_name"] = name
        d["_aliased_columns"] = tuple(cols)
        d["_aliased_bykey"] = {mapper._col_to_key[c]: a for c, a in zip(
            mapper._columns, cols, strict=True)}
        d["__name__"] = name or mapper.class_.__name__

    def __clause_element__(self) -> Any:
        return self._aliased_selectable

    def _athanor_inspect(self) -> AliasedClass:
        """``inspect(alias)``: the alias itself answers ``mapper``/``entity``/``selectable``."""
        return self

    @property
    def selectable(self) -> Any:
        return self._aliased_selectable

    @property
    def is_aliased_class(self) -> bool:
        return True

    @property
    def entity(self) -> Any:
        return self

    @property
    def mapper(self) -> Any:
        return self._aliased_mapper

    @property
    def class_(self) -> type:
        return self._aliased_mapper.class_  # type: ignore[no-any-return]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        col = self._aliased_bykey.get(key)
        if col is not None:
            return col
        prop = self._aliased_mapper._props.get(key)
        if prop is not None and getattr(prop, "is_column", False):  # deferred / expression
            from athanor.orm._deferred import aliased_attribute

            return aliased_attribute(self, prop)
        if prop is not None and getattr(prop, "is_relationship", False):
            rel = self.__dict__[key] = AliasedRelationship(self, prop)
            return rel
        if prop is not None and getattr(prop, "is_composite", False):  # orm/_composites.py
            return prop.comparator_factory(prop, self._aliased_mapper, self)
        attr = getattr(self._aliased_mapper.class_, key)  # hybrid/plain class attributes
        return attr

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"aliased({self.__name__}) is read-only; set {key!r} on the class.")

    def __repr__(self) -> str:
        return f"<AliasedClass at {id(self):#x}; {self._aliased_mapper.class_.__name__}>"


class AliasedRelationship:
    """``aliased(User).addresses``: joins start from the alias instead of the table."""

    def __init__(self, parent: AliasedClass, prop: Any) -> None:
        self.parent_entity = parent
        self.prop = prop
        self.key = prop.key

    def any(self, criterion: Any = None, **kwargs: Any) -> Any:  # noqa: A003
        """EXISTS over the related rows of each aliased parent row."""
        return self._exists(criterion, kwargs)

    has = any

    def _exists(self, criterion: Any, kwargs: dict[str, Any]) -> Any:
        from athanor.sql import and_, exists, literal_column, select

        prop = self.prop
        prop.setup()
        src = self.parent_entity._aliased_selectable
        locals_ = [e for e, _ in prop.sec_local] if prop.secondaryjoin is not None else [
            loc for loc, _ in prop.local_remote]
        mapping = {id(c): src.corresponding_column(c) for c in locals_}
        crit = [_adapt.replace_columns(prop.primaryjoin, mapping)]
        if prop.secondaryjoin is not None:
            crit.append(prop.secondaryjoin)
        if criterion is not None:
            crit.append(criterion)
        target = prop.mapper.class_
        crit.extend(getattr(target, k) == v for k, v in kwargs.items())
        return exists(select(literal_column("1")).where(and_(*crit)))

    def of_type(self, target: Any) -> Any:
        from athanor.orm.relationships import _OfType

        return _OfType(self, target)  # type: ignore[arg-type]

    def _athanor_join(self, select: Any, isouter: bool, full: bool, target: Any = None) -> Any:
        prop = self.prop
        prop.setup()
        src = self.parent_entity._aliased_selectable
        dest = prop.target
        if target is not None:
            hook = getattr(target, "__clause_element__", None)
            dest = hook() if hook is not None else target
        parent_map = _adapt.adapt_to(src, prop.parent.local_table.c)
        target_map = _adapt.adapt_to(dest, prop.target.c) if dest is not prop.target else {}
        pj, sj = prop.primaryjoin, prop.secondaryjoin
        if sj is not None:
            pj = _adapt.replace_columns(pj, parent_map)
            sj = _adapt.replace_columns(sj, target_map)
            return select.join(prop.secondary, pj, isouter=isouter, full=full).join(
                dest, sj, isouter=isouter, full=full)
        if prop.parent.local_table is prop.target:  # self-referential: map by side
            locals_ = {id(loc) for loc, _ in prop.local_remote}
            remotes = {id(rem) for _, rem in prop.local_remote}
            mapping = {k: v for k, v in parent_map.items() if k in locals_}
            mapping.update({k: v for k, v in target_map.items() if k in remotes})
        else:
            mapping = {**parent_map, **target_map}
        return select.join(dest, _adapt.replace_columns(pj, mapping), isouter=isouter,
                           full=full)

    def __repr__(self) -> str:
        return f"<AliasedRelationship {self.parent_entity.__name__}.{self.key}>"


def aliased(element: Any, alias: Any = None, name: str | None = None, flat: bool = False,
            adapt_on_names: bool = False) -> Any:
    """An alias of a mapped class (or of a Core selectable, as ``selectable.alias()``)."""
    if isinstance(element, AliasedClass):
        mapper = element._aliased_mapper
    elif isinstance(element, type) and "__mapper__" in element.__dict__:
        mapper = element.__dict__["__mapper__"]
    else:
        mapper = getattr(element, "class_", None) and getattr(element, "local_table", None) \
            and element
        if not mapper:
            hook = getattr(element, "alias", None)
            if hook is None:
                raise exc.ArgumentError(
                    f"aliased() failed: expected a mapped class or a selectable, got "
                    f"{type(element).__name__}. Pass a model class, e.g. aliased(User)."
                )
            return hook(name)
    if alias is None and mapper._from_clause is not mapper.local_table:  # inheritance
        from athanor.orm._inheritance import alias_from_clause

        alias = alias_from_clause(mapper, name, flat)
    elif alias is None:
        alias = mapper.local_table.alias(name)
    else:
        hook = getattr(alias, "__clause_element__", None)
        alias = hook() if hook is not None else alias
        if getattr(alias, "_is_select", False):
            alias = alias.subquery(name)
    return AliasedClass(mapper, alias, name)
