"""A run's history as one table of float64 rows, grown in place; a frame dict is made only when it is read.

A frame dict of a 2D run costs about 1.7 KB of Python objects; the same step as a row of float64 costs about
150 bytes. So the history keeps a row of numbers a frame (loss, slope, learning rate, evaluation counts, params,
grad, then each fixed-shape numeric extra of the optimizer at its own offset) and builds the dicts the API and
the pages read on demand, through :class:`Frames`, a read-only sequence that answers exactly what the list of
frame dicts answered before (the tests compare them bit for bit).

The table is one typed buffer (``array.array("d")``: 8 bytes a number, grown in place by about 1/16 at a time)
rather than NumPy arrays: appending a row of Python floats to it costs about 30 ns a number, where writing a
NumPy row costs 300 ns to 1 µs, and a step must not pay that. One buffer for the whole row, not one a column,
because the live path reads the newest frame of every run on every tick: one slice is the whole frame, and
each layout of extras has a reader (an ``itemgetter``) that cuts it into the frame's parts. An extra seen for
the first time widens every row (a copy, once per extra in a run's life: usually at step 1). Readers get NumPy
arrays of whole columns (:meth:`History.array`) without building a single frame. Extras that are not
fixed-shape floats (a keyed sentence such as Newton's ``fallback``, a line search's trial points, a switch, a
name) are kept sparsely, already as plain data. ``None`` in a float column is NaN: both read back as None.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Callable, Iterator
from itertools import pairwise
from operator import itemgetter
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
    """One extra's place in every row: ``width`` numbers from ``offset`` on (NaN in rows that have none)."""

    __slots__ = ("nan_row", "offset", "shape", "takes_pairs", "width")

    def __init__(self, shape: tuple[int, ...], offset: int) -> None:
        self.shape = shape
        self.offset = offset
        self.width = math.prod(shape)
        self.takes_pairs = len(shape) == 1 and shape[0] <= 2  # a vector a float rule makes, of 1 or 2 numbers
        self.nan_row = array("d", [_NAN] * self.width)

    def put(self, data: array, value: Any) -> bool:
        """Append ``value`` to ``data`` as this column's part of a row if it fits exactly; False (nothing
        written) if it does not."""
        kind = type(value)
        if kind is float or kind is np.float64:
            if self.width != 1 or self.shape:
                return False
            data.append(value)
        elif kind is list or kind is tuple:
            if self.shape != (len(value),) or not all(type(v) is float for v in value):
                return False
            data.extend(value)
        elif kind is np.ndarray:
            if value.dtype != np.float64 or value.shape != self.shape:
                return False
            data.frombytes(value.tobytes())
        elif value is None:
            if self.shape:
                return False
            data.append(_NAN)
        else:
            return False
        return True

    def part(self) -> int | slice:
        """Where a row read as a list holds this column's value: an index (a number) or a slice (a vector)."""
        return self.offset if not self.shape else slice(self.offset, self.offset + self.width)


def _extras_reader(keys: tuple[str, ...], parts: list[int | slice]) -> Callable[[list], dict[str, Any]]:
    """A function that cuts a row (a list, every number finite) into its extras, in the layout's key order.

    A dict display of up to five entries builds the dict in half the time of any loop or ``dict(zip(...))``
    (the common layouts: a float rule's update and at most four of its state's vectors).
    """
    pairs = tuple(zip(keys, parts, strict=True))
    if len(pairs) == 1:
        ((a, pa),) = pairs
        return lambda row: {a: row[pa]}
    if len(pairs) == 2:
        (a, pa), (b, pb) = pairs
        return lambda row: {a: row[pa], b: row[pb]}
    if len(pairs) == 3:
        (a, pa), (b, pb), (c, pc) = pairs
        return lambda row: {a: row[pa], b: row[pb], c: row[pc]}
    if len(pairs) == 4:
        (a, pa), (b, pb), (c, pc), (d, pd) = pairs
        return lambda row: {a: row[pa], b: row[pb], c: row[pc], d: row[pd]}
    if len(pairs) == 5:
        (a, pa), (b, pb), (c, pc), (d, pd), (e, pe) = pairs
        return lambda row: {a: row[pa], b: row[pb], c: row[pc], d: row[pd], e: row[pe]}
    return lambda row: {key: row[part] for key, part in pairs}


def _frame_reader(dim: int, read_extras: Callable[[list], dict[str, Any]]) -> Callable[[int, list], dict[str, Any]]:
    """A function that builds frame ``i`` from its row (a list, every number finite): one call, no checks."""
    params, grad = slice(PARAMS, PARAMS + dim), slice(PARAMS + dim, PARAMS + 2 * dim)
    assert (LOSS, GRAD_NORM, LR, COUNTS) == (0, 1, 2, 3)  # the row's layout, written out below for speed

    def read(i: int, row: list) -> dict[str, Any]:
        return {
            "step": i,
            "params": row[params],
            "loss": row[0],
            "grad": row[grad],
            "grad_norm": row[1],
            "lr": row[2],
            "evaluations": {"f": int(row[3]), "grad": int(row[4]), "hessian": int(row[5])},
            "extras": read_extras(row),
        }

    return read


class History:
    """Every frame of a run so far, as rows of one float64 table; see the module's docstring."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.width = PARAMS + 2 * dim  # the core of a row; the extras' columns follow it
        self.row_width = self.width
        self._n = 0
        self._data = array("d")
        self._layout = array("i")  # which extras each row has, in which order: an index into _layouts
        self._layouts: list[tuple[str, ...]] = []
        self._layout_ids: dict[tuple[str, ...], int] = {}
        # For each layout: every column in row order with the key that fills it (None: NaN), and its keys
        # that have no column yet.
        self._plans: list[tuple[list[tuple[str | None, _Column]], list[str]]] = []
        # For each layout: its keys, and a reader of its extras when its rows can be read fast (None if not).
        self._readers: list[tuple[tuple[str, ...], Callable[[int, list], dict[str, Any]] | None]] = []
        self._extras: dict[str, _Column] = {}
        self._sparse: dict[str, dict[int, Any]] = {}
        self._sparse_bytes = 0
        self._core = itemgetter(LOSS, GRAD_NORM, LR, COUNTS, COUNTS + 1, COUNTS + 2)
        self._params = slice(PARAMS, PARAMS + dim)
        self._grad = slice(PARAMS + dim, PARAMS + 2 * dim)
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
        data = self._data
        data.extend(
            (loss, _NAN if grad_norm is None else grad_norm, _NAN if lr is None else lr, *counts, *params, *grad)
        )
        keys = tuple(extras)
        layout = self._layout_ids.get(keys)
        if layout is None:
            layout = self._new_layout(keys)
        self._layout.append(layout)
        columns, loose = self._plans[layout]
        for key, column in columns:
            if key is None:
                data.extend(column.nan_row)
                continue
            value = extras[key]
            if (
                type(value) is list
                and column.takes_pairs
                and len(value) == column.width
                and type(value[0]) is float
                and type(value[-1]) is float
            ):  # a float rule's vector of 1 or 2 numbers: the common case, checked in full
                data.extend(value)
            elif not column.put(data, value):
                data.extend(column.nan_row)
                self._keep_sparsely(key, i, value)
        self._n = i + 1
        for key in loose:
            self._put_loose(key, i, extras[key])

    def _new_layout(self, keys: tuple[str, ...]) -> int:
        layout = self._layout_ids[keys] = len(self._layouts)
        self._layouts.append(keys)
        self._plans.append(([], []))
        self._readers.append((keys, None))
        self._replan()
        return layout

    def _replan(self) -> None:
        """For each layout: how its rows are written, and how they are read."""
        for layout, keys in enumerate(self._layouts):
            columns = [(key if key in keys else None, column) for key, column in self._extras.items()]
            loose = [key for key in keys if key not in self._extras]
            self._plans[layout] = (columns, loose)
            fast = not loose and all(key not in self._sparse and len(self._extras[key].shape) <= 1 for key in keys)
            parts = [self._extras[key].part() for key in keys] if fast else []
            self._readers[layout] = (keys, _frame_reader(self.dim, _extras_reader(keys, parts)) if fast else None)

    def _put_loose(self, key: str, i: int, value: Any) -> None:
        """A value whose key has no column: make one (row ``i``, the last, gets the value), or keep it sparsely."""
        shape = _shape_of(value)
        if shape is not None:
            column = self._widen(key, shape)
            cell = array("d")
            if column.put(cell, value):
                start = i * self.row_width + column.offset
                self._data[start : start + column.width] = cell
                return
        self._keep_sparsely(key, i, value)

    def _widen(self, key: str, shape: tuple[int, ...]) -> _Column:
        """A new column at the end of every row, NaN in the rows so far (a copy of the table: rare)."""
        rows, old = self._n, self.row_width
        column = self._extras[key] = _Column(shape, old)
        table = np.full((rows, old + column.width), _NAN)
        table[:, :old] = np.frombuffer(self._data, dtype=np.float64).reshape(rows, old)
        self._data = array("d", table.tobytes())
        self.row_width = old + column.width
        self._replan()
        return column

    def _keep_sparsely(self, key: str, i: int, value: Any) -> None:
        """A value no column holds, kept as plain data beside the table."""
        sparse = self._sparse.get(key)
        if sparse is None:
            sparse = self._sparse[key] = {}
            self._replan()  # rows of layouts with this key are no longer read the fast way
        plain = sparse[i] = to_plain(value)
        self._sparse_bytes += SPARSE_ENTRY_BYTES + _plain_bytes(plain)

    # ----- sizes ------------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        """Bytes the history holds now: its table (with its spare room) and its sparse extras."""
        return sys.getsizeof(self._data) + sys.getsizeof(self._layout) + self._sparse_bytes

    @property
    def frame_bytes(self) -> int:
        """Bytes one more frame holds: a row of the table, and the sparse extras' average so far."""
        return 8 * self.row_width + self._layout.itemsize + self._sparse_bytes // max(self._n - 1, 1)

    # ----- reading ----------------------------------------------------------------------------------------------

    def _table(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` as a (rows, row_width) array (a copy: the buffer may grow while it is read)."""
        width = self.row_width
        return np.frombuffer(self._data[start * width : stop * width], dtype=np.float64).reshape(-1, width)

    def _bounds(self, start: int, stop: int | None) -> tuple[int, int]:
        stop = self._n if stop is None else min(stop, self._n)
        return min(max(start, 0), stop), stop

    def array(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """A column of frames ``start`` to ``stop`` as a NumPy array (a copy): params (n, dim), loss (n,), ..."""
        start, stop = self._bounds(start, stop)
        table = self._table(start, stop)
        if name == "params":
            return table[:, self._params]
        if name == "grad":
            return table[:, self._grad]
        if name in ("loss", "grad_norm", "lr"):
            return table[:, (LOSS, GRAD_NORM, LR)[("loss", "grad_norm", "lr").index(name)]]
        if name == "evaluations":
            return table[:, COUNTS:PARAMS].astype(np.int64)
        raise KeyError(name)

    def frame(self, i: int) -> dict[str, Any]:
        """The frame at step ``i`` (0-based, already checked to exist), built exactly as the engine used to store
        it: the live path reads each new frame once, so this is the hot read (about 2 µs for a 2D Adam frame)."""
        width = self.row_width
        row = self._data[i * width : i * width + width].tolist()
        keys, read = self._readers[self._layout[i]]
        if read is not None and math.isfinite(sum(row)):  # every number finite: the parts as they are
            return read(i, row)
        loss, grad_norm, lr, f, g, h = self._core(row)
        return {
            "step": i,
            "params": _plain_list(row[self._params]),
            "loss": finite_or_none(loss),
            "grad": _plain_list(row[self._grad]),
            "grad_norm": None if grad_norm != grad_norm else grad_norm,
            "lr": finite_or_none(lr),
            "evaluations": {"f": int(f), "grad": int(g), "hessian": int(h)},
            "extras": {key: self._extra(key, i, row) for key in keys},
        }

    def _extra(self, key: str, i: int, row: list) -> Any:
        sparse = self._sparse.get(key)
        if sparse is not None and i in sparse:
            return sparse[i]
        column = self._extras[key]
        if not column.shape:
            return finite_or_none(row[column.offset])
        values = row[column.offset : column.offset + column.width]
        if len(column.shape) == 1:
            return _plain_list(values)
        return to_plain(np.array(values).reshape(column.shape))

    def column(self, name: str, start: int = 0, stop: int | None = None) -> list:
        """Field ``name`` of frames ``start`` to ``stop``, one JSON-safe value per frame, as the frames hold it."""
        start, stop = self._bounds(start, stop)
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

    def extra_column(self, key: str, start: int = 0, stop: int | None = None) -> list:
        """Extra ``key`` of frames ``start`` to ``stop`` from its column (NaN rows as None), sparse values aside."""
        start, stop = self._bounds(start, stop)
        column = self._extras[key]
        cells = self._table(start, stop)[:, column.offset : column.offset + column.width]
        return _plain_rows(cells.reshape(-1, *column.shape))

    def extras_spans(self, start: int = 0, stop: int | None = None) -> list[tuple[int, int, tuple[str, ...] | None]]:
        """Frames ``start`` to ``stop`` cut where their extras change keys (a run's frame 0 has none): each span's
        first frame, its end, and its keys when each is a number or a flat vector in its column (no sparse
        values: what an encoder can write a column at a time), else None."""
        start, stop = self._bounds(start, stop)
        if stop <= start:
            return []
        kinds = np.frombuffer(self._layout[start:stop], dtype=np.intc)
        cuts = [start, *(start + 1 + np.flatnonzero(kinds[1:] != kinds[:-1])).tolist(), stop]
        spans = []
        for first, end in pairwise(cuts):
            keys, read = self._readers[self._layout[first]]
            spans.append((first, end, keys if read is not None else None))
        return spans

    def _extras_column(self, start: int, stop: int) -> list[dict[str, Any]]:
        values: dict[str, list] = {key: self.extra_column(key, start, stop) for key in self._extras}
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
        list.append(self, _GUARD)  # what the run's advance returns each tick: no more than it needs
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
        history, first, stop = self.history, self.start, self.stop
        n = (history._n if stop is None else stop) - first
        if type(index) is int:  # the live path's read of the newest frame: no more checks than it needs
            i = index + n if index < 0 else index
            if 0 <= i < n:
                return history.frame(first + i)
            raise IndexError("frame index out of range")
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return history.rows(FIELDS, first + start, first + stop) if stop > start else []
            return [history.frame(first + i) for i in range(start, stop, step)]
        i = index.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("frame index out of range")
        return history.frame(first + i)

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


_GUARD = _Guard()
