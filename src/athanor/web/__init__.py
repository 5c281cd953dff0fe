"""Web integration: the request lifecycle of a scoped session.

One rule for every framework: a request gets the registry's session for its scope (thread or
task) on first use, and when the response has been sent the session is removed: closed, any
uncommitted work rolled back, its connection back in the pool. The WSGI middleware does this
when the server closes the response iterable; the Flask helper does it in
``teardown_appcontext``. Nothing in the library imports this package.
"""

from __future__ import annotations

from athanor.web.wsgi import SessionMiddleware

__all__ = ["SessionMiddleware"]
