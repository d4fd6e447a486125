"""The files of the large data sets, read defensively: IDX (MNIST) and CIFAR-10's pickle batches.

These files come from the user's disk and are treated as hostile: every error names the file and
what is wrong with it, and nothing is read that the file's own header does not promise.

* IDX: the header (type, dimensions) is read first; at most the number of data bytes it declares
  is read, streaming, and only if that is at most :data:`MAX_IDX_BYTES` (1 GiB; MNIST's training
  images are 47 MB). A gzip file is decompressed as it is read, so a small file that inflates to
  gigabytes is refused after the declared bytes, not after inflating it all.
* CIFAR-10: unpickled with an unpickler that resolves nothing but numpy's array reconstruction,
  so a hostile pickle cannot run code; labels must be whole numbers 0–9.

This module may import only numpy and the standard library.
"""

from __future__ import annotations

import codecs
import gzip
import math
import os
import pickle
import zlib
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

__all__ = ["MAX_IDX_BYTES", "DatasetError", "read_cifar_batch", "read_idx"]

#: The most data bytes one IDX file may declare (1 GiB).
MAX_IDX_BYTES = 1 << 30


class DatasetError(Exception):
    """A data set cannot be loaded; the message names the file, the directory and the fix."""


# ---------------------------------------------------------------------------------------------
# IDX (MNIST)
# ---------------------------------------------------------------------------------------------

# type code -> big-endian dtype, from the IDX format description
_IDX_TYPES: dict[int, str] = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


def _is_gzip(path: Path) -> bool:
    """Gzip by its magic bytes, not by its name."""
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _read(fh: BinaryIO, n: int, path: Path) -> bytes:
    """Up to ``n`` bytes; a broken gzip stream becomes a DatasetError naming the file."""
    try:
        return fh.read(n)
    except _GZIP_ERRORS as exc:
        raise DatasetError(f"{path}: not a valid gzip file ({exc}); re-copy it or unpack it") from exc


def _idx_header(fh: BinaryIO, path: Path) -> tuple[np.dtype, tuple[int, ...], int]:
    """Read and check the header: (dtype, dimensions, header length in bytes)."""
    head = _read(fh, 4, path)
    if len(head) < 4:
        raise DatasetError(f"{path}: {len(head)} bytes is too short for an IDX header")
    if head[:2] != b"\x00\x00" or head[2] not in _IDX_TYPES:
        magic = int.from_bytes(head, "big")
        raise DatasetError(
            f"{path}: not an IDX file (magic number 0x{magic:08x}; an IDX file starts with 00 00, "
            f"a type code in {sorted(hex(t) for t in _IDX_TYPES)} and the number of dimensions)"
        )
    ndim = head[3]
    raw = _read(fh, 4 * ndim, path)
    if ndim == 0 or len(raw) < 4 * ndim:
        raise DatasetError(
            f"{path}: IDX header declares {ndim} dimensions but the file ends at byte {4 + len(raw)}"
        )
    dims = tuple(int.from_bytes(raw[4 * i : 4 * i + 4], "big") for i in range(ndim))
    return np.dtype(_IDX_TYPES[head[2]]), dims, 4 + 4 * ndim


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into an array of its declared shape and type.

    The header is validated: two zero bytes, a known type code, a dimension count, one big-endian
    uint32 per dimension, then exactly the number of data bytes those dimensions call for (at most
    :data:`MAX_IDX_BYTES`). Data is read only after the header is checked, and never more of it
    than the header declares.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} not found")
    gz = _is_gzip(path)
    with gzip.open(path, "rb") if gz else path.open("rb") as fh:
        dtype, dims, header = _idx_header(fh, path)
        # Python integers: a product of four uint32 dimensions cannot overflow here.
        expected = math.prod(dims) * dtype.itemsize
        if expected > MAX_IDX_BYTES:
            raise DatasetError(
                f"{path}: the header declares shape {dims}, {expected:,} data bytes, more than the "
                f"{MAX_IDX_BYTES:,} gradproof reads from one IDX file; the file is damaged or not MNIST"
            )
        if not gz and path.stat().st_size - header != expected:
            found = path.stat().st_size - header
            raise _size_mismatch(path, dims, expected, found)
        data = _read(fh, expected, path)
        if len(data) < expected:
            raise _size_mismatch(path, dims, expected, len(data))
        if _read(fh, 1, path):
            raise DatasetError(
                f"{path}: the header declares shape {dims} ({expected} data bytes) but the file holds "
                "more; the file is not what its name says"
            )
    return np.frombuffer(data, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


def _size_mismatch(path: Path, dims: tuple[int, ...], expected: int, found: int) -> DatasetError:
    return DatasetError(
        f"{path}: the header declares shape {dims} ({expected} data bytes) but the file holds "
        f"{found}; the file is truncated or not what its name says"
    )


# ---------------------------------------------------------------------------------------------
# CIFAR-10 (python pickle batches)
# ---------------------------------------------------------------------------------------------


def _numpy_reconstructors() -> dict[tuple[str, str], Any]:
    """The only globals a CIFAR batch needs: numpy's array and dtype reconstruction, and bytes."""
    try:
        from numpy._core import multiarray, numeric
    except ImportError:  # numpy < 2
        from numpy.core import multiarray, numeric  # type: ignore[no-redef]
    allowed: dict[tuple[str, str], Any] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        # Python-3 pickles at protocol 2 spell bytes as _codecs.encode(str, "latin1").
        ("_codecs", "encode"): codecs.encode,
    }
    # Pickles name the module as it was called when they were written: numpy.core (numpy 1) or
    # numpy._core (numpy 2); both resolve to the same functions here.
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = multiarray._reconstruct
        allowed[(module, "scalar")] = multiarray.scalar
    for module in ("numpy.core.numeric", "numpy._core.numeric"):
        allowed[(module, "_frombuffer")] = numeric._frombuffer
    return allowed


class _ForbiddenGlobal(pickle.UnpicklingError):
    """A pickle asked for a global outside the allowed numpy reconstructors."""


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Resolves only numpy's array reconstruction globals, so a hostile pickle cannot run code."""

    _allowed = _numpy_reconstructors()

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise _ForbiddenGlobal(f"global {module}.{name} is not allowed in a data batch") from None


def _unpickle(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            # encoding="bytes": the official batches were pickled by Python 2, with bytes keys.
            return _NumpyOnlyUnpickler(fh, encoding="bytes").load()
    except FileNotFoundError as exc:
        raise DatasetError(f"CIFAR-10: {path} not found") from exc
    except _ForbiddenGlobal as exc:
        raise DatasetError(f"CIFAR-10: {path} was refused: {exc}") from exc
    except Exception as exc:  # a truncated or garbled pickle fails in many ways
        raise DatasetError(
            f"CIFAR-10: {path} is not a readable pickle batch ({type(exc).__name__}: {exc})"
        ) from exc


def _cifar_labels(labels: Any, n_images: int, path: Path) -> np.ndarray:
    """The labels as int64, refusing anything but whole numbers 0–9, one per image."""
    try:
        array = np.asarray(labels)
    except ValueError as exc:  # ragged nested lists
        raise DatasetError(f"CIFAR-10: {path}: 'labels' is not a flat list of numbers ({exc})") from exc
    if array.ndim != 1 or len(array) != n_images:
        raise DatasetError(f"CIFAR-10: {path} has {n_images} images but {array.size} labels")
    if array.size and (array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer)):
        odd = [x for x in array.tolist() if not isinstance(x, int) or isinstance(x, bool)]
        # name the most telling entry: 1.7 rather than 0.0 in [0, 1.7] (both read as floats)
        example = next((x for x in odd if not (isinstance(x, float) and x.is_integer())), odd[0])
        raise DatasetError(
            f"CIFAR-10: {path}: labels must be whole numbers 0–9, found {type(example).__name__} "
            f"{example!r}; the file is not a CIFAR-10 batch"
        )
    if array.size and (array.min() < 0 or array.max() > 9):
        raise DatasetError(f"CIFAR-10: {path} has labels outside 0–9 ({array.min()}..{array.max()})")
    return array.astype(np.int64)


def read_cifar_batch(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 python batch → ``(images (n, 3072) uint8, labels (n,) int64)``, unpickled safely."""
    path = Path(path)
    batch = _unpickle(path)
    if not isinstance(batch, dict):
        raise DatasetError(f"CIFAR-10: {path} holds a {type(batch).__name__}, not a batch dictionary")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if data is None or labels is None:
        keys = sorted(k.decode() if isinstance(k, bytes) else str(k) for k in batch)
        raise DatasetError(f"CIFAR-10: {path} has keys {keys}; a batch needs 'data' and 'labels'")
    data = np.asarray(data)
    if data.ndim != 2 or data.shape[1] != 3072 or data.dtype != np.uint8:
        raise DatasetError(
            f"CIFAR-10: {path}: 'data' is {data.dtype} {data.shape}; expected uint8 (n, 3072) "
            "(32×32 pixels × 3 channels)"
        )
    return data, _cifar_labels(labels, len(data), path)
