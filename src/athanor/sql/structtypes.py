"""Types with structure or identity: JSON, Enum, Uuid, PickleType, ARRAY.

These need more than a cast where the database lacks them, so their generic processors read the
dialect's ``supports_native_*`` flags (one question each) rather than a vendor name:

* ``JSON``: native on PostgreSQL (``JSON``) and MariaDB (``JSON``, an alias of LONGTEXT with a
  validity check); TEXT on SQLite. Values are encoded with :func:`json.dumps` on the way in
  everywhere and decoded with :func:`json.loads` where the driver does not decode. Python
  ``None`` is stored as JSON ``null`` unless ``none_as_null=True`` (then SQL NULL); both read
  back as ``None``. ``JSON.NULL`` always means JSON ``null``.
* ``Enum``: a Python enum class stores member *names* (or ``values_callable(cls)``) and reads
  members back; a list of strings stores the strings. PostgreSQL uses a named ``CREATE TYPE``
  (made by ``create_all`` before the tables, dropped by ``drop_all`` after them), MariaDB an
  inline ``ENUM(...)``, SQLite ``VARCHAR(n)`` with an optional CHECK (``create_constraint``).
* ``Uuid``: native ``UUID`` on PostgreSQL; ``CHAR(32)`` hex elsewhere; reads back
  ``uuid.UUID`` (or ``str`` with ``as_uuid=False``).
"""

from __future__ import annotations

import enum
import json
import pickle
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from athanor import exc
from athanor.sql.sqltypes import LargeBinary, String
from athanor.sql.type_api import Processor, TypeDecorator, TypeEngine, to_instance


class _JSONNull:
    """The JSON ``null`` value, as opposed to SQL NULL (``JSON.NULL``)."""

    def __repr__(self) -> str:
        return "JSON.NULL"


class JSON(TypeEngine):
    """A JSON document: dicts, lists, strings, numbers, booleans and None."""

    __visit_name__ = "JSON"
    _affinity = "json"
    hashable = False
    NULL = _JSONNull()

    def __init__(self, none_as_null: bool = False) -> None:
        self.none_as_null = none_as_null
        self.should_evaluate_none = not none_as_null

    @property
    def python_type(self) -> type:
        return dict

    def _bind_proc(self, dialect: Any) -> Processor | None:
        dumps = json.dumps
        null = self.NULL
        none_value = None if self.none_as_null else "null"

        def process(value: Any) -> Any:
            if value is None:
                return none_value
            if value is null:
                return "null"
            return dumps(value)

        return process

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        loads = json.loads

        def process(value: Any) -> Any:
            if value is None or not isinstance(value, (str, bytes)):
                return value
            return loads(value)

        return process

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        return self


class Enum(String):
    """One of a fixed set of strings, or of a Python enum class's members."""

    __visit_name__ = "enum"
    _affinity = "string"

    def __init__(
        self,
        *enums: Any,
        name: str | None = None,
        native_enum: bool = True,
        create_constraint: bool = False,
        length: int | None = None,
        values_callable: Callable[[Any], Sequence[str]] | None = None,
        validate_strings: bool = False,
        schema: str | None = None,
        create_type: bool = True,
        metadata: Any = None,
        inherit_schema: bool = False,
        **kw: Any,
    ) -> None:
        self.enum_class: type[enum.Enum] | None = None
        if len(enums) == 1 and isinstance(enums[0], type) and issubclass(enums[0], enum.Enum):
            self.enum_class = enums[0]
            members = list(self.enum_class)
            stored = list(values_callable(self.enum_class)) if values_callable else [
                m.name for m in members
            ]
            if len(stored) != len(members):
                raise exc.ArgumentError(
                    f"Creating Enum({self.enum_class.__name__}) failed: values_callable gave "
                    f"{len(stored)} values for {len(members)} members. Return one per member."
                )
            self._member_by_value = dict(zip(stored, members, strict=True))
            self._value_by_member = dict(zip(members, stored, strict=True))
            if name is None:
                name = self.enum_class.__name__.lower()
        else:
            stored = [str(e) for e in enums]
            self._member_by_value = {}
            self._value_by_member = {}
        self.enums = stored
        self.name = name
        self.native_enum = native_enum
        self.create_constraint = create_constraint
        self.validate_strings = validate_strings
        self.values_callable = values_callable
        self.schema = schema
        self.create_type = create_type
        self.metadata = metadata
        computed = max((len(v) for v in stored), default=0)
        super().__init__(length=max(length or 0, computed) or None)

    @property
    def python_type(self) -> type:
        return self.enum_class if self.enum_class is not None else str

    def _unknown(self, what: str) -> LookupError:
        label = f" {self.name!r}" if self.name else ""
        return LookupError(
            f"Converting {what} for Enum{label} failed: the value is not one of its values "
            f"{self.enums!r}. Use one of those values or add it to the enum."
        )

    def _bind_proc(self, dialect: Any) -> Processor | None:
        if self.enum_class is None and not self.validate_strings:
            return None
        by_member = self._value_by_member
        allowed = frozenset(self.enums)
        unknown = self._unknown

        def process(value: Any) -> Any:
            if value is None:
                return None
            found = by_member.get(value) if isinstance(value, enum.Enum) else None
            if found is not None:
                return found
            if value in allowed:
                return value
            raise unknown("a Python value")

        return process

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        if self.enum_class is None:
            return None
        by_value = self._member_by_value
        unknown = self._unknown

        def process(value: Any) -> Any:
            if value is None:
                return None
            try:
                return by_value[value]
            except KeyError:
                raise unknown("a database value") from None

        return process

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        return self

    def create(self, bind: Any, checkfirst: bool = True) -> None:
        """CREATE TYPE on databases with named enum types (PostgreSQL); else nothing."""
        self._type_ddl(bind, checkfirst, create=True)

    def drop(self, bind: Any, checkfirst: bool = True) -> None:
        """DROP TYPE on databases with named enum types (PostgreSQL); else nothing."""
        self._type_ddl(bind, checkfirst, create=False)

    def _type_ddl(self, bind: Any, checkfirst: bool, *, create: bool) -> None:
        from athanor.sql.ddl import CreateEnumType, DropEnumType, ddl_compiler_for
        from athanor.sql.ddlrunner import connection_for

        with connection_for(bind) as conn:
            compiler = ddl_compiler_for(conn.dialect)
            if not (compiler.creates_enum_types and self.native_enum and self.name):
                return
            if checkfirst and compiler.has_type(conn, self.name, self.schema) is create:
                return
            conn.execute(CreateEnumType(self) if create else DropEnumType(self))

    def _repr_args(self) -> list[str]:
        if self.enum_class is not None:
            return [self.enum_class.__name__]
        return [repr(e) for e in self.enums]

    def _cache_key(self) -> tuple[Any, ...]:
        return (Enum, self.enum_class, tuple(self.enums), self.name, self.native_enum,
                self.create_constraint, self.length)


class Uuid(TypeEngine):
    """A UUID: native on PostgreSQL, CHAR(32) hex elsewhere; ``uuid.UUID`` in Python."""

    __visit_name__ = "uuid"
    _affinity = "uuid"

    def __init__(self, as_uuid: bool = True, native_uuid: bool = True) -> None:
        self.as_uuid = as_uuid
        self.native_uuid = native_uuid

    @property
    def python_type(self) -> type:
        return uuid.UUID if self.as_uuid else str

    def _native(self, dialect: Any) -> bool:
        return self.native_uuid and bool(getattr(dialect, "supports_native_uuid", False))

    def _bind_proc(self, dialect: Any) -> Processor | None:
        if self._native(dialect):
            return None if self.as_uuid else _uuid_from_str
        UUID = uuid.UUID

        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, UUID):
                return value.hex
            return UUID(str(value)).hex

        return process

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        if self._native(dialect):
            return None if self.as_uuid else _uuid_to_str
        UUID = uuid.UUID
        if self.as_uuid:
            return lambda value: value if value is None or isinstance(value, UUID) else UUID(value)
        return lambda value: None if value is None else str(UUID(str(value)))

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        return self


class UUID(Uuid):
    """The SQL ``UUID`` type name (CHAR(32) where the database has no UUID type)."""

    __visit_name__ = "UUID"


def _uuid_from_str(value: Any) -> Any:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _uuid_to_str(value: Any) -> Any:
    return None if value is None else str(value)


class PickleType(TypeDecorator):
    """Any picklable Python object, stored as binary with :mod:`pickle`."""

    impl = LargeBinary
    cache_ok = True

    def __init__(
        self, protocol: int = pickle.HIGHEST_PROTOCOL, pickler: Any = None,
        comparator: Callable[[Any, Any], bool] | None = None, impl: Any = None,
    ) -> None:
        super().__init__()
        if impl is not None:
            self.__dict__["impl"] = to_instance(impl)
        self.protocol = protocol
        self.pickler = pickler or pickle
        self.comparator = comparator

    @property
    def python_type(self) -> type:
        return object

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else self.pickler.dumps(value, self.protocol)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else self.pickler.loads(value)


class ARRAY(TypeEngine):
    """A PostgreSQL array of ``item_type`` (Python lists); other databases have none."""

    __visit_name__ = "ARRAY"
    _affinity = "array"
    hashable = False

    def __init__(
        self, item_type: Any, as_tuple: bool = False, dimensions: int | None = None,
        zero_indexes: bool = False,
    ) -> None:
        if isinstance(item_type, ARRAY):
            raise exc.ArgumentError(
                "Creating ARRAY failed: the item type is itself an ARRAY. Use "
                "ARRAY(item_type, dimensions=2) for multi-dimensional arrays."
            )
        self.item_type = to_instance(item_type)
        self.as_tuple = as_tuple
        self.dimensions = dimensions
        self.zero_indexes = zero_indexes

    @property
    def python_type(self) -> type:
        return list

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        if self.as_tuple:
            return lambda value: None if value is None else _to_tuple(value)
        return None

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine:
        return self


def _to_tuple(value: Any) -> Any:
    return tuple(_to_tuple(v) if isinstance(v, list) else v for v in value)
