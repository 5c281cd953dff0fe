"""The programs of ``programs_mapping.py`` (dictionary collections, composites, dataclass
mappings) run on athanor, checked against what SQLAlchemy returned for them (the same on
all three backends; regenerate with ``compare.run(program, "sa", backend)``)."""

from __future__ import annotations

from typing import Any

import pytest

import athanor
import athanor.orm

from . import programs_mapping

EXPECTED = {'dict_collections': [['a', 'b', 'c'],
                                 ('b', None),
                                 ['c'],
                                 ['c', 'x'],
                                 ['q'],
                                 'TypeError',
                                 [('r', 'tr'), ('s', 'ts')],
                                 (['tr', 'ts'], ['R', 'S']),
                                 [('r', 'tr'), ('s', 'ts')],
                                 (['tr', 'ts'], ['R', 'S']),
                                 [('r', 'tr'), ('s', 'ts')],
                                 (['tr', 'ts'], ['R', 'S']),
                                 []],
            'composites': [['id', 'x1', 'y1', 'x2', 'y2'],
                           [1],
                           [2],
                           [2],
                           [(1, 1), (3, 4)],
                           (10, True),
                           False,
                           [(1, 1), (10, 20)],
                           ((10, 20), (5, 6)),
                           2],
            'dataclass_mappings': [['id', 'name', 'fullname', 'status', 'password', 'addresses'],
                                   "dataclass_mappings.<locals>.User(id=None, name='spongebob', "
                                   "fullname='Spongebob Squarepants', status=None, addresses=[])",
                                   (True, False),
                                   'TypeError',
                                   'TypeError',
                                   True,
                                   ("dataclass_mappings.<locals>.Tag(id=1, label='a')", True, True),
                                   (1, 'new', 1),
                                   "dataclass_mappings.<locals>.User(id=1, name='spongebob', "
                                   "fullname='Spongebob Squarepants', status='new', "
                                   'addresses=[dataclass_mappings.<locals>.Address(id=1, '
                                   "user_id=1, email='s@example.org', user=...)])"]}


@pytest.mark.parametrize("program", programs_mapping.PROGRAMS, ids=lambda p: p.__name__)
def test_program_matches_sqlalchemy(program: Any, backend_url: str) -> None:
    assert program(athanor, athanor.orm, backend_url) == EXPECTED[program.__name__]
