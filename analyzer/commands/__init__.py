"""CLI commands, one module each (see analyzer.cli.COMMAND_MODULES)."""
