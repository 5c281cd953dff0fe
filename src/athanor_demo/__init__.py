"""The athanor demo: a customer list served over HTML and JSON by a threaded WSGI server.

It is the seed's "thread local session" diagram running for real: one module-level
``scoped_session`` registry (:mod:`athanor_demo.models`), views that just call
``Session.add(...)`` / ``Session.commit()`` (:mod:`athanor_demo.customers`), and
:class:`athanor.web.SessionMiddleware` removing each request's session when the response has
been sent. Run it with ``make demo`` or ``python -m athanor_demo --help``.
"""
