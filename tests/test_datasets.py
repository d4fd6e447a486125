"""Data sets: generators, the digits, and the MNIST / CIFAR-10 readers on small files in the real formats."""

from __future__ import annotations

import gzip
import os
import pickle
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from checker.training.datasets import (
    DATASETS,
    DatasetError,
    columns,
    load_cifar10,
    load_dataset,
    load_mnist,
    make_circles,
    make_gaussian,
    make_moons,
    make_xor,
    read_cifar_batch,
    read_idx,
    squared_features,
    targets,
    with_validation,
)
from checker.training.formats import MAX_IDX_BYTES

# --------------------------------------------------------------------------- writers in the real formats

MNIST_STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """The IDX encoding of ``array``: 00 00, type code, ndim, big-endian dims, big-endian data."""
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(dtypes[type_code]).tobytes()


def write_mnist(directory: Path, n_train: int = 12, n_test: int = 5, *, gz: bool = False, seed: int = 0):
    """Write the four MNIST files (tiny, 28×28) and return the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        MNIST_STEMS[0]: rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        MNIST_STEMS[1]: rng.integers(0, 10, size=n_train, dtype=np.uint8),
        MNIST_STEMS[2]: rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        MNIST_STEMS[3]: rng.integers(0, 10, size=n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        data = idx_bytes(array)
        if gz:
            (directory / (stem + ".gz")).write_bytes(gzip.compress(data))
        else:
            (directory / stem).write_bytes(data)
    return arrays


def cifar_batch(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": b"testing batch",
        b"labels": [int(v) for v in rng.integers(0, 10, size=n)],
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def write_cifar(directory: Path, n: int = 4, protocol: int = 2) -> dict[str, dict]:
    directory.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {name: cifar_batch(n, seed) for seed, name in enumerate(names)}
    for name, batch in batches.items():
        (directory / name).write_bytes(pickle.dumps(batch, protocol=protocol))
    return batches


# --------------------------------------------------------------------------- generators


def test_xor_is_the_truth_table():
    X, y = make_xor()
    assert X.shape == (4, 2)
    assert list(y) == [int(a) ^ int(b) for a, b in X]


def test_moons_are_seeded_balanced_and_two_half_circles():
    X1, y1 = make_moons(200, noise=0.0, seed=3)
    X2, y2 = make_moons(200, noise=0.0, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert np.bincount(y1).tolist() == [100, 100]
    # Without noise: class 0 on the unit circle's upper half, class 1 on the shifted lower half.
    up, low = X1[y1 == 0], X1[y1 == 1]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0)
    assert (up[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1.0, low[:, 1] - 0.5), 1.0)
    assert (low[:, 1] <= 0.5 + 1e-12).all()
    X3, _ = make_moons(200, noise=0.0, seed=4)
    assert not np.array_equal(X1, X3)  # the seed shuffles the order


def test_moons_noise_is_gaussian_with_the_given_sigma():
    X0, y0 = make_moons(4000, noise=0.0, seed=1)
    Xn, yn = make_moons(4000, noise=0.2, seed=1)
    np.testing.assert_array_equal(y0, yn)
    assert abs((Xn - X0).std() - 0.2) < 0.01


def test_circles_follow_the_playground():
    X, y = make_circles(400, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r[y == 1] < 2.5).all() and (r[y == 0] >= 3.5).all() and (r <= 5.0).all()
    assert np.bincount(y).tolist() == [200, 200]
    # Noise moves the label test, so some labels flip near the gap.
    _, y_noisy = make_circles(400, noise=0.5, seed=0)
    assert (y_noisy != y).any()


def test_gaussian_blobs_sit_at_plus_minus_two_with_the_playground_variance():
    X, y = make_gaussian(4000, noise=0.0, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(X[y == 1].var(axis=0), [0.5, 0.5], rtol=0.1)
    Xw, yw = make_gaussian(4000, noise=0.5, seed=0)
    np.testing.assert_allclose(Xw[yw == 1].var(axis=0), [4.0, 4.0], rtol=0.1)


def test_squared_features_appends_x1_squared_and_x2_squared():
    X = np.array([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_array_equal(squared_features(X), [[1, -2, 1, 4], [3, 0.5, 9, 0.25]])


# --------------------------------------------------------------------------- conversions


def test_columns_and_targets_follow_the_mlp_convention():
    X = np.arange(6.0).reshape(3, 2)
    C = columns(X, np.float32)
    assert C.shape == (2, 3) and C.dtype == np.float32
    np.testing.assert_array_equal(C, X.T)
    # no copy when no cast is needed: the MLP reads the rows through a transposed view
    assert np.shares_memory(columns(X), X)
    Y = targets(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(Y, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(targets(np.array([1, 0]), 1), [[1.0, 0.0]])
    with pytest.raises(ValueError, match="does not fit 3 outputs"):
        targets(np.array([0, 3]), 3)


def test_with_validation_partitions_the_training_split():
    ds = load_dataset("moons", seed=0)
    split = with_validation(ds, 0.2, seed=1)
    assert len(split.y_val) == 140 and len(split.y_train) == 560
    together = np.vstack([split.X_train, split.X_val])
    assert sorted(map(tuple, together)) == sorted(map(tuple, ds.X_train))
    np.testing.assert_array_equal(split.X_test, ds.X_test)
    with pytest.raises(ValueError):
        with_validation(ds, 1.5)


# --------------------------------------------------------------------------- the registry


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "gaussian", "digits"])
def test_builtin_datasets_load_with_consistent_shapes(name):
    ds = load_dataset(name, seed=0)
    for X, y in ((ds.X_train, ds.y_train), (ds.X_test, ds.y_test)):
        assert X.ndim == 2 and X.shape[1] == ds.n_features and X.shape[0] == y.shape[0]
        assert np.issubdtype(y.dtype, np.integer) and y.min() >= 0 and y.max() < ds.n_classes
    assert ds.summary().startswith(name)


def test_generated_datasets_are_deterministic_under_the_seed():
    a, b, c = load_dataset("moons", seed=5), load_dataset("moons", seed=5), load_dataset("moons", seed=6)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)


def test_digits_are_scaled_to_unit_interval_and_split_disjointly():
    ds = load_dataset("digits", seed=0, val_fraction=0.1)
    assert ds.n_features == 64 and ds.n_classes == 10
    assert ds.X_train.min() >= 0 and ds.X_train.max() == 1.0
    total = len(ds.y_train) + len(ds.y_val) + len(ds.y_test)
    assert total == 1797 and len(ds.y_test) == 360
    seen = {row.tobytes() for row in ds.X_test}
    # The digits contain a few duplicate images; disjoint splits share at most those.
    assert sum(row.tobytes() in seen for row in ds.X_train) < 5


def test_unknown_dataset_is_named_with_the_choices():
    with pytest.raises(DatasetError, match="unknown data set 'nope'.*moons"):
        load_dataset("nope")
    assert "mnist" in DATASETS and "cifar10" in DATASETS


# --------------------------------------------------------------------------- IDX


@pytest.mark.parametrize(("type_code", "dtype"), [(0x08, np.uint8), (0x0B, np.int16), (0x0D, np.float32)])
def test_read_idx_decodes_big_endian_data_of_each_type(tmp_path, type_code, dtype):
    array = (np.arange(24).reshape(2, 3, 4) * (3 if type_code != 0x08 else 1)).astype(dtype)
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(array, type_code))
    back = read_idx(path)
    assert back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)
    assert back.dtype.isnative


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_idx_files_plain_and_gzipped(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    ds = load_mnist(tmp_path)
    assert ds.X_train.shape == (12, 784) and ds.X_test.shape == (5, 784)
    assert ds.X_train.dtype == np.float32
    np.testing.assert_allclose(ds.X_train[3], arrays[MNIST_STEMS[0]][3].ravel() / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.y_test, arrays[MNIST_STEMS[3]])
    assert ds.n_classes == 10


def test_load_dataset_mnist_uses_the_env_var_when_no_dir_is_given(tmp_path, monkeypatch):
    write_mnist(tmp_path, gz=True)
    monkeypatch.setenv("GRADPROOF_MNIST_DIR", str(tmp_path))
    assert load_dataset("mnist").X_train.shape == (12, 784)
    monkeypatch.delenv("GRADPROOF_MNIST_DIR")
    with pytest.raises(DatasetError, match="never downloaded.*--data-dir.*GRADPROOF_MNIST_DIR"):
        load_dataset("mnist")


def test_missing_mnist_file_names_file_directory_and_fix(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetError) as err:
        load_mnist(tmp_path)
    msg = str(err.value)
    assert f"{tmp_path}/t10k-labels-idx1-ubyte(.gz) not found" in msg
    assert f"in {tmp_path}" in msg and "--data-dir" in msg and "train-images-idx3-ubyte" in msg


def test_missing_mnist_directory_is_named(tmp_path):
    with pytest.raises(DatasetError, match=f"directory {tmp_path / 'nowhere'} does not exist"):
        load_dataset("mnist", data_dir=tmp_path / "nowhere")


def test_wrong_magic_number_is_reported(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / MNIST_STEMS[0]).write_bytes(b"\x50\x4b\x03\x04" + bytes(100))  # a zip header
    with pytest.raises(DatasetError, match=r"idx3-ubyte: not an IDX file \(magic number 0x504b0304"):
        load_mnist(tmp_path)


def test_truncated_idx_file_is_reported(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / MNIST_STEMS[2]
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DatasetError, match=r"\(5, 28, 28\) \(3920 data bytes\) but the file holds 3910"):
        load_mnist(tmp_path)


def test_truncated_idx_header_is_reported(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(DatasetError, match="declares 3 dimensions but the file ends at byte 6"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(DatasetError, match="too short"):
        read_idx(path)


def test_corrupt_gzip_is_reported(tmp_path):
    write_mnist(tmp_path, gz=True)
    path = tmp_path / (MNIST_STEMS[1] + ".gz")
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.gz: not a valid gzip file"):
        load_mnist(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / MNIST_STEMS[1]).write_bytes(idx_bytes(np.zeros(11, dtype=np.uint8)))
    with pytest.raises(DatasetError, match="has 12 images but .*train-labels-idx1-ubyte has 11 labels"):
        load_mnist(tmp_path)


def test_images_and_labels_must_have_their_shapes(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / MNIST_STEMS[0]).write_bytes(idx_bytes(np.zeros((12, 784), dtype=np.uint8)))
    with pytest.raises(DatasetError, match=r"holds shape \(12, 784\); images are \(count, rows, cols\)"):
        load_mnist(tmp_path)
    write_mnist(tmp_path)
    (tmp_path / MNIST_STEMS[1]).write_bytes(idx_bytes(np.zeros((12, 2), dtype=np.uint8)))
    with pytest.raises(DatasetError, match="labels are"):
        load_mnist(tmp_path)


def test_labels_out_of_range_are_reported(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / MNIST_STEMS[3]).write_bytes(idx_bytes(np.array([0, 1, 2, 12, 3], dtype=np.uint8)))
    with pytest.raises(DatasetError, match="labels outside 0–9"):
        load_mnist(tmp_path)


def _gzip_stream(path: Path, header: bytes, zero_bytes: int) -> None:
    """``header`` then ``zero_bytes`` zeros, gzipped in chunks: a small file, a big inflation."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    with path.open("wb") as fh:
        fh.write(packer.compress(header))
        for start in range(0, zero_bytes, len(chunk)):
            fh.write(packer.compress(chunk[: zero_bytes - start]))
        fh.write(packer.flush())


def test_a_gzip_bomb_is_refused_after_the_declared_bytes(tmp_path):
    """A header promising 4 bytes, then 64 MiB of zeros in a 64 KB file: refused without inflating it."""
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    _gzip_stream(path, bytes([0, 0, 8, 1]) + struct.pack(">I", 4), 64 << 20)
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match=f"{path}: the header declares shape \\(4,\\).*holds more"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # a few buffers, nowhere near the 64 MiB the file inflates to


def test_a_header_beyond_the_cap_is_refused_before_reading(tmp_path):
    path = tmp_path / "big-images-idx3-ubyte.gz"
    # 65536 × 65536 × 1 bytes = 4 GiB declared; the data is never there and never read
    _gzip_stream(path, bytes([0, 0, 8, 3]) + struct.pack(">III", 65536, 65536, 1), 16)
    with pytest.raises(DatasetError, match=f"{path}: the header declares shape .*than the 1,073,741,824"):
        read_idx(path)
    assert MAX_IDX_BYTES == 1 << 30


def test_dimensions_whose_product_overflows_are_refused_with_the_file_named(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    # (2³² − 1)³ × 8 bytes overflows a 64-bit integer; the header alone is 16 bytes
    path.write_bytes(bytes([0, 0, 0x0E, 3]) + struct.pack(">III", *(3 * [2**32 - 1])))
    with pytest.raises(DatasetError, match=f"{path}: the header declares shape \\(4294967295, "):
        read_idx(path)


def test_extra_bytes_after_the_data_are_reported(tmp_path):
    path = tmp_path / "a.idx.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(6, dtype=np.uint8)) + b"junk"))
    with pytest.raises(DatasetError, match=r"shape \(6,\) \(6 data bytes\) but the file holds more"):
        read_idx(path)
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(np.arange(6, dtype=np.uint8)) + b"junk")
    with pytest.raises(DatasetError, match=r"\(6 data bytes\) but the file holds 10"):
        read_idx(path)


# --------------------------------------------------------------------------- CIFAR-10


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_load_cifar10_reads_pickle_batches(tmp_path, protocol):
    batches = write_cifar(tmp_path, n=4, protocol=protocol)
    ds = load_cifar10(tmp_path)
    assert ds.X_train.shape == (20, 3072) and ds.X_test.shape == (4, 3072)
    assert ds.X_train.dtype == np.float32 and ds.X_train.min() >= 0.0 and ds.X_train.max() <= 1.0
    np.testing.assert_allclose(ds.X_train[4], batches["data_batch_2"][b"data"][0] / 255.0, rtol=1e-6)
    assert ds.y_test.tolist() == batches["test_batch"][b"labels"]
    assert ds.class_names[0] == "airplane"


def test_cifar_parent_directory_is_accepted(tmp_path):
    write_cifar(tmp_path / "cifar-10-batches-py")
    assert load_dataset("cifar10", data_dir=tmp_path).X_test.shape == (4, 3072)


def test_missing_cifar_batch_names_file_and_fix(tmp_path, monkeypatch):
    write_cifar(tmp_path)
    (tmp_path / "data_batch_3").unlink()
    with pytest.raises(DatasetError) as err:
        load_cifar10(tmp_path)
    assert f"{tmp_path}/data_batch_3 not found" in str(err.value)
    assert "test_batch" in str(err.value) and "--data-dir" in str(err.value)
    monkeypatch.delenv("GRADPROOF_CIFAR10_DIR", raising=False)
    with pytest.raises(DatasetError, match="GRADPROOF_CIFAR10_DIR"):
        load_dataset("cifar10")


class _Exploit:
    """Unpickling this would run ``os.system``: the reader must refuse it."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_hostile_pickle_cannot_run_code(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Exploit(marker), b"labels": [0]}, protocol=2))
    with pytest.raises(DatasetError, match=r"refused: global (posix|os)\.system is not allowed"):
        read_cifar_batch(path)
    assert not marker.exists()
    # The same file through the unrestricted unpickler would have run the command.
    pickle.loads(path.read_bytes())
    assert marker.exists()


def test_pickle_of_other_classes_is_refused(tmp_path):
    path = tmp_path / "b"
    path.write_bytes(pickle.dumps({b"data": Path("x"), b"labels": []}))
    with pytest.raises(DatasetError, match="pathlib"):
        read_cifar_batch(path)


def test_garbled_or_wrong_cifar_batches_are_reported(tmp_path):
    path = tmp_path / "b"
    good = pickle.dumps(cifar_batch(3, 0), protocol=2)
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(DatasetError, match="not a readable pickle batch"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(DatasetError, match="holds a list, not a batch dictionary"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8)}))
    with pytest.raises(DatasetError, match="needs 'data' and 'labels'"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(DatasetError, match=r"expected uint8 \(n, 3072\)"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}))
    with pytest.raises(DatasetError, match="2 images but 1 labels"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}))
    with pytest.raises(DatasetError, match="outside 0–9"):
        read_cifar_batch(path)


def test_squares_suffix_and_train_size_shape_the_splits():
    base = load_dataset("circles", seed=2, val_fraction=0.2)
    sq = load_dataset("circles+squares", seed=2, val_fraction=0.2)
    assert sq.name == "circles+squares" and sq.n_features == 4
    np.testing.assert_array_equal(sq.X_val[:, 2:], base.X_val[:, :2] ** 2)
    np.testing.assert_array_equal(sq.y_test, base.y_test)
    small = load_dataset("digits", val_fraction=0.15, train_size=50)
    full = load_dataset("digits", val_fraction=0.15)
    assert len(small.y_train) == 50 and len(small.y_val) == len(full.y_val)  # validation stays whole
    np.testing.assert_array_equal(small.X_train, full.X_train[:50])
    with pytest.raises(DatasetError, match="train size must be between 1 and 1221"):
        load_dataset("digits", val_fraction=0.15, train_size=5000)


@pytest.mark.parametrize(
    ("labels", "found"),
    [([0, 1.7], "float 1.7"), (["cat", "dog"], "str 'cat'"), (np.array([0.0, 1.0]), "float 0.0"),
     ([True, False], "bool True")],
)
def test_cifar_labels_that_are_not_whole_numbers_are_refused_with_the_file_named(tmp_path, labels, found):
    """Floats were truncated into labels (1.7 → 1) and strings ended in a traceback."""
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": labels}, protocol=2))
    with pytest.raises(DatasetError) as err:
        read_cifar_batch(path)
    message = str(err.value)
    assert str(path) in message and "whole numbers 0–9" in message and found in message


def test_ragged_cifar_labels_are_refused(tmp_path):
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [[0], [1, 2]]}))
    with pytest.raises(DatasetError, match=f"{path}: 'labels' is not a flat list"):
        read_cifar_batch(path)
