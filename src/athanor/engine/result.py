"""Results: :class:`Result` and its filtered views, with SQLAlchemy 2.x's API.

Layers of a result, bottom up:

1. a *source* of processed tuples: :class:`athanor.engine.cursor.CursorResult` (a driver
   cursor plus the statement's result processors) or :class:`IteratorResult` (any iterable
   of tuples, used by ``freeze()`` and the ORM);
2. a *view* that turns each tuple into what the caller asked for: a :class:`Row`
   (:class:`Result`), one column's value (:class:`ScalarResult`) or a
   :class:`RowMapping` (:class:`MappingResult`), optionally de-duplicated (``unique()``).

Views share their source, so ``result.scalars()`` consumes the same rows. A result holds no
reference to itself (no cycle), so an unread result dropped by its caller is freed, and its
cursor released, at once by reference counting. The per-row cost
is one ``map()`` call of the view's maker over a list: a Row class per result shape
(:func:`athanor.engine.row.row_class`), ``operator.itemgetter`` for scalars.

The ORM reads ``_tuples_all()`` / ``_tuples_many(n)``: processed plain tuples, no Row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from athanor import exc
from athanor.engine.row import Row, RowMapping, row_class
from athanor.sql._roles import generic_alias

_NO_ROW = object()
_DEFAULT_CHUNK = 1000


class ResultMetaData:
    """The shape of a result: column keys, the Row class, and how to process raw rows."""

    __slots__ = ("keys", "row_class", "process_row", "key_to_index")

    def __init__(
        self, keys: Sequence[str], processors: Sequence[Callable[[Any], Any] | None] | None = None
    ) -> None:
        self.keys: tuple[str, ...] = tuple(keys)
        self.row_class: type[Row] = row_class(self.keys)
        self.key_to_index = self.row_class._key_to_index
        #: raw driver row -> processed tuple, or None when no column needs processing.
        self.process_row = _row_processor(processors) if processors else None

    def index_for(self, key: Any) -> int:
        """The position of a column given by name, position or column object."""
        if isinstance(key, int) and not isinstance(key, bool):
            if -len(self.keys) <= key < len(self.keys):
                return key
        else:
            name = key if isinstance(key, str) else getattr(key, "key", None)
            index = self.key_to_index.get(name)
            if index is None and not isinstance(key, str):
                index = self.key_to_index.get(getattr(key, "name", None))
            if index is not None:
                return index
        raise exc.NoSuchColumnError(
            f"Selecting a result column failed: no column {key!r}; the columns are: "
            f"{', '.join(self.keys) or '(none)'}."
        )


def _row_processor(
    processors: Sequence[Callable[[Any], Any] | None],
) -> Callable[[Sequence[Any]], tuple[Any, ...]] | None:
    """One function applying every non-None processor to a raw row."""
    pairs = [(i, p) for i, p in enumerate(processors) if p is not None]
    if not pairs:
        return None
    if len(pairs) == len(processors):
        procs = list(processors)

        def process_all(row: Sequence[Any]) -> tuple[Any, ...]:
            return tuple([proc(value) for proc, value in zip(procs, row, strict=False)])  # type: ignore[misc]

        return process_all

    def process_some(row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for index, proc in pairs:
            values[index] = proc(values[index])
        return tuple(values)

    return process_some


class RMKeyView(Sequence[str]):
    """``result.keys()``: the column names, comparable to a list."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = tuple(keys)

    def __getitem__(self, index: Any) -> Any:
        return self._keys[index]

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Sequence, RMKeyView)) and not isinstance(other, str):
            return list(self._keys) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"RMKeyView({list(self._keys)!r})"


class _View:
    """Fetching logic shared by Result, ScalarResult and MappingResult."""

    __class_getitem__ = generic_alias  # ``Result[tuple[int, str]]`` in annotations

    _source: Result
    _make: Callable[[tuple[Any, ...]], Any] | None
    _seen: set[Any] | None = None
    _unique_key: Callable[[Any], Any] | None = None

    def _filter_unique(self, objs: Iterable[Any]) -> list[Any]:
        seen = self._seen
        assert seen is not None
        key = self._unique_key
        out = []
        for obj in objs:
            k = key(obj) if key is not None else obj
            if k not in seen:
                seen.add(k)
                out.append(obj)
        return out

    def _produce(self, raw: list[tuple[Any, ...]]) -> list[Any]:
        make = self._make
        objs = raw if make is None else list(map(make, raw))
        return objs if self._seen is None else self._filter_unique(objs)

    def _all_objs(self) -> list[Any]:
        return self._produce(self._source._raw_all())

    def _many_objs(self, size: int | None) -> list[Any]:
        if size is None:
            size = self._source._yield_per or 1
        out = self._produce(self._source._raw_many(size))
        while self._seen is not None and len(out) < size:
            more = self._source._raw_many(size - len(out))
            if not more:
                break
            out.extend(self._produce(more))
        return out

    def _one_obj(self) -> Any:
        while True:
            raw = self._source._raw_one()
            if raw is None:
                return _NO_ROW
            objs = self._produce([raw])
            if objs:
                return objs[0]

    # --- public API common to all views --------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        size = self._source._yield_per or _DEFAULT_CHUNK
        while True:
            chunk = self._many_objs(size)
            if not chunk:
                return
            yield from chunk

    def __next__(self) -> Any:
        obj = self._one_obj()
        if obj is _NO_ROW:
            raise StopIteration
        return obj

    def fetchall(self) -> list[Any]:
        """Every remaining row."""
        return self._all_objs()

    def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to ``size`` more rows (``yield_per`` or 1 when not given)."""
        return self._many_objs(size)

    def all(self) -> list[Any]:
        """Every remaining row, as a list."""
        return self._all_objs()

    def partitions(self, size: int | None = None) -> Iterator[list[Any]]:
        """Rows in lists of ``size`` (``yield_per`` or 1000)."""
        size = size or self._source._yield_per or _DEFAULT_CHUNK
        while True:
            chunk = self._many_objs(size)
            if not chunk:
                return
            yield chunk

    def first(self) -> Any:
        """The first row or None; the rest is discarded and the result closed."""
        obj = self._one_obj()
        self._source._soft_close()
        return None if obj is _NO_ROW else obj

    def one_or_none(self) -> Any:
        """The only row, None if there is none; more than one raises MultipleResultsFound."""
        return self._only(required=False)

    def one(self) -> Any:
        """The only row; none raises NoResultFound, more than one MultipleResultsFound."""
        return self._only(required=True)

    def _only(self, *, required: bool) -> Any:
        obj = self._one_obj()
        if obj is _NO_ROW:
            self._source._soft_close()
            if required:
                raise exc.NoResultFound("No row was found when one was required.")
            return None
        extra = self._one_obj()
        self._source._soft_close()
        if extra is not _NO_ROW:
            raise exc.MultipleResultsFound(
                "Multiple rows were found when exactly one was required. Narrow the query, "
                "or use first() to take the first row."
            )
        return obj

    def unique(self, strategy: Callable[[Any], Any] | None = None) -> Any:
        """Drop repeated rows (by value, or by ``strategy(row)``) from here on."""
        self._seen = set()
        self._unique_key = strategy
        return self

    def close(self) -> None:
        """Release the cursor; fetching afterwards raises ResourceClosedError."""
        self._source._hard_close()

    @property
    def closed(self) -> bool:
        return self._source._closed

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class _SelfSource:
    """``Result._source``: the result itself, without storing a reference to itself.

    A non-data descriptor, so views of another result (``_ColumnsResult``) still set
    ``self._source`` in their ``__dict__``. Storing ``self._source = self`` instead would make
    every result a reference cycle, freed (and its cursor closed) only by the cycle collector.
    """

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return obj


class Result(_View):
    """Rows of a statement, as :class:`Row` objects (SQLAlchemy 2.x's ``Result``)."""

    _closed = False
    _hard_closed_flag = False
    _yield_per: int | None = None
    _source = _SelfSource()  # type: ignore[assignment]

    def __init__(self, metadata: ResultMetaData | None) -> None:
        self._set_metadata(metadata)

    def _set_metadata(self, metadata: ResultMetaData | None) -> None:
        self._metadata = metadata
        self._make = metadata.row_class if metadata is not None else None

    # --- source interface (subclasses) ---------------------------------------------
    def _raw_one(self) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def _raw_many(self, size: int) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _raw_all(self) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _soft_close(self) -> None:
        self._closed = True

    def _hard_close(self) -> None:
        self._soft_close()
        self._hard_closed_flag = True

    # --- ORM fast paths -----------------------------------------------------------
    def _tuples_all(self) -> list[tuple[Any, ...]]:
        """Every remaining row as a processed plain tuple (no Row objects)."""
        return self._raw_all()

    def _tuples_many(self, size: int) -> list[tuple[Any, ...]]:
        """Up to ``size`` more rows as processed plain tuples."""
        return self._raw_many(size)

    # --- Result-only API -------------------------------------------------------------
    def keys(self) -> RMKeyView:
        """The column names."""
        return RMKeyView(self._metadata.keys if self._metadata is not None else ())

    def fetchone(self) -> Row | None:
        """The next row, or None when there are no more."""
        obj = self._one_obj()
        return None if obj is _NO_ROW else obj

    def scalar(self) -> Any:
        """The first column of the first row, or None; the result is closed."""
        raw = self._source._raw_one()
        self._source._soft_close()
        return None if raw is None else raw[0]

    def scalar_one(self) -> Any:
        """The first column of the only row (see :meth:`one`)."""
        return self.scalars().one()

    def scalar_one_or_none(self) -> Any:
        """The first column of the only row, or None (see :meth:`one_or_none`)."""
        return self.scalars().one_or_none()

    def scalars(self, index: Any = 0) -> ScalarResult:
        """A view giving one column's values instead of rows."""
        return ScalarResult(self, self._index(index))

    def mappings(self) -> MappingResult:
        """A view giving :class:`RowMapping` objects (dict-like rows)."""
        return MappingResult(self)

    def columns(self, *keys: Any) -> Result:
        """A view with only these columns, in this order."""
        return _ColumnsResult(self, [self._index(k) for k in keys])

    def tuples(self) -> Result:
        """This result, typed as tuples (rows already are tuples)."""
        return self

    @property
    def t(self) -> Result:
        return self

    def yield_per(self, num: int) -> Result:
        """Fetch ``num`` rows at a time when iterating."""
        self._source._yield_per = num
        return self

    def freeze(self) -> FrozenResult:
        """A snapshot of the remaining rows that can be replayed as new results."""
        return FrozenResult(self._metadata, self._raw_all())

    def merge(self, *others: Result) -> Result:
        """One result with this result's rows followed by the others'."""
        rows = self._raw_all()
        for other in others:
            rows.extend(other._raw_all())
        return IteratorResult(self._metadata, rows)

    def _index(self, key: Any) -> int:
        if self._metadata is None:
            raise _no_rows_error()
        return self._metadata.index_for(key)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} keys={list(self.keys())!r}>"


class _ColumnsResult(Result):
    """``result.columns(...)``: the source's rows narrowed to some columns."""

    def __init__(self, parent: Result, indexes: list[int]) -> None:
        assert parent._metadata is not None
        keys = [parent._metadata.keys[i] for i in indexes]
        self._source = parent._source
        self._metadata = ResultMetaData(keys)
        pick = itemgetter(*indexes) if len(indexes) != 1 else (lambda t, i=indexes[0]: (t[i],))
        cls = self._metadata.row_class
        self._make = (lambda t: cls(pick(t))) if indexes else (lambda t: cls(()))

    def _raw_one(self) -> tuple[Any, ...] | None:
        return self._source._raw_one()

    def _raw_many(self, size: int) -> list[tuple[Any, ...]]:
        return self._source._raw_many(size)

    def _raw_all(self) -> list[tuple[Any, ...]]:
        return self._source._raw_all()

    def _soft_close(self) -> None:
        self._source._soft_close()

    def _hard_close(self) -> None:
        self._source._hard_close()

    def _tuples_all(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in map(self._make, self._raw_all())]  # type: ignore[arg-type]


class ScalarResult(_View):
    """One column's values instead of rows (``result.scalars()``)."""

    def __init__(self, parent: Result, index: int) -> None:
        self._source = parent._source
        parent_make = parent._make
        if isinstance(parent, _ColumnsResult):
            self._make = lambda t: parent_make(t)[index]  # type: ignore[misc]
        else:
            self._make = itemgetter(index)
        if parent._seen is not None:
            self._seen = set()


class MappingResult(_View):
    """Rows as :class:`RowMapping` objects (``result.mappings()``)."""

    def __init__(self, parent: Result) -> None:
        self._source = parent._source
        self._parent = parent
        row_make = parent._make
        assert row_make is not None
        self._make = lambda t: RowMapping(row_make(t))  # type: ignore[misc]
        if parent._seen is not None:
            self._seen = set()

    def keys(self) -> RMKeyView:
        return self._parent.keys()

    def fetchone(self) -> RowMapping | None:
        obj = self._one_obj()
        return None if obj is _NO_ROW else obj

    def columns(self, *keys: Any) -> MappingResult:
        return MappingResult(self._parent.columns(*keys))


class IteratorResult(Result):
    """A Result over any iterable of tuples (already processed)."""

    def __init__(self, metadata: ResultMetaData | None, rows: Iterable[Sequence[Any]]) -> None:
        super().__init__(metadata)
        self._iterator: Iterator[Any] | None = iter(rows)

    def _check(self) -> Iterator[Any]:
        if self._hard_closed_flag:
            raise exc.ResourceClosedError(
                "Fetching from a result failed: it was closed. Fetch rows before close()."
            )
        if self._iterator is None:
            return iter(())
        return self._iterator

    def _raw_one(self) -> tuple[Any, ...] | None:
        return next(self._check(), None)

    def _raw_many(self, size: int) -> list[tuple[Any, ...]]:
        it = self._check()
        out = []
        for row in it:
            out.append(row)
            if len(out) >= size:
                break
        return out

    def _raw_all(self) -> list[tuple[Any, ...]]:
        rows = list(self._check())
        self._soft_close()
        return rows

    def _soft_close(self) -> None:
        self._closed = True
        self._iterator = None


class ChunkedIteratorResult(IteratorResult):
    """An IteratorResult fed by ``chunks(size)``, a callable giving lists of rows."""

    def __init__(self, metadata: ResultMetaData | None,
                 chunks: Callable[[int | None], Iterable[Sequence[Any]]],
                 source_supports_scalars: bool = False, raw: Any = None,
                 dynamic_yield_per: bool = False, context: Any = None) -> None:
        super().__init__(metadata, (row for chunk in chunks(None) for row in chunk))


class FrozenResult:
    """Rows kept in memory; call it to get a fresh :class:`Result` over them."""

    __class_getitem__ = generic_alias

    def __init__(self, metadata: ResultMetaData | None, rows: list[tuple[Any, ...]]) -> None:
        self.metadata = metadata
        self.data = rows

    def rewrite_rows(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.data]

    def __call__(self) -> IteratorResult:
        return IteratorResult(self.metadata, list(self.data))


def result_from_rows(keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> IteratorResult:
    """A Result over in-memory rows (for code above the engine, e.g. the ORM)."""
    return IteratorResult(ResultMetaData(keys), rows)


def _no_rows_error() -> exc.ResourceClosedError:
    return exc.ResourceClosedError(
        "This result object does not return rows. It has been closed automatically."
    )


__all__ = [
    "FrozenResult",
    "IteratorResult",
    "MappingResult",
    "RMKeyView",
    "Result",
    "ResultMetaData",
    "ScalarResult",
    "result_from_rows",
]
