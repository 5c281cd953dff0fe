"""relationship() configuration, in-memory behaviour and relationship SQL."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._relmodels import (
    Address,
    Keyword,
    Kid,
    Node,
    Parent,
    Post,
    User,
    seed_users,
    session,
    sql,
)

from athanor import Boolean, Column, ForeignKey, Integer, String, exc, select
from athanor.orm import (
    MANYTOMANY,
    MANYTOONE,
    ONETOMANY,
    DeclarativeBase,
    Mapped,
    backref,
    mapped_column,
    relationship,
    with_parent,
)
from athanor.orm.exc import MappingError
from athanor.orm.relationships import configure_pending

__all__ = ["sql", "session"]


class OtherBase(DeclarativeBase):
    pass


class Account(OtherBase):
    __tablename__ = "rel_accounts"
    id = Column(Integer, primary_key=True)
    name = Column(String(20))
    active_mails = relationship(
        "Mail", primaryjoin="and_(Account.id == Mail.account_id, Mail.active == True)",
        viewonly=True, order_by="Mail.id")
    mails = relationship("Mail", backref=backref("account", lazy="joined"),
                         collection_class=set)


class Mail(OtherBase):
    __tablename__ = "rel_mails"
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("rel_accounts.id"))
    active = Column(Boolean, default=True)


def test_directions_and_uselist_are_inferred() -> None:
    configure_pending()
    m = User.__mapper__
    assert m.relationships["addresses"].direction == ONETOMANY
    assert m.relationships["profile"].uselist is False
    assert Address.user.property.direction == MANYTOONE
    assert Post.keywords.property.direction == MANYTOMANY
    assert Node.parent.property.direction == MANYTOONE
    assert Node.children.property.direction == ONETOMANY
    assert Kid.parent.property.mapper is Parent.__mapper__  # backref created
    assert Mail.account.property.lazy == "joined"


def test_back_populates_keeps_both_sides_in_step() -> None:
    u1, u2 = User(name="a"), User(name="b")
    a1, a2, a3 = Address(email="1"), Address(email="2"), Address(email="3")
    u1.addresses.append(a1)
    u1.addresses.extend([a2])
    u1.addresses.insert(0, a3)
    assert a1.user is u1 and a3.user is u1
    u1.addresses.remove(a1)
    assert a1.user is None
    popped = u1.addresses.pop()
    assert popped is a2 and a2.user is None
    u1.addresses[0:1] = [a1, a2]
    assert a3.user is None and a1.user is u1 and a2.user is u1
    a2.user = u2
    assert u1.addresses == [a1] and u2.addresses == [a2]
    u1.addresses.clear()
    assert a1.user is None
    del a2.user
    assert u2.addresses == []


def test_many_to_many_and_set_collections_in_memory() -> None:
    p, k = Post(headline="p"), Keyword(keyword="k")
    p.keywords.append(k)
    assert k.posts == [p]
    k.posts.remove(p)
    assert p.keywords == []
    acct, mail = Account(name="x"), Mail()
    acct.mails.add(mail)
    assert isinstance(acct.mails, set) and mail.account is acct
    acct.mails.discard(mail)
    assert mail.account is None


def test_wrong_type_in_collection_is_rejected() -> None:
    with pytest.raises(exc.ArgumentError, match="expected Address objects"):
        User(name="x").addresses.append(Keyword(keyword="nope"))
    with pytest.raises(exc.ArgumentError, match="collection"):
        User(name="x").addresses = None


def test_string_primaryjoin_and_viewonly(engine: Any) -> None:
    from athanor.orm import Session

    OtherBase.metadata.create_all(engine)
    with Session(engine) as s:
        acct = Account(name="a", mails={Mail(active=True), Mail(active=False), Mail()})
        s.add(acct)
        s.commit()
        s.expunge_all()
        acct = s.scalars(select(Account)).one()
        assert len(acct.mails) == 3 and len(acct.active_mails) == 2
        mail = s.scalars(select(Mail).order_by(Mail.id)).first()
        assert mail.account is acct  # joined by default (backref lazy="joined")


def test_ambiguous_and_unknown_targets_give_clear_errors() -> None:
    class B(DeclarativeBase):
        pass

    class Person(B):
        __tablename__ = "person"
        id = Column(Integer, primary_key=True)

    class Letter(B):
        __tablename__ = "letter"
        id = Column(Integer, primary_key=True)
        sender_id = Column(Integer, ForeignKey("person.id"))
        receiver_id = Column(Integer, ForeignKey("person.id"))
        sender = relationship("Person")
        ghost = relationship("Nobody")

    with pytest.raises(MappingError, match="ambiguous.*foreign_keys"):
        Letter.sender.property.setup()
    with pytest.raises(MappingError, match="no mapped class named 'Nobody'"):
        Letter.ghost.property.setup()
    from athanor.orm import relationships

    relationships._pending[:] = [p for p in relationships._pending
                                 if p.parent.class_ is not Letter]


def test_annotation_only_relationship() -> None:
    class B(DeclarativeBase):
        pass

    class Team(B):
        __tablename__ = "team"
        id: Mapped[int] = mapped_column(primary_key=True)
        players: Mapped[list[Player]] = relationship()

    class Player(B):
        __tablename__ = "player"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
        team: Mapped[Team] = relationship()

    assert Team.players.property.uselist and not Player.team.property.uselist
    assert Team.players.property.mapper.class_ is Player


def test_relationship_sql(session: Any) -> None:
    seed_users(session, 2, 2)
    u0 = session.scalars(select(User).where(User.name == "user0")).one()
    a = session.scalars(select(Address).where(Address.email == "u1a0@x.org")).one()
    assert [x.email for x in session.scalars(
        select(Address).where(with_parent(u0, User.addresses)).order_by(Address.id))] == [
        "u0a0@x.org", "u0a1@x.org"]
    assert session.scalars(select(User).where(User.addresses.contains(a))).one().name == "user1"
    assert session.scalars(select(Address).where(Address.user == None)).all() == []  # noqa: E711
    assert session.scalars(select(User).where(User.profile == None)).all() != []  # noqa: E711
    assert session.query(User).outerjoin(User.addresses).filter(
        Address.id == None).all() == []  # noqa: E711
    assert session.query(User).join(Address, User.addresses).filter(
        Address.email == "u0a1@x.org").one() is u0
    with pytest.raises(exc.InvalidRequestError, match="collection"):
        User.addresses == a  # noqa: B015
    assert "EXISTS" in str(select(User).where(User.addresses.any()))


def test_join_to_alias_with_of_type(session: Any) -> None:
    from athanor.sql import alias

    seed_users(session, 2, 2)
    a1 = alias(Address.__table__)
    rows = session.execute(select(User.name, a1.c.email).join(User.addresses.of_type(a1))
                           .order_by(a1.c.id)).all()
    assert rows[0] == ("user0", "u0a0@x.org") and len(rows) == 4


def test_join_with_and_criteria(session: Any) -> None:
    from athanor.orm import aliased, selectinload

    seed_users(session, 2, 2)
    stmt = select(User.name, Address.email).outerjoin(
        User.addresses.and_(Address.email.like("%a1@%"))).order_by(User.name)
    assert session.execute(stmt).all() == [("user0", "u0a1@x.org"), ("user1", "u1a1@x.org")]
    a = aliased(Address)
    stmt = select(a.email).join_from(User, User.addresses.of_type(a).and_(a.email.like("u1%")))
    assert sorted(session.scalars(stmt).all()) == ["u1a0@x.org", "u1a1@x.org"]
    session.add(Post(headline="q", keywords=[Keyword(keyword="k1"), Keyword(keyword="k2")]))
    session.commit()
    stmt = select(Keyword.keyword).join_from(Post, Post.keywords.and_(Keyword.keyword != "k1"))
    assert session.scalars(stmt).all() == ["k2"]
    with pytest.raises(exc.ArgumentError, match="with_loader_criteria"):
        selectinload(User.addresses.and_(Address.id > 1))


def test_many_to_many_join_and_any(session: Any) -> None:
    session.add(Post(headline="p", keywords=[Keyword(keyword="x"), Keyword(keyword="y")]))
    session.commit()
    assert session.query(Post).join(Post.keywords).filter(Keyword.keyword == "y").one()
    assert session.query(Keyword).filter(Keyword.posts.any(Post.headline == "p")).count() == 2
    assert session.query(Post).filter(Post.keywords.any(keyword="zz")).count() == 0


def test_detached_unloaded_relationship_raises(session: Any) -> None:
    from athanor.orm.exc import DetachedInstanceError

    seed_users(session, 1, 1)
    u = session.scalars(select(User)).one()
    session.expunge(u)
    with pytest.raises(DetachedInstanceError, match="User.addresses"):
        u.addresses  # noqa: B018


def test_order_by_on_collection(session: Any) -> None:
    u = User(name="o", addresses=[Address(email="b"), Address(email="a")])
    session.add(u)
    session.commit()
    session.expunge_all()
    u = session.get(User, u.id)
    assert [a.email for a in u.addresses] == ["b", "a"]  # order_by Address.id


def test_self_referential_any_and_has_use_an_alias(session: Any) -> None:
    root = Node(name="root", children=[Node(name="a"), Node(name="b", children=[Node(name="c")])])
    session.add(root)
    session.commit()
    names = session.scalars(select(Node.name).where(Node.parent.has(Node.name == "root"))
                            .order_by(Node.id)).all()
    assert names == ["a", "b"]
    assert session.scalars(select(Node.name).where(Node.children.any(Node.name == "c"))).all() \
        == ["b"]
    leaves = session.scalars(select(Node.name).where(~Node.children.any()).order_by(Node.id))
    assert leaves.all() == ["a", "c"]


def test_association_class_declared_before_its_second_target(engine: Any) -> None:
    """SQLAlchemy's association-object example: the association class names a table
    ('kw_keyword') whose class comes later; configuring the other side must not trip on it."""
    from athanor.ext.associationproxy import association_proxy
    from athanor.orm import DeclarativeBase, Session, mapped_column, relationship

    class Base(DeclarativeBase):
        pass

    class KwUser(Base):
        __tablename__ = "kw_user"
        id: Mapped[int] = mapped_column(primary_key=True)
        links: Mapped[list[KwLink]] = relationship(back_populates="user",
                                                   cascade="all, delete-orphan")
        keywords = association_proxy("links", "keyword",
                                     creator=lambda kw: KwLink(keyword=kw))

    class KwLink(Base):
        __tablename__ = "kw_link"
        user_id: Mapped[int] = mapped_column(ForeignKey("kw_user.id"), primary_key=True)
        keyword_id: Mapped[int] = mapped_column(ForeignKey("kw_keyword.id"), primary_key=True)
        user: Mapped[KwUser] = relationship(back_populates="links")
        keyword: Mapped[KwKeyword] = relationship()

    class KwKeyword(Base):
        __tablename__ = "kw_keyword"
        id: Mapped[int] = mapped_column(primary_key=True)
        word: Mapped[str] = mapped_column(String(20))

    Base.metadata.create_all(engine)
    with Session(engine) as s:
        u = KwUser()
        u.keywords.append(KwKeyword(word="a"))
        u.keywords.append(KwKeyword(word="b"))
        s.add(u)
        s.commit()
        assert [k.word for k in u.keywords] == ["a", "b"]
