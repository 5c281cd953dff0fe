"""Types without a database: DDL names, processors (and their fast path), inference."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import Any

import pytest

from athanor import exc
from athanor.dialects.mysql import MySQLDialect
from athanor.dialects.postgresql import PostgreSQLDialect
from athanor.dialects.sqlite import SQLiteDialect
from athanor.sql import literal
from athanor.types import (
    ARRAY,
    BIGINT,
    DATETIME,
    INTEGER,
    JSON,
    TIMESTAMP,
    UUID,
    VARCHAR,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    NullType,
    Numeric,
    PickleType,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    TypeEngine,
    Unicode,
    UnicodeText,
    Uuid,
    type_for_value,
)

SQLITE, PG, MYSQL = SQLiteDialect(), PostgreSQLDialect(), MySQLDialect()
ALL = (SQLITE, PG, MYSQL)


def name(type_: Any, dialect: Any) -> str:
    return str(dialect.type_compiler(dialect).process(type_))


class Mood(enum.Enum):
    happy = "h"
    sad = "s"


@pytest.mark.parametrize(
    ("type_", "sqlite", "pg", "mysql"),
    [
        (Integer(), "INTEGER", "INTEGER", "INTEGER"),
        (BigInteger(), "BIGINT", "BIGINT", "BIGINT"),
        (SmallInteger(), "SMALLINT", "SMALLINT", "SMALLINT"),
        (String(30), "VARCHAR(30)", "VARCHAR(30)", "VARCHAR(30)"),
        (Unicode(5), "VARCHAR(5)", "VARCHAR(5)", "VARCHAR(5)"),
        (Text(), "TEXT", "TEXT", "LONGTEXT"),
        (UnicodeText(), "TEXT", "TEXT", "LONGTEXT"),
        (Boolean(), "BOOLEAN", "BOOLEAN", "BOOL"),
        (Float(), "FLOAT", "FLOAT", "DOUBLE"),
        (Double(), "DOUBLE", "DOUBLE PRECISION", "DOUBLE"),
        (Numeric(10, 2), "NUMERIC(10, 2)", "NUMERIC(10, 2)", "NUMERIC(10, 2)"),
        (Numeric(30, 10), "TEXT", "NUMERIC(30, 10)", "NUMERIC(30, 10)"),
        (Numeric(), "NUMERIC", "NUMERIC", "DECIMAL(38, 10)"),
        (Date(), "DATE", "DATE", "DATE"),
        (DateTime(), "DATETIME", "TIMESTAMP WITHOUT TIME ZONE", "DATETIME(6)"),
        (DateTime(timezone=True), "DATETIME", "TIMESTAMP WITH TIME ZONE", "DATETIME(6)"),
        (Time(), "TIME", "TIME WITHOUT TIME ZONE", "TIME(6)"),
        (Interval(), "BIGINT", "INTERVAL", "BIGINT"),
        (LargeBinary(), "BLOB", "BYTEA", "LONGBLOB"),
        (JSON(), "TEXT", "JSON", "JSON"),
        (Uuid(), "CHAR(32)", "UUID", "CHAR(32)"),
        (UUID(), "CHAR(32)", "UUID", "CHAR(32)"),
        (Enum(Mood), "VARCHAR(5)", "mood", "ENUM('happy', 'sad')"),
        (INTEGER(), "INTEGER", "INTEGER", "INTEGER"),
        (BIGINT(), "BIGINT", "BIGINT", "BIGINT"),
        (VARCHAR(9), "VARCHAR(9)", "VARCHAR(9)", "VARCHAR(9)"),
        (TIMESTAMP(), "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP"),
        (DATETIME(), "DATETIME", "TIMESTAMP WITHOUT TIME ZONE", "DATETIME"),
        (PickleType(), "BLOB", "BYTEA", "LONGBLOB"),
    ],
)
def test_type_ddl_names(type_: TypeEngine, sqlite: str, pg: str, mysql: str) -> None:
    assert (name(type_, SQLITE), name(type_, PG), name(type_, MYSQL)) == (sqlite, pg, mysql)


def test_generic_compile_and_str() -> None:
    assert String(20).compile() == "VARCHAR(20)"
    assert str(Numeric(5, 1)) == "NUMERIC(5, 1)"
    assert Integer().compile(PG) == "INTEGER"
    assert name(ARRAY(Integer), PG) == "INTEGER[]"
    with pytest.raises(exc.UnsupportedCompilationError, match="no array type"):
        name(ARRAY(Integer), SQLITE)
    with pytest.raises(exc.CompileError, match="no type"):
        name(NullType(), SQLITE)


@pytest.mark.parametrize("dialect", ALL, ids=lambda d: d.name)
def test_fast_path_types_need_no_processors(dialect: Any) -> None:
    for t in (Integer(), BigInteger(), String(10), Text(), Float(), LargeBinary(),
              Enum("a", "b")):
        assert t.bind_processor(dialect) is None, t
        assert t.result_processor(dialect, None) is None, t


def test_native_types_on_postgresql_need_no_processors() -> None:
    for t in (Boolean(), Numeric(10, 2), Date(), DateTime(), DateTime(timezone=True), Time(),
              Interval(), Uuid()):
        assert t.bind_processor(PG) is None, t
        assert t.result_processor(PG, None) is None, t
    assert JSON().result_processor(PG, None) is None  # psycopg decodes json itself


def test_boolean_is_read_back_as_bool_without_native_boolean() -> None:
    for dialect in (SQLITE, MYSQL):
        proc = Boolean().result_processor(dialect, None)
        assert proc is not None and proc(1) is True and proc(0) is False and proc(None) is None


def test_sqlite_numeric_is_exact_text_in_and_decimal_out() -> None:
    t = Numeric(10, 2)
    bind, result = t.bind_processor(SQLITE), t.result_processor(SQLITE, None)
    assert bind(decimal.Decimal("1.1")) == "1.10"
    assert bind(2) == "2.00" and bind(None) is None
    assert result(1.1) == decimal.Decimal("1.10") and result(7) == decimal.Decimal("7.00")
    wide = Numeric(30, 10)
    value = decimal.Decimal("12345678901234567890.0123456789")
    assert wide.result_processor(SQLITE, None)(wide.bind_processor(SQLITE)(value)) == value
    assert Numeric(asdecimal=False).result_processor(SQLITE, None)("1.5") == 1.5


def test_float_asdecimal() -> None:
    assert Float(asdecimal=True).result_processor(PG, None)(0.1) == decimal.Decimal("0.1")
    assert Numeric(asdecimal=False).result_processor(PG, None)(decimal.Decimal("2.5")) == 2.5


def test_sqlite_datetimes_are_iso_text() -> None:
    bind = DateTime().bind_processor(SQLITE)
    assert bind(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05.000000"
    aware = dt.datetime(2024, 1, 2, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    tz = DateTime(timezone=True)
    stored = tz.bind_processor(SQLITE)(aware)
    assert stored == "2024-01-02 01:00:00.000000"
    back = tz.result_processor(SQLITE, None)(stored)
    assert back == aware and back.tzinfo is dt.timezone.utc
    assert DateTime().result_processor(SQLITE, None)("2024-01-02 03:04:05") == dt.datetime(
        2024, 1, 2, 3, 4, 5
    )
    assert Date().bind_processor(SQLITE)(dt.date(2024, 5, 6)) == "2024-05-06"
    assert Time().result_processor(SQLITE, None)("10:11:12.000013") == dt.time(10, 11, 12, 13)


def test_mysql_time_and_timezones() -> None:
    assert Time().result_processor(MYSQL, None)(dt.timedelta(hours=1, microseconds=5)) == (
        dt.time(1, 0, 0, 5)
    )
    aware = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert DateTime(timezone=True).bind_processor(MYSQL)(aware) == dt.datetime(2024, 1, 1, 17)
    assert DateTime(timezone=True).result_processor(MYSQL, None)(
        dt.datetime(2024, 1, 1, 17)
    ) == aware
    assert DateTime().result_processor(MYSQL, None) is None


def test_interval_emulated_as_microseconds() -> None:
    delta = dt.timedelta(days=-2, seconds=3, microseconds=4)
    for dialect in (SQLITE, MYSQL):
        stored = Interval().bind_processor(dialect)(delta)
        assert isinstance(stored, int)
        assert Interval().result_processor(dialect, None)(stored) == delta


def test_uuid_as_hex_where_not_native() -> None:
    u = uuid.uuid4()
    for dialect in (SQLITE, MYSQL):
        stored = Uuid().bind_processor(dialect)(u)
        assert stored == u.hex
        assert Uuid().result_processor(dialect, None)(stored) == u
        assert Uuid().bind_processor(dialect)(str(u)) == u.hex
        assert Uuid(as_uuid=False).result_processor(dialect, None)(u.hex) == str(u)
    assert Uuid(as_uuid=False).result_processor(PG, None)(u) == str(u)


def test_json_none_handling() -> None:
    bind = JSON().bind_processor(SQLITE)
    assert bind({"a": [1, None]}) == '{"a": [1, null]}'
    assert bind(None) == "null" and bind(JSON.NULL) == "null"
    assert JSON(none_as_null=True).bind_processor(SQLITE)(None) is None
    assert JSON().result_processor(SQLITE, None)('{"a": 1}') == {"a": 1}
    assert JSON().result_processor(MYSQL, None)("null") is None
    assert not JSON.hashable


def test_enum_with_python_enum_stores_names() -> None:
    t = Enum(Mood)
    assert t.enums == ["happy", "sad"] and t.length == 5 and t.name == "mood"
    assert t.python_type is Mood
    for dialect in ALL:
        assert t.bind_processor(dialect)(Mood.sad) == "sad"
        assert t.bind_processor(dialect)("happy") == "happy"
        assert t.result_processor(dialect, None)("sad") is Mood.sad
    with pytest.raises(LookupError, match="not one of its values"):
        t.bind_processor(SQLITE)("angry")
    with pytest.raises(LookupError, match="not one of its values"):
        t.result_processor(SQLITE, None)("angry")
    by_value = Enum(Mood, values_callable=lambda cls: [m.value for m in cls])
    assert by_value.bind_processor(PG)(Mood.happy) == "h"
    assert by_value.result_processor(PG, None)("s") is Mood.sad


def test_enum_of_strings() -> None:
    t = Enum("small", "large", name="size")
    assert t.enums == ["small", "large"] and t.length == 5 and t.python_type is str
    strict = Enum("a", "b", validate_strings=True)
    with pytest.raises(LookupError):
        strict.bind_processor(SQLITE)("c")


class LowerString(TypeDecorator):
    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else value.lower()

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else value.upper()


class Cents(TypeDecorator):
    impl = Integer
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> TypeEngine:
        return BigInteger() if dialect.name == "postgresql" else self.impl

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else int(value * 100)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else decimal.Decimal(value) / 100


def test_type_decorator() -> None:
    t = LowerString(20)
    assert t.impl.length == 20 and t.length == 20 and t.python_type is str
    assert name(t, MYSQL) == "VARCHAR(20)"
    assert t.bind_processor(SQLITE)("AbC") == "abc"
    assert t.result_processor(SQLITE, None)("abc") == "ABC"
    assert name(Cents(), PG) == "BIGINT" and name(Cents(), SQLITE) == "INTEGER"
    assert Cents().bind_processor(SQLITE)(decimal.Decimal("1.25")) == 125


def test_type_decorator_chains_impl_processors() -> None:
    class When(TypeDecorator):
        impl = DateTime
        cache_ok = True

        def process_result_value(self, value: Any, dialect: Any) -> Any:
            return value.date() if value is not None else None

    proc = When().result_processor(SQLITE, None)
    assert proc("2024-01-02 03:04:05.000000") == dt.date(2024, 1, 2)


def test_type_decorator_needs_impl() -> None:
    class Broken(TypeDecorator):
        pass

    with pytest.raises(exc.ArgumentError, match="impl"):
        Broken()


def test_pickle_type_round_trips_objects() -> None:
    t = PickleType()
    value = {"a": {1, 2}, "b": (3, "x")}
    stored = t.bind_processor(SQLITE)(value)
    assert isinstance(stored, bytes)
    assert t.result_processor(SQLITE, None)(stored) == value


def test_with_variant_picks_per_dialect() -> None:
    t = String(10).with_variant(Text(), "postgresql")
    assert name(t, PG) == "TEXT" and name(t, SQLITE) == "VARCHAR(10)"


def test_type_for_value() -> None:
    assert isinstance(type_for_value(5), Integer)
    assert isinstance(type_for_value(True), Boolean)
    assert isinstance(type_for_value("x"), String)
    assert isinstance(type_for_value(1.5), Float)
    assert isinstance(type_for_value(decimal.Decimal("1")), Numeric)
    assert isinstance(type_for_value(dt.datetime.now()), DateTime)
    assert type_for_value(dt.datetime.now(dt.timezone.utc)).timezone is True
    assert isinstance(type_for_value(dt.date.today()), Date)
    assert isinstance(type_for_value(dt.time()), Time)
    assert isinstance(type_for_value(dt.timedelta()), Interval)
    assert isinstance(type_for_value(b"x"), LargeBinary)
    assert isinstance(type_for_value(uuid.uuid4()), Uuid)
    assert type_for_value(Mood.happy).enum_class is Mood
    assert isinstance(type_for_value({"a": 1}), JSON)
    assert isinstance(type_for_value(None), NullType)
    assert isinstance(type_for_value(object()), NullType)
    assert isinstance(literal(uuid.uuid4()).type, Uuid)


def test_python_types() -> None:
    assert Integer().python_type is int and String().python_type is str
    assert Numeric().python_type is decimal.Decimal and Float().python_type is float
    assert DateTime().python_type is dt.datetime and Interval().python_type is dt.timedelta
    assert Uuid().python_type is uuid.UUID and LargeBinary().python_type is bytes


def test_cache_keys_follow_arguments_not_caches() -> None:
    a, b = String(10), String(10)
    a.bind_processor(SQLITE)
    assert a._static_cache_key == b._static_cache_key
    assert String(11)._static_cache_key != b._static_cache_key
    assert Enum(Mood)._static_cache_key == Enum(Mood)._static_cache_key
    hash(JSON()._static_cache_key)
    hash(LowerString(5)._static_cache_key)


def test_string_plus_is_concatenation() -> None:
    from athanor.sql import column

    assert str(column("a", String()) + "x") == "a || :a_1"


def test_repr() -> None:
    assert repr(String(5)) == "String(5)"
    assert repr(Numeric(10, 2)) == "Numeric(precision=10, scale=2)"
    assert repr(DateTime(timezone=True)) == "DateTime(timezone=True)"
    assert repr(Enum(Mood)) == "Enum(Mood)"


def test_compared_value_type_is_remembered_per_instance_not_per_copy() -> None:
    from athanor import Integer, String

    s = String(10)
    assert s.coerce_compared_value(None, "x") is s  # same family: the column's own type
    assert s.coerce_compared_value(None, "y") is s  # (served from the per-type memo)
    wider = s.copy(length=20)
    assert wider.coerce_compared_value(None, "x") is wider
    assert isinstance(s.coerce_compared_value(None, 5), Integer)
