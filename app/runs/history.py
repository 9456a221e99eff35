"""A run's history as columns of float64, grown in chunks; a frame dict is made only when it is read.

A frame dict of a 2D run costs about 1.7 KB of Python objects; the same step as a row of float64 columns
costs about 130 bytes. So the history keeps columns (loss, slope, learning rate, evaluation counts, params,
grad, and each fixed-shape numeric extra of the optimizer) and builds the dicts the API and the pages read
on demand, through :class:`Frames`, a read-only sequence that answers exactly what the list of frame dicts
answered before (the tests compare them bit for bit).

Each column is a typed buffer (``array.array("d")``: 8 bytes a number, grown in place by about 1/16 at a
time) rather than a NumPy array: appending a row of Python floats to it costs about 30 ns a number, where
writing a NumPy row costs 300 ns to 1 µs, and a step must not pay that. Readers get NumPy arrays of whole
columns (:meth:`History.array`) without building a single frame. Extras that are not fixed-shape floats (a
keyed sentence such as Newton's ``fallback``, a line search's trial points, a switch, a name) are kept
sparsely, already as plain data. ``None`` in a float column is NaN: both read back as None.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np

from app.runs.frames import finite_or_none, to_plain

FIELDS = ("step", "params", "loss", "grad", "grad_norm", "lr", "evaluations", "extras")
COUNT_KINDS = ("f", "grad", "hessian")
ITERATION_CHUNK = 512  # frames built at a time when a reader walks them all
SPARSE_ENTRY_BYTES = 100  # a sparse extra's slot: its share of a dict and the row number's int object
_OBJECT_BYTES = {float: 24, int: 28}
_NAN = math.nan
# The core row: loss, grad_norm (NaN: none), lr (NaN: none), the three evaluation counts, params, grad.
LOSS, GRAD_NORM, LR, COUNTS, PARAMS = 0, 1, 2, 3, 6

Extras = dict[str, Any]


def _plain_bytes(value: Any) -> int:
    """Roughly what a sparse extra's plain value holds (strings are the code's own literals: shared)."""
    if isinstance(value, list):
        return 56 + 8 * len(value) + sum(_plain_bytes(v) for v in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_plain_bytes(v) for v in value.values())
    return _OBJECT_BYTES.get(type(value), 0)


def _plain_rows(rows: np.ndarray) -> list:
    """Rows of a column as JSON-safe lists, exactly as ``to_plain`` makes each (non-finite entries as None)."""
    if rows.ndim == 1:
        plain = rows.tolist()
        return plain if np.isfinite(rows).all() else [finite_or_none(v) for v in plain]
    if np.isfinite(rows).all():
        return rows.tolist()
    return [to_plain(row) for row in rows]


def _shape_of(value: Any) -> tuple[int, ...] | None:
    """The row shape of a value a float column holds exactly, or None when it must be kept sparsely."""
    kind = type(value)
    if kind is float or kind is np.float64 or value is None:
        return ()
    if (kind is list or kind is tuple) and value and all(type(v) is float for v in value):
        return (len(value),)
    if kind is np.ndarray and value.dtype == np.float64 and value.size:
        return value.shape
    return None


class _Column:
    """One extra's float64 column: ``width`` numbers a row, a row for every frame (NaN where it has none)."""

    __slots__ = ("data", "nan_row", "shape", "takes_pairs", "width")

    def __init__(self, shape: tuple[int, ...], rows: int) -> None:
        self.shape = shape
        self.width = math.prod(shape)
        self.takes_pairs = len(shape) == 1 and shape[0] <= 2  # a vector a float rule makes, of 1 or 2 numbers
        self.nan_row = array("d", [_NAN] * self.width)
        self.data = self.nan_row * rows

    def put(self, value: Any) -> bool:
        """Append ``value`` as the next row if it fits this column exactly; False if it does not."""
        kind = type(value)
        if kind is float or kind is np.float64:
            if self.width != 1 or self.shape:
                return False
            self.data.append(value)
        elif kind is list or kind is tuple:
            if self.shape != (len(value),) or not all(type(v) is float for v in value):
                return False
            self.data.extend(value)
        elif kind is np.ndarray:
            if value.dtype != np.float64 or value.shape != self.shape:
                return False
            self.data.frombytes(value.tobytes())
        elif value is None:
            if self.shape:
                return False
            self.data.append(_NAN)
        else:
            return False
        return True

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` as a NumPy array (a copy: the buffer may grow while it is read)."""
        width = self.width
        return np.frombuffer(self.data[start * width : stop * width], dtype=np.float64).reshape(-1, *self.shape)


class History:
    """Every frame of a run so far, as columns; see the module's docstring."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.width = PARAMS + 2 * dim
        self._n = 0
        self._core = array("d")
        self._layout = array("i")  # which extras each row has, in which order: an index into _layouts
        self._layouts: list[tuple[str, ...]] = []
        self._layout_ids: dict[tuple[str, ...], int] = {}
        self._plans: list[tuple[list[tuple[str, _Column | None]], list[_Column]]] = []
        self._extras: dict[str, _Column] = {}
        self._sparse: dict[str, dict[int, Any]] = {}
        self._sparse_bytes = 0
        self.frames = Frames(self)

    # ----- writing ----------------------------------------------------------------------------------------------

    def append(
        self,
        params: list[float],
        loss: float,
        grad: list[float],
        grad_norm: float | None,
        lr: float | None,
        counts: tuple[int, int, int],
        extras: Extras,
    ) -> None:
        """Record one frame: ``params`` and ``grad`` as ``dim`` floats; extras raw (floats, lists of floats, arrays)."""
        i = self._n
        self._core.extend(
            (loss, _NAN if grad_norm is None else grad_norm, _NAN if lr is None else lr, *counts, *params, *grad)
        )
        keys = tuple(extras)
        layout = self._layout_ids.get(keys)
        if layout is None:
            layout = self._new_layout(keys)
        self._layout.append(layout)
        written, absent = self._plans[layout]
        for key, column in written:
            value = extras[key]
            if (
                type(value) is list
                and column is not None
                and column.takes_pairs
                and len(value) == column.width
                and type(value[0]) is float
                and type(value[-1]) is float
            ):  # a float rule's vector of 1 or 2 numbers: the common case, checked in full
                column.data.extend(value)
                continue
            if column is None or not column.put(value):
                self._put_slowly(key, i, value)
        for column in absent:
            column.data.extend(column.nan_row)
        self._n = i + 1

    def _new_layout(self, keys: tuple[str, ...]) -> int:
        layout = self._layout_ids[keys] = len(self._layouts)
        self._layouts.append(keys)
        self._plans.append(([], []))
        self._replan()
        return layout

    def _replan(self) -> None:
        """For each layout: which columns its values go to, and which columns get an empty row."""
        for layout, keys in enumerate(self._layouts):
            written = [(key, self._extras.get(key)) for key in keys]
            absent = [column for key, column in self._extras.items() if key not in keys]
            self._plans[layout] = (written, absent)

    def _put_slowly(self, key: str, i: int, value: Any) -> None:
        """A value its column (if any) cannot hold: make the column, or keep the value sparsely."""
        column = self._extras.get(key)
        if column is None:
            shape = _shape_of(value)
            if shape is not None:
                column = self._extras[key] = _Column(shape, i)
                self._replan()
                if column.put(value):
                    return
        if column is not None:
            column.data.extend(column.nan_row)
        plain = self._sparse.setdefault(key, {})[i] = to_plain(value)
        self._sparse_bytes += SPARSE_ENTRY_BYTES + _plain_bytes(plain)

    # ----- sizes ------------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        """Bytes the history holds now: its columns (with their spare room) and its sparse extras."""
        buffers = [self._core, self._layout, *(column.data for column in self._extras.values())]
        return sum(sys.getsizeof(b) for b in buffers) + self._sparse_bytes

    @property
    def frame_bytes(self) -> int:
        """Bytes one more frame holds: a row of every column, and the sparse extras' average so far."""
        row = 8 * self.width + self._layout.itemsize + sum(8 * c.width for c in self._extras.values())
        return row + self._sparse_bytes // max(self._n - 1, 1)

    # ----- reading ----------------------------------------------------------------------------------------------

    def array(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """A column of frames ``start`` to ``stop`` as a NumPy array (a copy): params (n, dim), loss (n,), ..."""
        stop = self._n if stop is None else min(stop, self._n)
        start = min(max(start, 0), stop)
        core = np.frombuffer(self._core[start * self.width : stop * self.width]).reshape(-1, self.width)
        if name == "params":
            return core[:, PARAMS : PARAMS + self.dim]
        if name == "grad":
            return core[:, PARAMS + self.dim :]
        if name in ("loss", "grad_norm", "lr"):
            return core[:, (LOSS, GRAD_NORM, LR)[("loss", "grad_norm", "lr").index(name)]]
        if name == "evaluations":
            return core[:, COUNTS:PARAMS].astype(np.int64)
        raise KeyError(name)

    def frame(self, i: int) -> dict[str, Any]:
        """Frame ``i`` (0-based, already checked to exist), built exactly as the engine used to store it."""
        width, dim = self.width, self.dim
        row = self._core[i * width : (i + 1) * width].tolist()
        loss, grad_norm, lr, f, g, h = row[:PARAMS]
        keys = self._layouts[self._layout[i]]
        return {
            "step": i,
            "params": _plain_list(row[PARAMS : PARAMS + dim]),
            "loss": finite_or_none(loss),
            "grad": _plain_list(row[PARAMS + dim :]),
            "grad_norm": None if grad_norm != grad_norm else grad_norm,
            "lr": finite_or_none(lr),
            "evaluations": {"f": int(f), "grad": int(g), "hessian": int(h)},
            "extras": {key: self._extra(key, i) for key in keys},
        }

    def _extra(self, key: str, i: int) -> Any:
        sparse = self._sparse.get(key)
        if sparse is not None and i in sparse:
            return sparse[i]
        column = self._extras[key]
        if not column.shape:
            return finite_or_none(column.data[i])
        return to_plain(column.rows(i, i + 1)[0])

    def column(self, name: str, start: int = 0, stop: int | None = None) -> list:
        """Field ``name`` of frames ``start`` to ``stop``, one JSON-safe value per frame, as the frames hold it."""
        stop = self._n if stop is None else min(stop, self._n)
        start = min(max(start, 0), stop)
        if name == "step":
            return list(range(start, stop))
        if name in ("params", "grad", "loss", "lr"):
            return _plain_rows(self.array(name, start, stop))
        if name == "grad_norm":
            return [None if v != v else v for v in self.array(name, start, stop).tolist()]
        if name == "evaluations":
            return [{"f": f, "grad": g, "hessian": h} for f, g, h in self.array(name, start, stop).tolist()]
        if name == "extras":
            return self._extras_column(start, stop)
        raise KeyError(name)

    def _extras_column(self, start: int, stop: int) -> list[dict[str, Any]]:
        values: dict[str, list] = {key: _plain_rows(c.rows(start, stop)) for key, c in self._extras.items()}
        for key, sparse in self._sparse.items():
            held = values.setdefault(key, [None] * (stop - start))
            for row, value in sparse.items():
                if start <= row < stop:
                    held[row - start] = value
        layouts = self._layouts
        kinds = self._layout[start:stop].tolist()
        if kinds and min(kinds) == max(kinds):  # the usual run: the same extras on every frame
            keys = layouts[kinds[0]]
            if not keys:
                return [{} for _ in kinds]
            return [dict(zip(keys, row, strict=True)) for row in zip(*(values[key] for key in keys), strict=True)]
        return [{key: values[key][offset] for key in layouts[layout]} for offset, layout in enumerate(kinds)]

    def rows(self, fields: tuple[str, ...] = FIELDS, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        """Frames ``start`` to ``stop`` as dicts of ``fields`` only, built a column at a time."""
        columns = [self.column(name, start, stop) for name in fields]
        if fields == FIELDS:  # a dict display builds a frame in a third of dict(zip(...))'s time
            return [
                {"step": a, "params": b, "loss": c, "grad": d, "grad_norm": e, "lr": f, "evaluations": g, "extras": h}
                for a, b, c, d, e, f, g, h in zip(*columns, strict=True)
            ]
        return [dict(zip(fields, values, strict=True)) for values in zip(*columns, strict=True)]


def _plain_list(values: list[float]) -> list:
    """A vector as ``to_plain`` gives it: the list itself when finite, else with None in place."""
    return values if math.isfinite(sum(values)) else [finite_or_none(v) for v in values]


class Frames(list):
    """A run's frames as a read-only sequence: ``len``, indexing (also negative), slices, iteration, ``==``.

    It builds each frame dict from the columns when it is read; a slice is a plain list of dicts. A window
    (``start``, ``stop``) shows part of a history (``advance`` answers the frames it added so, unbuilt);
    without ``stop`` it grows with the run. It subclasses ``list`` only so that ``json.dumps`` and
    ``isinstance(x, list)`` accept it; it holds no items itself (its one stored item is a guard: an encoder
    that reads a list's storage directly, as orjson does, fails loudly instead of writing ``[]``; give it
    ``list(frames)`` or a slice).
    """

    __slots__ = ("history", "start", "stop")

    def __init__(self, history: History, start: int = 0, stop: int | None = None) -> None:
        super().__init__((_Guard(),))
        self.history, self.start, self.stop = history, start, stop

    def bounds(self) -> tuple[int, int]:
        """The history's rows this shows now: ``range(*bounds())``."""
        return self.start, len(self.history) if self.stop is None else self.stop

    def __len__(self) -> int:
        first, end = self.bounds()
        return end - first

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: Any) -> Any:
        first, end = self.bounds()
        n = end - first
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return self.history.rows(FIELDS, first + start, first + stop) if stop > start else []
            return [self.history.frame(first + i) for i in range(start, stop, step)]
        i = index.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("frame index out of range")
        return self.history.frame(first + i)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        first, end = self.bounds()
        for start in range(first, end, ITERATION_CHUNK):
            yield from self.history.rows(FIELDS, start, min(start + ITERATION_CHUNK, end))

    def __reversed__(self) -> Iterator[dict[str, Any]]:
        return (self.history.frame(i) for i in reversed(range(*self.bounds())))

    def __contains__(self, item: object) -> bool:
        return any(frame == item for frame in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} frames>"

    def __add__(self, other: Any) -> list:
        return list(self) + list(other)

    def __radd__(self, other: Any) -> list:
        return list(other) + list(self)

    def __reduce__(self) -> tuple:
        return (list, (list(self),))

    def copy(self) -> list:
        return list(self)

    def index(self, value: Any, *args: Any) -> int:
        return list(self).index(value, *args)

    def count(self, value: Any) -> int:
        return sum(1 for frame in self if frame == value)

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a run's frames are read-only: the run records them as it steps")

    append = extend = insert = pop = remove = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    __lt__ = __le__ = __gt__ = __ge__ = _read_only
    __mul__ = __rmul__ = _read_only


class _Guard:
    """What a ``Frames`` holds in its own list storage: something no JSON encoder can write."""

    __slots__ = ()
