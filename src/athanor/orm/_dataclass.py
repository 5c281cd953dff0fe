"""Mapped classes that are also dataclasses: ``MappedAsDataclass`` and ``mapped_as_dataclass``.

Design
------
The class is turned into a dataclass *before* it is mapped, by the standard library's
``dataclasses.dataclass`` (or the ``dataclass_callable`` given), so ``__init__``,
``__repr__`` and ``__eq__`` are exactly what Python generates for the same fields:

1. every own annotated attribute whose value is an ORM construct (``mapped_column()``,
   ``relationship()``, ``column_property()``, ``synonym()``) is swapped for a
   ``dataclasses.field()`` carrying the dataclass options the construct was given
   (``default``, ``default_factory``, ``init``, ``repr``, ``compare``, ``kw_only``,
   ``hash``); an annotation without a value is a required field, as in any dataclass;
2. the dataclass is made, then the ORM constructs are put back so the declarative scan
   maps them as usual (it replaces them with instrumented attributes).

The generated ``__init__`` assigns through the instrumented attributes, so constructed
objects are tracked exactly as with the declarative constructor. A field with
``init=False`` and no default is never assigned: column defaults and autoincrement then
apply at INSERT. Class-level options given on the base (``class Base(MappedAsDataclass,
DeclarativeBase, kw_only=True)``) are inherited by every subclass, which may override them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from athanor import exc

if TYPE_CHECKING:
    from athanor.orm.decl import registry as Registry

#: dataclass() options a class (or the decorator) takes
CLASS_OPTIONS = ("init", "repr", "eq", "order", "unsafe_hash", "match_args", "kw_only",
                 "dataclass_callable")
#: dataclasses.field() options an ORM construct takes
FIELD_OPTIONS = ("default", "default_factory", "init", "repr", "compare", "kw_only", "hash")
_OPTIONS_ATTR = "_athanor_dataclass_options"
_UNSET: Any = object()


def field_options(kw: dict[str, Any]) -> dict[str, Any]:
    """The dataclass field options among an ORM construct's keyword arguments."""
    return {k: kw[k] for k in FIELD_OPTIONS if k in kw}


def _orm_field_options(value: Any) -> dict[str, Any] | None:
    """The field options of a class attribute's value; None when it is no ORM construct."""
    from athanor.orm.decl import MappedColumn
    from athanor.orm.mapper import MapperProperty

    if isinstance(value, MappedColumn):
        return field_options(value.kw)
    if isinstance(value, MapperProperty):
        return dict(getattr(value, "_dc_options", None) or {})
    return None


def make_dataclass(cls: type, options: dict[str, Any]) -> None:
    """Turn ``cls`` (not yet mapped) into a dataclass of its mapped fields, in place."""
    annotations = cls.__dict__.get("__annotations__", {})
    replaced: dict[str, Any] = {}
    for key in annotations:
        value = cls.__dict__.get(key, _UNSET)
        if value is _UNSET:
            continue
        opts = _orm_field_options(value)
        if opts is None:
            continue
        replaced[key] = value
        type.__setattr__(cls, key, dataclasses.field(**opts))
    make: Callable[..., Any] = options.get("dataclass_callable") or dataclasses.dataclass
    kw = {k: v for k, v in options.items() if k != "dataclass_callable"}
    try:
        make(cls, **kw)
    except (TypeError, ValueError) as err:
        raise exc.InvalidRequestError(
            f"Making {cls.__name__} a dataclass failed: {err}. Give the field a default "
            f"(mapped_column(default=...)), init=False or kw_only=True, or reorder the fields."
        ) from err
    finally:
        for key, value in replaced.items():
            type.__setattr__(cls, key, value)


def _options(cls: type) -> dict[str, Any]:
    """The options given on ``cls`` and its bases, the nearest class winning."""
    options: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        options.update(klass.__dict__.get(_OPTIONS_ATTR) or {})
    return options


class MappedAsDataclass:
    """Mixin making every mapped subclass a dataclass:
    ``class Base(MappedAsDataclass, DeclarativeBase, kw_only=True)``."""

    if not TYPE_CHECKING:

        def __init_subclass__(cls, init: Any = _UNSET, repr: Any = _UNSET,  # noqa: A002
                              eq: Any = _UNSET, order: Any = _UNSET,
                              unsafe_hash: Any = _UNSET, match_args: Any = _UNSET,
                              kw_only: Any = _UNSET, dataclass_callable: Any = _UNSET,
                              **kw: Any) -> None:
            given = {"init": init, "repr": repr, "eq": eq, "order": order,
                     "unsafe_hash": unsafe_hash, "match_args": match_args,
                     "kw_only": kw_only, "dataclass_callable": dataclass_callable}
            type.__setattr__(cls, _OPTIONS_ATTR,
                             {k: v for k, v in given.items() if v is not _UNSET})
            if not _is_declarative_base(cls):
                make_dataclass(cls, _options(cls))
            super().__init_subclass__(**kw)


def _is_declarative_base(cls: type) -> bool:
    from athanor.orm.decl import DeclarativeBase

    return DeclarativeBase in cls.__bases__


def mapped_as_dataclass(registry: Registry, cls: type | None = None, /,
                        **options: Any) -> Any:
    """Class decorator: map ``cls`` in ``registry`` as a dataclass
    (``@mapped_as_dataclass(reg)`` or ``@mapped_as_dataclass(reg, kw_only=True)``)."""
    unknown = set(options) - set(CLASS_OPTIONS)
    if unknown:
        raise exc.ArgumentError(
            f"mapped_as_dataclass() failed: unknown option {sorted(unknown)[0]!r}. It takes "
            f"{', '.join(CLASS_OPTIONS)}."
        )

    def decorate(klass: type) -> type:
        make_dataclass(klass, options)
        return registry.mapped(klass)

    return decorate if cls is None else decorate(cls)
