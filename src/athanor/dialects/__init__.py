"""Database dialects: one package per database, each with the same class names.

``<Vendor>Dialect`` (in ``base.py``) joins the pure SQL half (``<Vendor>Compiler``,
``<Vendor>DDLCompiler``, ``<Vendor>TypeCompiler`` in ``compiler.py``) with the driver half
(connect, ping, error mapping). ``registry`` maps URL names to dialect classes lazily.
"""
