"""Programs for dictionary collections, composites and dataclass mappings, written once in
the style of SQLAlchemy's mapping docs and run on athanor or SQLAlchemy (see programs.py).

Values come back as plain data (tuples, lists, strings) so that the results recorded from
SQLAlchemy (``test_programs_mapping.py``) compare with athanor's on every backend.
"""


import dataclasses
from typing import Any, Optional


@dataclasses.dataclass
class Point:
    x: int
    y: int


def dict_collections(sa: Any, orm: Any, url: str) -> Any:
    """``attribute_keyed_dict`` / ``column_keyed_dict`` / ``keyfunc_mapping`` collections."""

    class Base(orm.DeclarativeBase):
        pass

    class Note(Base):
        __tablename__ = "note"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        item_id: orm.Mapped[Optional[int]] = orm.mapped_column(  # noqa: UP045
            sa.ForeignKey("item.id"))
        keyword: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        text: orm.Mapped[Optional[str]] = orm.mapped_column(sa.String(20))  # noqa: UP045
        item: orm.Mapped[Optional["Item"]] = orm.relationship(  # noqa: UP045
            back_populates="notes")

    class Item(Base):
        __tablename__ = "item"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        notes: orm.Mapped[dict[str, "Note"]] = orm.relationship(
            collection_class=orm.attribute_keyed_dict("keyword"), back_populates="item",
            cascade="all, delete-orphan")
        by_col: orm.Mapped[dict[str, "Note"]] = orm.relationship(
            collection_class=orm.column_keyed_dict(Note.__table__.c.text), viewonly=True)
        shout: orm.Mapped[dict[str, "Note"]] = orm.relationship(
            collection_class=orm.keyfunc_mapping(lambda n: n.keyword.upper()), viewonly=True)

    def keywords(session: Any) -> list[str]:
        return list(session.scalars(sa.select(Note.keyword).order_by(Note.keyword)))

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out: list[Any] = []
    with orm.Session(engine) as session:
        item = Item(id=1)
        item.notes["a"] = Note(keyword="a", text="ta")
        item.notes.set(Note(keyword="b", text="tb"))
        Note(keyword="c", text="tc", item=item)
        out.append(sorted(item.notes))
        session.add(item)
        session.commit()
        del item.notes["a"]
        popped = item.notes.pop("b")
        out.append((popped.keyword, popped.item))
        session.commit()
        out.append(keywords(session))
        item.notes.update({"x": Note(keyword="x", text="tx")})
        item.notes["c"] = Note(keyword="c", text="tc2")
        session.commit()
        out.append(keywords(session))
        item.notes = {"q": Note(keyword="q", text="tq")}
        session.commit()
        out.append(keywords(session))
        item.notes = {"r": Note(keyword="r", text="tr"), "s": Note(keyword="s", text="ts")}
        session.commit()
        try:
            item.notes = [Note(keyword="t")]
        except TypeError:
            out.append("TypeError")
        session.rollback()
    for opt in (None, orm.selectinload, orm.joinedload):
        with orm.Session(engine) as session:
            stmt = sa.select(Item)
            if opt is not None:
                stmt = stmt.options(opt(Item.notes))
            got = session.scalars(stmt).unique().one()
            out.append([(k, v.text) for k, v in sorted(got.notes.items())])
            out.append((sorted(got.by_col), sorted(got.shout)))
    with orm.Session(engine) as session:
        session.delete(session.get(Item, 1))
        session.commit()
        out.append(keywords(session))
    return out


def composites(sa: Any, orm: Any, url: str) -> Any:
    """``composite()`` with a dataclass, per-column comparisons and a custom comparator."""

    class Base(orm.DeclarativeBase):
        pass

    class PointComparator(orm.CompositeProperty.Comparator):
        def __gt__(self, other: Any) -> Any:
            return sa.and_(*[a > b for a, b in zip(
                self.__clause_element__().clauses, dataclasses.astuple(other), strict=True)])

    class Vertex(Base):
        __tablename__ = "vertices"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        start: orm.Mapped[Point] = orm.composite(orm.mapped_column("x1"),
                                                 orm.mapped_column("y1"))
        end: orm.Mapped[Point] = orm.composite(orm.mapped_column("x2"),
                                               orm.mapped_column("y2"),
                                               comparator_factory=PointComparator)

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out: list[Any] = [[c.name for c in Vertex.__table__.c]]
    with orm.Session(engine) as session:
        v = Vertex(id=1, start=Point(3, 4), end=Point(5, 6))
        session.add_all([v, Vertex(id=2, start=Point(1, 1), end=Point(9, 9))])
        session.commit()
        out.append([w.id for w in session.scalars(
            sa.select(Vertex).where(Vertex.start == Point(3, 4)))])
        out.append([w.id for w in session.scalars(
            sa.select(Vertex).where(Vertex.end > Point(6, 6)))])
        out.append([w.id for w in session.scalars(
            sa.select(Vertex).where(Vertex.start != Point(3, 4)))])
        out.append([dataclasses.astuple(p) for p in session.scalars(
            sa.select(Vertex.start).order_by(Vertex.start))])
        v.start = Point(10, 20)
        out.append((v.x1, v in session.dirty))
        session.commit()
        v.start.x = 99
        out.append(session.is_modified(v))
        session.commit()
        out.append(sorted(tuple(r) for r in session.execute(sa.select(Vertex.x1, Vertex.y1))))
    with orm.Session(engine) as session:
        w = session.get(Vertex, 1)
        out.append((dataclasses.astuple(w.start), dataclasses.astuple(w.end)))
        out.append(session.query(Vertex.id).filter_by(start=Point(1, 1)).all()[0][0])
    return out


def dataclass_mappings(sa: Any, orm: Any, url: str) -> Any:
    """``MappedAsDataclass`` models and ``registry.mapped_as_dataclass``."""

    class Base(orm.MappedAsDataclass, orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "user_account"
        id: orm.Mapped[int] = orm.mapped_column(init=False, primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        fullname: orm.Mapped[Optional[str]] = orm.mapped_column(  # noqa: UP045
            sa.String(30), default=None)
        status: orm.Mapped[str] = orm.mapped_column(sa.String(10), init=False,
                                                    insert_default="new")
        password: orm.Mapped[Optional[str]] = orm.mapped_column(  # noqa: UP045
            sa.String(30), default=None, repr=False)
        addresses: orm.Mapped[list["Address"]] = orm.relationship(
            default_factory=list, back_populates="user")

    class Address(Base):
        __tablename__ = "address"
        id: orm.Mapped[int] = orm.mapped_column(init=False, primary_key=True)
        user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("user_account.id"),
                                                     init=False)
        email: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        user: orm.Mapped[Optional[User]] = orm.relationship(  # noqa: UP045
            default=None, back_populates="addresses")

    reg = orm.registry()

    @reg.mapped_as_dataclass(unsafe_hash=True)
    class Tag:
        __tablename__ = "tag"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        label: orm.Mapped[str] = orm.mapped_column(sa.String(10), default="x", compare=False)

    out: list[Any] = [[f.name for f in dataclasses.fields(User)]]
    u = User("spongebob", "Spongebob Squarepants", password="secret")
    out.append(repr(u))
    out.append((u == User("spongebob", "Spongebob Squarepants", password="secret"),
                u == User("spongebob", password="other")))
    for bad in ((), ("a", 1, 2, 3, 4, 5)):
        try:
            User(*bad)
        except TypeError:
            out.append("TypeError")
    u.addresses.append(Address("s@example.org"))
    out.append(u.addresses[0].user is u)
    out.append((repr(Tag(1, "a")), Tag(1, "a") == Tag(1, "b"), hash(Tag(1)) == hash(Tag(1))))
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as session:
        session.add(u)
        session.commit()
        out.append((u.id, u.status, u.addresses[0].user_id))
    with orm.Session(engine) as session:
        got = session.scalars(sa.select(User).options(orm.selectinload(User.addresses))).one()
        out.append(repr(got))
    return out


PROGRAMS = [dict_collections, composites, dataclass_mappings]
