"""``Bundle``: several columns of a SELECT returned as one named, tuple-like value.

Design
------
In a statement a :class:`Bundle` is its columns: ``__clause_element__`` gives a
:class:`BundleColumns`, a FROM-less element whose ``.c`` are the (flattened, for nested
bundles) column expressions, so Core lists them in the SELECT like a table's columns and
derives the FROM clause from the columns themselves.

When the ORM builds a statement's entity layout (:func:`athanor.orm.context.entity_layout`)
a bundle becomes one output element backed by a :class:`BundleLoad`: the row positions of
its columns and the bundle's row processor, made once per layout by
:meth:`Bundle.create_row_processor` (the documented hook a subclass such as a dict-returning
bundle overrides). Loading calls the processor once per row; nothing else runs per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from athanor import exc
from athanor.sql.selectable import ColumnCollection, FromClause


def _label_of(expr: Any, coerced: Any, n: int) -> str:
    if isinstance(expr, Bundle):
        return expr.name
    key = getattr(expr, "key", None)
    if not isinstance(key, str) or not key:
        key = getattr(coerced, "_label_name", None)
    return key if isinstance(key, str) and key else f"anon_{n}"


class Bundle:
    """A group of column expressions selected as one value (``row.<name>.<column>``)."""

    #: in ``session.query(bundle)``, return the bundle values themselves, not 1-tuples
    single_entity = False
    is_bundle = True

    def __init__(self, name: str, *exprs: Any, single_entity: bool = False) -> None:
        if not exprs:
            raise exc.ArgumentError(
                f"Bundle({name!r}) failed: no columns were given. Pass the column "
                f"expressions to group, e.g. Bundle({name!r}, User.id, User.name)."
            )
        self.name = self._label = name
        self.exprs = exprs
        if single_entity:
            self.single_entity = True
        coerced = [e if isinstance(e, Bundle) else _coerce(e) for e in exprs]
        self._coerced = coerced
        self.labels = [_label_of(e, c, i + 1) for i, (e, c) in enumerate(
            zip(exprs, coerced, strict=False))]
        cols = ColumnCollection()
        for label, c in zip(self.labels, coerced, strict=False):
            if not isinstance(c, Bundle):
                cols.add(c, label)
        self.c = self.columns = cols

    # -- SQL -------------------------------------------------------------------------
    def __clause_element__(self) -> BundleColumns:
        found: BundleColumns | None = self.__dict__.get("_element")
        if found is None:
            found = self.__dict__["_element"] = BundleColumns(self._flat())
        return found

    def _flat(self) -> list[Any]:
        out: list[Any] = []
        for c in self._coerced:
            if isinstance(c, Bundle):
                out.extend(c._flat())
            else:
                out.append(c)
        return out

    def label(self, name: str) -> Bundle:
        """A copy of this bundle under another name."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_element", None)
        new.name = new._label = name
        return new

    # -- rows ------------------------------------------------------------------------
    def create_row_processor(self, query: Any, procs: Sequence[Callable[[Any], Any]],
                             labels: Sequence[str]) -> Callable[[Any], Any]:
        """The function turning one result row into this bundle's value; ``procs`` give
        each column's value from the row, ``labels`` their names. Override to return
        something else (a dict, an object)."""
        from athanor.engine.row import row_class

        cls = row_class(tuple(labels))
        getters = tuple(procs)

        def proc(row: Any) -> Any:
            return cls(tuple([g(row) for g in getters]))

        return proc

    def _processor(self, query: Any, start: int) -> tuple[Callable[[Any], Any], int]:
        """This bundle's row processor reading columns from ``start``; the next position."""
        procs: list[Callable[[Any], Any]] = []
        pos = start
        for c in self._coerced:
            if isinstance(c, Bundle):
                proc, pos = c._processor(query, pos)
                procs.append(proc)
            else:
                procs.append(itemgetter(pos))
                pos += 1
        return self.create_row_processor(query, procs, list(self.labels)), pos

    def __repr__(self) -> str:
        return f"Bundle({self.name!r}, {', '.join(self.labels)})"


class DictBundle(Bundle):
    """A Bundle whose value is a dict of its labels to the column values."""

    def create_row_processor(self, query: Any, procs: Sequence[Callable[[Any], Any]],
                             labels: Sequence[str]) -> Callable[[Any], Any]:
        keys = tuple(labels)
        getters = tuple(procs)

        def proc(row: Any) -> Any:
            return dict(zip(keys, [g(row) for g in getters], strict=False))

        return proc


def _coerce(expr: Any) -> Any:
    hook = getattr(expr, "__clause_element__", None)
    if hook is not None:
        expr = hook()
    if isinstance(expr, FromClause) or not hasattr(expr, "type"):
        raise exc.ArgumentError(
            f"Bundle failed: {expr!r} is not a column expression. A Bundle groups columns "
            f"and SQL expressions (User.id, func.count()), not tables or entities."
        )
    return expr


class BundleColumns(FromClause):
    """A bundle's columns inside a SELECT: listed like a table's, with no FROM of its own."""

    __visit_name__ = "bundle_columns"

    def __init__(self, columns: list[Any]) -> None:
        self._cols = columns

    def _populate_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for i, c in enumerate(self._cols):
            out.add(c, f"_b{i}")
        return out

    @property
    def _from_objects(self) -> list[FromClause]:
        out: list[FromClause] = []
        for c in self._cols:
            for f in c._from_objects:
                if not any(f is o for o in out):
                    out.append(f)
        return out

    def _ck(self, st: Any) -> Any:
        return ("bundle", tuple(c._ck(st) for c in self._cols))


class BundleLoad:
    """One bundle of a statement's layout: ``load(rows)`` gives the bundle value per row."""

    __slots__ = ("proc",)

    def __init__(self, bundle: Bundle, query: Any, start: int) -> None:
        self.proc = bundle._processor(query, start)[0]

    def __call__(self, rows: list[Any]) -> list[Any]:
        proc = self.proc
        return [proc(r) for r in rows]


__all__ = ["Bundle", "BundleColumns", "BundleLoad", "DictBundle"]
