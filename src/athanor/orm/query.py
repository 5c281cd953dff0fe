"""The legacy ``session.query(...)`` API, as a thin builder over a Core ``Select``.

Design
------
A :class:`Query` holds a Session and one immutable ``Select``; every builder method returns
a new Query around a new Select (``filter`` -> ``where`` and so on), so execution is the
same path as ``session.execute(select(...))`` and shares its entity loaders and caches.
Only the result shape differs: a single-entity query returns objects, anything else rows.

``options()`` records loader options for the relationship strategies of issue 6; they are
accepted and stored but have nothing to act on yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm.attributes import InstrumentedAttribute
from athanor.sql import dml as _dml
from athanor.sql._select import select
from athanor.sql.elements import coerce_where

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.session import Session


def _entity_mapper(e: Any) -> Mapper | None:
    """The mapper of a mapped class or ``aliased()`` entity, else None."""
    if isinstance(e, type):
        return e.__dict__.get("__mapper__")  # type: ignore[no-any-return]
    return e.__dict__.get("_aliased_mapper") if hasattr(e, "_aliased_columns") else None


class Query:
    """``session.query(Model)`` / ``session.query(Model.col, ...)``."""

    def __init__(self, entities: Any, session: Session | None = None) -> None:
        if len(entities) == 1 and isinstance(entities[0], (list, tuple)):
            entities = tuple(entities[0])
        self.session = session
        self._entities = tuple(entities)
        first = entities[0] if len(entities) == 1 else None
        #: the mapper when the query selects exactly one mapped class (results are objects)
        self._single = _entity_mapper(first)
        #: the Select; for a single mapped entity built on first use (the filter_by fast
        #: path in all() never needs it)
        self._built: Any = None if self._single is not None else select(*entities)
        if getattr(first, "single_entity", False) and getattr(first, "is_bundle", False):
            self._bundle_single = True

    # defaults shared by all instances (set per instance only when changed)
    _options: tuple[Any, ...] = ()
    #: the query selects one ``Bundle(..., single_entity=True)``: results are its values
    _bundle_single = False
    _populate_existing = False
    _exec_options: dict[str, Any] = {}  # noqa: RUF012 - replaced, never mutated
    _params: dict[str, Any] = {}  # noqa: RUF012 - replaced, never mutated
    #: ``filter_by`` criteria not yet applied to ``_built`` ((key, value) pairs)
    _fb: tuple[tuple[str, Any], ...] = ()
    #: True while the statement is ``select(Model)`` plus filter_by criteria only
    _plain = True
    #: ``filter`` criteria (coerced) not yet applied to ``_built``, which is still None
    _pw: tuple[Any, ...] = ()
    #: after union() & co: {id(statement column): subquery column} for later criteria
    _adapt_map: dict[int, Any] | None = None

    @property
    def _stmt(self) -> Any:
        """The Select, with pending ``filter_by`` criteria applied (built on demand)."""
        built = self._built
        if built is None:
            built = select(*self._entities)
            single = self._single
            if single is not None and single._single_criteria is not None:
                built = built.where(single._single_criteria)  # single-table subclass
            if self._pw:
                built = built.where(*self._pw)
                self._pw = ()
            self._built = built
        if self._fb:
            cls = self._single.class_  # type: ignore[union-attr]
            built = self._built = built.where(*[getattr(cls, k) == v for k, v in self._fb])
            self._fb = ()
        return built

    def _copy(self, stmt: Any = None) -> Query:
        new = Query.__new__(Query)
        new.__dict__.update(self.__dict__)
        if stmt is not None:
            new._built = stmt
            new._fb = ()
            new._plain = False
        return new

    # -- introspection ------------------------------------------------------------------
    @property
    def statement(self) -> Any:
        return self._stmt

    def __clause_element__(self) -> Any:
        return self._stmt

    def _primary_mapper(self, what: str) -> Mapper:
        for e in self._entities:
            mapper = getattr(e, "__mapper__", None) if isinstance(e, type) else None
            if mapper is None and isinstance(e, InstrumentedAttribute):
                mapper = e.prop.parent
            if mapper is not None:
                return mapper
        raise exc.InvalidRequestError(
            f"Query.{what} failed: the query selects no mapped class or mapped attribute. "
            f"Query a model, e.g. session.query(User)."
        )

    @property
    def column_descriptions(self) -> list[dict[str, Any]]:
        out = []
        for e in self._entities:
            mapper = getattr(e, "__mapper__", None) if isinstance(e, type) else None
            name = e.__name__ if mapper is not None else getattr(e, "key", str(e))
            out.append({"name": name, "type": e if mapper is not None else getattr(e, "type", None),
                        "entity": mapper.class_ if mapper is not None else None, "expr": e})
        return out

    def __str__(self) -> str:
        return str(self._stmt)

    # -- building -----------------------------------------------------------------------
    def filter(self, *criterion: Any) -> Query:
        criterion = self._adapted(criterion)
        if self._built is None and not self._fb:
            # nothing built yet: keep the criteria (an update()/delete() never needs the Select)
            new = Query.__new__(Query)
            new.__dict__.update(self.__dict__)
            new._pw = self._pw + tuple([coerce_where(c, role="where()") for c in criterion])
            new._plain = False
            return new
        return self._copy(self._stmt.where(*criterion))

    def _criteria(self) -> tuple[Any, ...]:
        """The WHERE criteria so far (without building the Select when not built yet)."""
        if self._built is None and not self._fb:
            return self._pw
        return self._stmt._where  # type: ignore[no-any-return]

    where = filter

    def filter_by(self, **kwargs: Any) -> Query:
        mapper = self._single or self._primary_mapper("filter_by()")
        crit = []
        cls = mapper.class_
        props = mapper._props
        if self._single is not None and self._plain:
            for k in kwargs:
                if not getattr(props.get(k), "is_column", False):
                    break
            else:
                # recorded, not built: all()/one() run a cached statement for this shape
                new = Query.__new__(Query)
                new.__dict__.update(self.__dict__)
                new._fb = self._fb + tuple(kwargs.items())
                return new
        for key, value in kwargs.items():
            if key not in props:
                raise exc.InvalidRequestError(
                    f"{cls.__name__} has no attribute {key!r} to filter on; its columns are: "
                    f"{', '.join(mapper._load_keys)}."
                )
            crit.append(getattr(cls, key) == value)
        return self.filter(*crit)

    def order_by(self, *clauses: Any) -> Query:
        return self._copy(self._stmt.order_by(*self._adapted(clauses)))

    def group_by(self, *clauses: Any) -> Query:
        return self._copy(self._stmt.group_by(*self._adapted(clauses)))

    def having(self, *criterion: Any) -> Query:
        return self._copy(self._stmt.having(*self._adapted(criterion)))

    def distinct(self, *expr: Any) -> Query:
        return self._copy(self._stmt.distinct(*expr))

    def limit(self, limit: int | None) -> Query:
        return self._copy(self._stmt.limit(limit))

    def offset(self, offset: int | None) -> Query:
        return self._copy(self._stmt.offset(offset))

    def slice(self, start: int, stop: int) -> Query:
        return self._copy(self._stmt.slice(start, stop))

    def join(self, target: Any, onclause: Any = None, *, isouter: bool = False,
             full: bool = False) -> Query:
        return self._copy(self._stmt.join(target, onclause, isouter=isouter, full=full))

    def outerjoin(self, target: Any, onclause: Any = None, *, full: bool = False) -> Query:
        return self._copy(self._stmt.join(target, onclause, isouter=True, full=full))

    def select_from(self, *froms: Any) -> Query:
        return self._copy(self._stmt.select_from(*froms))

    def with_entities(self, *entities: Any) -> Query:
        new = self._copy(self._stmt.with_only_columns(*entities))
        new._entities = tuple(entities)
        first = entities[0] if len(entities) == 1 else None
        new._single = _entity_mapper(first)
        new._bundle_single = bool(getattr(first, "single_entity", False) and getattr(
            first, "is_bundle", False))
        return new

    def add_columns(self, *columns: Any) -> Query:
        new = self._copy(self._stmt.add_columns(*columns))
        new._entities = self._entities + tuple(columns)
        new._single = None
        new._bundle_single = False
        return new

    add_column = add_columns
    add_entity = add_columns

    def options(self, *options: Any) -> Query:
        new = self._copy(self._stmt.options(*options))
        new._options = self._options + options
        return new

    def populate_existing(self) -> Query:
        new = self._copy()
        new._populate_existing = True
        return new

    def execution_options(self, **kw: Any) -> Query:
        new = self._copy()
        new._exec_options = {**self._exec_options, **kw}
        if kw.get("populate_existing"):
            new._populate_existing = True
        return new

    def with_for_update(self, **kw: Any) -> Query:
        return self._copy(self._stmt.with_for_update(**kw))

    def yield_per(self, count: int) -> Query:
        return self

    def enable_eagerloads(self, value: bool) -> Query:
        return self

    def autoflush(self, setting: bool) -> Query:
        return self

    def params(self, *args: Any, **kw: Any) -> Query:
        """Values for bind parameters in the criteria (``filter(text("id < :v")).params(v=5)``)."""
        new = self._copy()
        new._params = {**self._params, **(args[0] if args else {}), **kw}
        return new

    def from_statement(self, statement: Any) -> Any:
        """Load this query's entity from ``statement`` (e.g. ``text("SELECT * ...")``)."""
        from athanor.orm._fromstmt import FromStatementQuery

        return FromStatementQuery(self, statement)

    # -- subqueries ---------------------------------------------------------------------
    def subquery(self, name: str | None = None, **kw: Any) -> Any:
        return self._stmt.subquery(name)

    def cte(self, name: str | None = None, recursive: bool = False, nesting: bool = False) -> Any:
        return self._stmt.cte(name, recursive)

    def scalar_subquery(self) -> Any:
        return self._stmt.scalar_subquery()

    as_scalar = scalar_subquery

    def label(self, name: str) -> Any:
        return self._stmt.label(name)

    def exists(self) -> Any:
        return self._stmt.exists()

    # -- execution ----------------------------------------------------------------------
    # -- set operations: SELECT ... FROM (q1 UNION q2 ...) AS anon ------------------------
    def _set_op(self, name: str, queries: tuple[Any, ...]) -> Query:
        """A new Query selecting this query's entities from the compound of the statements:
        a mapped entity becomes ``aliased(Model, subquery)``, a column the matching one."""
        import athanor.sql as sql
        from athanor.orm._aliased import aliased

        stmts = [self._stmt, *(q._stmt if isinstance(q, Query) else q for q in queries)]
        sub = getattr(sql, name)(*stmts).subquery()
        columns = list(sub.c)
        entities: list[Any] = []
        adapt: dict[int, Any] = {}  # the statements' columns -> the subquery's
        pos = 0
        for entity in self._entities:
            selected = list(select(entity).selected_columns)
            for i, col in enumerate(selected):
                adapt[id(col)] = columns[pos + i]
            mapper = _entity_mapper(entity)
            entities.append(aliased(mapper.class_, sub) if mapper is not None else columns[pos])
            pos += len(selected)
        new = Query(entities, self.session)
        for attr in ("_options", "_populate_existing", "_exec_options", "_params"):
            if attr in self.__dict__:
                setattr(new, attr, self.__dict__[attr])
        new._adapt_map = adapt  # later criteria on Model.col read the subquery's columns
        new._plain = False
        return new

    def _adapted(self, clauses: tuple[Any, ...]) -> tuple[Any, ...]:
        """``clauses`` with the columns of a set operation's statements swapped for the
        subquery's (``q1.union(q2).order_by(User.id)``); unchanged for other queries."""
        mapping = self._adapt_map
        if mapping is None:
            return clauses
        from athanor.orm._adapt import replace_columns

        return tuple(
            replace_columns(c.__clause_element__() if isinstance(c, InstrumentedAttribute) else c,
                            mapping) for c in clauses)

    def _session(self, what: str) -> Session:
        if self.session is None:
            raise exc.InvalidRequestError(
                f"Query.{what} failed: this Query is not bound to a Session. Build it with "
                f"session.query(...)."
            )
        return self.session

    def _execute(self, stmt: Any = None) -> Any:
        opts = dict(self._exec_options)
        if self._populate_existing:
            opts["populate_existing"] = True
        return self._session("all()").execute(
            stmt if stmt is not None else self._stmt, self._params or None,
            execution_options=opts
        )

    def _single_entity(self) -> bool:
        return self._single is not None or self._bundle_single

    def _shape(self, result: Any) -> list[Any]:
        if self._single is not None or self._bundle_single:
            return result.scalars().all()
        return result.all()

    def all(self) -> list[Any]:
        if (self._single is not None and not self._populate_existing and not self._exec_options
                and not self._params):
            session = self._session("all()")
            if self._plain and self._fb:
                found = session._filter_by_list(self._single, self._fb)
                if found is not None:
                    return found  # type: ignore[no-any-return]
            return session._entity_list(self._stmt)  # type: ignore[no-any-return]
        return self._shape(self._execute())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())

    def first(self) -> Any:
        rows = self._shape(self._execute(self._stmt.limit(1)))
        return rows[0] if rows else None

    def one(self) -> Any:
        rows = self.all()
        if not rows:
            raise exc.NoResultFound(
                "Query.one() failed: no row was found. Use one_or_none() or first() when no row "
                "is a valid outcome."
            )
        if len(rows) > 1:
            raise exc.MultipleResultsFound(
                f"Query.one() failed: {len(rows)} rows were found where one was expected. "
                f"Narrow the filter, or use first()."
            )
        return rows[0]

    def one_or_none(self) -> Any:
        rows = self.all()
        if len(rows) > 1:
            raise exc.MultipleResultsFound(
                f"Query.one_or_none() failed: {len(rows)} rows were found where at most one was "
                f"expected. Narrow the filter, or use first()."
            )
        return rows[0] if rows else None

    def scalar(self) -> Any:
        try:
            row = self.one_or_none()
        except exc.MultipleResultsFound:
            raise
        if row is None:
            return None
        if self._single_entity():
            return row
        return row[0]

    def count(self) -> int:
        from athanor.sql.functions import func

        inner = self._stmt
        if inner._with_options:  # with_loader_criteria() (orm/_criteria.py)
            from athanor.orm._criteria import apply_select

            inner = apply_select(inner)
        stmt = select(func.count()).select_from(inner.subquery())
        return int(self._session("count()").execute(stmt, self._params or None).scalar() or 0)

    def get(self, ident: Any) -> Any:
        mapper = self._primary_mapper("get()")
        return self._session("get()").get(mapper.class_, ident,
                                          populate_existing=self._populate_existing)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            start, stop, step = item.start or 0, item.stop, item.step
            if step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
                rows = self.all()
                return rows[item]
            q = self.offset(start or None)
            if stop is not None:
                q = q.limit(max(stop - start, 0))
            return q.all()
        if item < 0:
            return self.all()[item]
        rows = self.offset(item or None).limit(1).all()
        if not rows:
            raise IndexError(f"Query index {item} is out of range.")
        return rows[0]

    # -- bulk DML -----------------------------------------------------------------------
    def _dml_target(self, what: str) -> Mapper:
        single = self._single
        mapper = (single if single is not None and single.class_ is self._entities[0]
                  else self._primary_mapper(what))
        joins = getattr(self._stmt, "_setup_joins", ()) if self._built is not None else ()
        if joins:
            raise exc.InvalidRequestError(
                f"Query.{what} failed: bulk statements on a joined query are not supported. "
                f"Filter with a subquery or EXISTS instead of join()."
            )
        return mapper

    def _dml_criteria(self, mapper: Mapper) -> tuple[Any, ...]:
        """The WHERE criteria of a bulk statement (single-table subclasses: + type IN)."""
        where = tuple(self._criteria())
        crit = mapper._single_criteria
        if crit is not None and not any(w is crit for w in where):
            where += (crit,)
        return where

    def update(self, values: dict[Any, Any], synchronize_session: Any = "auto",
               update_args: Any = None) -> int:
        mapper = self._dml_target("update()")
        table = mapper.local_table
        vals = {}
        for k, v in values.items():
            if isinstance(k, str):
                if not mapper.has_property(k):
                    raise exc.InvalidRequestError(
                        f"Query.update() failed: {mapper.class_.__name__} has no attribute "
                        f"{k!r}; its columns are: {', '.join(mapper._load_keys)}."
                    )
                k = mapper._props[k].column  # type: ignore[attr-defined]
            vals[k] = v
        # the criteria come coerced: filter() coerces them, the Select holds them coerced
        target = table if mapper.inherits is None else mapper.class_  # update(Subclass)
        stmt = _dml.update(target)._with_parts(vals, self._dml_criteria(mapper), coerced=True)
        session = self._session("update()")
        opts = {"synchronize_session": synchronize_session}
        result = session.execute(stmt, execution_options=opts)
        if session._dispatch.after_bulk_update:
            from athanor.orm._session_events import BulkContext

            session._dispatch.fire("after_bulk_update",
                                   BulkContext(session, self, mapper, result, values))
        return result.rowcount

    def delete(self, synchronize_session: Any = "auto", delete_args: Any = None) -> int:
        mapper = self._dml_target("delete()")
        stmt = _dml.delete(mapper.local_table if mapper.inherits is None else mapper.class_)
        where = self._dml_criteria(mapper)
        if where:
            stmt = stmt.where(*where)
        session = self._session("delete()")
        opts = {"synchronize_session": synchronize_session}
        result = session.execute(stmt, execution_options=opts)
        if session._dispatch.after_bulk_delete:
            from athanor.orm._session_events import BulkContext

            session._dispatch.fire("after_bulk_delete",
                                   BulkContext(session, self, mapper, result))
        return result.rowcount


def _set_op_method(name: str) -> Any:
    def method(self: Query, *queries: Any) -> Query:
        return self._set_op(name, queries)

    method.__name__ = name
    method.__doc__ = f"``SELECT ... FROM (this {name.rstrip('_').upper()} others...)``."
    return method


for _name in ("union", "union_all", "intersect", "intersect_all", "except_", "except_all"):
    setattr(Query, _name, _set_op_method(_name))
del _name
