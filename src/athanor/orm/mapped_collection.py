"""Dictionary collections: ``relationship(collection_class=attribute_keyed_dict("keyword"))``.

Design
------
A dictionary collection is a :class:`KeyFuncDict`: a real ``dict`` subclass whose key for a
member is computed by a *key function* of the member (an attribute, a column's attribute or
any callable). Reads cost what they cost on a ``dict``; the mutating methods report every
member entering or leaving through the same two events the list and set collections use
(:func:`athanor.orm.collections._added` / ``_removed``), so the flush, the backrefs and the
cascades see a dictionary exactly as they see a list of its values.

The factories (:func:`attribute_keyed_dict`, :func:`column_keyed_dict`,
:func:`keyfunc_mapping`) return a *class*: a :class:`KeyFuncDict` subclass with the key
function bound, constructible without arguments as every ``collection_class`` is. Loading
fills a dictionary without events, keyed by the key function, so a member whose key
attribute changed after it was added is found under its new key on the next load.

A :class:`KeyFuncDict` made by hand (not through a relationship) is a plain keyed dict: its
owner is unset and no events run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm._validators import validate_item, validate_remove
from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.relationships import RelationshipProperty
    from athanor.orm.state import InstanceState

_MISSING: Any = object()
#: "no key: leave this object out" (see KeyFuncDict.key_or_skip)
SKIP: Any = object()


class _Unpopulated(Exception):
    """The key function found no value for its attribute (see ``ignore_unpopulated_attribute``)."""


class KeyFuncDict(dict):  # type: ignore[type-arg]
    """A dict keyed by ``keyfunc(member)`` that tells the ORM about members entering and
    leaving it (``MappedCollection`` is the legacy name)."""

    __slots__ = ("keyfunc", "ignore_unpopulated_attribute", "_sa_owner", "_sa_prop")

    keyfunc: Callable[[Any], Any]
    _sa_owner: InstanceState | None
    _sa_prop: RelationshipProperty | None

    def __init__(self, keyfunc: Callable[[Any], Any], *dict_args: Any,
                 ignore_unpopulated_attribute: bool = False) -> None:
        self.keyfunc = keyfunc
        self.ignore_unpopulated_attribute = ignore_unpopulated_attribute
        self._sa_owner = None
        self._sa_prop = None
        dict.__init__(self, *dict_args)

    # -- keyed adds and removes ---------------------------------------------------------------
    def key_of(self, value: Any) -> Any:
        """The key ``value`` belongs under (raises when its key attribute has no value)."""
        try:
            return self.keyfunc(value)
        except _Unpopulated as err:
            raise exc.InvalidRequestError(
                f"Adding {value!r} to {self._where()} failed: {err}. Set that attribute "
                f"before adding the object (or before assigning its many-to-one side), or pass "
                f"ignore_unpopulated_attribute=True to the collection factory to skip such "
                f"objects."
            ) from None

    def set(self, value: Any) -> None:  # noqa: A003 - SQLAlchemy's name
        """Add ``value`` under its key."""
        key = self.key_or_skip(value)
        if key is not SKIP:
            self[key] = value

    def key_or_skip(self, value: Any) -> Any:
        """:meth:`key_of`, or :data:`SKIP` for a value without a key when the collection
        ignores those (``ignore_unpopulated_attribute=True``)."""
        if self.ignore_unpopulated_attribute:
            try:
                return self.keyfunc(value)
            except _Unpopulated:
                return SKIP
        return self.key_of(value)

    def remove(self, value: Any) -> None:
        """Take ``value`` out; it must be the member stored under its key."""
        key = self.key_of(value)
        current = dict.get(self, key, _MISSING)
        if current is _MISSING:
            raise KeyError(key)
        if current is not value:
            raise exc.InvalidRequestError(
                f"Removing {value!r} from {self._where()} failed: the collection holds "
                f"{current!r} under its key {key!r}. The key function probably reads an "
                f"attribute that changed after the object was added; delete by key instead "
                f"(del collection[old_key])."
            )
        del self[key]

    def _where(self) -> str:
        return str(self._sa_prop) if self._sa_prop is not None else "a KeyFuncDict"

    # -- dict mutators ------------------------------------------------------------------------
    def __setitem__(self, key: Any, value: Any) -> None:
        prop, owner = self._sa_prop, self._sa_owner
        old = dict.get(self, key, _MISSING)
        if prop is None or owner is None:
            dict.__setitem__(self, key, value)
            return
        if old is value:
            return
        from athanor.orm.collections import _added, _removed

        if prop._validator is not None:
            value = validate_item(prop, owner, value)
        dict.__setitem__(self, key, value)
        if old is not _MISSING:
            _removed(prop, owner, old)
        _added(prop, owner, value)

    def __delitem__(self, key: Any) -> None:
        old = dict.__getitem__(self, key)
        prop, owner = self._sa_prop, self._sa_owner
        if prop is not None and owner is not None and prop._validator is not None:
            validate_remove(prop, owner, old)
        dict.__delitem__(self, key)
        self._removed(old)

    def _removed(self, value: Any) -> None:
        prop, owner = self._sa_prop, self._sa_owner
        if prop is not None and owner is not None:
            from athanor.orm.collections import _removed

            _removed(prop, owner, value)

    def pop(self, key: Any, *default: Any) -> Any:
        if key not in self:
            if default:
                return default[0]
            raise KeyError(key)
        value = dict.__getitem__(self, key)
        del self[key]
        return value

    def popitem(self) -> tuple[Any, Any]:
        key, value = dict.popitem(self)
        self._removed(value)
        return key, value

    def clear(self) -> None:
        values = list(dict.values(self))
        dict.clear(self)
        for value in values:
            self._removed(value)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
            return default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kw: Any) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kw).items():
            if dict.get(self, key, _MISSING) is not value:
                self[key] = value

    def __ior__(self, other: Any) -> KeyFuncDict:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)


MappedCollection = KeyFuncDict


def _keyed_class(keyfunc: Callable[[Any], Any], ignore_unpopulated: bool, name: str
                 ) -> type[KeyFuncDict]:
    """A KeyFuncDict subclass with ``keyfunc`` bound (a ``collection_class``)."""

    def __init__(self: KeyFuncDict, *dict_args: Any) -> None:
        KeyFuncDict.__init__(self, keyfunc, *dict_args,
                             ignore_unpopulated_attribute=ignore_unpopulated)

    return type(name, (KeyFuncDict,), {"__slots__": (), "__init__": __init__,
                                       "__module__": __name__})


def _attribute_value(obj: Any, name: str) -> Any:
    value = obj.__dict__.get(name, _MISSING)
    if value is not _MISSING:
        return value
    st = obj.__dict__.get(STATE_KEY)
    if st is not None and st.key is not None:  # persistent: expired or deferred, so load it
        return getattr(obj, name)
    raise _Unpopulated(f"its key attribute {type(obj).__name__}.{name} has no value")


def attribute_keyed_dict(attr_name: str, *, ignore_unpopulated_attribute: bool = False
                         ) -> type[KeyFuncDict]:
    """A dictionary collection keyed by each member's ``attr_name`` attribute."""

    def keyfunc(obj: Any) -> Any:
        return _attribute_value(obj, attr_name)

    return _keyed_class(keyfunc, ignore_unpopulated_attribute, "AttributeKeyedDict")


def column_keyed_dict(mapping_spec: Any, *, ignore_unpopulated_attribute: bool = False
                      ) -> type[KeyFuncDict]:
    """A dictionary collection keyed by each member's value for a column (or a tuple of
    values for a list of columns)."""
    cols = list(mapping_spec) if isinstance(mapping_spec, (list, tuple)) else [mapping_spec]
    names: dict[type, list[str]] = {}

    def attr_names(cls: type) -> list[str]:
        found = names.get(cls)
        if found is None:
            mapper = cls.__mapper__  # type: ignore[attr-defined]
            found = names[cls] = [mapper.get_property_by_column(c).key for c in cols]
        return found

    def keyfunc(obj: Any) -> Any:
        values = [_attribute_value(obj, n) for n in attr_names(type(obj))]
        return tuple(values) if isinstance(mapping_spec, (list, tuple)) else values[0]

    return _keyed_class(keyfunc, ignore_unpopulated_attribute, "ColumnKeyedDict")


def keyfunc_mapping(keyfunc: Callable[[Any], Any], *,
                    ignore_unpopulated_attribute: bool = False) -> type[KeyFuncDict]:
    """A dictionary collection keyed by ``keyfunc(member)``."""
    return _keyed_class(keyfunc, ignore_unpopulated_attribute, "KeyFuncMapping")


attribute_mapped_collection = attribute_keyed_dict
column_mapped_collection = column_keyed_dict
mapped_collection = keyfunc_mapping


def fill(coll: KeyFuncDict, items: Iterable[Any]) -> None:
    """Put ``items`` into ``coll`` under their keys, without events (loads, backrefs)."""
    for item in items:
        key = coll.key_or_skip(item)
        if key is not SKIP:
            dict.__setitem__(coll, key, item)


def check_assigned(prop: RelationshipProperty, probe: KeyFuncDict, value: Any) -> list[Any]:
    """The members of a dict assigned to a dictionary collection, whose keys must be the
    ones the key function gives; ``probe``: an empty collection."""
    if not isinstance(value, dict):
        raise TypeError(
            f"Setting {prop} failed: incompatible collection type: {type(value).__name__} is "
            f"not dict-like. Assign a dict keyed as the collection keys its members, or add "
            f"the objects one by one with {prop.key}.set(obj)."
        )
    probe._sa_prop = prop  # named in errors; no owner, so no events
    for key, item in value.items():
        expected = probe.key_of(item)
        if expected != key:
            raise TypeError(
                f"Setting {prop} failed: key {key!r} does not match {item!r}, whose key in "
                f"this collection is {expected!r}. Use the key the collection's key function "
                f"gives."
            )
    return list(value.values())
