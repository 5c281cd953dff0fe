"""Declarative mapping: tables from classes, annotations, constructor, class attributes as SQL."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest

import athanor
from athanor import Column, Integer, MetaData, String, Table, select
from athanor.ext.declarative import declarative_base as ext_declarative_base
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    declarative_base,
    declared_attr,
    mapped_column,
    registry,
)
from athanor.orm.exc import MappingError, UnmappedClassError
from athanor.sql import sqltypes

# Annotated column types, as SQLAlchemy's docs recommend (module level: annotations are text)
intpk = Annotated[int, mapped_column(primary_key=True)]
str30 = Annotated[str, 30]
required_name = Annotated[str, mapped_column(String(40), nullable=False, index=True)]


def test_declarative_base_is_importable_from_both_paths() -> None:
    assert ext_declarative_base is declarative_base


def test_tablename_and_columns_make_a_table_in_base_metadata() -> None:
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "customer"
        id = Column(String(20), primary_key=True)
        name = Column(String(16))

    assert Customer.__table__ is Base.metadata.tables["customer"]
    assert [c.name for c in Customer.__table__.columns] == ["id", "name"]
    assert Customer.__table__.c.id.primary_key


def test_annotated_columns_infer_types_and_nullability() -> None:
    class Base(DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "thing"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(20))
        note: Mapped[str | None] = mapped_column(String(50))
        price: Mapped[Decimal]
        when: Mapped[datetime.datetime | None]
        flag: Mapped[bool]
        ratio: Mapped[float | None]

    c = Thing.__table__.c
    assert isinstance(c.id.type, sqltypes.Integer) and c.id.primary_key
    assert c.name.nullable is False
    assert c.note.nullable is True
    assert isinstance(c.price.type, sqltypes.Numeric) and c.price.nullable is False
    assert isinstance(c.when.type, sqltypes.DateTime) and c.when.nullable is True
    assert isinstance(c.flag.type, sqltypes.Boolean)
    assert isinstance(c.ratio.type, sqltypes.Float) and c.ratio.nullable is True


def test_string_annotations_are_resolved() -> None:
    ns: dict[str, Any] = {}
    code = (
        "from __future__ import annotations\n"
        "from typing import Optional\n"
        "from athanor.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Item(Base):\n"
        "    __tablename__ = 'item'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    qty: Mapped[Optional[int]]\n"
    )
    exec(compile(code, "<models>", "exec"), ns)
    assert ns["Item"].__table__.c.qty.nullable is True


def test_table_args_tuple_and_dict() -> None:
    from athanor import UniqueConstraint

    Base = declarative_base()

    class A(Base):
        __tablename__ = "a"
        __table_args__ = (UniqueConstraint("x", name="uq_a_x"), {"comment": "table a"})
        id = Column(Integer, primary_key=True)
        x = Column(Integer)

    class B(Base):
        __tablename__ = "b"
        __table_args__ = {"comment": "table b"}
        id = Column(Integer, primary_key=True)

    assert any(getattr(c, "name", None) == "uq_a_x" for c in A.__table__.constraints)
    assert B.__table__.comment == "table b"


def test_explicit_table_and_mapper_args() -> None:
    md = MetaData()
    t = Table("legacy", md, Column("code", String(5)), Column("label", String(20)))
    Base = declarative_base(metadata=md)

    class Legacy(Base):
        __table__ = t
        __mapper_args__ = {"primary_key": [t.c.code]}

    assert athanor.inspect(Legacy).primary_key == (t.c.code,)


def test_mixin_columns_are_copied_per_class() -> None:
    class Base(DeclarativeBase):
        pass

    class Stamped:
        created = Column(Integer, default=0)

        @declared_attr
        def __tablename__(cls) -> str:  # noqa: N805
            return cls.__name__.lower()

    class One(Stamped, Base):
        id = Column(Integer, primary_key=True)

    class Two(Stamped, Base):
        id = Column(Integer, primary_key=True)

    assert One.__table__.name == "one" and Two.__table__.name == "two"
    assert One.__table__.c.created is not Two.__table__.c.created


def test_annotated_types_declared_attr_return_types_and_column_order() -> None:
    from athanor import ForeignKey

    class Base(DeclarativeBase):
        type_annotation_map = {str30: String(30)}  # noqa: RUF012

    class Stamped:
        created: Mapped[int] = mapped_column(default=0)
        first: Mapped[int] = mapped_column(default=0, sort_order=-10)

    class HasOwner:
        @declared_attr
        def owner_id(cls) -> Mapped[int | None]:  # noqa: N805 - the type is the return type
            return mapped_column(ForeignKey("owner.id"))

    class Owner(Base):
        __tablename__ = "owner"
        id: Mapped[intpk]

    class Doc(Stamped, HasOwner, Base):
        __tablename__ = "doc"
        id: Mapped[intpk]
        title: Mapped[str30]
        name: Mapped[required_name] = mapped_column(unique=True)

    t = Doc.__table__
    # own columns first, then mixins in MRO order; sort_order moves a column
    assert list(t.c.keys()) == ["first", "id", "title", "name", "created", "owner_id"]
    assert t.c.id.primary_key and isinstance(t.c.id.type, sqltypes.Integer)
    assert isinstance(t.c.title.type, sqltypes.String) and t.c.title.type.length == 30
    assert t.c.name.type.length == 40 and t.c.name.unique and not t.c.name.nullable
    assert isinstance(t.c.owner_id.type, sqltypes.Integer) and t.c.owner_id.nullable
    assert [ix.name for ix in t.indexes] == ["ix_doc_name"]


def test_class_attributes_are_sql_expressions() -> None:
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "customer"
        id = Column(String(20), primary_key=True)
        name = Column(String(16))

    expr = Customer.name == "dave"
    assert "customer.name = " in str(expr)
    sql = str(select(Customer.id).where(Customer.name.like("d%")).order_by(Customer.name.desc()))
    assert "SELECT customer.id" in sql and "LIKE" in sql and "DESC" in sql
    assert "FROM customer" in str(select(Customer))


def test_default_constructor_rejects_unknown_keywords_naming_attributes() -> None:
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "customer"
        id = Column(String(20), primary_key=True)
        name = Column(String(16))

    c = Customer(id="x", name="dave")
    assert (c.id, c.name) == ("x", "dave")
    with pytest.raises(TypeError) as info:
        Customer(nmae="dave")
    msg = str(info.value)
    assert "Customer" in msg and "'nmae'" in msg and "id, name" in msg


def test_user_init_and_repr_are_kept() -> None:
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "customer"
        id = Column(String(20), primary_key=True)
        name = Column(String(16))

        def __init__(self, name: str) -> None:
            self.name = name.upper()

        def __repr__(self) -> str:
            return f"<Customer {self.name}>"

    assert repr(Customer("dave")) == "<Customer DAVE>"


def test_unset_attributes_read_as_none_on_transient_objects() -> None:
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "customer"
        id = Column(String(20), primary_key=True)
        name = Column(String(16))

    assert Customer().name is None


def test_no_primary_key_is_a_mapping_error() -> None:
    Base = declarative_base()
    with pytest.raises(MappingError, match="no primary key"):

        class Bad(Base):
            __tablename__ = "bad"
            x = Column(Integer)


def test_registry_mapped_decorator_and_generate_base() -> None:
    reg = registry()

    @reg.mapped
    class Note:
        __tablename__ = "note"
        id = Column(Integer, primary_key=True)

    Base = reg.generate_base()

    class Other(Base):
        __tablename__ = "other"
        id = Column(Integer, primary_key=True)

    assert set(reg.metadata.tables) == {"note", "other"}
    assert {m.class_ for m in reg.mappers} == {Note, Other}


def test_inspect_mapper() -> None:
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "customer"
        id = Column(String(20), primary_key=True)
        name = Column(String(16))

    m = athanor.inspect(Customer)
    assert m.class_ is Customer
    assert [c.name for c in m.columns] == ["id", "name"]
    assert m.primary_key == (Customer.__table__.c.id,)
    assert list(m.attrs.keys()) == ["id", "name"]
    assert m.attrs.name.column is Customer.__table__.c.name


def test_unmapped_class_errors() -> None:
    from athanor.orm import class_mapper

    class Plain:
        pass

    with pytest.raises(UnmappedClassError, match="Plain"):
        class_mapper(Plain)


def test_configure_mappers_prepares_loaders() -> None:
    from athanor.orm import configure_mappers

    Base = declarative_base()

    class Thing(Base):
        __tablename__ = "thing_cfg"
        id = Column(Integer, primary_key=True)

    configure_mappers()
    assert any(k[0] == "loader_code" for k in athanor.inspect(Thing)._stmt_cache)
