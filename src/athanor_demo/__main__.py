"""``python -m athanor_demo``: start the demo server (see :mod:`athanor_demo.cli`)."""

from athanor_demo.cli import main

raise SystemExit(main())
