"""The generic scalar types: numbers, strings, booleans, dates and times, binary.

Each class holds its arguments and its *driver-native* processors: what it needs where the
database and driver already give the right Python value (usually nothing: ``None``). Where a
database stores the type differently, the vendor's storage table in
``athanor/dialects/<vendor>/ddl.py`` supplies the processors instead (see
:mod:`athanor.sql.type_api`); the small conversion functions those tables share live at the
bottom of this module so every vendor uses one tested implementation.

Storage choices where a database lacks a native type (table and details: docs/types.md):

* SQLite dates and times are ISO-8601 text with microseconds ("2024-01-31 12:00:00.000000"),
  which sorts and compares correctly as text. ``DateTime(timezone=True)`` values are stored as
  UTC and come back as aware datetimes in UTC (SQLite and MariaDB); naive values in such a
  column are taken to be UTC.
* SQLite ``Numeric``: stored with NUMERIC affinity (SQL comparisons and arithmetic work), exact
  up to 15 significant digits; columns declared with ``precision > 15`` are stored as exact
  decimal text instead (then SQL-side ordering of that column is textual).
* ``Interval`` outside PostgreSQL is a BIGINT count of microseconds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import Any

from athanor.sql.type_api import NULLTYPE, Processor, TypeEngine

UTC = dt.timezone.utc


class Integer(TypeEngine):
    """A 32-bit (or the database's default) integer; Python ``int``."""

    __visit_name__ = "integer"
    _affinity = "integer"

    @property
    def python_type(self) -> type:
        return int

    def literal_processor(self, dialect: Any) -> Any:
        return lambda value: str(int(value))


class SmallInteger(Integer):
    """A 16-bit integer."""

    __visit_name__ = "small_integer"


class BigInteger(Integer):
    """A 64-bit integer."""

    __visit_name__ = "big_integer"


class Numeric(TypeEngine):
    """A fixed-precision number: ``Decimal`` (or ``float`` with ``asdecimal=False``)."""

    __visit_name__ = "numeric"
    _affinity = "numeric"

    def __init__(
        self,
        precision: int | None = None,
        scale: int | None = None,
        decimal_return_scale: int | None = None,
        asdecimal: bool = True,
    ) -> None:
        self.precision = precision
        self.scale = scale
        self.decimal_return_scale = decimal_return_scale
        self.asdecimal = asdecimal

    @property
    def python_type(self) -> type:
        return decimal.Decimal if self.asdecimal else float

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        if self.asdecimal:
            return None
        return _to_float

    def literal_processor(self, dialect: Any) -> Any:
        return str

    def _repr_args(self) -> list[str]:
        args = []
        if self.precision is not None:
            args.append(f"precision={self.precision}")
        if self.scale is not None:
            args.append(f"scale={self.scale}")
        if self.asdecimal is not type(self)().asdecimal:
            args.append(f"asdecimal={self.asdecimal}")
        return args


class Float(Numeric):
    """A floating-point number (double precision unless ``precision`` says fewer bits)."""

    __visit_name__ = "float"

    def __init__(
        self,
        precision: int | None = None,
        asdecimal: bool = False,
        decimal_return_scale: int | None = None,
    ) -> None:
        super().__init__(precision, None, decimal_return_scale, asdecimal)

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        return _float_to_decimal if self.asdecimal else None


class Double(Float):
    """A double-precision float."""

    __visit_name__ = "double"


class String(TypeEngine):
    """A variable-length string; Python ``str``. ``length`` is required by MySQL/MariaDB."""

    __visit_name__ = "string"
    _affinity = "string"

    def __init__(self, length: int | None = None, collation: str | None = None) -> None:
        self.length = length
        self.collation = collation

    @property
    def python_type(self) -> type:
        return str

    def literal_processor(self, dialect: Any) -> Any:
        return lambda value: "'" + str(value).replace("'", "''") + "'"

    def _adapt_expression(self, op: Any, other: TypeEngine) -> tuple[Any, TypeEngine]:
        from athanor.sql import operators

        if op is operators.add and other._affinity in ("string", "null"):
            return operators.concat, self
        return op, self

    def _repr_args(self) -> list[str]:
        args = [] if self.length is None else [str(self.length)]
        if self.collation is not None:
            args.append(f"collation={self.collation!r}")
        return args


class Text(String):
    """An unbounded string (TEXT / CLOB)."""

    __visit_name__ = "text"


class Unicode(String):
    """A string for any Unicode text (every athanor string is; kept for compatibility)."""

    __visit_name__ = "unicode"


class UnicodeText(Text):
    """An unbounded Unicode string."""

    __visit_name__ = "unicode_text"


class Boolean(TypeEngine):
    """True/False; stored as 0/1 where the database has no boolean (SQLite, MariaDB)."""

    __visit_name__ = "boolean"
    _affinity = "boolean"

    def __init__(self, create_constraint: bool = False, name: str | None = None) -> None:
        self.create_constraint = create_constraint
        self.name = name

    @property
    def python_type(self) -> type:
        return bool

    def _result_proc(self, dialect: Any, coltype: Any) -> Processor | None:
        if getattr(dialect, "supports_native_boolean", False):
            return None
        return _int_to_bool

    def literal_processor(self, dialect: Any) -> Any:
        if getattr(dialect, "supports_native_boolean", False):
            return lambda value: "true" if value else "false"
        return lambda value: "1" if value else "0"


class Date(TypeEngine):
    """A calendar date; Python ``datetime.date``."""

    __visit_name__ = "date"
    _affinity = "date"

    @property
    def python_type(self) -> type:
        return dt.date


class DateTime(TypeEngine):
    """A date and time; ``timezone=True`` keeps aware datetimes (see module notes)."""

    __visit_name__ = "datetime"
    _affinity = "datetime"

    def __init__(self, timezone: bool = False) -> None:
        self.timezone = timezone

    @property
    def python_type(self) -> type:
        return dt.datetime

    def _repr_args(self) -> list[str]:
        return ["timezone=True"] if self.timezone else []


class Time(TypeEngine):
    """A time of day; Python ``datetime.time``."""

    __visit_name__ = "time"
    _affinity = "time"

    def __init__(self, timezone: bool = False) -> None:
        self.timezone = timezone

    @property
    def python_type(self) -> type:
        return dt.time


class Interval(TypeEngine):
    """A duration; Python ``datetime.timedelta`` (native on PostgreSQL, microseconds elsewhere)."""

    __visit_name__ = "interval"
    _affinity = "interval"

    def __init__(
        self, native: bool = True, second_precision: int | None = None,
        day_precision: int | None = None,
    ) -> None:
        self.native = native
        self.second_precision = second_precision
        self.day_precision = day_precision

    @property
    def python_type(self) -> type:
        return dt.timedelta


class LargeBinary(TypeEngine):
    """Binary data; Python ``bytes``."""

    __visit_name__ = "large_binary"
    _affinity = "binary"

    def __init__(self, length: int | None = None) -> None:
        self.length = length

    @property
    def python_type(self) -> type:
        return bytes



# -- SQL-standard uppercase names: render exactly that name ---------------------------------


class INTEGER(Integer):
    __visit_name__ = "INTEGER"


class INT(INTEGER):
    pass


class SMALLINT(SmallInteger):
    __visit_name__ = "SMALLINT"


class BIGINT(BigInteger):
    __visit_name__ = "BIGINT"


class NUMERIC(Numeric):
    __visit_name__ = "NUMERIC"


class DECIMAL(Numeric):
    __visit_name__ = "DECIMAL"


class FLOAT(Float):
    __visit_name__ = "FLOAT"


class REAL(Float):
    __visit_name__ = "REAL"


class DOUBLE(Double):
    __visit_name__ = "DOUBLE"


class DOUBLE_PRECISION(Double):
    __visit_name__ = "DOUBLE_PRECISION"


class VARCHAR(String):
    __visit_name__ = "VARCHAR"


class NVARCHAR(Unicode):
    __visit_name__ = "NVARCHAR"


class CHAR(String):
    __visit_name__ = "CHAR"


class NCHAR(Unicode):
    __visit_name__ = "NCHAR"


class TEXT(Text):
    __visit_name__ = "TEXT"


class CLOB(Text):
    __visit_name__ = "CLOB"


class BOOLEAN(Boolean):
    __visit_name__ = "BOOLEAN"


class DATE(Date):
    __visit_name__ = "DATE"


class DATETIME(DateTime):
    __visit_name__ = "DATETIME"


class TIMESTAMP(DateTime):
    __visit_name__ = "TIMESTAMP"


class TIME(Time):
    __visit_name__ = "TIME"


class BLOB(LargeBinary):
    __visit_name__ = "BLOB"


class BINARY(LargeBinary):
    __visit_name__ = "BINARY"


class VARBINARY(LargeBinary):
    __visit_name__ = "VARBINARY"


# -- conversion functions shared by the vendor storage tables ------------------------------


def _to_float(value: Any) -> Any:
    return None if value is None else float(value)


def _float_to_decimal(value: Any) -> Any:
    return None if value is None else decimal.Decimal(repr(value))


def _int_to_bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _to_bytes(value: Any) -> Any:
    if value is None or type(value) is bytes:
        return value
    return bytes(value)


def numeric_text_bind(type_: Numeric, dialect: Any) -> Processor | None:
    """Bind Decimals as exact decimal text, quantized to the scale (one spelling per value)."""
    Decimal = decimal.Decimal
    scale = type_.scale
    quantum = Decimal(1).scaleb(-scale) if scale is not None else None
    context = decimal.Context(prec=max(type_.precision or 0, 28) + 2)

    def process(value: Any) -> Any:
        if value is None or isinstance(value, (str, bool)):
            return value
        if not isinstance(value, Decimal):
            if not isinstance(value, (int, float)):
                return value  # not a number: let the database judge it
            value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if quantum is not None and value.is_finite():
            value = value.quantize(quantum, context=context)
        return str(value)

    return process


def numeric_text_result(type_: Numeric, dialect: Any, coltype: Any) -> Processor | None:
    """Read numbers or decimal text back as Decimal quantized to the column's scale."""
    if not type_.asdecimal:
        return _to_float
    scale = type_.scale if type_.scale is not None else type_.decimal_return_scale
    Decimal = decimal.Decimal
    if scale is None:
        return lambda value: None if value is None else Decimal(str(value))
    quantum = Decimal(1).scaleb(-scale)
    context = decimal.Context(prec=max(type_.precision or 0, 28) + 2)

    def process(value: Any) -> Any:
        if value is None:
            return None
        return Decimal(str(value)).quantize(quantum, context=context)

    return process


def date_text_bind(type_: Any, dialect: Any) -> Processor | None:
    def process(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value  # None, text, or another type (e.g. an interval in date arithmetic)

    return process


def date_text_result(type_: Any, dialect: Any, coltype: Any) -> Processor | None:
    fromiso = dt.date.fromisoformat

    def process(value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        return fromiso(value[:10])

    return process


def datetime_to_utc_naive(value: dt.datetime) -> dt.datetime:
    """An aware datetime as the naive datetime of the same instant in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None)


def datetime_text_bind(type_: DateTime, dialect: Any) -> Processor | None:
    """ISO text with microseconds; aware values become UTC (see the module notes)."""

    def process(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = datetime_to_utc_naive(value)
            return value.isoformat(" ", "microseconds")
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day).isoformat(" ", "microseconds")
        return value  # None, text, or another type (e.g. an interval in date arithmetic)

    return process


def datetime_text_result(type_: DateTime, dialect: Any, coltype: Any) -> Processor | None:
    fromiso = dt.datetime.fromisoformat
    if type_.timezone:

        def process_tz(value: Any) -> Any:
            if value is None:
                return None
            parsed = fromiso(value) if isinstance(value, str) else value
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)

        return process_tz

    def process(value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        return fromiso(value)

    return process


def datetime_utc_bind(type_: DateTime, dialect: Any) -> Processor | None:
    """For drivers that ignore tzinfo: send aware values as naive UTC."""

    def process(value: Any) -> Any:
        if value is not None and getattr(value, "tzinfo", None) is not None:
            return datetime_to_utc_naive(value)
        return value

    return process


def datetime_utc_result(type_: DateTime, dialect: Any, coltype: Any) -> Processor | None:
    """Naive UTC from the driver becomes aware UTC for ``timezone=True`` columns."""
    if not type_.timezone:
        return None

    def process(value: Any) -> Any:
        if value is None or not isinstance(value, dt.datetime):
            return value
        return value.replace(tzinfo=UTC)

    return process


def time_text_bind(type_: Any, dialect: Any) -> Processor | None:
    def process(value: Any) -> Any:
        if isinstance(value, dt.time):
            return value.isoformat("microseconds")
        return value

    return process


def time_text_result(type_: Any, dialect: Any, coltype: Any) -> Processor | None:
    fromiso = dt.time.fromisoformat

    def process(value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        return fromiso(value)

    return process


_MIDNIGHT = dt.datetime(2000, 1, 1)


def time_from_timedelta_result(type_: Any, dialect: Any, coltype: Any) -> Processor | None:
    """Drivers (PyMySQL) that return TIME as a timedelta since midnight."""

    def process(value: Any) -> Any:
        if value is None or not isinstance(value, dt.timedelta):
            return value
        return (_MIDNIGHT + value).time()

    return process


_MICROSECOND = dt.timedelta(microseconds=1)


def interval_micros_bind(type_: Any, dialect: Any) -> Processor | None:
    """Store a timedelta as a whole number of microseconds."""

    def process(value: Any) -> Any:
        if isinstance(value, dt.timedelta):
            return value // _MICROSECOND
        return value

    return process


def interval_micros_result(type_: Any, dialect: Any, coltype: Any) -> Processor | None:
    def process(value: Any) -> Any:
        if value is None:
            return None
        return dt.timedelta(microseconds=int(value))

    return process


# -- type inference for literals ----------------------------------------------------------

_BY_CLASS: dict[type, TypeEngine] = {
    int: Integer(),
    float: Float(),
    str: String(),
    bytes: LargeBinary(),
    bool: Boolean(),
    decimal.Decimal: Numeric(),
    dt.datetime: DateTime(),
    dt.date: Date(),
    dt.time: Time(),
    dt.timedelta: Interval(),
}
_AWARE = DateTime(timezone=True)


def infer_type(value: Any) -> TypeEngine:
    """The type for a literal Python value; NullType when nothing fits."""
    found = _BY_CLASS.get(type(value))
    if found is not None:
        if found is _BY_CLASS[dt.datetime] and value.tzinfo is not None:
            return _AWARE
        return found
    from athanor.sql import structtypes

    if isinstance(value, uuid.UUID):
        return structtypes.Uuid()
    if isinstance(value, enum.Enum):
        return structtypes.Enum(type(value))
    if isinstance(value, dict):
        return structtypes.JSON()
    for klass, type_ in _BY_CLASS.items():
        if isinstance(value, klass):
            return type_
    return NULLTYPE



def __getattr__(name: str) -> Any:
    # SQLAlchemy keeps every type in sqltypes; the structured ones live in structtypes here.
    if name in ("Enum", "JSON", "Uuid", "UUID", "PickleType", "ARRAY"):
        from athanor.sql import structtypes

        return getattr(structtypes, name)
    raise AttributeError(f"module 'athanor.sql.sqltypes' has no attribute {name!r}")
