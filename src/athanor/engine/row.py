"""Result rows: :class:`Row` (a tuple) and :class:`RowMapping` (its dict-like view).

A row must cost almost nothing to build, so :class:`Row` is a ``tuple`` subclass and every
result shape (one tuple of column keys) gets its own small subclass, made once and cached,
whose class attributes hold the keys and whose column names are ``property(itemgetter(i))``
descriptors. Building a row is then one C-level ``tuple.__new__``; index access, equality
with plain tuples, hashing and unpacking are the tuple's own. Pickling goes through
:func:`_make_row`, so the per-shape classes never need to be importable.

Column names that would shadow the row API (``_mapping``, ``_fields``...) or are not
identifiers stay reachable through ``row._mapping[name]``.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, ClassVar

from athanor import exc

_ROW_CLASSES: dict[tuple[str, ...], type[Row]] = {}
_MAX_CACHED_SHAPES = 2000


class Row(tuple):  # type: ignore[type-arg]
    """One result row: a tuple with attribute access and a mapping view."""

    __slots__ = ()

    _fields: ClassVar[tuple[str, ...]] = ()
    _key_to_index: ClassVar[dict[Any, int]] = {}

    @property
    def _mapping(self) -> RowMapping:
        """A read-only mapping view: ``row._mapping["name"]``."""
        return RowMapping(self)

    @property
    def _t(self) -> tuple[Any, ...]:
        """The row as a plain tuple (it already is one; kept for typing parity)."""
        return self

    def _tuple(self) -> tuple[Any, ...]:
        return self

    def _asdict(self) -> dict[str, Any]:
        """A new dict of column name to value."""
        return dict(zip(self._fields, self, strict=False))

    def __getattr__(self, name: str) -> Any:
        index = self._key_to_index.get(name)
        if index is not None:
            return self[index]
        raise AttributeError(
            f"Row has no column {name!r}; its columns are: {', '.join(self._fields) or '(none)'}."
        )

    def __reduce__(self) -> Any:
        return (_make_row, (self._fields, tuple(self)))

    def __repr__(self) -> str:
        return repr(tuple(self))


def _make_row(fields: tuple[str, ...], values: tuple[Any, ...]) -> Row:
    return row_class(fields)(values)


def result_tuple(fields: Sequence[str]) -> Any:
    """A callable building a :class:`Row` with these keys from a sequence of values."""
    cls = row_class(fields)
    return lambda values: tuple.__new__(cls, values)


def row_class(fields: Sequence[str]) -> type[Row]:
    """The Row subclass for this tuple of column keys (built once per shape)."""
    key = tuple(fields)
    cls = _ROW_CLASSES.get(key)
    if cls is None:
        cls = _build_row_class(key)
        if len(_ROW_CLASSES) >= _MAX_CACHED_SHAPES:
            _ROW_CLASSES.clear()
        _ROW_CLASSES[key] = cls
    return cls


def _build_row_class(fields: tuple[str, ...]) -> type[Row]:
    key_to_index: dict[Any, int] = {}
    namespace: dict[str, Any] = {"__slots__": (), "_fields": fields}
    reserved = set(dir(Row))
    for index, name in enumerate(fields):
        if name in key_to_index:
            continue  # a repeated name maps to its first column
        key_to_index[name] = index
        plain = name.isidentifier() and not keyword.iskeyword(name) and name not in reserved
        if plain or name in ("count", "index"):  # tuple's count/index: a column wins
            namespace[name] = property(itemgetter(index), doc=f"Column {name!r}.")
    namespace["_key_to_index"] = key_to_index
    return type("Row", (Row,), namespace)


class RowMapping(Mapping[Any, Any]):
    """A row seen as a mapping of column key to value (``row._mapping``)."""

    __slots__ = ("_row",)

    def __init__(self, row: Row) -> None:
        self._row = row

    def __getitem__(self, key: Any) -> Any:
        row = self._row
        index = row._key_to_index.get(key) if isinstance(key, str) else None
        if index is None:
            index = _index_of(row, key)
        return row[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._row._fields)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: Any) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.items()))

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def _index_of(row: Row, key: Any) -> int:
    """Index for a non-string key: a column object (by its key or name) or an int."""
    if isinstance(key, int) and not isinstance(key, bool):
        if -len(row) <= key < len(row):
            return key
    elif not isinstance(key, str):
        for attr in ("key", "name"):
            name = getattr(key, attr, None)
            if isinstance(name, str) and name in row._key_to_index:
                return row._key_to_index[name]
    raise exc.NoSuchColumnError(
        f"Row has no column {key!r}; its columns are: {', '.join(row._fields) or '(none)'}."
    )


__all__ = ["Row", "RowMapping", "row_class"]
