"""INSERT, UPDATE and DELETE statements, RETURNING, and the portable upsert.

Values given to ``.values()`` are normalised to ``{column: expression}`` at build time, so a
misspelt column name fails where it was written. Plain Python values become bind parameters
named after the column key (``INSERT INTO t (name) VALUES (:name)``), which is also the name
an execute-time parameter dict uses: ``conn.execute(t.insert(), [{"name": "a"}, ...])``
works without ``.values()``, the column list coming from the parameter keys
(``compile_statement(stmt, column_keys=...)``).

The upsert is one portable shape, ``on_conflict_do_nothing()`` / ``on_conflict_do_update()``;
each dialect's compiler renders it (``ON CONFLICT`` or ``ON DUPLICATE KEY UPDATE``).
``insert.excluded`` names the row that was proposed for insertion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import athanor.exc as exc
from athanor.sql._roles import Executable, ReturnsRows
from athanor.sql._select import SelectBase, _coerce_entity, _Generative
from athanor.sql.elements import (
    BindParameter,
    ClauseElement,
    ColumnClause,
    ColumnElement,
    _KeyState,
    coerce_where,
)
from athanor.sql.selectable import CTE, Alias, ColumnCollection, FromClause, TableClause


class _Excluded(Alias):
    """``excluded`` (PostgreSQL/SQLite) / ``VALUES(col)`` (MySQL): the proposed row."""

    __visit_name__ = "excluded"

    def __init__(self, table: FromClause) -> None:
        super().__init__(table, "excluded")

    def _ck(self, st: _KeyState) -> Any:
        return ("excluded", self.element._ck(st))


class OnConflict:
    """What an upsert does on a key conflict; rendered by the dialect compiler."""

    __slots__ = ("action", "index_elements", "constraint", "set_", "where", "index_where")

    def __init__(self, action: str, index_elements: tuple[Any, ...], constraint: Any,
                 set_: tuple[tuple[ColumnClause, ColumnElement], ...], where: Any,
                 index_where: Any) -> None:
        self.action = action
        self.index_elements = index_elements
        self.constraint = constraint
        self.set_ = set_
        self.where = where
        self.index_where = index_where

    def _ck(self, st: _KeyState) -> Any:
        return (self.action, tuple(_key_of(e, st) for e in self.index_elements),
                _name_of(self.constraint),
                tuple((c.key, v._ck(st)) for c, v in self.set_),
                self.where._ck(st) if self.where is not None else None,
                self.index_where._ck(st) if self.index_where is not None else None)


def _key_of(e: Any, st: _KeyState) -> Any:
    return e if isinstance(e, str) else e._ck(st)


def _name_of(constraint: Any) -> Any:
    if constraint is None or isinstance(constraint, str):
        return constraint
    return getattr(constraint, "name", None)


class DMLBase(_Generative, Executable, ReturnsRows):
    _is_dml = True
    _returning: tuple[ClauseElement, ...] = ()
    _return_defaults: bool = False
    _uses_column_keys = False
    _where: tuple[ColumnElement, ...] = ()
    _values: tuple[tuple[ColumnClause, ColumnElement], ...] | None = None
    _prefixes: tuple[tuple[str, str], ...] = ()
    #: what the statement was built from when that was not a table (``update(Model)``):
    #: the ORM reads it to find the mapped class, whose attributes may stand for several
    #: columns (``values(start=Point(1, 2))``, see _value_pairs)
    _entity: Any = None

    def prefix_with(self, *prefixes: Any, dialect: str = "*") -> Any:
        """Text after the verb: ``insert(t).prefix_with("OR IGNORE")`` gives
        ``INSERT OR IGNORE INTO t``; ``dialect=`` limits it to one database."""
        new = self._clone()
        new._prefixes = self._prefixes + tuple((str(p), dialect) for p in prefixes)
        return new

    def __init__(self, table: Any) -> None:
        hook = getattr(table, "__clause_element__", None)
        if hook is not None:
            self._entity = table
            table = hook()
        if not isinstance(table, FromClause):
            raise exc.ArgumentError(
                f"{type(self).__name__.upper()} failed: expected a table; got "
                f"{type(table).__name__}. Pass a Table (or table(...)).")
        self.table: FromClause = table

    def returning(self, *cols: Any, sort_by_parameter_order: bool = False) -> Any:
        new = self._clone()
        new._returning = self._returning + tuple(_coerce_entity(c) for c in cols)
        return new

    def return_defaults(self, *cols: Any, **kw: Any) -> Any:
        new = self._clone()
        new._return_defaults = True
        return new

    def cte(self, name: str | None = None, recursive: bool = False,
            nesting: bool = False) -> CTE:
        """``WITH name AS (INSERT/UPDATE/DELETE ... RETURNING ...)``: the rows the statement
        returned, as a table for the enclosing SELECT (PostgreSQL)."""
        if not self._returning:
            raise exc.ArgumentError(
                f"{type(self).__name__}.cte() failed: the statement has no RETURNING, so the "
                "CTE would have no columns. Add .returning(...) first.")
        return CTE(self, name, recursive)

    def _export_columns(self) -> list[tuple[str, ColumnElement]]:
        return self._returning_columns()

    def _returning_columns(self) -> list[tuple[str, ColumnElement]]:
        out: list[tuple[str, ColumnElement]] = []
        for e in self._returning:
            if isinstance(e, FromClause):
                out.extend((c.key, c) for c in e.c)  # type: ignore[misc]
            else:
                col: Any = e
                out.append((col._label_name or f"anon_{len(out) + 1}", col))
        return out

    def _column(self, key: Any, role: str) -> ColumnClause:
        tables = self.table._tables()
        if len(tables) > 1:  # update(JoinedSubclass): a column of one of the joined tables
            col = _join_column(tables, key)
            if col is not None:
                return col  # type: ignore[no-any-return]
        if isinstance(key, str):
            col = self.table.c.get(key)
        else:
            hook = getattr(key, "__clause_element__", None)
            col = key if hook is None else hook()
            if getattr(col, "table", None) is self.table:  # a column of this very table
                return col  # type: ignore[no-any-return]
            if col is not None and self.table.c.get(getattr(col, "key", None) or "") is not col \
                    and not any(c is col for c in self.table.c):
                col = self.table.c.get(getattr(col, "key", None) or "")
        if col is None:
            name = key if isinstance(key, str) else getattr(key, "key", key)
            raise exc.ArgumentError(
                f"{role} failed: table {self.table.name!r} has no column {name!r}; its "
                f"columns are {', '.join(self.table.c.keys())}.")
        return col  # type: ignore[return-value]

    def _value_pairs(self, values: Mapping[Any, Any], role: str, suffix: str = ""
                     ) -> tuple[tuple[ColumnClause, ColumnElement], ...]:
        out = []
        for k, v in values.items():
            for key, value in self._expand(k, v):
                col = self._column(key, role)
                out.append((col, _value_expr(col, value, suffix)))
        return tuple(out)

    def _expand(self, key: Any, value: Any) -> list[tuple[Any, Any]]:
        """``[(key, value)]``, or one pair per column for an attribute standing for several
        (an ORM ``composite()``, which provides ``_bulk_update_tuples``)."""
        attr = key
        if isinstance(key, str) and self._entity is not None and key not in self.table.c:
            attr = getattr(self._entity, key, key)
        expand = getattr(attr, "_bulk_update_tuples", None)
        return [(key, value)] if expand is None else list(expand(value))

    def _ck_common(self, st: _KeyState) -> tuple[Any, ...]:
        vals = None
        values = self._values
        if values is not None:
            vals = tuple([(c.key, v._ck(st)) for c, v in values])
        where, returning = self._where, self._returning
        if not where:
            wkey: tuple[Any, ...] = ()
        elif len(where) == 1:  # the usual case, without a comprehension's call
            wkey = (where[0]._ck(st),)
        else:
            wkey = tuple([c._ck(st) for c in where])
        return (self.table._ck(st), vals, wkey,
                tuple([c._ck(st) for c in returning]) if returning else (),
                self._return_defaults, self._prefixes)

    def _where_impl(self, criteria: tuple[Any, ...]) -> Any:
        new = self._clone()
        new._where = self._where + tuple(coerce_where(c, role="where()") for c in criteria)
        return new


def _value_expr(col: ColumnClause, value: Any, suffix: str = "") -> ColumnElement:
    if isinstance(value, ColumnElement):  # an expression already (no hook, not a SELECT)
        return value
    hook = getattr(value, "__clause_element__", None)
    if hook is not None:
        value = hook()
    if isinstance(value, SelectBase):
        return value.scalar_subquery()
    if isinstance(value, ClauseElement):
        return value  # type: ignore[return-value]
    t = col.type
    return BindParameter(col.key + suffix, value, type_=None if getattr(
        t, "_is_null_type", False) else t, required=False)


#: SQLAlchemy's name for the base of INSERT, UPDATE and DELETE.
UpdateBase = DMLBase


class ValuesBase(DMLBase):
    """What INSERT and UPDATE share: they take column values."""


class Insert(ValuesBase):
    """``INSERT INTO table ...``."""

    __visit_name__ = "insert"
    _multi_values: tuple[tuple[tuple[ColumnClause, ColumnElement], ...], ...] = ()
    _select: tuple[tuple[ColumnClause, ...], SelectBase] | None = None
    _on_conflict: OnConflict | None = None
    _inline = False

    @property
    def _uses_column_keys(self) -> bool:  # type: ignore[override]
        return not self._multi_values and self._select is None

    def values(self, *args: Any, **kwargs: Any) -> Insert:
        if self._select is not None:
            raise exc.InvalidRequestError(
                "values() failed: this INSERT already uses from_select(). Build a new "
                "insert() for literal values.")
        if args and kwargs:
            raise exc.ArgumentError(
                "values() failed: pass either a dict / list of rows or keyword arguments, "
                "not both.")
        new = self._clone()
        if kwargs:
            return new._merge_single(kwargs)
        if len(args) != 1:
            raise exc.ArgumentError(
                f"values() failed: expected one dict, one list of rows, or keywords; got "
                f"{len(args)} positional arguments. Wrap several rows in a list.")
        arg = args[0]
        if isinstance(arg, Mapping):
            return new._merge_single(arg)
        if isinstance(arg, Sequence) and not isinstance(arg, (str, bytes)):
            rows = [self._row_dict(r) for r in arg]
            if len(rows) == 1:
                return new._merge_single(rows[0])
            if not rows:
                raise exc.ArgumentError("values() failed: the list of rows is empty. Pass "
                                        "at least one row.")
            keys = [list(r) for r in rows]
            if any(set(k) != set(keys[0]) for k in keys):
                raise exc.ArgumentError(
                    "values() with several rows failed: the rows name different columns. "
                    "Give every row the same keys.")
            new._values = None
            new._multi_values = tuple(
                self._value_pairs(r, "values()", f"_m{i}") for i, r in enumerate(rows))
            return new
        raise exc.ArgumentError(
            f"values() failed: got {type(arg).__name__}. Pass a dict, a list of dicts or "
            "keyword arguments.")

    def _row_dict(self, row: Any) -> Mapping[Any, Any]:
        if isinstance(row, Mapping):
            return row
        cols = list(self.table.c)
        if len(row) > len(cols):
            raise exc.ArgumentError(
                f"values() failed: a row has {len(row)} values but table "
                f"{self.table.name!r} has {len(cols)} columns.")
        return dict(zip((c.key for c in cols), row, strict=False))

    def _merge_single(self, values: Mapping[Any, Any]) -> Insert:
        pairs = self._value_pairs(values, "values()")
        if self._multi_values:
            raise exc.InvalidRequestError(
                "values() failed: this INSERT already has several rows. Add all rows in one "
                "values([...]) call.")
        old = dict(self._values or ())
        for c, v in pairs:
            old[c] = v
        self._values = tuple(old.items())
        return self

    def from_select(self, names: Sequence[Any], select: Any, include_defaults: bool = True
                    ) -> Insert:
        if not isinstance(select, SelectBase):
            raise exc.ArgumentError(
                f"from_select() failed: expected a select(); got {type(select).__name__}.")
        new = self._clone()
        new._select = (tuple(self._column(n, "from_select()") for n in names), select)
        return new

    def inline(self) -> Insert:
        new = self._clone()
        new._inline = True
        return new

    # --- upsert -----------------------------------------------------------------------
    @property
    def excluded(self) -> ColumnCollection:
        """The row proposed for insertion, for use in ``set_`` of an upsert."""
        ex = self.__dict__.get("_excluded_alias")
        if ex is None:
            ex = _Excluded(self.table)
            self.__dict__["_excluded_alias"] = ex
        return ex.c

    inserted = excluded  # the MySQL spelling

    def on_conflict_do_nothing(self, index_elements: Any = None, constraint: Any = None,
                               index_where: Any = None) -> Insert:
        new = self._clone()
        new._on_conflict = OnConflict("nothing", self._targets(index_elements), constraint,
                                      (), None, _opt_where(index_where))
        return new

    def on_conflict_do_update(self, index_elements: Any = None, constraint: Any = None,
                              set_: Any = None, where: Any = None,
                              index_where: Any = None) -> Insert:
        if not set_:
            raise exc.ArgumentError(
                "on_conflict_do_update() failed: set_ is empty. Pass set_={'column': value}, "
                "or use on_conflict_do_nothing().")
        new = self._clone()
        items = set_.items() if isinstance(set_, Mapping) else set_
        pairs = self._value_pairs(dict(items), "on_conflict_do_update(set_=...)", "_u")
        new._on_conflict = OnConflict("update", self._targets(index_elements), constraint,
                                      pairs, _opt_where(where), _opt_where(index_where))
        return new

    def on_duplicate_key_update(self, *args: Any, **kw: Any) -> Insert:
        """MySQL spelling of the upsert; on other databases the conflict target is the PK."""
        set_ = dict(args[0]) if args else {}
        set_.update(kw)
        return self.on_conflict_do_update(set_=set_)

    def _targets(self, index_elements: Any) -> tuple[Any, ...]:
        if index_elements is None:
            return ()
        return tuple(e if isinstance(e, str) else self._column(e, "index_elements")
                     for e in index_elements)

    def _ck(self, st: _KeyState) -> Any:
        sel = None
        if self._select is not None:
            sel = (tuple(c.key for c in self._select[0]), self._select[1]._ck(st))
        multi = tuple(tuple((c.key, v._ck(st)) for c, v in row) for row in self._multi_values)
        return ("insert",) + self._ck_common(st) + (
            multi, sel, self._on_conflict._ck(st) if self._on_conflict else None)


def _join_column(tables: list[Any], key: Any) -> Any:
    if isinstance(key, str):
        return next((t.c[key] for t in tables if key in t.c), None)
    hook = getattr(key, "__clause_element__", None)
    col = key if hook is None else hook()
    return col if any(getattr(col, "table", None) is t for t in tables) else None


def _opt_where(w: Any) -> Any:
    return None if w is None else coerce_where(w, role="upsert where")


class Update(ValuesBase):
    """``UPDATE table SET ... WHERE ...``."""

    __visit_name__ = "update"
    _uses_column_keys = True
    _ordered = False

    def where(self, *criteria: Any) -> Update:
        return self._where_impl(criteria)  # type: ignore[no-any-return]

    filter = where

    def filter_by(self, **kw: Any) -> Update:
        return self.where(*[self._column(k, "filter_by()") == v for k, v in kw.items()])

    def values(self, *args: Any, **kwargs: Any) -> Update:
        if args and (len(args) != 1 or not isinstance(args[0], Mapping)):
            raise exc.ArgumentError(
                "update().values() failed: pass one dict or keyword arguments. Several "
                "rows are updated by executing with a list of parameter dicts.")
        values = dict(args[0]) if args else {}
        values.update(kwargs)
        new = self._clone()
        old = dict(self._values or ())
        for c, v in self._value_pairs(values, "values()"):
            old[c] = v
        new._values = tuple(old.items())
        return new

    def _with_parts(self, values: dict[Any, Any], where: Any, coerced: bool = False) -> Update:
        """``self.values(values).where(*where)`` for a fresh statement, built in one step
        (``Query.update()``; ``coerced``: the criteria are already SQL expressions)."""
        self._values = self._value_pairs(values, "values()")
        if where:
            self._where = tuple(where) if coerced else tuple(
                [coerce_where(c, role="where()") for c in where])
        return self

    def ordered_values(self, *pairs: tuple[Any, Any]) -> Update:
        return self.values(dict(pairs))

    def _ck(self, st: _KeyState) -> Any:
        return ("update",) + self._ck_common(st)


class Delete(DMLBase):
    """``DELETE FROM table WHERE ...``."""

    __visit_name__ = "delete"

    def where(self, *criteria: Any) -> Delete:
        return self._where_impl(criteria)  # type: ignore[no-any-return]

    filter = where

    def filter_by(self, **kw: Any) -> Delete:
        return self.where(*[self._column(k, "filter_by()") == v for k, v in kw.items()])

    def _ck(self, st: _KeyState) -> Any:
        return ("delete",) + self._ck_common(st)


def insert(table: Any) -> Insert:
    return Insert(table)


def update(table: Any) -> Update:
    return Update(table)


def delete(table: Any) -> Delete:
    return Delete(table)


__all__ = ["Insert", "Update", "Delete", "insert", "update", "delete", "TableClause"]
