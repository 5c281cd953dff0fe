"""athanor.ext.automap: classes and relationships generated from reflected tables."""

from __future__ import annotations

import re
from typing import Any

import pytest

from athanor import Column, ForeignKey, Integer, MetaData, String, Table, select
from athanor.ext.automap import AutomapBase, automap_base
from athanor.orm import (
    MANYTOMANY,
    MANYTOONE,
    ONETOMANY,
    Session,
    class_mapper,
    relationship,
)


def _schema(engine: Any) -> None:
    md = MetaData()
    Table("am_user", md, Column("id", Integer, primary_key=True), Column("name", String(30)))
    Table("am_address", md, Column("id", Integer, primary_key=True),
          Column("email", String(50)),
          Column("user_id", Integer, ForeignKey("am_user.id"), nullable=False))
    Table("am_keyword", md, Column("id", Integer, primary_key=True), Column("word", String(20)))
    Table("am_user_keyword", md,
          Column("user_id", Integer, ForeignKey("am_user.id"), primary_key=True),
          Column("keyword_id", Integer, ForeignKey("am_keyword.id"), primary_key=True))
    Table("am_node", md, Column("id", Integer, primary_key=True),
          Column("parent_id", Integer, ForeignKey("am_node.id")))
    Table("am_log", md, Column("line", String(20)))  # no primary key: not mapped
    md.create_all(engine)


@pytest.fixture
def schema(engine: Any) -> Any:
    _schema(engine)
    return engine


def _rels(cls: type) -> dict[str, tuple[str, str | None]]:
    return {r.key: (r.direction if isinstance(r.direction, str) else r.direction.name,
                    r.back_populates) for r in class_mapper(cls).relationships}


def test_prepare_maps_tables_and_relates_them(schema: Any) -> None:
    Base = automap_base()  # noqa: N806 - the documented spelling
    Base.prepare(autoload_with=schema)
    assert sorted(Base.classes.keys()) == ["am_address", "am_keyword", "am_node", "am_user"]
    User, Address = Base.classes.am_user, Base.classes["am_address"]  # noqa: N806
    Keyword, Node = Base.classes.am_keyword, Base.classes.am_node  # noqa: N806
    assert isinstance(User, type) and issubclass(User, AutomapBase)
    assert _rels(User) == {
        "am_address_collection": ("ONETOMANY", "am_user"),
        "am_keyword_collection": ("MANYTOMANY", "am_user_collection"),
    }
    assert _rels(Address) == {"am_user": ("MANYTOONE", "am_address_collection")}
    assert _rels(Keyword) == {"am_user_collection": ("MANYTOMANY", "am_keyword_collection")}
    assert _rels(Node) == {"am_node": ("MANYTOONE", "am_node_collection"),
                           "am_node_collection": ("ONETOMANY", "am_node")}
    with pytest.raises(AttributeError, match="am_log.*primary key"):
        Base.classes.am_log  # noqa: B018

    with Session(schema) as s:
        u = User(name="foo", am_address_collection=[Address(email="foo@bar.com")])
        u.am_keyword_collection.append(Keyword(word="k"))
        root = Node()
        root.am_node_collection.append(Node())
        s.add_all([u, root])
        s.commit()
    with Session(schema) as s:
        u = s.scalars(select(User)).one()
        assert [a.email for a in u.am_address_collection] == ["foo@bar.com"]
        assert u.am_address_collection[0].am_user is u
        assert [k.word for k in u.am_keyword_collection] == ["k"]
        assert u.am_keyword_collection[0].am_user_collection == [u]
        child = s.scalars(select(Node).where(Node.parent_id.is_not(None))).one()
        assert child.am_node.am_node_collection == [child]


def test_not_null_foreign_key_deletes_children_with_parent(schema: Any) -> None:
    Base = automap_base()  # noqa: N806
    Base.prepare(autoload_with=schema)
    User, Address = Base.classes.am_user, Base.classes.am_address  # noqa: N806
    with Session(schema) as s:
        s.add(User(id=1, name="a", am_address_collection=[Address(email="x"), Address(email="y")]))
        s.commit()
        u = s.get(User, 1)
        u.am_address_collection.pop()
        s.commit()
        assert s.scalars(select(Address.email)).all() == ["x"]
        s.delete(u)
        s.commit()
        assert s.scalars(select(Address)).all() == []


def test_naming_hooks_and_collection_class(schema: Any) -> None:
    def camelize(base: Any, tablename: str, table: Any) -> str:
        return re.sub(r"(?:^|_)([a-z])", lambda m: m.group(1).upper(), tablename)

    def plural(base: Any, local_cls: type, referred_cls: type, constraint: Any) -> str:
        return referred_cls.__name__.lower() + "s"

    def scalar(base: Any, local_cls: type, referred_cls: type, constraint: Any) -> str:
        return "the_" + referred_cls.__name__.lower()

    Base = automap_base()  # noqa: N806
    Base.prepare(autoload_with=schema, classname_for_table=camelize,
                 name_for_collection_relationship=plural,
                 name_for_scalar_relationship=scalar, collection_class=set)
    assert sorted(Base.classes.keys()) == ["AmAddress", "AmKeyword", "AmNode", "AmUser"]
    User, Address = Base.classes.AmUser, Base.classes.AmAddress  # noqa: N806
    assert set(_rels(User)) == {"amaddresss", "amkeywords"}
    assert set(_rels(Address)) == {"the_amuser"}
    u = User(name="n")
    assert isinstance(u.amaddresss, set)
    a = Address(email="e", the_amuser=u)
    assert a in u.amaddresss


def test_generate_relationship_hook_sees_every_direction(schema: Any) -> None:
    seen: list[tuple[str, str, str, str]] = []

    def gen(base: Any, direction: Any, return_fn: Any, attrname: str, local_cls: type,
            referred_cls: type, **kw: Any) -> Any:
        seen.append((str(direction), attrname, local_cls.__name__, referred_cls.__name__))
        if attrname == "am_node_collection":
            return None  # skipped
        return return_fn(referred_cls, lazy="selectin", **kw)

    Base = automap_base()  # noqa: N806
    Base.prepare(autoload_with=schema, generate_relationship=gen)
    assert (str(MANYTOONE), "am_user", "am_address", "am_user") in seen
    assert (str(ONETOMANY), "am_address_collection", "am_user", "am_address") in seen
    assert (str(MANYTOMANY), "am_keyword_collection", "am_user", "am_keyword") in seen
    Node = Base.classes.am_node  # noqa: N806
    assert "am_node_collection" not in _rels(Node)
    assert class_mapper(Base.classes.am_user).relationships[
        "am_address_collection"].lazy == "selectin"


def test_predeclared_class_overrides_columns_and_relationships(schema: Any) -> None:
    Base = automap_base()  # noqa: N806

    class User(Base):  # type: ignore[misc, valid-type]
        __tablename__ = "am_user"
        user_name = Column("name", String(30))
        am_address_collection = relationship("am_address", collection_class=set)

        def greet(self) -> str:
            return "hi " + self.user_name

    assert "__mapper__" not in User.__dict__  # mapped by prepare(), not before
    Base.prepare(autoload_with=schema)
    Address = Base.classes.am_address  # noqa: N806
    assert "User" not in Base.classes and "am_user" not in Base.classes
    assert sorted(class_mapper(User).column_attrs.keys()) == ["id", "user_name"]
    with Session(schema) as s:
        u = User(user_name="foo")
        u.am_address_collection.add(Address(email="e"))
        s.add(u)
        s.commit()
        s.expunge_all()
        u = s.scalars(select(User)).one()
        assert u.greet() == "hi foo" and isinstance(u.am_address_collection, set)
        a = next(iter(u.am_address_collection))
        assert a.email == "e" and a.user is u  # named after the class User


def test_fully_declared_classes_get_relationships_without_reflection() -> None:
    Base = automap_base()  # noqa: N806

    class User(Base):  # type: ignore[misc, valid-type]
        __tablename__ = "user"
        id = Column(Integer, primary_key=True)
        name = Column(String(20))

    class Address(Base):  # type: ignore[misc, valid-type]
        __tablename__ = "address"
        id = Column(Integer, primary_key=True)
        email = Column(String(20))
        user_id = Column(ForeignKey("user.id"))

    Base.prepare()
    a1, a2 = Address(email="u1"), Address(email="u2")
    u1 = User(address_collection=[a1, a2])
    assert a1.user is u1 and a2.user is u1
    assert len(Base.classes) == 0


def test_second_prepare_adds_new_tables_and_their_relationships(schema: Any) -> None:
    Base = automap_base()  # noqa: N806
    Base.prepare(schema, reflect=True)  # the 1.x calling style
    User = Base.classes.am_user  # noqa: N806
    md = MetaData()
    Table("am_user", md, Column("id", Integer, primary_key=True))
    Table("am_phone", md, Column("id", Integer, primary_key=True),
          Column("number", String(20)), Column("user_id", Integer, ForeignKey("am_user.id")))
    md.tables["am_phone"].create(schema)
    Base.prepare(autoload_with=schema)
    Phone = Base.classes.am_phone  # noqa: N806
    assert Base.classes.am_user is User
    assert _rels(Phone) == {"am_user": ("MANYTOONE", "am_phone_collection")}
    assert _rels(User)["am_phone_collection"] == ("ONETOMANY", "am_user")
    with Session(schema) as s:
        s.add(User(id=1, name="u", am_phone_collection=[Phone(number="123")]))
        s.commit()
        assert s.scalars(select(Phone)).one().am_user.name == "u"
    assert [c.__name__ for c in Base.classes] == list(Base.classes.keys())


def test_automap_over_an_existing_declarative_base(schema: Any) -> None:
    from athanor.orm import DeclarativeBase

    class MyBase(DeclarativeBase):
        def describe(self) -> str:
            return type(self).__name__

    Base = automap_base(MyBase)  # noqa: N806
    Base.prepare(autoload_with=schema)
    User = Base.classes.am_user  # noqa: N806
    assert issubclass(User, MyBase) and User(name="x").describe() == "am_user"
    assert User.metadata is MyBase.metadata
