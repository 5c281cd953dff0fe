"""``select()``, compound selects (UNION & co), scalar subqueries and EXISTS.

A :class:`Select` is immutable in use: every builder method returns a shallow copy with one
field replaced (tuples, never shared mutable lists), so a statement can be built once at
import time and reused. The FROM list is *not* stored: it is derived at compile time from
the columns, the WHERE clause, ``select_from()`` and ``join()``, after auto-correlation
against the enclosing statement (see :mod:`athanor.sql._compiler_select`).

The labels a SELECT gives its columns are decided here (``_export_columns``), once, so that a
subquery's ``.c`` keys and the compiled ``AS`` names always agree.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import athanor.exc as exc
from athanor.sql import operators as ops
from athanor.sql._roles import Executable, Selectable
from athanor.sql._typing_bridge import boolean_type, null_type
from athanor.sql.elements import (
    BindParameter,
    ClauseElement,
    ColumnClause,
    ColumnElement,
    ColumnGroup,
    Label,
    TextClause,
    _KeyState,
    coerce_expr,
    coerce_where,
    integer_literal,
)
from athanor.sql.selectable import (
    CTE,
    ColumnCollection,
    FromClause,
    Lateral,
    Subquery,
    _as_from,
)


class SelectLabelStyle(Enum):
    """How a SELECT names its columns (``select(...).set_label_style(...)``)."""

    LABEL_STYLE_NONE = 0  # no AS names added, even for duplicates
    LABEL_STYLE_TABLENAME_PLUS_COL = 1  # every table column as <table>_<column>
    LABEL_STYLE_DISAMBIGUATE_ONLY = 2  # AS <name>_1 only for a repeated name (the default)


LABEL_STYLE_NONE = SelectLabelStyle.LABEL_STYLE_NONE
LABEL_STYLE_TABLENAME_PLUS_COL = SelectLabelStyle.LABEL_STYLE_TABLENAME_PLUS_COL
LABEL_STYLE_DISAMBIGUATE_ONLY = SelectLabelStyle.LABEL_STYLE_DISAMBIGUATE_ONLY
LABEL_STYLE_DEFAULT = LABEL_STYLE_DISAMBIGUATE_ONLY


class _Generative(ClauseElement):
    """Copy-on-write builder support."""

    def _clone(self) -> Any:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_exported", None)
        new.__dict__.pop("_ck_memo", None)
        return new

    _execution_options: dict[str, Any] = {}

    def execution_options(self, **kw: Any) -> Any:
        new = self._clone()
        new._execution_options = {**self._execution_options, **kw}
        return new

    def get_execution_options(self) -> dict[str, Any]:
        return dict(self._execution_options)


class SelectBase(_Generative, Executable, Selectable):
    """What SELECT and compound selects share: being used as a subquery, CTE or scalar."""

    _is_select = True
    _order_by: tuple[ColumnElement, ...] = ()
    _limit: BindParameter | None = None
    _offset: BindParameter | None = None

    def _export_columns(self) -> list[tuple[str, ColumnElement]]:
        raise NotImplementedError

    @property
    def selected_columns(self) -> ColumnCollection:
        return ColumnCollection_keyed(self._export_columns())

    def subquery(self, name: str | None = None) -> Subquery:
        return Subquery(self, name)

    def alias(self, name: str | None = None, flat: bool = False) -> Subquery:
        return self.subquery(name)

    def cte(self, name: str | None = None, recursive: bool = False, nesting: bool = False
            ) -> CTE:
        return CTE(self, name, recursive)

    def lateral(self, name: str | None = None) -> Lateral:
        return Lateral(self.subquery(), name)

    def scalar_subquery(self) -> ScalarSelect:
        return ScalarSelect(self)

    as_scalar = scalar_subquery

    def label(self, name: str | None) -> Label:
        return self.scalar_subquery().label(name)

    def exists(self) -> Exists:
        return Exists(self)

    def order_by(self, *clauses: Any) -> Any:
        new = self._clone()
        if len(clauses) == 1 and clauses[0] is None:
            new._order_by = ()
        else:
            new._order_by = self._order_by + tuple(self._order_item(c) for c in clauses)
        return new

    def _order_item(self, c: Any) -> ColumnElement:
        if isinstance(c, str):
            for key, col in self._export_columns():
                if key == c:
                    return _LabelReference(key, col)
            raise exc.ArgumentError(
                f"order_by() failed: no selected column is named {c!r}. Pass a column "
                "expression, or label() the expression and order by that name."
            )
        if isinstance(c, TextClause):  # order_by(text("name DESC")): rendered as written
            return c  # type: ignore[return-value]
        return coerce_expr(c, role="ORDER BY")

    def limit(self, limit: int | None) -> Any:
        new = self._clone()
        new._limit = _int_bind(limit, "limit")
        new._fetch = None  # LIMIT and FETCH FIRST replace each other, as in SQLAlchemy
        return new

    #: ``(count, with_ties, percent)`` of FETCH FIRST, or None
    _fetch: tuple[BindParameter, bool, bool] | None = None
    #: CTEs rendered in the WITH clause even if nothing refers to them (``add_cte()``)
    _added_ctes: tuple[CTE, ...] = ()

    def add_cte(self, *ctes: CTE, nest_here: bool = False) -> Any:
        """Render these CTEs in the statement's WITH clause even when the statement does not
        select from them (an ``INSERT ... RETURNING`` CTE run for its effect)."""
        for c in ctes:
            if not isinstance(c, CTE):
                raise exc.ArgumentError(
                    f"add_cte() failed: expected a CTE; got {type(c).__name__}. Pass "
                    "select(...).cte() or insert(...).returning(...).cte().")
        new = self._clone()
        new._added_ctes = self._added_ctes + ctes
        return new

    def fetch(self, count: int | None, with_ties: bool = False, percent: bool = False
              ) -> Any:
        """``FETCH FIRST count [PERCENT] ROWS ONLY | WITH TIES`` (the SQL standard's LIMIT;
        a plain LIMIT on SQLite, which has no FETCH). Replaces ``limit()``."""
        new = self._clone()
        new._limit = None
        bind = _int_bind(count, "fetch")
        new._fetch = None if bind is None else (bind, with_ties, percent)
        return new

    def offset(self, offset: int | None) -> Any:
        new = self._clone()
        new._offset = _int_bind(offset, "offset")
        return new

    def slice(self, start: int, stop: int) -> Any:
        return self.offset(start or None).limit(max(stop - start, 0))

    def union(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("UNION", self, *others)

    def union_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("UNION ALL", self, *others)

    def intersect(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("INTERSECT", self, *others)

    def intersect_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("INTERSECT ALL", self, *others)

    def except_(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("EXCEPT", self, *others)

    def except_all(self, *others: Any) -> CompoundSelect:
        return CompoundSelect("EXCEPT ALL", self, *others)

    @property
    def _from_objects(self) -> list[FromClause]:
        return []

    def _ck_tail(self, st: _KeyState) -> tuple[Any, ...]:
        fetch = self._fetch
        return (tuple(c._ck(st) for c in self._order_by),
                self._limit._ck(st) if self._limit is not None else None,
                self._offset._ck(st) if self._offset is not None else None,
                (fetch[0]._ck(st), fetch[1], fetch[2]) if fetch is not None else None,
                tuple(c._ck(st) for c in self._added_ctes))


#: SQLAlchemy's name for what SELECT and compound SELECTs share (ORDER BY, LIMIT...).
GenerativeSelect = SelectBase


def ColumnCollection_keyed(pairs: list[tuple[str, ColumnElement]]) -> ColumnCollection:  # noqa: N802
    out = ColumnCollection()
    for key, col in pairs:
        out.add(col, key)
    return out


def _int_bind(value: Any, what: str) -> BindParameter | None:
    if value is None:
        return None
    if isinstance(value, BindParameter):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise exc.ArgumentError(
            f"{what}() failed: expected a non-negative int; got {type(value).__name__} "
            f"{value!r}. Pass an int, or None to remove the {what}."
        )
    return integer_literal(value)


class _LabelReference(ColumnElement):
    """``ORDER BY name`` where name is a label of the select list."""

    __visit_name__ = "label_reference"

    def __init__(self, name: str, element: ColumnElement) -> None:
        self.name = name
        self.element = element

    def _ck(self, st: _KeyState) -> Any:
        return ("labelref", self.name)


def _coerce_entity(e: Any) -> ClauseElement:
    hook = getattr(e, "__clause_element__", None)
    if hook is not None:
        e = hook()
    if isinstance(e, (ColumnElement, FromClause)):
        return e
    if isinstance(e, TextClause):
        return e
    if isinstance(e, SelectBase):
        return e.scalar_subquery()
    if isinstance(e, str):
        raise exc.ArgumentError(
            f"select() failed: got the string {e!r} as a column. Use column({e!r}) for a "
            "column name or literal_column()/text() for raw SQL."
        )
    if e is None or isinstance(e, (int, float)):
        return coerce_expr(e)
    raise exc.ArgumentError(
        f"select() failed: expected columns, tables or SQL expressions; got "
        f"{type(e).__name__}. Pass table columns (table.c.x), tables, or expressions."
    )


class FromStatement:
    """``select(User).from_statement(stmt)``: ``stmt`` run as written, rows loaded as the
    select's entities by the ORM (``athanor.orm._fromstmt``); Core cannot execute it."""

    _is_from_statement = True

    def __init__(self, entities: tuple[Any, ...], element: Any) -> None:
        self._raw_entities = entities
        self.element = element


class Select(SelectBase):
    """``SELECT ...``: build with :func:`select`."""

    def from_statement(self, statement: Any) -> FromStatement:
        """ORM: load this select's entity from ``statement`` (e.g. a ``text()`` query)."""
        return FromStatement(self._raw_entities, statement)

    __visit_name__ = "select"
    _where: tuple[ColumnElement, ...] = ()
    _having: tuple[ColumnElement, ...] = ()
    _group_by: tuple[ColumnElement, ...] = ()
    _from_explicit: tuple[FromClause, ...] = ()
    _setup_joins: tuple[tuple[Any, ...], ...] = ()
    _distinct: bool = False
    _distinct_on: tuple[ColumnElement, ...] = ()
    _for_update: tuple[bool, bool, bool, tuple[Any, ...]] | None = None
    _correlate: tuple[FromClause, ...] | None = None
    _correlate_except: tuple[FromClause, ...] | None = None
    _prefixes: tuple[str, ...] = ()
    _suffixes: tuple[str, ...] = ()
    _label_style: SelectLabelStyle = LABEL_STYLE_DEFAULT

    def __init__(self, *entities: Any) -> None:
        if len(entities) == 1 and isinstance(entities[0], (list, tuple)):
            entities = tuple(entities[0])
        self._raw_entities = entities
        self._raw_columns = tuple(_coerce_entity(e) for e in entities)

    # --- columns ----------------------------------------------------------------------
    def _expanded(self) -> list[ColumnElement]:
        out: list[ColumnElement] = []
        for e in self._raw_columns:
            if isinstance(e, FromClause):
                out.extend([c for c in e.c if not getattr(c, "_omit_from_statements", False)])
            elif isinstance(e, ColumnGroup):  # a composite's columns, one by one
                out.extend(e.clauses)  # type: ignore[arg-type]
            else:
                out.append(e)  # type: ignore[arg-type]
        return out

    def _export_columns(self) -> list[tuple[str, ColumnElement]]:
        cached = self.__dict__.get("_exported")
        if cached is not None:
            return cached
        used: set[str] = set()
        out: list[tuple[str, ColumnElement]] = []
        anon = 0
        for col in self._expanded():
            name = col._label_name if not isinstance(col, TextClause) else None
            if self._label_style == LABEL_STYLE_TABLENAME_PLUS_COL and isinstance(
                    col, ColumnClause) and not col.is_literal:
                tname = getattr(col.table, "name", None)
                if tname:
                    name = f"{tname}_{col.name}"
            if name is None:
                anon += 1
                name = f"anon_{anon}"
            base, n = name, 0
            while name in used:
                n += 1
                name = f"{base}_{n}"
            used.add(name)
            out.append((name, col))
        self.__dict__["_exported"] = out
        return out

    @property
    def column_descriptions(self) -> list[dict[str, Any]]:
        return [{"name": k, "type": c.type, "expr": c} for k, c in self._export_columns()]

    def add_columns(self, *entities: Any) -> Select:
        new = self._clone()
        new._raw_entities = self._raw_entities + entities
        new._raw_columns = self._raw_columns + tuple(_coerce_entity(e) for e in entities)
        return new

    def column(self, column: Any) -> Select:
        return self.add_columns(column)

    def with_only_columns(self, *entities: Any, maintain_column_froms: bool = False) -> Select:
        new = self._clone()
        if maintain_column_froms:
            new._from_explicit = self._from_explicit + tuple(self.columns_clause_froms)
        new._raw_entities = entities
        new._raw_columns = tuple(_coerce_entity(e) for e in entities)
        return new

    @property
    def columns_clause_froms(self) -> list[FromClause]:
        out: list[FromClause] = []
        for e in self._raw_columns:
            for f in e._from_objects:
                if not any(f is o for o in out):
                    out.append(f)
        return out

    # --- clauses ----------------------------------------------------------------------
    def where(self, *criteria: Any) -> Select:
        new = self._clone()
        new._where = self._where + tuple(
            coerce_where(c, role="where()") for c in criteria)
        return new

    @property
    def whereclause(self) -> ColumnElement | None:
        """The WHERE criteria joined with AND, or None."""
        if not self._where:
            return None
        from athanor.sql.elements import and_
        return self._where[0] if len(self._where) == 1 else and_(*self._where)

    @property
    def inner_columns(self) -> list[ColumnElement]:
        """The selected expressions, a table given to select() expanded to its columns."""
        return self._expanded()

    @property
    def exported_columns(self) -> ColumnCollection:
        return self.selected_columns

    def get_final_froms(self) -> list[FromClause]:
        """The FROM list the SELECT renders (explicit, implied by its columns and WHERE,
        and joined), without correlation against an enclosing statement."""
        from athanor.sql.dialect import DefaultDialect

        compiler = DefaultDialect().statement_compiler(DefaultDialect(), self)
        return compiler._froms(self, correlate=False)  # type: ignore[no-any-return]

    filter = where

    def filter_by(self, **kw: Any) -> Select:
        target = self._filter_by_target()
        crit = []
        for key, value in kw.items():
            col = target.c.get(key)
            if col is None and hasattr(target, "onclause"):  # a join: look in its tables
                for table in reversed(target._tables()):
                    col = table.c.get(key)
                    if col is not None:
                        break
            if col is None:
                raise exc.InvalidRequestError(
                    f"filter_by({key}=...) failed: {target.name or 'the last FROM'!s} has no "
                    f"column {key!r}; its columns are {', '.join(target.c.keys())}."
                )
            crit.append(col == value)
        return self.where(*crit)

    def _filter_by_target(self) -> FromClause:
        if self._setup_joins:
            return _as_from(self._setup_joins[-1][0])
        froms = self._from_explicit or tuple(self.columns_clause_froms)
        if not froms:
            raise exc.InvalidRequestError(
                "filter_by() failed: the SELECT has no FROM to look names up in. "
                "Use where() with column expressions.")
        return froms[-1]

    def having(self, *criteria: Any) -> Select:
        new = self._clone()
        new._having = self._having + tuple(coerce_where(c, role="having()") for c in criteria)
        return new

    def group_by(self, *clauses: Any) -> Select:
        new = self._clone()
        if len(clauses) == 1 and clauses[0] is None:
            new._group_by = ()
        else:
            new._group_by = self._group_by + tuple(self._order_item(c) for c in clauses)
        return new

    def select_from(self, *froms: Any) -> Select:
        new = self._clone()
        new._from_explicit = self._from_explicit + tuple(_as_from(f) for f in froms)
        return new

    def join(self, target: Any, onclause: Any = None, *, isouter: bool = False,
             full: bool = False) -> Select:
        rel = getattr(onclause if onclause is not None else target, "_athanor_join", None)
        if rel is not None:  # an ORM relationship attribute: ON from the relationship
            return rel(self, isouter, full, target if onclause is not None else None)
        new = self._clone()
        new._setup_joins = self._setup_joins + ((target, onclause, None, isouter, full),)
        return new

    def outerjoin(self, target: Any, onclause: Any = None, *, full: bool = False) -> Select:
        return self.join(target, onclause, isouter=True, full=full)

    def join_from(self, from_: Any, target: Any, onclause: Any = None, *,
                  isouter: bool = False, full: bool = False) -> Select:
        if hasattr(onclause if onclause is not None else target, "_athanor_join"):
            # join_from(User, User.addresses): the relationship's join, from that entity
            return self.select_from(from_).join(target, onclause, isouter=isouter, full=full)
        new = self._clone()
        new._setup_joins = self._setup_joins + ((target, onclause, from_, isouter, full),)
        return new

    def outerjoin_from(self, from_: Any, target: Any, onclause: Any = None, *,
                       full: bool = False) -> Select:
        return self.join_from(from_, target, onclause, isouter=True, full=full)

    _with_options: tuple[Any, ...] = ()

    def options(self, *options: Any) -> Select:
        """ORM loader options (joinedload() & co); they do not change the SQL's cache key."""
        new = self._clone()
        new._with_options = self._with_options + options
        return new

    def distinct(self, *expr: Any) -> Select:
        new = self._clone()
        new._distinct = True
        if expr:
            new._distinct_on = self._distinct_on + tuple(coerce_expr(e) for e in expr)
        return new

    def with_for_update(self, *, nowait: bool = False, read: bool = False, of: Any = None,
                        skip_locked: bool = False, key_share: bool = False) -> Select:
        if nowait and skip_locked:
            raise exc.ArgumentError(
                "with_for_update() failed: nowait=True and skip_locked=True exclude each "
                "other. Pass only one of them.")
        new = self._clone()
        of_t: tuple[Any, ...] = ()
        if of is not None:
            of_t = tuple(of) if isinstance(of, (list, tuple)) else (of,)
        new._for_update = (nowait, read, skip_locked, of_t)
        return new

    def correlate(self, *froms: Any) -> Select:
        new = self._clone()
        if len(froms) == 1 and froms[0] is None:
            new._correlate = ()
        else:
            new._correlate = (self._correlate or ()) + tuple(_as_from(f) for f in froms)
        return new

    def correlate_except(self, *froms: Any) -> Select:
        new = self._clone()
        new._correlate_except = (self._correlate_except or ()) + tuple(
            _as_from(f) for f in froms if f is not None)
        return new

    def prefix_with(self, *prefixes: str, dialect: str = "*") -> Select:
        new = self._clone()
        new._prefixes = self._prefixes + tuple(str(p) for p in prefixes)
        return new

    def suffix_with(self, *suffixes: str, dialect: str = "*") -> Select:
        new = self._clone()
        new._suffixes = self._suffixes + tuple(str(s) for s in suffixes)
        return new

    def set_label_style(self, style: SelectLabelStyle) -> Select:
        if not isinstance(style, SelectLabelStyle):
            raise exc.ArgumentError(
                f"set_label_style() failed: expected a SelectLabelStyle; got {style!r}. Pass "
                "one of LABEL_STYLE_NONE, LABEL_STYLE_TABLENAME_PLUS_COL, "
                "LABEL_STYLE_DISAMBIGUATE_ONLY.")
        new = self._clone()
        new._label_style = style
        return new

    def get_label_style(self) -> SelectLabelStyle:
        return self._label_style

    # --- cache key --------------------------------------------------------------------
    def _ck(self, st: _KeyState) -> Any:
        # Only the parts that are set go into the key (tagged), in a fixed order: most
        # statements use three or four of them, and this runs on every execution.
        key: list[Any] = ["select", [c._ck(st) for c in self._raw_columns]]
        d = self.__dict__
        for tag in _TUPLE_PARTS:
            items = d.get(tag)
            if items:
                key.append(tag)
                key.append(tuple([c._ck(st) for c in items]))
        if self._setup_joins:
            key += ["j", tuple([_join_key(j, st) for j in self._setup_joins])]
        if self._distinct:
            key.append("distinct")
        if self._for_update is not None:
            key += ["fu", _for_update_key(self._for_update, st)]
        for tag in ("_correlate", "_correlate_except"):
            items = d.get(tag)
            if items is not None:
                key += [tag, tuple([f._ck(st) for f in items])]
        if self._prefixes or self._suffixes:
            key += ["fix", self._prefixes, self._suffixes]
        if self._label_style != LABEL_STYLE_DEFAULT:
            key += ["ls", self._label_style]
        if self._order_by or self._limit is not None or self._offset is not None or \
                self._fetch is not None or self._added_ctes:
            key.append(self._ck_tail(st))
        key[1] = tuple(key[1])
        return tuple(key)

    def __repr__(self) -> str:
        return f"<Select at {id(self):#x}>"


_TUPLE_PARTS = ("_from_explicit", "_where", "_group_by", "_having", "_distinct_on")


def _join_key(j: tuple[Any, ...], st: _KeyState) -> Any:
    target, onclause, from_, isouter, full = j
    return (_as_from(target)._ck(st),
            coerce_where(onclause)._ck(st) if onclause is not None else None,
            _as_from(from_)._ck(st) if from_ is not None else None, isouter, full)


def _for_update_key(fu: Any, st: _KeyState) -> Any:
    if fu is None:
        return None
    nowait, read, skip, of = fu
    return (nowait, read, skip, tuple(o._ck(st) for o in of))


class CompoundSelect(SelectBase):
    """``a UNION b``, ``a UNION ALL b``, ``INTERSECT``, ``EXCEPT``."""

    __visit_name__ = "compound_select"

    def __init__(self, keyword: str, *selects: Any) -> None:
        kw = keyword.upper().replace("_", " ")
        self.keyword = kw
        self.selects: tuple[SelectBase, ...] = tuple(_as_select(s) for s in selects)
        widths = {len(s._export_columns()) for s in self.selects}
        if len(widths) > 1:
            raise exc.ArgumentError(
                f"{kw} failed: the SELECTs have different numbers of columns "
                f"({sorted(widths)}). Select the same number of columns in each.")

    def _export_columns(self) -> list[tuple[str, ColumnElement]]:
        return self.selects[0]._export_columns()

    def set_label_style(self, style: SelectLabelStyle) -> CompoundSelect:
        """Label the columns of the first SELECT (which names the result's columns)."""
        new = self._clone()
        new.selects = (self.selects[0].set_label_style(style), *self.selects[1:])  # type: ignore[attr-defined]
        return new

    def get_label_style(self) -> SelectLabelStyle:
        return self.selects[0].get_label_style()  # type: ignore[attr-defined,no-any-return]

    def _ck(self, st: _KeyState) -> Any:
        return ("compound", self.keyword, tuple(s._ck(st) for s in self.selects)) + \
            self._ck_tail(st)


def _as_select(s: Any) -> SelectBase:
    if isinstance(s, SelectBase):
        return s
    raise exc.ArgumentError(
        f"A compound SELECT failed: expected select() statements; got {type(s).__name__}. "
        "Pass select(...) objects.")


class ScalarSelect(ColumnElement):
    """A SELECT used as a value: ``(SELECT max(x) FROM t)``."""

    __visit_name__ = "scalar_select"

    def __init__(self, element: SelectBase) -> None:
        self.element = element

    @property
    def type(self) -> Any:
        cols = self.element._export_columns()
        return cols[0][1].type if cols else null_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("scalar", self.element._ck(st))

    def where(self, *criteria: Any) -> ScalarSelect:
        return ScalarSelect(self.element.where(*criteria))  # type: ignore[attr-defined]

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self


class Exists(ColumnElement):
    """``EXISTS (SELECT ...)``."""

    __visit_name__ = "exists"

    def __init__(self, element: Any = None) -> None:
        if element is None:
            element = Select()
        elif not isinstance(element, SelectBase):
            element = Select(element)
        self.element: SelectBase = element

    @property
    def type(self) -> Any:
        return boolean_type()

    def where(self, *criteria: Any) -> Exists:
        return Exists(self.element.where(*criteria))  # type: ignore[attr-defined]

    def correlate(self, *froms: Any) -> Exists:
        return Exists(self.element.correlate(*froms))  # type: ignore[attr-defined]

    def select_from(self, *froms: Any) -> Exists:
        return Exists(self.element.select_from(*froms))  # type: ignore[attr-defined]

    def select(self) -> Select:
        return Select(self)

    def _ck(self, st: _KeyState) -> Any:
        return ("exists", self.element._ck(st))

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self


def select(*entities: Any) -> Select:
    """``SELECT`` the given columns, tables or expressions."""
    return Select(*entities)


def exists(*args: Any) -> Exists:
    if len(args) == 1 and isinstance(args[0], SelectBase):
        return Exists(args[0])
    return Exists(Select(*args) if args else None)


def cte(selectable: Any, name: str | None = None, recursive: bool = False) -> CTE:
    """``WITH name AS (selectable)``: the function form of ``selectable.cte()``."""
    make = getattr(selectable, "cte", None)
    if make is None:
        raise exc.ArgumentError(
            f"cte() failed: expected a SELECT or INSERT/UPDATE/DELETE ... RETURNING; got "
            f"{type(selectable).__name__}. Pass select(...).")
    return make(name=name, recursive=recursive)  # type: ignore[no-any-return]


def union(*selects: Any) -> CompoundSelect:
    return CompoundSelect("UNION", *selects)


def union_all(*selects: Any) -> CompoundSelect:
    return CompoundSelect("UNION ALL", *selects)


def intersect(*selects: Any) -> CompoundSelect:
    return CompoundSelect("INTERSECT", *selects)


def intersect_all(*selects: Any) -> CompoundSelect:
    return CompoundSelect("INTERSECT ALL", *selects)


def except_(*selects: Any) -> CompoundSelect:
    return CompoundSelect("EXCEPT", *selects)


def except_all(*selects: Any) -> CompoundSelect:
    return CompoundSelect("EXCEPT ALL", *selects)
