"""The GPU path (issue 21 item 4): training, the device shown to people, attributions and memory
on a CUDA GPU. Skipped without one; bench/device_check.sh runs these on a GPU machine."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer import models
from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import attribution, live, pixel_model
from explorer.models import from_spec
from explorer.saved.model_card import Normalisation
from explorer.train import device, estimate, recipes, runs, training
from explorer.ui import device_probe

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (bench/device_check.sh)")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def digits():
    return datasets.split(datasets.load("digits"))


def request(ds, dev: str, out: Path, seed: int = 0) -> runs.TrainRequest:
    train, test = ds
    cfg = training.TrainConfig(**{**recipes.default_schedule("fastnet"), "epochs": 6}, seed=seed, device=dev)
    return runs.TrainRequest(recipes.model_spec("fastnet", train), cfg, "digits", train, test, COURSE_SPLIT,
                             "gpu test", out)


def test_the_app_and_the_cli_say_gpu():
    assert device.pick().type == "cuda"
    assert device.describe().startswith("GPU: ")
    assert device_probe.line(wait=60).startswith("GPU: ")  # the line on Home and in the sidebar
    out = subprocess.run([sys.executable, "-m", "explorer.train", "--dataset", "digits", "--epochs", "1",
                          "--out", os.environ.get("CNN_EXPLORER_DATA", "/tmp") + "/gpu-cli"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=True).stdout
    assert " on GPU: " in out.splitlines()[0]  # "training 98,682 parameters on GPU: NVIDIA …"
    assert json.loads(out.splitlines()[-1])["test_accuracy"] > 0.5


def test_training_on_cuda_equals_the_cpu_within_noise(digits, tmp_path):
    events = []
    gpu = runs.run(request(digits, "cuda", tmp_path), events.append)
    started = next(e for e in events if isinstance(e, training.Started))
    assert started.device.startswith("GPU: ")
    assert gpu.saved is not None and gpu.saved.card.test_accuracy == gpu.finished.test_accuracy
    assert next(gpu.finished.model.parameters()).device.type == "cpu"  # handed back on the CPU
    cpu = runs.run(request(digits, "cpu", tmp_path))
    # Same seed, same data; GPU kernels round differently, so the runs drift apart a little.
    assert abs(gpu.finished.test_accuracy - cpu.finished.test_accuracy) <= 0.03
    assert gpu.probabilities.shape == cpu.probabilities.shape


def test_the_train_pages_time_is_the_gpus(digits, tmp_path):
    """The Train page's estimate timed its training steps on the CPU only; on a GPU server it fell
    back to the conservative single-core rate, "about 30 s" for a run of about a second."""
    train, test = digits
    if os.environ.get("CNN_EXPLORER_SIGN_DIGITS"):  # bench/device_check.sh: runs long enough to compare
        train, test = datasets.split(datasets.load("sign-digits", download_missing=False), COURSE_SPLIT)
    req = request((train, test), "cuda", tmp_path)
    shape = tuple(train.image_shape)
    c = estimate.spec_cost(req.spec, shape)
    rate = estimate.measured_rate(req.spec, c, shape, req.config.batch_size)
    assert rate is not None  # timed on the GPU, not the conservative rate
    shown = estimate.estimate(c, len(train), len(test), req.config.epochs, req.config.batch_size,
                              train.images.nbytes, macs_per_second=rate)
    runs.run(req)  # warm-up: cuDNN's kernels for these shapes
    real = runs.run(req).finished.seconds
    # the page rounds both below a second up to "1 s"
    assert max(real, 1.0) / 3 <= max(shown.seconds, 1.0) <= max(real, 1.0) * 3, (shown.seconds, real)


def test_the_same_seed_trains_the_same_network_again_on_the_gpu(digits, tmp_path):
    """The Train page's promise for the seed. cuDNN's default backward convolutions add in any
    order, and two runs then end up apart (explorer/train/device.py: devices.reproducible)."""
    first, again = (runs.run(request(digits, "cuda", tmp_path, seed=5)).finished.model.state_dict() for _ in range(2))
    assert all(torch.equal(first[k], again[k]) for k in first)


def test_memory_is_released_after_a_job(digits, tmp_path):
    runs.run(request(digits, "cuda", tmp_path, seed=1))  # warm-up: CUDA's own allocations
    gc.collect()
    baseline = torch.cuda.memory_allocated()
    for seed in (2, 3):
        outcome = runs.run(request(digits, "cuda", tmp_path, seed=seed))
        del outcome
        gc.collect()
        assert torch.cuda.memory_allocated() == baseline


def net() -> torch.nn.Module:
    torch.manual_seed(0)
    body = models.build("fastnet", in_channels=1, num_classes=10, input_size=[64, 64])
    return pixel_model.wrap(body, Normalisation((0.5,), (0.25,)))


@pytest.fixture
def full_float32():
    """cuDNN's convolutions in full float32: by default they multiply in TF32 (10-bit mantissas)."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def maps_on_both(method: str) -> tuple[np.ndarray, np.ndarray]:
    """(64, 64) maps of one method for the same net and picture: on the CPU, on the GPU."""
    cpu_model = net()
    gpu_model = net().cuda()
    torch.manual_seed(1)
    x = torch.rand(1, 1, 64, 64)
    params = {"stride": 2} if method == "occlusion" else {}
    on_cpu = attribution.attribute(cpu_model, x, 3, method, **params)
    on_gpu = attribution.attribute(gpu_model, x.cuda(), 3, method, **params)
    assert isinstance(on_gpu, np.ndarray) and on_gpu.shape == (64, 64)  # back on the CPU for drawing
    assert float(np.abs(on_cpu).max()) > 0
    return on_cpu, on_gpu


def relative_gap(on_cpu: np.ndarray, on_gpu: np.ndarray) -> float:
    return float(np.abs(on_gpu - on_cpu).max() / np.abs(on_cpu).max())


# SmoothGrad is left out: its noise comes from each device's own generator.
DETERMINISTIC_METHODS = [m for m in attribution.METHODS if m != "smoothgrad"]


@pytest.mark.parametrize("method", DETERMINISTIC_METHODS)
def test_attributions_on_the_gpu_equal_the_cpu(method, full_float32):
    assert relative_gap(*maps_on_both(method)) <= 1e-3  # float32 sums in another order


@pytest.mark.parametrize("method", DETERMINISTIC_METHODS)
def test_attributions_in_tf32_look_like_the_cpus(method):
    """With cuDNN's default TF32 the maps move by up to a few percent of their largest value (an
    H200: 4.4% for this untrained net, 0.02-1.6% for a trained one), which a heatmap does not show:
    the bright places stay where they were."""
    on_cpu, on_gpu = maps_on_both(method)
    assert relative_gap(on_cpu, on_gpu) <= 0.1
    assert np.corrcoef(on_cpu.ravel(), on_gpu.ravel())[0, 1] >= 0.99


def test_predictions_of_a_gpu_model_on_cpu_pictures(digits):
    train, test = digits
    torch.manual_seed(0)
    model = from_spec.build(recipes.model_spec("fastnet", train)).cuda().eval()
    norm = Normalisation.of(train.images)
    on_gpu = training.predict_proba(model, test.images[:50], norm)  # numpy in, numpy out
    on_cpu = training.predict_proba(model.cpu(), test.images[:50], norm)
    np.testing.assert_allclose(on_gpu, on_cpu, atol=1e-3)


def test_dropout_runs_on_the_gpu_take_their_own_masks(digits):
    """Dropout on a GPU draws from the device's generator; each run lends it its own place in it
    (explorer/random_state.py), so two runs at once end as each ends alone, and the generator
    outside the runs is where it was."""
    import threading

    train, test = digits
    spec = recipes.model_spec("fastnet", train, {"width": 4, "dropout": 0.5})
    config = training.TrainConfig(epochs=2, batch_size=64, seed=3, device="cuda")

    def run() -> torch.Tensor:
        model = runs.initial_model(spec, config.seed)
        list(training.train(config, train, test, model))
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    before = torch.cuda.get_rng_state()
    alone = run()
    assert torch.equal(torch.cuda.get_rng_state(), before)
    assert torch.equal(run(), alone)  # the GPU repeats a run to the bit: a difference below is the masks'
    results = []
    threads = [threading.Thread(target=lambda: results.append(run())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert len(results) == 2 and all(torch.equal(r, alone) for r in results)


def test_the_live_camera_reads_with_a_gpu_model(full_float32):
    """The live camera's reader on a model on the GPU: the frame goes to the model's device and
    the reading comes back on the CPU, as it does with a model on the CPU."""
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    on_cpu = live.LiveReader(live.private_copy(net()), (1, 64, 64)).read(frame)
    on_gpu = live.LiveReader(live.private_copy(net()).cuda(), (1, 64, 64)).read(frame)
    np.testing.assert_allclose(on_gpu.probabilities, on_cpu.probabilities, atol=1e-4)
    assert on_gpu.top == on_cpu.top and on_gpu.square == on_cpu.square
    np.testing.assert_allclose(on_gpu.heat, on_cpu.heat, atol=1e-3)
