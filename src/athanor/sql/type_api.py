"""The type system's machinery: :class:`TypeEngine`, :class:`TypeDecorator`, type inference.

A type object answers three questions for a dialect, each answered once and cached:

* how a Python value goes to the driver -- ``bind_processor(dialect)``;
* how a driver value comes back as the Python value -- ``result_processor(dialect, coltype)``;
* how the column type is spelled in DDL -- ``dialect.type_compiler(dialect).process(type_)``.

Both processors are a callable or ``None``; ``None`` means "the driver already does it" and is
the fast path the engine and ORM rely on (no per-row call at all). Most types on most dialects
return ``None``.

Where a database stores a type differently from the generic behaviour (SQLite keeping dates as
ISO text, MariaDB giving TIME back as ``timedelta``...), the vendor's type compiler class carries
a ``storage`` table: ``{generic type class: Storage(bind_factory, result_factory)}``. The table is
data in ``athanor/dialects/<vendor>/ddl.py``; the generic type classes never test a dialect's
name. A lookup walks the type's MRO, so user subclasses of ``String`` or ``DateTime`` keep the
vendor's storage. Processors are cached per type instance and dialect class; types are treated as
immutable once used.

:class:`TypeDecorator` wraps an ``impl`` type: its own ``process_bind_param`` runs before the
impl's bind processor, its ``process_result_value`` after the impl's result processor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from athanor import exc
from athanor.sql._roles import generic_alias

if TYPE_CHECKING:
    from athanor.sql.dialect import BaseDialect

Processor = Callable[[Any], Any]
BindFactory = Callable[[Any, Any], "Processor | None"]
ResultFactory = Callable[[Any, Any, Any], "Processor | None"]

_T = TypeVar("_T", bound="TypeEngine")


class Storage(NamedTuple):
    """How one dialect stores one generic type: factories for its two processors.

    Each factory takes ``(type_, dialect)`` (the result factory also ``coltype``) and returns a
    processor or ``None``. A ``None`` factory means "no processor" on that side.
    """

    bind: BindFactory | None = None
    result: ResultFactory | None = None


_NO_STORAGE: dict[type, Storage] = {}


def _storage_for(type_: TypeEngine, dialect: Any) -> Storage | None:
    compiler = getattr(dialect, "type_compiler", None)
    table: dict[type, Storage] = getattr(compiler, "storage", _NO_STORAGE)
    if not table:
        return None
    for klass in type(type_).__mro__:
        found = table.get(klass)
        if found is not None:
            return found
    return None


class TypeEngine:
    """Base of every SQL type.

    Subclasses set ``__visit_name__`` (the type compiler's ``visit_<name>`` renders its DDL) and
    override ``_bind_proc`` / ``_result_proc`` for their generic (driver-native) behaviour.
    Users writing their own type subclass :class:`TypeDecorator` instead.
    """

    __visit_name__: ClassVar[str] = "type"
    __class_getitem__ = generic_alias  # ``TypeDecorator[str]`` in user code
    #: The generic family used when comparing types ("string", "integer", "numeric", ...).
    _affinity: ClassVar[str] = "null"
    #: Can values of this type be used as dict keys (identity-map keys, sets)?
    hashable: ClassVar[bool] = True
    #: Should a Python None be sent to the processor instead of meaning SQL NULL?
    should_evaluate_none: bool = False

    # -- processors ---------------------------------------------------------------------

    def bind_processor(self, dialect: BaseDialect) -> Processor | None:
        """A callable turning a Python value into the driver's value, or None (pass through)."""
        key = ("bind", type(dialect))
        cache = self._proc_cache()
        try:
            return cache[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        storage = _storage_for(self, dialect)
        if storage is not None:
            proc = storage.bind(self, dialect) if storage.bind else None
        else:
            proc = self._bind_proc(dialect)
        cache[key] = proc
        return proc

    def result_processor(self, dialect: BaseDialect, coltype: Any) -> Processor | None:
        """A callable turning a driver value into the Python value, or None (pass through)."""
        key = ("result", type(dialect))
        cache = self._proc_cache()
        try:
            return cache[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        storage = _storage_for(self, dialect)
        if storage is not None:
            proc = storage.result(self, dialect, coltype) if storage.result else None
        else:
            proc = self._result_proc(dialect, coltype)
        cache[key] = proc
        return proc

    def literal_processor(self, dialect: BaseDialect) -> Callable[[Any], str] | None:
        """A callable rendering a value as an SQL literal (DDL defaults, literal binds)."""
        return None

    def _bind_proc(self, dialect: Any) -> Processor | None:
        return None

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        return None

    def _proc_cache(self) -> dict[Any, Any]:
        cache: dict[Any, Any] | None = self.__dict__.get("_procs")
        if cache is None:
            cache = self.__dict__["_procs"] = {}
        return cache

    # -- description --------------------------------------------------------------------

    @property
    def python_type(self) -> type:
        """The Python class of values of this type."""
        raise NotImplementedError(
            f"Reading python_type of {type(self).__name__} failed: the type does not name one. "
            "Give the type a python_type property."
        )

    def compile(self, dialect: BaseDialect | None = None) -> str:
        """The type's DDL spelling for ``dialect`` (the generic spelling when None)."""
        if dialect is None:
            from athanor.sql.typecompiler import GenericTypeCompiler

            return GenericTypeCompiler(None).process(self)
        return str(dialect.type_compiler(dialect).process(self))

    def dialect_impl(self, dialect: BaseDialect) -> TypeEngine:
        """The type that does the work on ``dialect`` (the impl of a TypeDecorator)."""
        return self

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        """The type to give a literal ``value`` that is compared or combined with this type.

        A value of the same family takes this type (so ``col == 'x'`` binds through the
        column's processors); anything else keeps the type inferred from the value.
        """
        cls = type(value)
        if cls in _CACHED_COMPARE:  # int/str/float/bool/bytes: remembered per type instance
            cache = self.__dict__.get("_compare_cache")
            if cache is None:
                cache = self.__dict__["_compare_cache"] = {}
            found = cache.get(cls)
            if found is None:
                found = cache[cls] = self._coerce_inferred(type_for_value(value))
            return found  # type: ignore[no-any-return]
        return self._coerce_inferred(type_for_value(value))

    def _coerce_inferred(self, inferred: TypeEngine) -> TypeEngine:
        if inferred._affinity == self._affinity or inferred._affinity == "null":
            return self
        return inferred

    def _adapt_expression(self, op: Any, other: TypeEngine) -> tuple[Any, TypeEngine]:
        """``(operator, result type)`` for ``self <op> other``; string ``+`` becomes concat."""
        return op, self

    @property
    def _type_affinity(self) -> str:
        return self._affinity

    def copy(self: _T, **kw: Any) -> _T:
        """A shallow copy with ``kw`` attributes replaced (processor caches not shared)."""
        new = type(self).__new__(type(self))
        new.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k not in _PER_INSTANCE}
        )
        new.__dict__.update(kw)
        return new

    def with_variant(self, type_: TypeEngine | type[TypeEngine], *dialect_names: str) -> Variant:
        """This type, but ``type_`` on the named dialects (``"sqlite"``, ``"postgresql"``...)."""
        return Variant(self, {name: to_instance(type_) for name in dialect_names})

    def evaluates_none(self: _T) -> _T:
        """A copy that sends Python None through the bind processor (e.g. JSON 'null')."""
        return self.copy(should_evaluate_none=True)

    @property
    def _static_cache_key(self) -> Any:
        """This type's part of a statement cache key: class plus public arguments (memoised).

        Read by the expression layer; private attributes (processor caches) are left out.
        """
        key = self.__dict__.get("_ck_memo")
        if key is None:
            key = self.__dict__["_ck_memo"] = self._cache_key()
        return key

    def _cache_key(self) -> tuple[Any, ...]:
        items = sorted((k, _freeze(v)) for k, v in vars(self).items() if not k.startswith("_"))
        key = (type(self), tuple(items))
        try:
            hash(key)
        except TypeError:
            return (type(self), id(self))
        return key

    def _repr_args(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_args())})"

    def __str__(self) -> str:
        return self.compile()


def _freeze(value: Any) -> Any:
    if isinstance(value, TypeEngine):
        return value._static_cache_key
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    return value


class NullType(TypeEngine):
    """The type of an expression whose type is unknown (``None`` literals, untyped text)."""

    __visit_name__ = "null"
    _affinity = "null"
    #: Comparisons type their bind parameter from the other side instead.
    _is_null_type = True

    @property
    def python_type(self) -> type:
        return type(None)


NULLTYPE = NullType()


def to_instance(type_: TypeEngine | type[TypeEngine] | None, *args: Any, **kw: Any) -> TypeEngine:
    """A type instance from a type, a type class (instantiated with no arguments) or None."""
    if type_ is None:
        return NULLTYPE
    if isinstance(type_, type):
        if not issubclass(type_, TypeEngine):
            raise exc.ArgumentError(
                f"Type expected; got the class {type_.__name__!r}. Pass an athanor type such "
                "as Integer or String(50)."
            )
        return type_(*args, **kw)
    if not isinstance(type_, TypeEngine):
        raise exc.ArgumentError(
            f"Type expected; got {type_!r}. Pass an athanor type such as Integer or String(50)."
        )
    return type_


class TypeDecorator(TypeEngine):
    """A user type built on an existing one (``impl``), adding Python-side conversion.

    Subclass it, set ``impl`` (a type class or instance) and ``cache_ok = True`` when the
    instance's arguments are enough to tell two instances apart, then override
    ``process_bind_param(value, dialect)`` and/or ``process_result_value(value, dialect)``.
    ``load_dialect_impl(dialect)`` may pick a different impl per dialect.
    """

    __visit_name__ = "type_decorator"
    impl: ClassVar[Any] = None
    #: Is this type safe to use in a statement cache key? (None: unknown, treated as False.)
    cache_ok: ClassVar[bool | None] = None

    def __init__(self, *args: Any, **kw: Any) -> None:
        impl_cls = type(self).impl
        if impl_cls is None:
            raise exc.ArgumentError(
                f"Creating {type(self).__name__} failed: TypeDecorator subclasses must set the "
                "class attribute 'impl' to a type, e.g. impl = String."
            )
        # Like SQLAlchemy, the instance attribute ``impl`` holds the impl *instance*.
        self.__dict__["impl"] = (
            to_instance(impl_cls, *args, **kw) if isinstance(impl_cls, type) else impl_cls
        )

    @property
    def impl_instance(self) -> TypeEngine:
        """The wrapped type instance (also readable as ``self.impl``)."""
        return self.__dict__["impl"]  # type: ignore[no-any-return]

    @property
    def _affinity(self) -> str:  # type: ignore[override]
        return self.impl_instance._affinity

    @property
    def python_type(self) -> type:
        return self.impl_instance.python_type

    @property
    def hashable(self) -> bool:  # type: ignore[override]
        return self.impl_instance.hashable

    def load_dialect_impl(self, dialect: Any) -> TypeEngine:
        """The impl type to use on ``dialect``; override to vary it by database."""
        return self.impl_instance

    def dialect_impl(self, dialect: Any) -> TypeEngine:
        return self.load_dialect_impl(dialect)

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        """Turn a Python value into one the impl type accepts."""
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        """Turn the impl type's Python value into this type's."""
        return value

    def process_literal_param(self, value: Any, dialect: Any) -> Any:
        return self.process_bind_param(value, dialect)

    def _overrides(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(TypeDecorator, name)

    def _bind_proc(self, dialect: Any) -> Processor | None:
        inner = self.load_dialect_impl(dialect).bind_processor(dialect)
        if not self._overrides("process_bind_param"):
            return inner
        process = self.process_bind_param
        if inner is None:
            return lambda value: process(value, dialect)
        return lambda value: inner(process(value, dialect))

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        inner = self.load_dialect_impl(dialect).result_processor(dialect, coltype)
        if not self._overrides("process_result_value"):
            return inner
        process = self.process_result_value
        if inner is None:
            return lambda value: process(value, dialect)
        return lambda value: process(inner(value), dialect)

    def bind_processor(self, dialect: Any) -> Processor | None:
        # TypeDecorators ignore vendor storage tables: the impl's own lookup handles that.
        key = ("bind", type(dialect))
        cache = self._proc_cache()
        if key not in cache:
            cache[key] = self._bind_proc(dialect)
        return cache[key]  # type: ignore[no-any-return]

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        key = ("result", type(dialect))
        cache = self._proc_cache()
        if key not in cache:
            cache[key] = self._result_proc(dialect, coltype)
        return cache[key]  # type: ignore[no-any-return]

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        return self

    def _adapt_expression(self, op: Any, other: TypeEngine) -> tuple[Any, TypeEngine]:
        new_op, result = self.impl_instance._adapt_expression(op, other)
        return new_op, (self if result is self.impl_instance else result)

    def _cache_key(self) -> tuple[Any, ...]:
        if not type(self).cache_ok:
            return (type(self), id(self))
        return super()._cache_key()

    def __getattr__(self, name: str) -> Any:
        # Attributes the impl has (length, timezone, ...) read through, as users expect.
        if name.startswith("__") or name in ("impl", "impl_instance"):
            raise AttributeError(name)
        return getattr(self.impl_instance, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Variant(TypeDecorator):
    """A type that is a different type on some dialects (``String().with_variant(...)``)."""

    __visit_name__ = "type_decorator"
    impl = NullType
    cache_ok = True

    def __init__(self, base: TypeEngine, mapping: dict[str, TypeEngine]) -> None:
        self.__dict__["impl"] = base
        self.mapping = dict(mapping)

    def load_dialect_impl(self, dialect: Any) -> TypeEngine:
        return self.mapping.get(getattr(dialect, "name", ""), self.impl_instance)

    def with_variant(self, type_: TypeEngine | type[TypeEngine], *dialect_names: str) -> Variant:
        mapping = dict(self.mapping)
        mapping.update({name: to_instance(type_) for name in dialect_names})
        return Variant(self.impl_instance, mapping)

    def _cache_key(self) -> tuple[Any, ...]:
        return (Variant, self.impl_instance._static_cache_key,
                tuple(sorted((k, v._static_cache_key) for k, v in self.mapping.items())))


#: ``sqltypes.infer_type``, bound on first use (sqltypes imports this module)
_infer_type: Callable[[Any], TypeEngine] | None = None


#: memos that belong to one type instance (not copied by ``copy()``)
_PER_INSTANCE = frozenset({"_procs", "_ck_memo", "_compare_cache"})

#: value classes whose inferred type depends on the class alone (coerce_compared_value cache)
_CACHED_COMPARE = frozenset({int, str, float, bool, bytes})


def type_for_value(value: Any) -> TypeEngine:
    """Infer a type for a literal Python value (``literal(5)``, ``column == 5``)."""
    global _infer_type
    infer = _infer_type
    if infer is None:
        from athanor.sql import sqltypes

        infer = _infer_type = sqltypes.infer_type
    return infer(value)
