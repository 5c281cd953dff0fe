"""Deferred columns and column loader options: which columns each SELECT really lists,
and what reading an unloaded attribute costs."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._colmodels import Author, Book, seed, session
from tests.orm._relmodels import sql

from athanor import exc, select
from athanor.orm import (
    Load,
    defer,
    joinedload,
    load_only,
    selectinload,
    undefer,
    undefer_group,
)
from athanor.orm.exc import DetachedInstanceError

__all__ = ["session", "sql"]


def _select_list(statement: str) -> str:
    """The column list of a logged SELECT (between SELECT and the first top-level FROM)."""
    body = statement.split("SELECT", 1)[1]
    depth = 0
    i = 0
    while i < len(body):
        ch = body[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and body.startswith(" FROM ", i):
            return body[:i]
        i += 1
    return body


def test_deferred_columns_are_left_out_and_load_on_access(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    ada = session.scalars(select(Author).where(Author.id == 1)).one()
    cols = _select_list(sql.selects()[0])
    assert "bio" not in cols and "photo" not in cols and "secret" not in cols
    assert "firstname" in cols and "fullname" in cols
    assert "bio" not in ada.__dict__
    sql.clear()
    assert ada.bio == "b" * 50
    assert len(sql.selects()) == 1 and "bio" in _select_list(sql.selects()[0])
    assert "photo" not in _select_list(sql.selects()[0])
    assert ada.bio == "b" * 50  # loaded now: no more SQL
    assert len(sql.selects()) == 1


def test_a_deferred_group_loads_together(session: Any, sql: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    sql.clear()
    assert ada.photo == b"P1"
    assert len(sql.selects()) == 1
    cols = _select_list(sql.selects()[0])
    assert "photo" in cols and "thumb" in cols and "bio" not in cols
    assert ada.thumb == b"T1"
    assert len(sql.selects()) == 1


def test_deferred_raiseload_column_raises_on_access(session: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    with pytest.raises(exc.InvalidRequestError, match=r"Author\.secret.*raiseload"):
        _ = ada.secret
    loaded = session.scalars(select(Author).options(undefer(Author.secret))).first()
    assert loaded.secret in ("s1", "s2")


def test_load_only_selects_only_those_columns_plus_the_key(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    books = session.scalars(select(Book).options(load_only(Book.title)).order_by(Book.id)).all()
    cols = _select_list(sql.selects()[0])
    assert "title" in cols and "id" in cols
    assert "summary" not in cols and "pages" not in cols and "author_id" not in cols
    assert [b.title for b in books] == ["Notes", "Sketch", "Machinery"]
    sql.clear()
    assert books[0].pages == 40  # one SELECT for every unloaded column of that object
    assert books[0].summary == "on the engine"
    assert len(sql.selects()) == 1


def test_load_only_with_raiseload(session: Any) -> None:
    seed(session)
    book = session.scalars(
        select(Book).options(load_only(Book.title, raiseload=True)).where(Book.id == 1)).one()
    assert book.title == "Notes"
    with pytest.raises(exc.InvalidRequestError, match=r"Book\.pages.*raiseload"):
        _ = book.pages


def test_defer_and_undefer_options(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    session.scalars(select(Book).options(defer(Book.summary), defer(Book.pages))).all()
    cols = _select_list(sql.selects()[0])
    assert "summary" not in cols and "pages" not in cols and "title" in cols
    sql.clear()
    ada = session.scalars(select(Author).options(undefer(Author.bio)).where(
        Author.id == 1)).one()
    assert "bio" in _select_list(sql.selects()[0])
    assert ada.__dict__["bio"] == "b" * 50


def test_defer_with_raiseload(session: Any) -> None:
    seed(session)
    book = session.scalars(select(Book).options(defer(Book.summary, raiseload=True)).where(
        Book.id == 2)).one()
    assert book.pages == 60
    with pytest.raises(exc.InvalidRequestError, match="raiseload"):
        _ = book.summary
    session.expunge_all()
    book = session.scalars(select(Book).options(
        load_only(Book.title), defer(Book.summary, raiseload=True)).where(Book.id == 2)).one()
    assert book.pages == 60  # loads the unloaded columns except the raising one
    assert "summary" not in book.__dict__
    with pytest.raises(exc.InvalidRequestError, match="raiseload"):
        _ = book.summary


def test_undefer_group(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    ada = session.scalars(select(Author).options(undefer_group("media")).where(
        Author.id == 1)).one()
    cols = _select_list(sql.selects()[0])
    assert "photo" in cols and "thumb" in cols and "bio" not in cols
    assert (ada.photo, ada.thumb) == (b"P1", b"T1")
    assert len(sql.selects()) == 1


def test_query_options_restrict_columns_too(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    titles = [b.title for b in session.query(Book).options(load_only(Book.title)).order_by(
        Book.id)]
    assert titles == ["Notes", "Sketch", "Machinery"]
    assert "summary" not in _select_list(sql.selects()[0])
    sql.clear()
    rows = session.query(Book).options(Load(Book).load_only(Book.pages)).filter_by(
        title="Notes").all()
    assert rows[0].pages == 40
    assert "title" not in _select_list(sql.selects()[0])


def test_unloaded_column_of_a_detached_object_raises_detached_error(session: Any) -> None:
    seed(session)
    book = session.scalars(select(Book).options(load_only(Book.title)).where(
        Book.id == 1)).one()
    ada = session.get(Author, 1)
    session.close()
    assert book.title == "Notes"
    with pytest.raises(DetachedInstanceError, match=r"Book\.pages.*never loaded.*not bound"):
        _ = book.pages
    with pytest.raises(DetachedInstanceError, match=r"Author\.bio.*undefer"):
        _ = ada.bio


def test_selectinload_chained_load_only(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    authors = session.scalars(select(Author).options(
        selectinload(Author.books).load_only(Book.title)).order_by(Author.id)).all()
    assert len(sql.selects()) == 2
    cols = _select_list(sql.selects()[1])
    assert "title" in cols and "summary" not in cols and "pages" not in cols
    assert [b.title for b in authors[0].books] == ["Notes", "Sketch"]
    assert "summary" not in authors[0].books[0].__dict__
    assert len(sql.selects()) == 2


def test_joinedload_chained_load_only(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    books = session.scalars(select(Book).options(
        joinedload(Book.author).load_only(Author.lastname)).order_by(Book.id)).all()
    assert len(sql.selects()) == 1
    assert "firstname" not in _select_list(sql.selects()[0])
    assert books[0].author.lastname == "Lovelace"
    assert "firstname" not in books[0].author.__dict__
    assert books[0].author.firstname == "Ada"  # loaded on access


def test_undefer_fills_an_object_already_in_the_identity_map(session: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    assert "bio" not in ada.__dict__
    same = session.scalars(select(Author).options(undefer(Author.bio)).where(
        Author.id == 1)).one()
    assert same is ada and ada.__dict__["bio"] == "b" * 50


def test_deferred_columns_are_written_by_the_flush(session: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    ada.bio = "rewritten"
    ada.photo = b"new"
    session.commit()
    session.expunge_all()
    again = session.scalars(select(Author).options(undefer(Author.bio), undefer_group(
        "media")).where(Author.id == 1)).one()
    assert (again.bio, again.photo, again.thumb) == ("rewritten", b"new", b"T1")


def test_expired_object_reloads_default_columns_only(session: Any, sql: Any) -> None:
    seed(session)
    ada = session.scalars(select(Author).options(undefer(Author.bio)).where(
        Author.id == 1)).one()
    session.expire(ada)
    sql.clear()
    assert ada.firstname == "Ada"
    cols = _select_list(sql.selects()[0])
    assert "bio" not in cols and "fullname" in cols
    assert ada.bio == "b" * 50


def test_load_only_rejects_relationships_and_unknown_columns(session: Any) -> None:
    with pytest.raises(exc.ArgumentError, match="not a column attribute"):
        load_only(Author.books)
    seed(session)
    with pytest.raises(exc.ArgumentError, match="Book.nope is not a column"):
        session.scalars(select(Book).options(Load(Book).load_only("nope"))).all()


def test_refresh_with_attribute_names_reloads_only_those(session: Any, sql: Any) -> None:
    seed(session)
    book = session.get(Book, 1)
    book.title = "changed locally"
    book.pages = 999
    sql.clear()
    session.refresh(book, ["pages"])
    assert len(sql.selects()) == 1
    updates = [st for st in sql.statements if st.startswith("UPDATE")]
    assert len(updates) == 1 and "pages" not in updates[0]
    cols = _select_list(sql.selects()[0])
    assert "pages" in cols and "title" not in cols
    assert book.pages == 40  # its local change is discarded
    assert book.title == "changed locally"  # as SQLAlchemy: other changes were flushed
    assert not session.is_modified(book)
    session.rollback()
    session.refresh(book)
    assert (book.title, book.pages) == ("Notes", 40)


def test_refresh_can_load_a_deferred_column(session: Any, sql: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    sql.clear()
    session.refresh(ada, ["bio", "fullname"])
    assert ada.__dict__["bio"] == "b" * 50 and ada.__dict__["fullname"] == "Ada Lovelace"
    assert len(sql.selects()) == 1


def test_get_reloads_an_expired_object(session: Any, sql: Any) -> None:
    seed(session)
    book = session.get(Book, 1)
    session.execute(Book.__table__.update().where(Book.__table__.c.id == 1).values(
        title="Edited"))
    session.expire(book)
    sql.clear()
    again = session.get(Book, 1)
    assert again is book
    assert len(sql.selects()) == 1
    assert "title" in book.__dict__ and book.title == "Edited"


def test_get_of_an_expired_object_whose_row_is_gone_returns_none(session: Any) -> None:
    seed(session)
    book = session.get(Book, 3)
    ada = session.get(Author, 2)
    session.execute(Book.__table__.delete().where(Book.__table__.c.id == 3))
    session.commit()  # expires everything
    assert session.get(Book, 3) is None
    assert book not in session
    assert session.get(Author, 2) is ada
    assert ada.fullname == "Alan Turing"


def test_refresh_of_a_relationship_and_of_an_unknown_name(session: Any, sql: Any) -> None:
    seed(session)
    ada = session.get(Author, 1)
    assert len(ada.books) == 2
    session.add(Book(id=7, title="Extra", author_id=1))
    session.flush()
    session.refresh(ada, ["books"])
    assert [b.id for b in ada.books] == [1, 2, 7]
    with pytest.raises(exc.InvalidRequestError, match="Author has no attribute 'nope'"):
        session.refresh(ada, ["nope"])


def test_get_with_loader_options(session: Any, sql: Any) -> None:
    seed(session)
    sql.clear()
    ada = session.get(Author, 1, options=[undefer(Author.bio), selectinload(Author.books)])
    assert ada.__dict__["bio"] == "b" * 50 and len(ada.__dict__["books"]) == 2
    assert len(sql.selects()) == 2
    assert session.get(Author, 1, options=[undefer(Author.bio)]) is ada  # identity map
    assert len(sql.selects()) == 2
