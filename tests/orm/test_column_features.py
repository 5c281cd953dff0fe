"""column_property(), synonym(), @validates and innerjoin eager loads."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._colmodels import Author, Book, Customer, Street, calls, seed, session
from tests.orm._relmodels import sql

from athanor import Column, ForeignKey, Integer, String, exc, func, select
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    column_property,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
    synonym,
    validates,
)
from athanor.orm.exc import MappingError

__all__ = ["session", "sql"]


# -- column_property ------------------------------------------------------------------------


def test_column_property_expression_loads_with_the_object(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    authors = session.scalars(select(Author).order_by(Author.id)).all()
    assert [a.fullname for a in authors] == ["Ada Lovelace", "Alan Turing"]
    assert [a.book_count for a in authors] == [2, 1]
    assert len(sql.selects()) == 1


def test_column_property_in_filters_and_order_by(session: Any) -> None:
    seed(session)
    found = session.scalars(select(Author).where(Author.fullname == "Alan Turing")).all()
    assert [a.id for a in found] == [2]
    by_books = session.scalars(select(Author).order_by(Author.book_count.desc())).all()
    assert [a.id for a in by_books] == [1, 2]
    assert session.query(Author).filter(Author.book_count > 1).one().id == 1
    names = session.execute(select(Author.id, Author.fullname).order_by(Author.id)).all()
    assert [tuple(r) for r in names] == [(1, "Ada Lovelace"), (2, "Alan Turing")]


def test_column_property_through_get_and_relationship_loads(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    assert session.get(Author, 2).fullname == "Alan Turing"
    assert len(sql.selects()) == 1
    session.expunge_all()
    book = session.get(Book, 3)
    assert book.author.book_count == 1  # lazy load brings the expression
    session.expunge_all()
    sql.clear()
    books = session.scalars(select(Book).options(selectinload(Book.author)).order_by(
        Book.id)).all()
    assert [b.author.fullname for b in books] == ["Ada Lovelace"] * 2 + ["Alan Turing"]
    assert len(sql.selects()) == 2
    session.expunge_all()
    books = session.scalars(select(Book).options(joinedload(Book.author)).order_by(
        Book.id)).all()
    assert books[2].author.fullname == "Alan Turing"
    assert books[2].author.book_count == 1


def test_column_property_is_refreshed_after_expiry(session: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    ada.lastname = "King"
    session.commit()
    assert ada.fullname == "Ada King"
    session.add(Book(id=9, title="More", author_id=1))
    session.commit()
    assert ada.book_count == 3


def test_column_property_of_an_imperative_column(engine: Any) -> None:
    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "cf_items"
        id: Mapped[int] = mapped_column(primary_key=True)
        price: Mapped[int] = mapped_column(Integer)
        qty: Mapped[int] = mapped_column(Integer)
        total = column_property(price * qty)
        note = column_property(Column(String(20)), deferred=True)

    from athanor.orm import Session

    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Item(id=1, price=3, qty=4, note="n"))
        s.commit()
        s.expunge_all()
        item = s.scalars(select(Item).where(Item.total > 10)).one()
        assert item.total == 12 and "note" not in item.__dict__
        assert item.note == "n"
    assert Item.__mapper__.column_attrs.keys() == ["id", "price", "qty", "note", "total"]


# -- synonym ----------------------------------------------------------------------------------


def test_synonym_reads_writes_and_filters(session: Any) -> None:
    seed(session)
    ada = session.scalars(select(Author).where(Author.name == "Ada")).one()
    assert ada.name == "Ada"
    ada.name = "Augusta"
    assert ada.firstname == "Augusta"
    assert session.is_modified(ada)
    session.commit()
    assert session.query(Author).filter_by(name="Augusta").one() is ada
    ordered = session.scalars(select(Author).order_by(Author.name.asc())).all()
    assert [a.id for a in ordered] == [2, 1]
    made = Author(id=3, name="Grace", lastname="Hopper")
    assert made.firstname == "Grace"


def test_synonym_of_a_missing_attribute_is_a_mapping_error() -> None:
    class Base(DeclarativeBase):
        pass

    with pytest.raises(exc.ArgumentError, match=r"synonym\('nope'\).*no mapped attribute"):
        class Bad(Base):
            __tablename__ = "cf_bad"
            id: Mapped[int] = mapped_column(primary_key=True)
            alias = synonym("nope")


# -- validates --------------------------------------------------------------------------------


def test_validator_runs_on_construct_and_set_and_may_change_the_value(session: Any) -> None:
    c = Customer(id=1, email="ADA@EXAMPLE.ORG")
    assert c.email == "ada@example.org"
    session.add(c)
    session.commit()
    c.email = "New@Example.org"
    assert c.email == "new@example.org"
    session.commit()
    session.expunge_all()
    assert session.get(Customer, 1).email == "new@example.org"


def test_raising_validator_leaves_the_attribute_unchanged(session: Any) -> None:
    c = Customer(id=1, email="a@b.c")
    session.add(c)
    session.commit()
    with pytest.raises(ValueError, match="not an email"):
        c.email = "nope"
    assert c.email == "a@b.c"
    assert not session.is_modified(c)
    with pytest.raises(ValueError, match="not an email"):
        Customer(id=2, email="bad")


def test_collection_validator_on_append_remove_and_assignment(session: Any) -> None:
    c = Customer(id=1, email="a@b.c")
    session.add(c)
    main = Street(street="Main")
    c.addresses.append(main)
    assert ("Customer", "addresses", "Main", False) in calls
    with pytest.raises(ValueError, match="no such street"):
        c.addresses.append(Street(street="nowhere"))
    assert [s.street for s in c.addresses] == ["Main"]
    c.addresses.remove(main)
    assert ("Customer", "addresses", "Main", True) in calls
    calls.clear()
    with pytest.raises(ValueError):
        c.addresses = [Street(street="High"), Street(street="nowhere")]
    assert c.addresses == []
    c.addresses = [Street(street="High"), Street(street="Low")]
    calls.clear()
    c.addresses = [c.addresses[0]]  # include_removes: the member taken out is validated
    assert calls == [("Customer", "addresses", "High", False),
                     ("Customer", "addresses", "Low", True)]
    session.commit()
    session.expunge_all()
    assert [s.street for s in session.get(Customer, 1).addresses] == ["High"]


def test_backref_changes_run_the_other_sides_validator(session: Any) -> None:
    c = Customer(id=1, email="a@b.c")
    s = Street(street="Elm")
    calls.clear()
    s.customer = c  # Street.customer's own validator; Customer.addresses via the backref
    assert ("Street", "customer", "a@b.c", False) in calls
    assert ("Customer", "addresses", "Elm", False) in calls
    calls.clear()
    c.addresses.append(Street(street="Oak"))  # include_backrefs=False on Street.customer
    assert [x[0] for x in calls] == ["Customer"]
    calls.clear()
    s.customer = None  # the validator sees None; the backref removal is validated too
    assert calls == [("Street", "customer", None, False), ("Customer", "addresses", "Elm", True)]


def test_validates_unknown_attribute_is_a_mapping_error() -> None:
    class Base(DeclarativeBase):
        pass

    with pytest.raises(MappingError, match=r"@validates\('emial'\).*no mapped attribute"):
        class Bad(Base):
            __tablename__ = "cf_bad2"
            id: Mapped[int] = mapped_column(primary_key=True)

            @validates("emial")
            def check(self, key: str, value: Any) -> Any:
                return value


# -- innerjoin --------------------------------------------------------------------------------


def test_joinedload_innerjoin_renders_inner_join(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    books = session.scalars(select(Book).options(joinedload(Book.author, innerjoin=True))
                            .order_by(Book.id)).all()
    stmt = sql.selects()[0]
    assert " JOIN cf_authors" in stmt and "LEFT OUTER JOIN" not in stmt
    assert [b.author.lastname for b in books] == ["Lovelace", "Lovelace", "Turing"]
    sql.clear()
    session.scalars(select(Book).options(joinedload(Book.author))).all()
    assert "LEFT OUTER JOIN" in sql.selects()[0]


def test_relationship_innerjoin_default(engine: Any, sql: Any) -> None:
    class Base(DeclarativeBase):
        pass

    class Owner(Base):
        __tablename__ = "cf_owners"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(20))

    class Pet(Base):
        __tablename__ = "cf_pets"
        id: Mapped[int] = mapped_column(primary_key=True)
        owner_id: Mapped[int] = mapped_column(ForeignKey("cf_owners.id"))
        owner: Mapped[Owner] = relationship(lazy="joined", innerjoin=True)

    from athanor.orm import Session

    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Pet(id=1, owner=Owner(id=1, name="o")))
        s.commit()
        s.expunge_all()
        sql.clear()
        pet = s.scalars(select(Pet)).one()
        assert "LEFT OUTER JOIN" not in sql.selects()[0]
        assert " JOIN cf_owners" in sql.selects()[0]
        assert pet.owner.name == "o"
        assert s.scalar(select(func.count(Pet.id))) == 1


def test_add_property_after_mapping(engine: Any) -> None:
    class Base(DeclarativeBase):
        pass

    class Team(Base):
        __tablename__ = "cf_teams"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(20))

    class Player(Base):
        __tablename__ = "cf_players"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int] = mapped_column(ForeignKey("cf_teams.id"))

    from athanor.orm import Session

    Team.__mapper__.add_property("player_count", column_property(
        select(func.count(Player.id)).where(Player.team_id == Team.id).scalar_subquery()))
    Team.__mapper__.add_property("title", synonym("name"))
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Team(id=1, name="a"), Team(id=2, name="b")])
        s.flush()
        s.add_all([Player(id=1, team_id=1), Player(id=2, team_id=1), Player(id=3, team_id=2)])
        s.commit()
        s.expunge_all()
        teams = s.scalars(select(Team).order_by(Team.player_count.desc(), Team.id)).all()
        assert [(t.title, t.player_count) for t in teams] == [("a", 2), ("b", 1)]


def test_aliased_entity_and_filter_by_with_column_properties(session: Any) -> None:
    from athanor.orm import aliased

    seed(session)
    a = aliased(Author)
    found = session.scalars(select(a).where(a.fullname == "Ada Lovelace")).one()
    assert (found.fullname, found.book_count) == ("Ada Lovelace", 2)
    assert session.query(Author).filter_by(firstname="Alan").one().fullname == "Alan Turing"
    pairs = session.execute(select(Book.title, a.fullname).join(a, Book.author_id == a.id)
                            .order_by(Book.id)).all()
    assert [tuple(p) for p in pairs][0] == ("Notes", "Ada Lovelace")
