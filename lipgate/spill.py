"""Rows that grow with a clip's length, kept in an unnamed temporary file instead of in memory.

A measurement that must look back at every frame of a source (``lipgate.qa.compare`` aligns each
render frame against all of them) or at a whole sound track keeps those rows here: appended as
they are decoded, read back as a read-only memory map. The operating system pages them in when
they are read, so the process's memory stays flat whatever the clip's length; the file has no
name (``tempfile.TemporaryFile``) and is gone when the array and the store are.
"""

from __future__ import annotations

import tempfile

import numpy as np


class SpillArray:
    """Append rows of one shape and dtype; ``array()`` gives them back as (rows, *shape)."""

    def __init__(self, dtype, row_shape: tuple[int, ...] | None = None):
        self.dtype = np.dtype(dtype)
        self.row_shape = row_shape
        """Set by the first row when not given."""
        self.rows = 0
        self._file = tempfile.TemporaryFile(prefix="lipgate-spill-")

    def append(self, row) -> None:
        """One row (``row_shape``)."""
        row = np.ascontiguousarray(row, dtype=self.dtype)
        if self.row_shape is None:
            self.row_shape = row.shape
        elif row.shape != tuple(self.row_shape):
            raise ValueError(f"a row of shape {row.shape} in a store of rows {self.row_shape}")
        self._file.write(row.tobytes())
        self.rows += 1

    def extend(self, rows) -> None:
        """Several rows at once (axis 0), e.g. a block of sound samples into a store of scalars."""
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if self.row_shape is None:
            self.row_shape = rows.shape[1:]
        elif rows.shape[1:] != tuple(self.row_shape):
            raise ValueError(f"rows of shape {rows.shape[1:]} in a store of rows {self.row_shape}")
        self._file.write(rows.tobytes())
        self.rows += len(rows)

    def __len__(self) -> int:
        return self.rows

    def array(self) -> np.ndarray:
        """The rows so far, read-only (a memory map of the file; an empty array when there are none)."""
        shape = (self.rows, *(self.row_shape or ()))
        if self.rows == 0 or self.dtype.itemsize * int(np.prod(shape)) == 0:
            return np.zeros(shape, self.dtype)
        self._file.flush()
        return np.memmap(self._file, dtype=self.dtype, mode="r", shape=shape)
