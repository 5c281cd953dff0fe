"""``@validates``: methods that check (and may replace) values set on attributes.

Design
------
The decorator only marks the function. When a class is mapped, :func:`install_validators`
collects the marked methods (mixins and bases included) into ``mapper._validators``
(``{key: Validator}``); a mapper without any keeps the shared empty dict and pays nothing.

Where validators run, always *before* the value is stored, so a validator that raises
leaves the attribute (or collection) unchanged:

- column attributes and whole-relationship assignment: :func:`validated_setattr`, which
  replaces the class's tracking ``__setattr__`` only on classes that have validators (the
  declarative constructor skips its bulk fast path for them, so ``User(email=...)`` is
  validated too);
- collection appends/inserts and, with ``include_removes=True``, removals: the
  instrumented collections consult ``RelationshipProperty._validator``;
- changes made through a backref (``address.user = u`` appending to ``u.addresses``): the
  other side's validator runs unless it was declared with ``include_backrefs=False``; its
  return value is not used there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from athanor.orm.exc import MappingError

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper

_MARK = "__athanor_validates__"


class Validator(NamedTuple):
    fn: Callable[..., Any]
    include_removes: bool
    include_backrefs: bool

    def __call__(self, obj: Any, key: str, value: Any, is_remove: bool = False) -> Any:
        if self.include_removes:
            return self.fn(obj, key, value, is_remove)
        return self.fn(obj, key, value)


def validates(*names: str, include_removes: bool = False, include_backrefs: bool = True
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a method as the validator of the attributes ``names``.

    It is called as ``method(key, value)`` (``method(key, value, is_remove)`` with
    ``include_removes=True``) and returns the value to store; raising rejects the value.
    """
    if not names:
        raise TypeError("validates() failed: name at least one attribute, e.g. "
                        "@validates('email').")

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, _MARK, (names, include_removes, include_backrefs))
        return fn

    return mark


def install_validators(mapper: Mapper) -> None:
    """Collect the class's ``@validates`` methods and hook them in (see the docstring)."""
    cls = mapper.class_
    found: dict[str, Validator] = {}
    for klass in reversed(cls.__mro__):
        for fn in list(klass.__dict__.values()):
            if not inspect.isfunction(fn):
                continue
            spec = fn.__dict__.get(_MARK)
            if spec is None:
                continue
            names, removes, backrefs = spec
            for name in names:
                if name not in mapper._props:
                    raise MappingError(
                        f"@validates({name!r}) on {cls.__name__}.{fn.__name__} failed: "
                        f"{cls.__name__} has no mapped attribute {name!r}; its attributes "
                        f"are: {mapper._attribute_names()}."
                    )
                found[name] = Validator(fn, removes, backrefs)
    if not found:
        return
    mapper._validators = found
    for key, v in found.items():
        prop = mapper._props[key]
        if getattr(prop, "is_relationship", False):
            prop._validator = v  # type: ignore[attr-defined]
    from athanor.orm.attributes import instrumented_setattr

    if cls.__dict__.get("__setattr__", instrumented_setattr) is instrumented_setattr:
        type.__setattr__(cls, "__setattr__", validated_setattr)  # (evented_setattr validates too)


def validated_setattr(self: Any, key: str, value: Any) -> None:
    """``__setattr__`` of classes with validators: validate, then track as usual."""
    from athanor.orm.attributes import instrumented_setattr

    instrumented_setattr(self, key, validated_value(self, key, value))


def validated_value(self: Any, key: str, value: Any) -> Any:
    """``value`` as the validator of ``key`` returns it (unchanged without one)."""
    v = type(self).__mapper__._validators.get(key)
    if v is not None:
        prop = type(self).__mapper__._props[key]
        if getattr(prop, "is_relationship", False):
            prop.setup()
            if prop.uselist:
                if value is not None and not isinstance(value, (str, bytes)) and hasattr(
                        value, "__iter__"):
                    from athanor.orm.collections import members

                    items = [v(self, key, item) for item in members(value)]
                    if v.include_removes:  # members the assignment takes out
                        for old in members(self.__dict__.get(key) or ()):
                            if not any(old is i for i in items):
                                v(self, key, old, True)
                    if isinstance(value, dict):  # a dictionary collection: keys kept
                        value = dict(zip(value, items, strict=True))
                    else:
                        value = set(items) if isinstance(value, (set, frozenset)) else items
            else:
                value = v(self, key, value)
        else:
            value = v(self, key, value)
    return value


def validate_item(prop: Any, owner_state: Any, item: Any) -> Any:
    """A collection append: the validated item (called before the collection changes)."""
    v: Validator = prop._validator
    owner = owner_state()
    return v(owner, prop.key, item) if owner is not None else item


def validate_remove(prop: Any, owner_state: Any, item: Any) -> None:
    v: Validator = prop._validator
    if v.include_removes:
        owner = owner_state()
        if owner is not None:
            v(owner, prop.key, item, True)


def validate_backref(rev: Any, item: Any, owner: Any) -> None:
    """The other side of a relationship changes through a backref: run its validator."""
    v: Validator = rev._validator
    if v.include_backrefs:
        v(item, rev.key, owner)


def validate_backref_remove(rev: Any, item: Any, owner: Any) -> None:
    """A backref takes ``owner`` out of ``item.<rev>``: a scalar becomes None (validated
    as such), a collection loses a member (validated with ``include_removes``)."""
    v: Validator = rev._validator
    if not v.include_backrefs:
        return
    if rev.uselist:
        if v.include_removes:
            v(item, rev.key, owner, True)
    else:
        v(item, rev.key, None)
