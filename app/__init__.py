"""Hillside: a gradient-descent visualiser served by FastAPI."""

__version__ = "0.1.0"
