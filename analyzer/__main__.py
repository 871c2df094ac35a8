"""``python -m analyzer``: the command-line interface."""

from analyzer.cli import main

raise SystemExit(main())
