"""Runs: one place where a problem meets an optimizer and steps become frames."""
