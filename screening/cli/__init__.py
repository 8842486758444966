"""The ``screening`` command, one module per command group."""

from screening.cli.main import main

__all__ = ["main"]
