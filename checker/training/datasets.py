"""The data sets of the course: small generators, the scikit-learn digits, and loaders for MNIST and CIFAR-10.

Every loader returns a :class:`Dataset` whose arrays hold **one example per row** (``X`` is
``(m, n_features)``) and **integer class labels** (``y`` is ``(m,)``). The reference MLP wants
columns; :func:`columns` and :func:`targets` turn a split into that convention.

Feature scaling, the same for every consumer:

* ``xor`` — the four corners of the unit square, as is.
* ``moons`` — two interleaving half circles (radius 1) plus Gaussian noise, as generated.
* ``circles``, ``gaussian`` — the TensorFlow-playground sets (coordinates in about [-6, 6]),
  divided by 5 so that they lie in about [-1, 1].
* ``digits`` — 8×8 pixels with values 0–16, divided by 16.
* ``mnist``, ``cifar10`` — bytes 0–255, divided by 255 (stored as float32 to halve the memory).

Nothing here downloads anything: MNIST and CIFAR-10 are read from a directory the user names.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.training.formats import DatasetError, read_cifar_batch, read_idx

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetError",
    "columns",
    "load_cifar10",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "make_circles",
    "make_gaussian",
    "make_moons",
    "make_xor",
    "read_cifar_batch",
    "read_idx",
    "squared_features",
    "take_train",
    "targets",
    "with_validation",
]

MNIST_ENV = "GRADPROOF_MNIST_DIR"
CIFAR10_ENV = "GRADPROOF_CIFAR10_DIR"


@dataclass(frozen=True)
class Dataset:
    """Train/test (and optional validation) splits, rows as examples, integer labels."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    scaling: str = ""
    class_names: tuple[str, ...] = ()

    @property
    def n_features(self) -> int:
        """Number of input features (the size of the network's first layer)."""
        return int(self.X_train.shape[1])

    @property
    def has_validation(self) -> bool:
        """Whether a validation split was held out."""
        return self.X_val is not None and self.y_val is not None

    def summary(self) -> str:
        """One line: name, split sizes, features and classes."""
        val = f", {len(self.y_val)} validation" if self.has_validation else ""  # type: ignore[arg-type]
        return (
            f"{self.name}: {len(self.y_train)} train{val}, {len(self.y_test)} test, "
            f"{self.n_features} features, {self.n_classes} classes"
        )


# ---------------------------------------------------------------------------------------------
# Conversions to the MLP's column convention
# ---------------------------------------------------------------------------------------------


def columns(X: np.ndarray, dtype: Any = np.float64) -> np.ndarray:
    """Rows-as-examples ``(m, n)`` → the MLP's columns-as-examples ``(n, m)``, in ``dtype``.

    The result is the transpose *view* of the rows (cast first when ``dtype`` differs), not a
    transposed copy: BLAS reads it as a transposed operand at no cost, and :func:`checker.network.mlp.sgd`
    gathers its shuffled mini-batches from exactly these rows. A contiguous ``(n, m)`` copy would
    cost a transposing pass over the whole data set here and another one in ``sgd``.
    """
    return np.asarray(X, dtype=dtype).T


def targets(y: np.ndarray, n_outputs: int, dtype: Any = np.float64) -> np.ndarray:
    """Integer labels ``(m,)`` → targets ``(n_outputs, m)``.

    With one output unit the label itself is the target (binary problems: 0 or 1); with several,
    the targets are one-hot columns.
    """
    y = np.asarray(y)
    if n_outputs == 1:
        return y.reshape(1, -1).astype(dtype)
    if y.size and (y.min() < 0 or y.max() >= n_outputs):
        raise ValueError(f"labels run from {y.min()} to {y.max()}, which does not fit {n_outputs} outputs")
    # one-hot rows, returned transposed: the same row layout as columns(), for the same reason
    rows = np.zeros((y.size, n_outputs), dtype=dtype)
    rows[np.arange(y.size), y] = 1
    return rows.T


def squared_features(X: np.ndarray) -> np.ndarray:
    """Append the squares of the first two features (x1², x2²), as in the TensorFlow playground."""
    return np.hstack([X, X[:, :2] ** 2])


def with_validation(ds: Dataset, fraction: float, seed: int = 0) -> Dataset:
    """Hold out ``fraction`` of the training split (seeded shuffle) as the validation split."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    m = len(ds.y_train)
    n_val = int(round(m * fraction))
    if n_val == 0 or n_val == m:
        raise ValueError(f"{ds.name}: {fraction} of {m} training examples leaves an empty split")
    order = np.random.default_rng(seed).permutation(m)
    val, train = order[:n_val], order[n_val:]
    return replace(
        ds,
        X_train=ds.X_train[train],
        y_train=ds.y_train[train],
        X_val=ds.X_train[val],
        y_val=ds.y_train[val],
    )


# ---------------------------------------------------------------------------------------------
# Generated data
# ---------------------------------------------------------------------------------------------


def make_xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points and their labels: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0])


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with Gaussian noise (standard deviation ``noise``).

    Class 0 is the upper half circle of radius 1 centred at (0, 0); class 1 the lower one centred
    at (1, 0.5). The rows come in a seeded random order.
    """
    rng = np.random.default_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def make_circles(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The playground's "circle" set: class 1 inside radius 2.5, class 0 in the ring 3.5–5.

    As in the playground, ``noise`` (0–0.5) moves each point's *label test* by a uniform offset of
    up to ``noise × 5`` per coordinate, so noisy points near the gap may carry the other label.
    Coordinates are returned unscaled (about [-5, 5]).
    """
    rng = np.random.default_rng(seed)
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + rng.uniform(-radius, radius, size=(n, 2)) * noise
    y = (np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5).astype(np.int64)
    return X, y


def make_gaussian(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The playground's "Gaussian" set: class 1 around (2, 2), class 0 around (−2, −2).

    The variance grows linearly with ``noise`` from 0.5 (noise 0) to 4 (noise 0.5), as in the
    playground. Coordinates are returned unscaled.
    """
    rng = np.random.default_rng(seed)
    variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)
    half = n // 2
    pos = rng.normal(2.0, np.sqrt(variance), size=(half, 2))
    neg = rng.normal(-2.0, np.sqrt(variance), size=(n - half, 2))
    X = np.vstack([pos, neg])
    y = np.concatenate([np.ones(half, dtype=np.int64), np.zeros(n - half, dtype=np.int64)])
    return X, y


def _split(X: np.ndarray, y: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def _xor(seed: int) -> Dataset:
    X, y = make_xor()
    # Four points are the whole problem: the test set is the training set.
    return Dataset("xor", X, y, X.copy(), y.copy(), 2, scaling="none (corners of the unit square)")


def _moons(seed: int) -> Dataset:
    X, y = make_moons(n=1000, noise=0.15, seed=seed)
    Xtr, ytr, Xte, yte = _split(X, y, 300, seed)
    return Dataset("moons", Xtr, ytr, Xte, yte, 2, scaling="none (noise σ = 0.15)")


def _playground(name: str, make: Callable[..., tuple[np.ndarray, np.ndarray]]) -> Callable[[int], Dataset]:
    def load(seed: int) -> Dataset:
        X, y = make(n=500, noise=0.0, seed=seed)
        Xtr, ytr, Xte, yte = _split(X / 5.0, y, 250, seed)
        return Dataset(name, Xtr, ytr, Xte, yte, 2, scaling="coordinates / 5")

    return load


def load_digits(seed: int = 0, n_test: int = 360) -> Dataset:
    """The 8×8 handwritten digits that scikit-learn ships (1,797 images), pixels / 16.

    Read from the file inside the installed scikit-learn package; a seeded shuffle puts ``n_test``
    images in the test split.
    """
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise DatasetError("digits: scikit-learn is not installed; pip install scikit-learn") from exc
    bunch = sk_load_digits()
    X = bunch.data.astype(np.float64) / 16.0
    y = bunch.target.astype(np.int64)
    Xtr, ytr, Xte, yte = _split(X, y, n_test, seed)
    return Dataset(
        "digits", Xtr, ytr, Xte, yte, 10, scaling="pixels / 16", class_names=tuple(map(str, range(10)))
    )


# ---------------------------------------------------------------------------------------------
# MNIST (IDX files, read by checker.training.formats)
# ---------------------------------------------------------------------------------------------

_MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _find_mnist_file(directory: Path, stem: str) -> Path:
    # Also accept the "train-images.idx3-ubyte" spelling some mirrors use.
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (directory / name).is_file():
            return directory / name
    raise DatasetError(
        f"MNIST: {directory / stem}(.gz) not found; put the four IDX files "
        f"({', '.join(_MNIST_FILES.values())}, each optionally .gz) in {directory} "
        f"or pass --data-dir (or set {MNIST_ENV})"
    )


def load_mnist(data_dir: str | os.PathLike[str]) -> Dataset:
    """MNIST from the four standard IDX files in ``data_dir``; pixels / 255 as float32, images flattened."""
    directory = Path(data_dir).expanduser()
    if not directory.is_dir():
        raise DatasetError(
            f"MNIST: directory {directory} does not exist; create it and put the four IDX files "
            f"({', '.join(_MNIST_FILES.values())}, each optionally .gz) there"
        )
    arrays = {key: read_idx(_find_mnist_file(directory, stem)) for key, stem in _MNIST_FILES.items()}
    splits = []
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        img_path = _find_mnist_file(directory, _MNIST_FILES[f"{part}_images"])
        lbl_path = _find_mnist_file(directory, _MNIST_FILES[f"{part}_labels"])
        if images.ndim != 3:
            raise DatasetError(
                f"MNIST: {img_path} holds shape {images.shape}; images are (count, rows, cols)"
            )
        if labels.ndim != 1:
            raise DatasetError(f"MNIST: {lbl_path} holds shape {labels.shape}; labels are (count,)")
        if len(images) != len(labels):
            raise DatasetError(
                f"MNIST: {img_path} has {len(images)} images but {lbl_path} has {len(labels)} labels"
            )
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise DatasetError(f"MNIST: {lbl_path} has labels outside 0–9 ({labels.min()}..{labels.max()})")
        X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
        splits += [X, labels.astype(np.int64)]
    if splits[0].shape[1] != splits[2].shape[1]:
        raise DatasetError(
            f"MNIST: train images have {splits[0].shape[1]} pixels but test images {splits[2].shape[1]}"
        )
    return Dataset(
        "mnist", *splits, n_classes=10, scaling="pixels / 255", class_names=tuple(map(str, range(10)))
    )


# ---------------------------------------------------------------------------------------------
# CIFAR-10 (python pickle batches)
# ---------------------------------------------------------------------------------------------

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip


_CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
_CIFAR_TEST = "test_batch"


def load_cifar10(data_dir: str | os.PathLike[str]) -> Dataset:
    """CIFAR-10 from the python batches (``data_batch_1..5``, ``test_batch``); pixels / 255 as float32.

    ``data_dir`` may be the ``cifar-10-batches-py`` folder itself or its parent. Each image is a
    3072-vector: the red plane, then green, then blue, each 32×32 in row-major order.
    """
    directory = Path(data_dir).expanduser()
    if (directory / "cifar-10-batches-py").is_dir() and not (directory / _CIFAR_TEST).exists():
        directory = directory / "cifar-10-batches-py"
    if not directory.is_dir():
        raise DatasetError(
            f"CIFAR-10: directory {directory} does not exist; create it and put the python batches "
            f"({', '.join(_CIFAR_TRAIN)}, {_CIFAR_TEST}) there"
        )
    parts = []
    for name in (*_CIFAR_TRAIN, _CIFAR_TEST):
        if not (directory / name).is_file():
            raise DatasetError(
                f"CIFAR-10: {directory / name} not found; put the python batches "
                f"({', '.join(_CIFAR_TRAIN)}, {_CIFAR_TEST}) from cifar-10-python.tar.gz in {directory} "
                f"or pass --data-dir (or set {CIFAR10_ENV})"
            )
        parts.append(read_cifar_batch(directory / name))
    X_train = np.concatenate([p[0] for p in parts[:-1]]).astype(np.float32) / np.float32(255.0)
    y_train = np.concatenate([p[1] for p in parts[:-1]])
    X_test = parts[-1][0].astype(np.float32) / np.float32(255.0)
    return Dataset(
        "cifar10", X_train, y_train, X_test, parts[-1][1], 10, scaling="pixels / 255",
        class_names=CIFAR10_CLASSES,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------

SQUARES_SUFFIX = "+squares"

#: name -> one-line description, in the order the CLI lists them; any 2-D set also comes with
#: x1², x2² appended as features under the name NAME+squares (SQUARES_SUFFIX)
DATASETS: dict[str, str] = {
    "xor": "the four XOR points",
    "moons": "two interleaving half circles, noise σ = 0.15 (1,000 points, 300 for test)",
    "circles": "TensorFlow-playground circle inside a ring (500 points, 250 for test)",
    "gaussian": "TensorFlow-playground two Gaussian blobs (500 points, 250 for test)",
    "digits": "scikit-learn's 8×8 handwritten digits (1,797 images, 360 for test)",
    "mnist": f"MNIST from four IDX files in --data-dir (or ${MNIST_ENV})",
    "cifar10": f"CIFAR-10 python batches in --data-dir (or ${CIFAR10_ENV})",
}

_GENERATED: dict[str, Callable[[int], Dataset]] = {
    "xor": _xor,
    "moons": _moons,
    "circles": _playground("circles", make_circles),
    "gaussian": _playground("gaussian", make_gaussian),
    "digits": lambda seed: load_digits(seed),
}


def load_dataset(
    name: str,
    data_dir: str | os.PathLike[str] | None = None,
    seed: int = 0,
    *,
    val_fraction: float = 0.0,
    train_size: int | None = None,
) -> Dataset:
    """Load a data set by name (see :data:`DATASETS`).

    ``seed`` fixes generated points and shuffled splits. ``data_dir`` is where MNIST / CIFAR-10
    live; without it the environment variables ``GRADPROOF_MNIST_DIR`` / ``GRADPROOF_CIFAR10_DIR``
    are consulted. ``val_fraction`` > 0 holds out that share of the training split for validation;
    then ``train_size`` keeps only the first that many of the remaining training examples (a small
    training set, as in the overfitting experiments, with the validation split left whole).
    A name ending in ``+squares`` appends x1² and x2² to every example (see :func:`squared_features`).
    """
    key = name.lower().replace("_", "-")
    if key.endswith(SQUARES_SUFFIX):
        base = load_dataset(key.removesuffix(SQUARES_SUFFIX), data_dir, seed, val_fraction=val_fraction,
                            train_size=train_size)  # fmt: skip
        return _map_features(base, squared_features, name=f"{base.name}+squares")
    key = {"cifar-10": "cifar10", "cifar": "cifar10", "moon": "moons", "circle": "circles"}.get(key, key)
    if key in _GENERATED:
        ds = _GENERATED[key](seed)
    elif key in ("mnist", "cifar10"):
        env = MNIST_ENV if key == "mnist" else CIFAR10_ENV
        directory = data_dir if data_dir is not None else os.environ.get(env) or None
        if directory is None:
            label = "MNIST" if key == "mnist" else "CIFAR-10"
            raise DatasetError(
                f"{label} is read from a directory on disk and never downloaded: pass --data-dir DIR "
                f"or set {env}=DIR"
            )
        ds = load_mnist(directory) if key == "mnist" else load_cifar10(directory)
    else:
        raise DatasetError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if val_fraction:
        ds = with_validation(ds, val_fraction, seed)
    if train_size is not None:
        ds = take_train(ds, train_size)
    return ds


def take_train(ds: Dataset, n: int) -> Dataset:
    """Keep the first ``n`` training examples (the splits are already shuffled)."""
    if not 1 <= n <= len(ds.y_train):
        raise DatasetError(f"{ds.name}: train size must be between 1 and {len(ds.y_train)}, got {n}")
    return replace(ds, X_train=ds.X_train[:n], y_train=ds.y_train[:n])


def _map_features(ds: Dataset, fn: Callable[[np.ndarray], np.ndarray], name: str) -> Dataset:
    def val(X: np.ndarray | None) -> np.ndarray | None:
        return None if X is None else fn(X)

    return replace(
        ds, name=name, X_train=fn(ds.X_train), X_test=fn(ds.X_test), X_val=val(ds.X_val),
        scaling=f"{ds.scaling}; then x1², x2² appended",
    )  # fmt: skip
