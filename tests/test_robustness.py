"""explorer.inspect.robustness equals Captum's FGSM / PGD and the hand-written formulas, on a real
(small, trained) model; the accuracy curve equals one Captum FGSM call per epsilon."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.robust import FGSM, PGD

from explorer.inspect import pixel_model, robustness
from explorer.saved import registry
from tests.inspect_helpers import digits_split, save_digits_model


@pytest.fixture(scope="module")
def model():
    saved = save_digits_model(epochs=3, name="robustness test net")
    net, card = registry.load(saved.id)
    m = pixel_model.wrap(net, card.normalisation)
    for p in m.parameters():
        p.requires_grad_(False)
    return m


@pytest.fixture(scope="module")
def test_set():
    return digits_split()[1]


def ce(out, y):
    return F.cross_entropy(out, y, reduction="none")


def input_grad(model, x, target):
    xg = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(xg), torch.as_tensor(target).long().expand(len(x)), reduction="sum")
    return torch.autograd.grad(loss, xg)[0]


def test_fgsm_is_captum_fgsm_and_x_plus_eps_sign_grad(model, test_set):
    x = torch.from_numpy(test_set.images[:16].copy())
    y = torch.as_tensor(test_set.labels[:16]).long()
    ours = robustness.fgsm(model, x, y, 0.1)
    theirs = FGSM(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0).perturb(x, 0.1, y)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    grad = input_grad(model, x, y)
    by_hand = torch.clamp(x + 0.1 * torch.sign(grad) * (grad.abs() > 1e-6), 0, 1)
    torch.testing.assert_close(ours, by_hand, rtol=0, atol=1e-7)
    assert (ours - x).abs().max() <= 0.1 + 1e-6
    assert (ours != x).float().mean() > 0.5  # most pixels moved


def test_targeted_fgsm_steps_down_the_target_loss(model, test_set):
    x = torch.from_numpy(test_set.images[:8].copy())
    ours = robustness.fgsm(model, x, 7, 0.05, targeted=True)
    grad = input_grad(model, x, 7)
    by_hand = torch.clamp(x - 0.05 * torch.sign(grad) * (grad.abs() > 1e-6), 0, 1)
    torch.testing.assert_close(ours, by_hand, rtol=0, atol=1e-7)
    with torch.no_grad():
        before = F.softmax(model(x), 1)[:, 7]
        after = F.softmax(model(ours), 1)[:, 7]
    assert (after > before).all()  # every picture now looks more like a 7


def test_pgd_is_captum_pgd_and_repeated_clipped_fgsm(model, test_set):
    x = torch.from_numpy(test_set.images[:8].copy())
    y = torch.as_tensor(test_set.labels[:8]).long()
    eps, steps = 0.1, 10
    ours = robustness.pgd(model, x, y, eps, steps)
    step = robustness.step_size(eps, steps)
    assert step == pytest.approx(0.025)
    theirs = PGD(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0).perturb(x, eps, step, steps, y)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    walk = x.clone()
    for _ in range(steps):
        g = input_grad(model, walk, y)
        walk = torch.clamp(walk + step * torch.sign(g) * (g.abs() > 1e-6), 0, 1)
        walk = torch.clamp(x + torch.clamp(walk - x, -eps, eps), 0, 1)
    torch.testing.assert_close(ours, walk, rtol=0, atol=1e-6)
    assert (ours - x).abs().max() <= eps + 1e-6
    # PGD is at least as strong as FGSM with the same budget on these pictures
    with torch.no_grad():
        pgd_loss = ce(model(ours), y).sum()
        fgsm_loss = ce(model(robustness.fgsm(model, x, y, eps)), y).sum()
    assert pgd_loss >= fgsm_loss


def test_attack_reports_the_model_probabilities(model, test_set):
    arr = test_set.images[3]
    label = int(test_set.labels[3])
    result = robustness.attack(model, arr, label, 0.2, "pgd")
    with torch.no_grad():
        direct = F.softmax(model(torch.from_numpy(np.stack([arr, result.fooled]))), 1).numpy()
    np.testing.assert_allclose(result.before, direct[0], atol=1e-6)
    np.testing.assert_allclose(result.after, direct[1], atol=1e-6)
    np.testing.assert_allclose(result.perturbation, result.fooled - arr, atol=0)
    assert np.abs(result.perturbation).max() <= 0.2 + 1e-6
    assert result.succeeded == (int(direct[1].argmax()) != label)
    with pytest.raises(ValueError, match="Unknown attack"):
        robustness.attack(model, arr, label, 0.1, "magic")


def test_accuracy_curve_equals_captum_fgsm_per_epsilon(model, test_set):
    images, labels = test_set.images, test_set.labels
    curve = robustness.accuracy_curve(model, images, labels, batch=100)
    assert curve.epsilons == robustness.EPSILONS and curve.pictures == len(images)
    x = torch.from_numpy(images.copy())
    y = torch.as_tensor(labels).long()
    attack = FGSM(model, loss_func=ce, lower_bound=0.0, upper_bound=1.0)
    for eps, acc in zip(curve.epsilons, curve.accuracies):
        with torch.no_grad():
            direct = (model(attack.perturb(x, eps, y)).argmax(1) == y).sum().item() / len(y)
        assert acc == pytest.approx(direct, abs=1e-9), eps
    with torch.no_grad():
        clean = (model(x).argmax(1) == y).sum().item() / len(y)
    assert curve.accuracies[0] == pytest.approx(clean)
    assert curve.accuracies[-1] < curve.accuracies[0] - 0.3  # the attack hurts a lot at 0.3


def test_attacks_leave_the_shared_model_as_it_was(model, test_set):
    """The Inspect pages share one model between sessions: no hook, no parameter gradient and
    no train mode left behind after many attacks."""
    from explorer.inspect import attribution

    before = {k: v.clone() for k, v in model.state_dict().items()}
    for i in range(20):
        robustness.attack(model, test_set.images[i], int(test_set.labels[i]), 0.1, "pgd", steps=3)
        robustness.attack(model, test_set.images[i], 7, 0.1, "fgsm", targeted=True)
    robustness.accuracy_curve(model, test_set.images[:50], test_set.labels[:50], (0.0, 0.1))
    assert attribution.hooks_left(model) == 0
    assert all(p.grad is None for p in model.parameters())
    assert not model.training
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k  # batch-norm statistics included


def test_a_curve_that_rises_again_is_explained():
    """The default net on Sign Language Digits: FGSM left 4.4% right at ε = 0.1 and 12.8% at 0.3,
    with nothing on the page saying why a larger ε fooled fewer pictures."""
    from explorer.ui.fooling_views import rebound_note

    eps = robustness.EPSILONS
    rising = robustness.Curve(eps, (0.990, 0.927, 0.850, 0.378, 0.044, 0.090, 0.121, 0.128), 413)
    assert robustness.rebound(rising) == (4, 7)
    note = rebound_note(rising)
    assert note.startswith("Why does the accuracy rise again after ε = 0.1 (4.4%, then 12.8% at ε = 0.3)?")
    assert "one step" in note and "PGD" in note
    falling = robustness.Curve(eps, (0.917, 0.881, 0.828, 0.664, 0.336, 0.111, 0.050, 0.025), 360)
    assert robustness.rebound(falling) is None and rebound_note(falling) is None
    one_picture_back = robustness.Curve(eps, (0.9, 0.5, 0.2, 0.1, 0.05, 0.05 + 1 / 360, 0.05, 0.05), 360)
    assert robustness.rebound(one_picture_back) is None  # one picture is noise, not a rebound
