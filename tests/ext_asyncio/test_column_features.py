"""AsyncSession with column_property(), deferred columns and column loader options."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._colmodels import Author, Base, Book

from athanor import select
from athanor.ext.asyncio import AsyncAttributeNotLoadedError, AsyncEngine, async_sessionmaker
from athanor.orm import load_only, selectinload, undefer


async def _seed(engine: AsyncEngine) -> Any:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    Session = async_sessionmaker(engine, expire_on_commit=False)  # noqa: N806
    async with Session() as s:
        s.add(Author(id=1, firstname="Ada", lastname="Lovelace", bio="bio"))
        await s.flush()
        s.add_all([Book(id=1, title="Notes", pages=4, author_id=1),
                   Book(id=2, title="Sketch", pages=6, author_id=1)])
        await s.commit()
    return Session


def test_async_get_and_select_load_expressions(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        Session = await _seed(engine)  # noqa: N806
        async with Session() as s:
            ada = await s.get(Author, 1)
            assert (ada.fullname, ada.book_count) == ("Ada Lovelace", 2)
            with pytest.raises(AsyncAttributeNotLoadedError, match=r"Author\.bio"):
                _ = ada.bio
            await s.refresh(ada, ["bio"])
            assert ada.bio == "bio"
        async with Session() as s:
            books = (await s.scalars(select(Book).options(load_only(Book.title)).order_by(
                Book.id))).all()
            assert [b.title for b in books] == ["Notes", "Sketch"]
            assert "pages" not in books[0].__dict__
            authors = (await s.scalars(select(Author).options(
                undefer(Author.bio), selectinload(Author.books).load_only(Book.pages)))).all()
            assert authors[0].bio == "bio"
            assert [b.pages for b in authors[0].books] == [4, 6]

    run(body)
