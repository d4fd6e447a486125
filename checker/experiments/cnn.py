"""A small CNN (conv-pool-conv-pool-dense) on the 8×8 digits, trained with the NumPy layers, beside
the one-hidden-layer MLP of the digits page; on CIFAR-10 when its directory is configured."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from checker.experiments.base import ExperimentResult, single_threaded_blas
from checker.experiments.figures import FIGURE_WIDTH, FONT_PT, Theme, pyplot, save_themed_svg, themed_markdown
from checker.experiments.page import code, pct, reproduce, table, train_command
from checker.network.conv import CNN
from checker.training.cnn import accuracy, images, train_cnn
from checker.training.datasets import CIFAR10_ENV, DatasetError, load_dataset, load_digits
from checker.training.loop import TrainConfig, train

EPOCHS, BATCH, LR, MOMENTUM = 12, 32, 0.05, 0.9
CHANNELS = (8, 16)
MLP_CONFIG = TrainConfig(layers=(None, 30, None), activation="sigmoid", loss="softmax-ce", epochs=EPOCHS,
                         batch_size=BATCH, lr=0.5)
#: CIFAR-10 on the page: a short run on part of the data, to keep a site build short.
CIFAR_EPOCHS, CIFAR_TRAIN, CIFAR_CHANNELS = 2, 5_000, (16, 32)


def _train_digits() -> tuple[CNN, list[dict[str, Any]], dict[str, Any]]:
    ds = load_digits()
    X, Xt = images(ds.X_train, (1, 8, 8)), images(ds.X_test, (1, 8, 8))
    net = CNN.create((1, 8, 8), 10, *CHANNELS, seed=0)
    history = train_cnn(net, X, ds.y_train, epochs=EPOCHS, batch_size=BATCH, lr=LR, momentum=MOMENTUM,
                        X_val=Xt, labels_val=ds.y_test)
    mlp = train(ds, MLP_CONFIG)
    params = sum(p.size for p in net.params().values())
    mlp_params = sum(w.size + b.size for w, b in zip(mlp.model.weights, mlp.model.biases, strict=True))
    metrics = {
        "cnn_test_accuracy": history[-1]["val_accuracy"],
        "cnn_train_accuracy": accuracy(net, X, ds.y_train),
        "cnn_parameters": params,
        "mlp_test_accuracy": mlp.metrics["test_accuracy"],
        "mlp_train_accuracy": mlp.metrics["train_accuracy"],
        "mlp_parameters": mlp_params,
        "mlp_history": mlp.metrics["history"],
        "history": history,
        "train_images": len(X),
        "test_images": len(Xt),
    }
    return net, history, metrics


def _cifar() -> dict[str, Any]:
    directory = os.environ.get(CIFAR10_ENV)
    if not directory:
        return {"configured": False}
    try:
        ds = load_dataset("cifar10", data_dir=directory)
    except DatasetError as exc:
        return {"configured": True, "error": str(exc)}
    X = images(ds.X_train[:CIFAR_TRAIN], (3, 32, 32), np.float32)
    Xt = images(ds.X_test[:2_000], (3, 32, 32), np.float32)
    net = CNN.create((3, 32, 32), 10, *CIFAR_CHANNELS, seed=0, dtype=np.float32)
    history = train_cnn(net, X, ds.y_train[:CIFAR_TRAIN], epochs=CIFAR_EPOCHS, batch_size=BATCH, lr=0.01,
                        momentum=MOMENTUM, X_val=Xt, labels_val=ds.y_test[:2_000])
    return {"configured": True, "history": history, "test_accuracy": history[-1]["val_accuracy"],
            "train_images": len(X), "test_images": len(Xt)}


History = list[dict[str, Any]]


def _figure(net: CNN, history: History, mlp_history: History, mlp_test: float, out_dir: Path) -> list[Path]:
    """Loss and test accuracy per epoch (CNN and MLP), and the eight learnt 3×3 kernels of layer 1."""
    epochs = [h["epoch"] for h in history]
    K = net.conv1.K[:, 0]
    scale = np.abs(K).max()

    def draw(theme: Theme) -> Any:
        cnn, mlp = theme.color("red"), theme.color("blue")
        fig = pyplot().figure(figsize=(FIGURE_WIDTH, 10), layout="constrained")
        curves, kernels = fig.subfigures(2, 1, height_ratios=(7, 2.6))
        ax_loss, ax_acc = curves.subplots(2, 1)
        ax_loss.plot(epochs, [h["loss"] for h in history], color=cnn, label="CNN, training")
        ax_loss.plot(epochs, [h["val_loss"] for h in history], color=cnn, ls="--", label="CNN, test")
        ax_loss.plot([h["epoch"] for h in mlp_history], [h["loss"] for h in mlp_history], color=mlp,
                     label="MLP, training")
        ax_loss.set_yscale("log")
        ax_loss.set_ylabel("cross-entropy")
        ax_loss.set_title("loss (log scale)")
        ax_loss.legend()
        ax_acc.plot(epochs, [100 * h["val_accuracy"] for h in history], color=cnn, marker="o", ms=4,
                    label="CNN, test")
        ax_acc.plot(epochs, [100 * h["accuracy"] for h in history], color=cnn, ls=":", label="CNN, training")
        ax_acc.axhline(100 * mlp_test, color=mlp, ls="--", lw=1.2, label="MLP 64-30-10, test")
        ax_acc.set_ylim(80, 100)
        ax_acc.set_ylabel("accuracy (%)")
        ax_acc.set_title("accuracy")
        ax_acc.legend(loc="lower right")
        for ax in (ax_loss, ax_acc):
            ax.set_xlabel("epoch")
            ax.grid(True)
        for k, ax in enumerate(kernels.subplots(2, 4).ravel()):
            ax.set_xticks([])
            ax.set_yticks([])
            if k < len(K):
                ax.imshow(K[k], cmap="RdBu_r", vmin=-scale, vmax=scale)
        kernels.suptitle("the learnt 3×3 kernels of layer 1", fontsize=FONT_PT)
        return fig

    return save_themed_svg(draw, out_dir, "cnn-digits")


def _alt(metrics: dict[str, Any]) -> str:
    return (
        f"Top: the cross-entropy per epoch, log scale, of the CNN (training and test, red) and of the "
        f"64-30-10 MLP (training, blue). Middle: accuracy per epoch; the CNN ends at "
        f"{pct(metrics['cnn_test_accuracy'])} on the test images, the MLP at "
        f"{pct(metrics['mlp_test_accuracy'])}. Bottom: the eight 3×3 kernels the first convolution learnt, "
        "red for positive weights and blue for negative ones."
    )


def _cifar_section(m: dict[str, Any]) -> str:
    command = "python -m checker.experiments cnn --out results/cnn"
    if not m["configured"]:
        configured = code(f"{CIFAR10_ENV}=DIR {command}")
        return (f"*Not run here:* no CIFAR-10 directory is configured. Put the python batches of "
                f"`cifar-10-python.tar.gz` in a directory and run\n\n{configured}\n\n"
                f"to train the same architecture ({CIFAR_CHANNELS[0]} and {CIFAR_CHANNELS[1]} channels, "
                f"32×32×3 input) for {CIFAR_EPOCHS} epochs on {CIFAR_TRAIN:,} images.")
    if "error" in m:
        return f"*Not run:* `{CIFAR10_ENV}` is set, but the data could not be read: {m['error']}"
    return (f"Measured with the configured data: {CIFAR_EPOCHS} epochs on {m['train_images']:,} training "
            f"images, **test accuracy {pct(m['test_accuracy'])}** on {m['test_images']:,} test images "
            f"(chance is 10 %; the one-hidden-layer MLP of the MNIST and CIFAR-10 page is the baseline).\n\n"
            f"{code(command)}")


def run_cnn(out_dir: Path) -> ExperimentResult:
    """Train the CNN on digits (and CIFAR-10 when configured); plot and write the page."""
    with single_threaded_blas():
        net, history, metrics = _train_digits()
        cifar = _cifar()
    metrics["cifar10"] = cifar
    figures = _figure(net, history, metrics["mlp_history"], metrics["mlp_test_accuracy"], out_dir)
    rows = [
        ("CNN conv 8 → pool → conv 16 → pool → dense", f"{metrics['cnn_parameters']:,}",
         pct(metrics["cnn_train_accuracy"]), pct(metrics["cnn_test_accuracy"])),
        ("MLP 64-30-10 (sigmoid)", f"{metrics['mlp_parameters']:,}", pct(metrics["mlp_train_accuracy"]),
         pct(metrics["mlp_test_accuracy"])),
    ]
    markdown = f"""\
The network: a 3×3 convolution with {CHANNELS[0]} kernels ("same" padding 1) → ReLU → 2×2 max pooling
→ a 3×3 convolution with {CHANNELS[1]} kernels → ReLU → 2×2 max pooling → a dense layer to 10 classes
with softmax cross-entropy. Every backward formula is from the catalogue — conv2d-backward for both
convolutions, max-pool-backward for the pooling, relu-derivative, softmax-ce-gradient — and the layers
pass the gradient check (`tests/test_conv.py`). Trained with SGD and momentum {MOMENTUM:g}, batch
{BATCH}, η = {LR:g}, {EPOCHS} epochs on the {metrics['train_images']:,} training images of digits; the
MLP of the digits page is trained on the same split for the same number of epochs.

{themed_markdown(_alt(metrics), 'cnn-digits')}

{table(("network", "parameters", "train accuracy", "test accuracy"), rows)}

The convolution shares each 3×3 kernel across all 64 positions, so it has far fewer weights than a
dense layer of the same width, and pooling makes what follows insensitive to a shift by a pixel;
on 8×8 images the gain over the MLP is modest, and it grows with the size of the image.

### CIFAR-10

{_cifar_section(cifar)}

{code(train_command("digits", MLP_CONFIG), reproduce("cnn"))}
"""
    return ExperimentResult(figures, metrics, markdown)
