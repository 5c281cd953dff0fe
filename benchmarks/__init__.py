"""Benchmarks: the same workloads on the raw driver, SQLAlchemy's ORM and athanor.

Run ``python -m benchmarks`` from the repository root (``make bench``; ``--help`` lists the
options). The design, module by module:

- ``backends``: the databases (SQLite in memory, SQLite in a file, PostgreSQL), their schema
  (created with plain SQL, so every implementation maps the very same tables) and the data
  each case starts from, written through the raw driver.
- ``raw_cases``: each workload written against the DB-API driver: the SQL an ORM would send,
  rows kept as plain tuples. This is the baseline every ratio divides by.
- ``orm_cases``: each workload written once against SQLAlchemy 2.x's public API and run
  unchanged with the module swapped (``sqlalchemy`` or ``athanor``), which is also a check that
  athanor mirrors that API.
- ``relation_cases`` (issue 6, one-to-many loading) and ``async_cases`` (issue 7, asyncio).
- ``cases``: the catalogue: names, sizes, targets, which function implements what.
- ``worker``: runs one case for one implementation in the current process, timing only the
  workload (setup and result checks stay outside the clock) and checking the result, so a
  broken implementation reports an error instead of a fast time.
- ``runner``: starts one fresh process per measurement, interleaves the implementations,
  repeats, takes medians. ``report`` prints the tables (and Markdown for the README).
- ``cli``: the command line; ``profile`` runs one case under cProfile or pyinstrument.
"""
