"""SELECT rendering: columns, FROM derivation and joins, correlation, CTEs, compound selects,
LIMIT/OFFSET and row locking. Mixed into :class:`athanor.sql.compiler.SQLCompiler`.

The FROM list of a SELECT is derived here, not stored on the statement: explicit
``select_from()`` entries first, then the FROM clauses the selected columns and the WHERE
clause refer to, in order of first appearance; ``join()`` calls then replace their left side
with a Join; tables covered by a join are dropped; and a nested SELECT (scalar subquery,
EXISTS, IN) drops the FROM clauses its enclosing SELECTs already provide (auto-correlation).

CTEs met anywhere are rendered once, in the order first met, in a WITH clause at the top of
the outermost statement.
"""

from __future__ import annotations

from typing import Any

import athanor.exc as exc
from athanor.sql import operators as ops
from athanor.sql.selectable import FromClause, Join, _as_from, join_condition


class SelectCompilerMixin:
    """SELECT-related visits; expects the SQLCompiler core (process, quote, binds)."""

    process: Any
    quote: Any
    anon_name: Any
    dialect: Any

    def _init_select_state(self) -> None:
        self._stack: list[dict[str, Any]] = []
        self._ctes: dict[int, tuple[str, str, bool]] = {}
        self._cte_rendering: set[int] = set()
        #: id of a CTE restated by ``cte.union_all(...)`` -> the name of the restating CTE
        self._cte_alias: dict[int, str] = {}

    # --- CTEs -------------------------------------------------------------------------
    def _with_ctes(self, body: str) -> str:
        if not self._ctes:
            return body
        recursive = any(r for _, _, r in self._ctes.values())
        parts = [f"{name} AS ({sql})" for name, sql, _ in self._ctes.values()]
        return ("WITH RECURSIVE " if recursive else "WITH ") + ", ".join(parts) + " " + body

    def visit_cte(self, cte: Any, *, asfrom: bool = False, **kw: Any) -> str:
        alias = self._cte_alias.get(id(cte))
        if alias is not None:  # the recursive CTE's own name, inside its second part
            return alias
        name = self.quote(cte.name) if cte.name else self.anon_name(cte)
        if id(cte) not in self._ctes and id(cte) not in self._cte_rendering:
            self._cte_rendering.add(id(cte))
            restated = cte.__dict__.get("_restates")
            if restated is not None:
                self._cte_alias[id(restated)] = name
            saved, self._stack = self._stack, []
            try:
                if getattr(cte.element, "_is_dml", False):
                    sql = self._dml_in_cte(cte)
                else:
                    sql = self.process(cte.element)
            finally:
                self._stack = saved
            header = name
            if cte.recursive:
                cols = ", ".join(self.quote(k) for k, _ in cte.element._export_columns())
                header = f"{name}({cols})"
            self._ctes[id(cte)] = (header, sql, cte.recursive)
        return name

    def _dml_in_cte(self, cte: Any) -> str:
        if not self.dialect.supports_dml_in_cte:
            raise exc.CompileError(
                f"Compiling WITH {cte.name or 'anon'} AS ({type(cte.element).__name__.upper()} "
                f"...) for {self.dialect.name} failed: the database has no INSERT/UPDATE/DELETE "
                "inside WITH. Run the statement on its own and read its RETURNING rows.")
        saved = self._returning  # type: ignore[has-type]
        try:
            return self.process(cte.element)  # type: ignore[no-any-return]
        finally:
            self._returning = saved  # the outer statement's result columns, not the CTE's

    # --- SELECT -----------------------------------------------------------------------
    def visit_select(self, select: Any, *, asfrom: bool = False, toplevel: bool = False,
                     compound: bool = False, lateral: bool = False, **kw: Any) -> str:
        for cte in select._added_ctes:
            self.process(cte)
        froms = self._froms(select, correlate=not asfrom or lateral)
        entry = {"froms": froms, "labels": {id(c) for _, c in select._export_columns()}}
        self._stack.append(entry)
        try:
            return self._select_text(select, froms)
        finally:
            self._stack.pop()

    def _select_text(self, select: Any, froms: list[FromClause]) -> str:
        parts = ["SELECT"]
        parts.extend(select._prefixes)
        if select._distinct:
            parts.append(self.distinct_clause(select))
        bare = select._label_style.value == 0  # LABEL_STYLE_NONE: table columns as they are
        cols = [self._column_sql(name, col, bare) for name, col in select._export_columns()]
        parts.append(", ".join(cols) if cols else "*")
        text = " ".join(parts)
        if froms:
            text += " FROM " + ", ".join(self.process(f, asfrom=True) for f in froms)
        elif self.dialect.name == "mysql" and (select._where or select._having):
            text += " FROM DUAL"
        text += self._criteria(" WHERE ", select._where)
        if select._group_by:
            text += " GROUP BY " + ", ".join(self.process(g) for g in select._group_by)
        text += self._criteria(" HAVING ", select._having)
        text += self._order_limit(select)
        if select._for_update is not None and self.dialect.supports_for_update:
            text += self.for_update_clause(select)
        if select._suffixes:
            text += " " + " ".join(select._suffixes)
        return text

    def distinct_clause(self, select: Any) -> str:
        if select._distinct_on:
            raise exc.CompileError(
                f"Compiling SELECT DISTINCT ON for {self.dialect.name} failed: DISTINCT ON "
                "exists only on PostgreSQL. Use distinct() without arguments or GROUP BY.")
        return "DISTINCT"

    def _criteria(self, keyword: str, clauses: tuple[Any, ...]) -> str:
        if len(clauses) > 1:
            clauses = tuple(c.self_group(against=ops.and_) for c in clauses)
        rendered = [r for r in (self.process(c) for c in clauses) if r]
        if not rendered:
            return ""
        return keyword + " AND ".join(rendered)

    def _order_limit(self, select: Any) -> str:
        text = ""
        if select._order_by:
            text += " ORDER BY " + ", ".join(self.process(o) for o in select._order_by)
        if select._fetch is not None:
            text += self.fetch_clause(select)
        elif select._limit is not None or select._offset is not None:
            text += self.limit_clause(select)
        return text

    #: How a FETCH FIRST / OFFSET ... ROWS value is written ("(%s)": any expression fits).
    fetch_value_parens = "(%s)"

    def fetch_clause(self, select: Any) -> str:
        count, with_ties, percent = select._fetch
        d = self.dialect
        for wanted, has, what in ((with_ties, d.supports_fetch_with_ties, "with_ties=True"),
                                  (percent, d.supports_fetch_percent, "percent=True")):
            if wanted and not has:
                raise exc.CompileError(
                    f"Compiling fetch({what}) for {d.name} failed: the database has no such "
                    "FETCH FIRST option. Use a plain fetch() or limit().")
        if not d.supports_fetch_first:  # the same rows as LIMIT
            text = " LIMIT " + self.process(count)
            if select._offset is not None:
                text += " OFFSET " + self.process(select._offset)
            return text
        text = ""
        wrap = self.fetch_value_parens
        if select._offset is not None:
            text += f" OFFSET {wrap % self.process(select._offset)} ROWS"
        size = wrap % self.process(count) + (" PERCENT" if percent else "")
        return text + f" FETCH FIRST {size} ROWS {'WITH TIES' if with_ties else 'ONLY'}"

    def limit_clause(self, select: Any) -> str:
        text = ""
        if select._limit is not None:
            text += " LIMIT " + self.process(select._limit)
        if select._offset is not None:
            text += " OFFSET " + self.process(select._offset)
        return text

    def for_update_clause(self, select: Any) -> str:
        nowait, read, skip_locked, of = select._for_update
        text = " FOR SHARE" if read else " FOR UPDATE"
        if of:
            text += " OF " + ", ".join(self._lock_target(o) for o in of)
        if nowait:
            text += " NOWAIT"
        if skip_locked:
            text += " SKIP LOCKED"
        return text

    def _lock_target(self, obj: Any) -> str:
        table = getattr(obj, "table", None) if not isinstance(obj, FromClause) else obj
        return self.from_reference(table)  # type: ignore[attr-defined,no-any-return]

    def _column_sql(self, name: str, col: Any, bare: bool = False) -> str:
        vn = col.__visit_name__
        if vn == "column" and not col.is_literal:
            text = self.process(col)
            return text if col.name == name or bare else f"{text} AS {self.quote(name)}"
        if vn == "textclause" or (vn == "column" and col.is_literal and col.name == name):
            return self.process(col)
        return f"{self.process(col, within_columns=True)} AS {self.quote(name)}"

    def _label_in_scope(self, label: Any) -> bool:
        return bool(self._stack) and id(label) in self._stack[-1]["labels"]

    # --- FROM derivation --------------------------------------------------------------
    def _froms(self, select: Any, *, correlate: bool) -> list[FromClause]:
        froms: list[FromClause] = []

        def add(f: FromClause) -> None:
            if not any(f is x for x in froms):
                froms.append(f)

        for f in select._from_explicit:
            add(f)
        for c in select._raw_columns:
            for f in c._from_objects:
                add(f)
        for w in select._where:
            for f in w._from_objects:
                add(f)
        for j in select._setup_joins:
            froms = self._apply_join(froms, j)
        hidden = {id(h) for f in froms for h in f._hidden_froms}
        froms = [f for f in froms if id(f) not in hidden and id(
            getattr(f, "_restates", None)) not in hidden]  # a recursive CTE's own name, joined
        if correlate and self._stack:
            froms = self._correlate(select, froms)
        return froms

    def _apply_join(self, froms: list[FromClause], j: tuple[Any, ...]) -> list[FromClause]:
        target, onclause, from_, isouter, full = j
        right = _as_from(target)
        froms = [f for f in froms if f is not right]
        idx = self._join_left(froms, right, onclause, from_)
        if idx is None:
            left = _as_from(from_) if from_ is not None else None
            if left is None:
                raise exc.InvalidRequestError(
                    f"join() failed: the SELECT has no FROM clause to join "
                    f"{getattr(right, 'name', None) or 'the target'!r} to. Use "
                    "select_from() or join_from().")
            froms.append(left)
            idx = len(froms) - 1
        left = froms[idx]
        if from_ is not None:
            src = _as_from(from_)
            if src is not left:
                # join_from(a, b) where a sits inside an existing join: join onto that join
                on = onclause if onclause is not None else join_condition(src, right)
                froms[idx] = Join(left, right, on, isouter=isouter, full=full)
                return froms
        froms[idx] = Join(left, right, onclause, isouter=isouter, full=full)
        return froms

    def _join_left(self, froms: list[FromClause], right: FromClause, onclause: Any,
                   from_: Any) -> int | None:
        if from_ is not None:
            src = _as_from(from_)
            for i, f in enumerate(froms):
                if f is src or any(t is src for t in f._tables()):
                    return i
            return None
        if not froms:
            return None
        if onclause is not None:
            refs = getattr(onclause, "_from_objects", [])
            for i, f in enumerate(froms):
                tables = f._tables()
                if any(r is t for r in refs for t in tables) and f is not right:
                    return i
            return 0
        for i, f in enumerate(froms):
            try:
                join_condition(f, right)
            except exc.ArgumentError:
                continue
            return i
        return 0

    def _correlate(self, select: Any, froms: list[FromClause]) -> list[FromClause]:
        enclosing: list[FromClause] = []
        for entry in self._stack:
            for f in entry["froms"]:
                enclosing.append(f)
                enclosing.extend(f._hidden_froms)
        if select._correlate is not None:
            drop = [f for f in select._correlate if any(f is e for e in enclosing)]
        elif select._correlate_except is not None:
            keep = select._correlate_except
            drop = [e for e in enclosing if not any(e is k for k in keep)]
        elif len(froms) < 2:  # auto-correlation never empties a one-table subquery
            return froms
        else:
            drop = enclosing
        result = [f for f in froms if not any(f is d for d in drop)]
        if froms and not result and select._correlate is None:
            raise exc.InvalidRequestError(
                "Compiling a subquery failed: auto-correlation removed every FROM clause "
                "(all its tables are in the enclosing SELECT). Call .correlate(None) on the "
                "inner select to keep its own FROM, or correlate() to choose.")
        return result

    # --- FROM items -------------------------------------------------------------------
    def visit_table(self, table: Any, **kw: Any) -> str:
        return self.format_table(table)  # type: ignore[attr-defined,no-any-return]

    def visit_alias(self, alias: Any, *, asfrom: bool = False, **kw: Any) -> str:
        name = self.quote(alias.name) if alias.name else self.anon_name(alias)
        if not asfrom:
            return name
        return f"{self._from_body(alias.element)} AS {name}"

    def _from_body(self, element: Any) -> str:
        vn = element.__visit_name__
        if vn in ("subquery", "alias", "lateral", "cte") and vn != "cte":
            inner = element.element
            if getattr(inner, "_is_select", False):
                return "(" + self.process(inner, asfrom=True) + ")"
            return self._from_body(inner)
        if vn == "cte":
            return self.process(element, asfrom=True)  # type: ignore[no-any-return]
        if vn == "join":
            return "(" + self.process(element, asfrom=True) + ")"
        if getattr(element, "_is_select", False):
            return "(" + self.process(element, asfrom=True) + ")"
        return self.process(element, asfrom=True)  # type: ignore[no-any-return]

    def visit_tablesample(self, ts: Any, *, asfrom: bool = False, **kw: Any) -> str:
        if not self.dialect.supports_tablesample:
            raise exc.CompileError(
                f"Compiling TABLESAMPLE for {self.dialect.name} failed: the database has no "
                "TABLESAMPLE. Sample with ORDER BY func.random() and LIMIT instead.")
        text = self.visit_alias(ts, asfrom=asfrom, **kw)
        if not asfrom:
            return text
        text += " TABLESAMPLE " + self.process(ts.sampling)
        if ts.seed is not None:
            text += f" REPEATABLE ({self.process(ts.seed)})"
        return text

    def visit_subquery(self, sub: Any, *, asfrom: bool = False, **kw: Any) -> str:
        name = self.quote(sub.name) if sub.name else self.anon_name(sub)
        if not asfrom:
            return name
        return f"({self.process(sub.element, asfrom=True)}) AS {name}"

    def visit_lateral(self, lat: Any, *, asfrom: bool = False, **kw: Any) -> str:
        name = self.quote(lat.name) if lat.name else self.anon_name(lat)
        if not asfrom:
            return name
        inner = lat.element
        while not getattr(inner, "_is_select", False) and hasattr(inner, "element"):
            inner = inner.element
        return f"LATERAL ({self.process(inner, asfrom=True, lateral=True)}) AS {name}"

    def visit_values(self, v: Any, *, asfrom: bool = False, **kw: Any) -> str:
        name = self.quote(v.name) if v.name else self.anon_name(v)
        if not asfrom:
            return name
        if not v._rows:
            raise exc.CompileError(
                "Compiling values() failed: it has no rows. Call .data([(...), ...]).")
        names = [self.quote(c.name) for c in v._column_defs]
        first = ", ".join(f"{self.process(val)} AS {n}"
                          for val, n in zip(v._rows[0], names, strict=True))
        rest = ["SELECT " + ", ".join(self.process(val) for val in row) for row in v._rows[1:]]
        body = " UNION ALL ".join(["SELECT " + first, *rest])
        return f"({body}) AS {name}"

    def visit_join(self, j: Any, *, asfrom: bool = True, **kw: Any) -> str:
        kind = "FULL OUTER JOIN" if j.full else ("LEFT OUTER JOIN" if j.isouter else "JOIN")
        left = self.process(j.left, asfrom=True)
        right = self.process(j.right, asfrom=True)
        if j.right.__visit_name__ == "join":
            right = f"({right})"
        return f"{left} {kind} {right} ON {self.process(j.onclause)}"

    # --- nested selects -----------------------------------------------------------------
    def visit_scalar_select(self, s: Any, **kw: Any) -> str:
        return "(" + self.process(s.element) + ")"

    def visit_exists(self, e: Any, **kw: Any) -> str:
        return "EXISTS (" + self.process(e.element) + ")"

    def visit_compound_select(self, cs: Any, *, asfrom: bool = False, **kw: Any) -> str:
        for cte in cs._added_ctes:
            self.process(cte)
        parts = [self._compound_member(s) for s in cs.selects]
        text = f" {cs.keyword} ".join(parts)
        if cs._order_by:
            labels = {id(c): k for k, c in cs._export_columns()}
            text += " ORDER BY " + ", ".join(
                self._compound_order(o, labels) for o in cs._order_by)
        if cs._fetch is not None:
            text += self.fetch_clause(cs)
        elif cs._limit is not None or cs._offset is not None:
            text += self.limit_clause(cs)
        return text

    def _compound_member(self, s: Any) -> str:
        sql = self.process(s, asfrom=True, compound=True)
        if s._order_by or s._limit is not None or s._offset is not None or \
                s._fetch is not None or s.__visit_name__ == "compound_select":
            return self.wrap_compound_member(sql)
        return sql

    def wrap_compound_member(self, sql: str) -> str:
        return f"({sql})"

    def _compound_order(self, o: Any, labels: dict[int, str]) -> str:
        if o.__visit_name__ == "unary" and o.modifier is not None:
            return self.order_modifier(o, self._compound_order(o.element, labels))  # type: ignore[attr-defined,no-any-return]
        name = labels.get(id(o))
        if name is None and o.__visit_name__ == "column":
            name = o.name
        if name is not None:
            return self.quote(name)  # type: ignore[no-any-return]
        return self.process(o)  # type: ignore[no-any-return]
