"""Results of ORM queries: rows of entities and columns, already loaded.

Design
------
An ORM result is built from a fully fetched list of values (entity queries are buffered, as
objects must be in the identity map before anything else happens), so this is a small
list-backed implementation of Core's Result API: ``all/first/one/one_or_none/scalar*``,
``scalars()``, ``unique()``, ``mappings()``, iteration and ``fetch*``. Single-entity and
single-column results keep their values unwrapped internally (``scalars()`` is then free)
and wrap them in rows only when rows are asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from athanor import exc


def _row_class(fields: tuple[str, ...]) -> Any:
    from athanor.engine.row import row_class

    return row_class(fields)


class ORMResult:
    """The result of an ORM-enabled SELECT executed by a Session."""

    _yield_per: int | None = None

    def __init__(self, keys: tuple[str, ...], values: list[Any], *, scalar: bool) -> None:
        #: column keys of each row (entity class names for entities)
        self._keys = keys
        #: scalar=True: one value per row (not wrapped); else tuples
        self._values = values
        self._scalar = scalar
        self._pos = 0
        self._unique = False

    # -- shaping ----------------------------------------------------------------------
    def _rows(self) -> list[Any]:
        vals = self._remaining()
        cls = _row_class(self._keys)
        if self._scalar:
            return [cls((v,)) for v in vals]
        return [cls(v) for v in vals]

    def _remaining(self) -> list[Any]:
        vals = self._values[self._pos :] if self._pos else self._values
        self._pos = len(self._values)
        if self._unique:
            vals = _uniq(vals)
        return vals

    def keys(self) -> list[str]:
        return list(self._keys)

    def unique(self, strategy: Any = None) -> ORMResult:
        self._unique = True
        return self

    def scalars(self, index: int = 0) -> ScalarResult:
        vals = self._remaining()
        if not self._scalar:
            vals = [v[index] for v in vals]
        elif index != 0:
            raise exc.ArgumentError(
                f"scalars({index}) failed: the result has one column. Use scalars() or scalars(0)."
            )
        out = ScalarResult(vals)
        out._yield_per = self._yield_per
        return out

    def mappings(self) -> ScalarResult:
        return ScalarResult([r._mapping for r in self._rows()])

    def columns(self, *cols: Any) -> ORMResult:
        rows = self._rows()
        idx = [c if isinstance(c, int) else self._keys.index(c) for c in cols]
        return ORMResult(
            tuple(self._keys[i] for i in idx),
            [tuple(r[i] for i in idx) for r in rows],
            scalar=False,
        )

    def tuples(self) -> ORMResult:
        return self

    # -- fetching ---------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows())

    def all(self) -> list[Any]:
        return self._rows()

    fetchall = all

    def fetchone(self) -> Any:
        if self._pos >= len(self._values):
            return None
        v = self._values[self._pos]
        self._pos += 1
        return _row_class(self._keys)((v,) if self._scalar else v)

    def fetchmany(self, size: int | None = None) -> list[Any]:
        out = []
        for _ in range(size or 1):
            row = self.fetchone()
            if row is None:
                break
            out.append(row)
        return out

    def partitions(self, size: int | None = None) -> Iterator[list[Any]]:
        size = size or self._yield_per or 100
        while True:
            part = self.fetchmany(size)
            if not part:
                return
            yield part

    def yield_per(self, num: int) -> Any:
        """The size of ``partitions()`` (the rows are already loaded)."""
        self._yield_per = num
        return self

    def first(self) -> Any:
        rows = self._rows()
        return rows[0] if rows else None

    def one(self) -> Any:
        return _one(self._rows(), "one()")

    def one_or_none(self) -> Any:
        return _one_or_none(self._rows(), "one_or_none()")

    def scalar(self) -> Any:
        vals = self.scalars()._values
        return vals[0] if vals else None

    def scalar_one(self) -> Any:
        return _one(self.scalars()._values, "scalar_one()")

    def scalar_one_or_none(self) -> Any:
        return _one_or_none(self.scalars()._values, "scalar_one_or_none()")

    def close(self) -> None:
        self._pos = len(self._values)

    def freeze(self) -> Any:
        """A snapshot of the remaining rows; call it for a new Result over them (see
        :func:`merge_frozen_result` to bring its objects into another Session)."""
        from athanor.engine.result import FrozenResult, ResultMetaData

        vals = self._remaining()
        rows = [(v,) for v in vals] if self._scalar else [tuple(v) for v in vals]
        return FrozenResult(ResultMetaData(self._keys), rows)

    @property
    def rowcount(self) -> int:
        return len(self._values)


class ScalarResult:
    """One value per row (``result.scalars()``)."""

    _yield_per: int | None = None

    def __init__(self, values: list[Any]) -> None:
        self._values = values
        self._unique = False

    def unique(self, strategy: Any = None) -> ScalarResult:
        return ScalarResult(_uniq(self._values))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def all(self) -> list[Any]:
        return list(self._values)

    fetchall = all

    def fetchmany(self, size: int | None = None) -> list[Any]:
        n = size or 1
        out, self._values = self._values[:n], self._values[n:]
        return out

    def partitions(self, size: int | None = None) -> Iterator[list[Any]]:
        size = size or self._yield_per or 100
        while True:
            part = self.fetchmany(size)
            if not part:
                return
            yield part

    def yield_per(self, num: int) -> Any:
        """The size of ``partitions()`` (the rows are already loaded)."""
        self._yield_per = num
        return self

    def first(self) -> Any:
        return self._values[0] if self._values else None

    def one(self) -> Any:
        return _one(self._values, "one()")

    def one_or_none(self) -> Any:
        return _one_or_none(self._values, "one_or_none()")

    def __len__(self) -> int:
        return len(self._values)


_BY_VALUE = (str, int, float, bool, bytes, tuple, type(None))


def _ukey(x: Any) -> Any:
    """Uniqueness key of one value: objects by identity, plain values and bundle rows by
    value (when hashable)."""
    if isinstance(x, _BY_VALUE):
        try:
            hash(x)
        except TypeError:
            return id(x)
        return x
    return id(x)


def _uniq(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for v in values:
        k = id(v) if not isinstance(v, tuple) else tuple(_ukey(x) for x in v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _one(values: list[Any], what: str) -> Any:
    if not values:
        raise exc.NoResultFound(
            f"{what} failed: the query returned no rows. Use one_or_none() or first() when "
            f"no row is a valid outcome."
        )
    if len(values) > 1:
        raise exc.MultipleResultsFound(
            f"{what} failed: the query returned {len(values)} rows where one was expected. "
            f"Narrow the filter, or use first()."
        )
    return values[0]


def _one_or_none(values: list[Any], what: str) -> Any:
    if len(values) > 1:
        raise exc.MultipleResultsFound(
            f"{what} failed: the query returned {len(values)} rows where at most one was "
            f"expected. Narrow the filter, or use first()."
        )
    return values[0] if values else None


class BulkInsertResult:
    """The result of a paged bulk INSERT (no rows): ``rowcount`` rows were inserted."""

    returns_rows = False

    def __init__(self, rowcount: int) -> None:
        self.rowcount = rowcount

    def close(self) -> None:
        """Nothing to release: the pages' cursors are already closed."""

    def all(self) -> list[Any]:
        raise exc.ResourceClosedError(
            "Reading rows failed: this bulk INSERT returns no rows. Add .returning(...) to the "
            "insert() to get rows back."
        )

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())


def _entity_positions(statement: Any) -> list[int]:
    from athanor.orm.context import entity_layout

    stmt = getattr(statement, "statement", statement)  # a Query
    layout = entity_layout(stmt) if getattr(stmt, "_raw_entities", None) else None
    if layout is None:
        return []
    return [i for i, (mapper, _) in enumerate(layout.items) if mapper is not None]


def _merge_rows(session: Any, rows: list[Any], positions: list[int], load: bool) -> list[Any]:
    merge = session.merge
    with session.no_autoflush:
        return [tuple(merge(v, load=load) if i in positions and v is not None else v
                      for i, v in enumerate(row)) for row in rows]


def merge_frozen_result(session: Any, statement: Any, frozen_result: Any,
                        load: bool = True) -> Any:
    """A FrozenResult like ``frozen_result`` whose objects are ``session``'s copies
    (``session.merge(obj, load=load)`` for each entity of ``statement``)."""
    from athanor.engine.result import FrozenResult

    rows = _merge_rows(session, list(frozen_result.data), _entity_positions(statement), load)
    return FrozenResult(frozen_result.metadata, rows)


def merge_result(query: Any, iterator: Any, load: bool = True) -> Any:
    """Legacy: the objects (or rows) of ``iterator`` merged into ``query``'s Session."""
    from athanor.engine.result import FrozenResult

    if isinstance(iterator, FrozenResult):
        return merge_frozen_result(query.session, query, iterator, load)
    positions = _entity_positions(query)
    if len(getattr(query, "_entities", ())) == 1:
        if not positions:
            return list(iterator)
        return [row[0] for row in _merge_rows(query.session, [(v,) for v in iterator],
                                              [0], load)]
    from athanor.engine.row import row_class

    keys = [d["name"] for d in query.column_descriptions]
    cls = row_class(tuple(keys))
    return [cls(r) for r in _merge_rows(query.session, [tuple(r) for r in iterator],
                                        positions, load)]
