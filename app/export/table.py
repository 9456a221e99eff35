"""Frames as CSV: one row per runner and step, one column per coordinate, ready for a spreadsheet or pandas.

Numbers are written as Python's ``repr`` of the float (the shortest text that reads back to the same
float), so a CSV read back holds exactly the frames' values; a value that is not a number is left empty.
Rows are encoded a chunk at a time so a 10,000-step race streams instead of being built as one string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.export.records import RunRecord

ROWS_PER_CHUNK = 1_000
AXES = ("x", "y")
EVALUATIONS = ("f", "grad", "hessian")


def header(dim: int) -> list[str]:
    axes = AXES[:dim]
    return [
        "runner",
        "optimizer",
        "step",
        *axes,
        "loss",
        *(f"grad_{axis}" for axis in axes),
        "grad_norm",
        "lr",
        *(f"evaluations_{kind}" for kind in EVALUATIONS),
    ]


def _number(value: float | int | None) -> str:
    return "" if value is None else repr(value)


def rows(records: list[RunRecord]) -> Iterator[list[str]]:
    """Every runner's frames in turn, runner 0 first."""
    for runner, record in enumerate(records):
        optimizer = record.config["optimizer"]
        for frame in record.frames:
            evaluations = frame["evaluations"]
            yield [
                str(runner),
                optimizer,
                str(frame["step"]),
                *map(_number, frame["params"]),
                _number(frame["loss"]),
                *map(_number, frame["grad"]),
                _number(frame["grad_norm"]),
                _number(frame["lr"]),
                *(str(evaluations.get(kind, 0)) for kind in EVALUATIONS),
            ]


def csv_chunks(records: list[RunRecord], rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[bytes]:
    """The CSV file in pieces of about ``rows_per_chunk`` rows (the header with the first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(records[0].dim))
    count = 0
    for row in rows(records):
        writer.writerow(row)
        count += 1
        if count == rows_per_chunk:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            count = 0
    if buffer.tell():
        yield buffer.getvalue().encode()
