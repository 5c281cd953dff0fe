"""FROM clauses: tables, aliases, subqueries, CTEs and joins, and their column collections.

A :class:`FromClause` is anything that can follow ``FROM``. It exports a
:class:`ColumnCollection` as ``.c``; derived FROM clauses (aliases, subqueries, CTEs) export
*proxy* columns whose ``_proxied`` points at the column they stand for, so
``corresponding_column()`` and foreign-key inference can see through any number of aliases.

Anonymous aliases and subqueries get their names (``anon_1``...) at compile time, in the
order they are first rendered, so a statement's SQL is deterministic and cacheable. The
schema layer's ``Table`` subclasses :class:`TableClause`. ``select()`` and compound selects
live in :mod:`athanor.sql._select`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, overload

import athanor.exc as exc
import athanor.sql.elements as _elements
from athanor.sql._roles import Selectable
from athanor.sql.elements import (
    ClauseElement,
    ColumnClause,
    ColumnElement,
    TextClause,
    _KeyState,
    and_,
    coerce_expr,
    coerce_where,
)

if TYPE_CHECKING:
    from athanor.sql._select import Select
    from athanor.sql.dml import Delete, Insert, Update


class ColumnCollection:
    """An ordered, attribute-accessible collection of columns (``table.c.name``)."""

    __slots__ = ("_cols", "_index")

    def __init__(self, columns: Iterable[ColumnElement] = ()) -> None:
        self._cols: list[ColumnElement] = []
        self._index: dict[str, ColumnElement] = {}
        for c in columns:
            self.add(c)

    def add(self, column: ColumnElement, key: str | None = None) -> None:
        k = key if key is not None else column.key
        if k is None:
            raise exc.ArgumentError(
                "Adding a column to a collection failed: the column has no key. "
                "Give it a name or label()."
            )
        old = self._index.get(k)
        if old is not None:
            self._cols = [column if c is old else c for c in self._cols]
        else:
            self._cols.append(column)
        self._index[k] = column

    def remove(self, column: ColumnElement) -> None:
        self._cols = [c for c in self._cols if c is not column]
        self._index = {k: c for k, c in self._index.items() if c is not column}

    def __getattr__(self, key: str) -> ColumnElement:
        try:
            return self._index[key]
        except KeyError:
            raise AttributeError(
                f"Column {key!r} not found: the collection has "
                f"{', '.join(self._index) or 'no columns'}."
            ) from None

    @overload
    def __getitem__(self, key: str | int) -> ColumnElement: ...
    @overload
    def __getitem__(self, key: tuple[str, ...] | slice) -> ColumnCollection: ...

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return self._index[key]
            except KeyError:
                raise KeyError(key) from None
        if isinstance(key, int):
            return self._cols[key]
        if isinstance(key, slice):
            return ColumnCollection(self._cols[key])
        return ColumnCollection(self[k] for k in key)

    def __iter__(self) -> Iterator[ColumnElement]:
        return iter(list(self._cols))

    def __len__(self) -> int:
        return len(self._cols)

    def __bool__(self) -> bool:
        return bool(self._cols)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._index
        return any(c is item for c in self._cols)

    def keys(self) -> list[str]:
        return list(self._index)

    def values(self) -> list[ColumnElement]:
        return list(self._cols)

    def items(self) -> list[tuple[str, ColumnElement]]:
        return list(self._index.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._index.get(key, default)

    def corresponding_column(self, column: ColumnElement) -> ColumnElement | None:
        if any(c is column for c in self._cols):
            return column
        root = column._proxy_root
        for c in self._cols:
            if c._proxy_root is root:
                return c
        return None

    def __getstate__(self) -> dict[str, Any]:
        return {"_cols": self._cols, "_index": self._index}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "_cols", state["_cols"])
        object.__setattr__(self, "_index", state["_index"])

    def __repr__(self) -> str:
        return f"<ColumnCollection {', '.join(self._index)}>"


class FromClause(ClauseElement, Selectable):
    """Something that can appear in ``FROM``."""

    __visit_name__ = "fromclause"
    _is_from = True
    name: str | None = None
    schema: str | None = None
    _columns: ColumnCollection

    @property
    def c(self) -> ColumnCollection:
        cols = self.__dict__.get("_columns")
        if cols is None:
            cols = self._populate_columns()
            self.__dict__["_columns"] = cols
        return cols

    @property
    def columns(self) -> ColumnCollection:
        return self.c

    @property
    def exported_columns(self) -> ColumnCollection:
        return self.c

    def _populate_columns(self) -> ColumnCollection:
        return ColumnCollection()

    @property
    def primary_key(self) -> Any:
        return ColumnCollection(c for c in self.c if getattr(c, "primary_key", False))

    @property
    def foreign_keys(self) -> set[Any]:
        out: set[Any] = set()
        for c in self.c:
            out.update(getattr(c, "foreign_keys", ()))
        return out

    @property
    def _from_objects(self) -> list[FromClause]:
        return [self]

    @property
    def _hidden_froms(self) -> list[FromClause]:
        """FROM clauses this one covers (the tables inside a join)."""
        return []

    def corresponding_column(self, column: ColumnElement) -> ColumnElement | None:
        return self.c.corresponding_column(column)

    def alias(self, name: str | None = None, flat: bool = False) -> Alias:
        return Alias(self, name)

    def lateral(self, name: str | None = None) -> Lateral:
        return Lateral(self, name)

    def tablesample(self, sampling: Any, name: str | None = None,
                    seed: Any = None) -> TableSample:
        """``tablesample(self, sampling, name, seed)``; see :func:`tablesample`."""
        return TableSample(self, sampling, name, seed)

    def join(self, right: Any, onclause: Any = None, isouter: bool = False,
             full: bool = False) -> Join:
        return Join(self, right, onclause, isouter=isouter, full=full)

    def outerjoin(self, right: Any, onclause: Any = None, full: bool = False) -> Join:
        return Join(self, right, onclause, isouter=True, full=full)

    def select(self) -> Select:
        from athanor.sql._select import Select
        return Select(self)

    def _tables(self) -> list[FromClause]:
        """The base FROM clauses (tables, aliases) this one is made of."""
        return [self]

    def is_derived_from(self, other: FromClause) -> bool:
        return other is self


class TableClause(FromClause):
    """A table by name with some columns (``table('t', column('x'))``).

    The schema layer's ``Table`` subclasses it and adds constraints, metadata and DDL.
    """

    __visit_name__ = "table"
    _is_table = True

    def __init__(self, name: str, *columns: ColumnClause, schema: str | None = None,
                 **kw: Any) -> None:
        self.name = name
        self.schema = schema
        self.__dict__["_columns"] = ColumnCollection()
        for col in columns:
            self._append_column(col)

    def _append_column(self, column: ColumnClause) -> None:
        """Attach ``column`` (sets ``column.table``) and add it to ``.c``."""
        column.table = self
        self.c.add(column)

    append_column = _append_column

    name: str

    @property
    def fullname(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def description(self) -> str:
        return self.name

    def _ck(self, st: _KeyState) -> Any:
        return ("table", self.schema, self.name)

    def insert(self) -> Insert:
        from athanor.sql.dml import Insert
        return Insert(self)

    def update(self) -> Update:
        from athanor.sql.dml import Update
        return Update(self)

    def delete(self) -> Delete:
        from athanor.sql.dml import Delete
        return Delete(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.fullname!r}>"


_elements._TABLE_CK = TableClause._ck  # see ColumnClause._ck


class Alias(FromClause):
    """``<element> AS name``; anonymous when ``name`` is None (named ``anon_N`` at compile)."""

    __visit_name__ = "alias"

    def __init__(self, element: Any, name: str | None = None) -> None:
        if not isinstance(element, FromClause) and hasattr(element, "subquery") and \
                not isinstance(self, Subquery):
            element = element.subquery()
        self.element: FromClause = element
        self.name = name
        self.original = getattr(element, "original", element)

    def _populate_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for key, col in self.element.c.items():
            proxy = col._make_proxy(self, getattr(col, "name", None) or key)
            proxy.key = key
            proxy.primary_key = getattr(col, "primary_key", False)
            proxy.foreign_keys = getattr(col, "foreign_keys", frozenset())
            out.add(proxy, key)
        return out

    def _ck(self, st: _KeyState) -> Any:
        ref = st.anon(self)
        if ref is not None:
            return ref
        return (self.__visit_name__, self.name, self.element._ck(st))

    def is_derived_from(self, other: FromClause) -> bool:
        return other is self or self.element.is_derived_from(other)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name or 'anon'} of {self.element!r}>"


class Lateral(Alias):
    __visit_name__ = "lateral"


class TableSample(Alias):
    """``t AS name TABLESAMPLE method(n) [REPEATABLE (seed)]`` (PostgreSQL)."""

    __visit_name__ = "tablesample"

    def __init__(self, element: Any, sampling: Any, name: str | None = None,
                 seed: Any = None) -> None:
        super().__init__(element, name)
        if not isinstance(sampling, ClauseElement):
            from athanor.sql.functions import func

            sampling = func.system(sampling)
        self.sampling: Any = sampling
        self.seed: Any = coerce_expr(seed) if seed is not None else None

    def _ck(self, st: _KeyState) -> Any:
        ref = st.anon(self)
        if ref is not None:
            return ref
        return ("tablesample", self.name, self.element._ck(st), self.sampling._ck(st),
                self.seed._ck(st) if self.seed is not None else None)


def tablesample(selectable: Any, sampling: Any, name: str | None = None,
                seed: Any = None) -> TableSample:
    """A sampled table: ``tablesample(t, 10)`` reads about 10% of ``t``'s pages
    (``TABLESAMPLE system(10)``); pass ``func.bernoulli(10)`` to sample rows, ``seed`` for a
    repeatable sample. PostgreSQL only; other databases refuse it when compiling."""
    return TableSample(_as_from(selectable), sampling, name, seed)


class Subquery(Alias):
    """A SELECT in FROM: ``(SELECT ...) AS name``."""

    __visit_name__ = "subquery"
    _is_subquery = True

    def _populate_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for key, col in self.element._export_columns():  # type: ignore[attr-defined]
            proxy = col._make_proxy(self, key)
            proxy.primary_key = getattr(col, "primary_key", False)
            proxy.foreign_keys = getattr(col, "foreign_keys", frozenset())
            out.add(proxy, key)
        return out

    def select(self) -> Select:
        from athanor.sql._select import Select
        return Select(self)


class CTE(Subquery):
    """``WITH name AS (SELECT ...)``: rendered by name where used, defined once at the top."""

    __visit_name__ = "cte"

    def __init__(self, element: Any, name: str | None = None, recursive: bool = False) -> None:
        super().__init__(element, name)
        self.recursive = recursive

    def _ck(self, st: _KeyState) -> Any:
        ref = st.anon(self)
        if ref is not None:
            return ref
        return ("cte", self.name, self.recursive, self.element._ck(st))

    def union_all(self, *others: Any) -> CTE:
        return self._compound("union_all", others)

    def union(self, *others: Any) -> CTE:
        return self._compound("union", others)

    def _compound(self, kind: str, others: tuple[Any, ...]) -> CTE:
        from athanor.sql._select import CompoundSelect
        body = CompoundSelect(kind, self.element, *others)
        new = CTE(body, self.name, self.recursive)
        new.__dict__["_restates"] = self  # renders under new's name inside the body
        new.__dict__["_columns"] = self.c  # keep the column objects users already hold
        for col in self.c:
            col.table = new  # type: ignore[attr-defined]
        return new


class TextualSelect(TextClause):
    """``text(...).columns(...)``: raw SQL whose result columns are known, so it can be a
    subquery, a CTE or an alias like a SELECT."""

    def _export_columns(self) -> list[tuple[str, ColumnElement]]:
        return [(c.key, c) for c in self._columns]

    @property
    def selected_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for c in self._columns:
            out.add(c, c.key)
        return out

    exported_columns = selected_columns

    def alias(self, name: str | None = None) -> Subquery:
        return self.subquery(name)  # type: ignore[no-any-return]

    def cte(self, name: str | None = None, recursive: bool = False,
            nesting: bool = False) -> CTE:
        return CTE(self, name, recursive)


#: SQLAlchemy's older name.
TextAsFrom = TextualSelect


class TextualSubquery(Subquery):
    """``text(...).columns(...).subquery()``."""

    __visit_name__ = "subquery"

    def _populate_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for col in self.element._columns:  # type: ignore[attr-defined]
            out.add(col._make_proxy(self, col.name))  # type: ignore[attr-defined]
        return out


class Join(FromClause):
    """``left [LEFT OUTER | FULL OUTER] JOIN right ON onclause``."""

    __visit_name__ = "join"

    def __init__(self, left: Any, right: Any, onclause: Any = None, *, isouter: bool = False,
                 full: bool = False) -> None:
        self.left = _as_from(left)
        self.right = _as_from(right)
        self.isouter = isouter or full
        self.full = full
        if onclause is None:
            onclause = join_condition(self.left, self.right)
        self.onclause = coerce_where(onclause, role="ON clause")

    def _populate_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for side in (self.left, self.right):
            for col in side.c:
                t: Any = getattr(col, "table", None)
                tname = getattr(t, "name", None)
                key = f"{tname}_{col.key}" if tname else col.key
                if key in out:  # anonymous aliases: keep both columns (id, id)
                    key = f"{key}_{len(out)}"
                out.add(col, key)
        return out

    def _ck(self, st: _KeyState) -> Any:
        return ("join", self.isouter, self.full, self.left._ck(st), self.right._ck(st),
                self.onclause._ck(st))

    @property
    def _hidden_froms(self) -> list[FromClause]:
        return self._tables()

    def _tables(self) -> list[FromClause]:
        return self.left._tables() + self.right._tables()

    def is_derived_from(self, other: FromClause) -> bool:
        return other is self or self.left.is_derived_from(other) or \
            self.right.is_derived_from(other)


def _as_from(obj: Any) -> FromClause:
    hook = getattr(obj, "__clause_element__", None)
    if hook is not None:
        obj = hook()
    if isinstance(obj, FromClause):
        return obj
    if getattr(obj, "_is_select", False) and hasattr(obj, "subquery"):
        return obj.subquery()
    raise exc.ArgumentError(
        f"FROM clause expected; got {type(obj).__name__}. Pass a Table, an alias, "
        "or select(...).subquery()."
    )


def _fk_pairs(referring: FromClause, referred: FromClause) -> list[list[tuple[Any, Any]]]:
    """Column pairs (referring_col, referred_col), grouped by foreign-key constraint."""
    groups: dict[int, list[tuple[Any, Any]]] = {}
    for col in referring.c:
        for fk in getattr(col, "foreign_keys", ()):
            target = getattr(fk, "column", None)
            if target is None:
                continue
            match = referred.corresponding_column(target)
            if match is None:
                continue
            constraint = getattr(fk, "constraint", None) or fk
            groups.setdefault(id(constraint), []).append((col, match))
    return list(groups.values())


def join_condition(left: FromClause, right: FromClause) -> ColumnElement:
    """The ON clause implied by the foreign keys between ``left`` and ``right``."""
    candidates: list[list[tuple[Any, Any]]] = []
    right_tables = right._tables()
    for lt in left._tables():
        for rt in right_tables:
            candidates += _fk_pairs(rt, lt) or _fk_pairs(lt, rt)
    if not candidates:
        raise exc.ArgumentError(
            f"Joining {_describe(left)} to {_describe(right)} failed: no foreign key links "
            "them. Pass the ON clause explicitly, e.g. join(b, a.c.x == b.c.a_x)."
        )
    if len(candidates) > 1:
        raise exc.ArgumentError(
            f"Joining {_describe(left)} to {_describe(right)} failed: more than one foreign "
            "key links them. Pass the ON clause explicitly."
        )
    return and_(*[a == b for a, b in candidates[0]])


def _describe(f: FromClause) -> str:
    if isinstance(f, Join):
        return " JOIN ".join(_describe(t) for t in f._tables())
    return repr(f.name) if f.name else type(f).__name__.lower()


def table(name: str, *columns: ColumnClause, schema: str | None = None) -> TableClause:
    return TableClause(name, *columns, schema=schema)


def alias(selectable: Any, name: str | None = None, flat: bool = False) -> Alias:
    return _as_from(selectable).alias(name) if not hasattr(selectable, "subquery") \
        or isinstance(selectable, FromClause) else selectable.subquery(name)


def lateral(selectable: Any, name: str | None = None) -> Lateral:
    if not isinstance(selectable, FromClause):
        selectable = selectable.subquery()
    return Lateral(selectable, name)


def join(left: Any, right: Any, onclause: Any = None, isouter: bool = False,
         full: bool = False) -> Join:
    return Join(left, right, onclause, isouter=isouter, full=full)


def outerjoin(left: Any, right: Any, onclause: Any = None, full: bool = False) -> Join:
    return Join(left, right, onclause, isouter=True, full=full)


class Values(FromClause):
    """A literal row set usable in FROM: ``values(column('a', Integer), name='v').data([...])``.

    Rendered as a UNION ALL of one-row SELECTs, which every supported database accepts (the
    ``VALUES ... AS v(a, b)`` spelling is not portable); each value is a bind parameter.
    """

    __visit_name__ = "values"

    def __init__(self, *columns: ColumnClause, name: str | None = None) -> None:
        self.name = name
        self._column_defs = columns
        self._rows: tuple[tuple[Any, ...], ...] = ()

    def data(self, rows: Iterable[Iterable[Any]]) -> Values:
        from athanor.sql.elements import _bind_against
        width = len(self._column_defs)
        new_rows = []
        for row in rows:
            row = tuple(row)
            if len(row) != width:
                raise exc.ArgumentError(
                    f"values().data() failed: a row has {len(row)} values but {width} "
                    "columns were declared. Give every row one value per column.")
            new_rows.append(tuple(_bind_against(c, v) for c, v in
                                  zip(self._column_defs, row, strict=True)))
        new = Values(*self._column_defs, name=self.name)
        new._rows = self._rows + tuple(new_rows)
        return new

    def _populate_columns(self) -> ColumnCollection:
        out = ColumnCollection()
        for c in self._column_defs:
            out.add(ColumnClause(c.name, c.type, _selectable=self))
        return out

    def _ck(self, st: _KeyState) -> Any:
        ref = st.anon(self)
        if ref is not None:
            return ref
        return ("values", self.name, tuple((c.name, c._ck(st)) for c in self._column_defs),
                tuple(tuple(v._ck(st) for v in row) for row in self._rows))


def values(*columns: ColumnClause, name: str | None = None, literal_binds: bool = False
           ) -> Values:
    return Values(*columns, name=name)
