"""Adversarial training: the FGSM examples the loop makes are Captum's FGSM pictures (in pixel
space), and a net trained with them resists FGSM better than the same net trained without."""

from __future__ import annotations

import pytest
import torch
from captum.robust import FGSM

from explorer import models
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import pixel_model, robustness
from explorer.saved import registry
from explorer.saved.model_card import ModelCard, Normalisation
from explorer.train import adversarial, recipes, runs, training
from explorer.ui.train_results import loss_gap_note
from tests.inspect_helpers import digits_split
from tests.page_helpers import open_page


def test_fgsm_batch_is_captum_fgsm_in_pixel_space():
    torch.manual_seed(0)
    train, _ = digits_split()
    norm = Normalisation.of(train.images)
    net = models.build("fastnet", in_channels=1, input_size=[8, 8], width=8).eval()
    pixels = torch.from_numpy(train.images[:32].copy())
    y = torch.as_tensor(train.labels[:32]).long()
    mean, std = norm.tensors()
    made = adversarial.fgsm_batch(net, (pixels - mean) / std, y, 0.1, mean, std)
    wrapped = pixel_model.PixelModel(net, norm).eval()
    captum = FGSM(wrapped, loss_func=robustness.cross_entropy, lower_bound=0.0, upper_bound=1.0).perturb(pixels, 0.1, y)
    torch.testing.assert_close(made * std + mean, captum, rtol=0, atol=2e-6)
    assert all(p.grad is None for p in net.parameters())  # the attack trains nothing


def test_mixed_replaces_the_first_share_of_the_batch():
    torch.manual_seed(0)
    net = models.build("fastnet", in_channels=1, input_size=[8, 8], width=8).eval()
    xb = torch.randn(10, 1, 8, 8)
    yb = torch.arange(10)
    mean, std = torch.zeros(1, 1, 1, 1), torch.ones(1, 1, 1, 1)
    out = adversarial.mixed(net, xb, yb, 0.1, 0.5, mean, std)
    assert out.shape == xb.shape
    assert not torch.equal(out[:5], xb[:5]) and torch.equal(out[5:], xb[5:])
    assert adversarial.mixed(net, xb, yb, 0.0, 0.5, mean, std) is xb


def test_config_refuses_a_bad_epsilon():
    with pytest.raises(ValueError, match="adversarial"):
        training.TrainConfig(adversarial_epsilon=2.0)


def _train(eps: float, root):
    """Saved in a private folder: an adversarially trained digits net in the session's data
    folder would be the defence the Fooling page tests expect to train themselves."""
    train, test = digits_split()
    spec = recipes.model_spec("fastnet", train, {"width": 8})
    config = training.TrainConfig(epochs=6, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu",
                                  adversarial_epsilon=eps)
    request = runs.TrainRequest(spec, config, "digits", train, test, COURSE_SPLIT,
                                f"adv {eps}", root)
    saved = runs.run(request).saved
    net, card = registry.load(saved.id, root)
    assert card.config["adversarial_epsilon"] == eps  # the model card says how it was trained
    return pixel_model.wrap(net, card.normalisation), test


def test_adversarial_training_makes_fgsm_less_effective(tmp_path):
    plain, test = _train(0.0, tmp_path)
    robust, _ = _train(0.1, tmp_path)
    a = robustness.accuracy_curve(plain, test.images, test.labels, (0.0, 0.1))
    b = robustness.accuracy_curve(robust, test.images, test.labels, (0.0, 0.1))
    assert b.accuracies[0] > 0.8  # it still learns the digits
    assert b.accuracies[1] > a.accuracies[1] + 0.1, (a, b)


def test_cli_option_sets_the_epsilon_and_refuses_a_bad_one(tmp_path, capsys):
    from explorer.train import cli

    assert cli.config_for(cli.parse(["--dataset", "digits", "--adversarial", "0.1"])).adversarial_epsilon == 0.1
    assert cli.config_for(cli.parse(["--dataset", "digits"])).adversarial_epsilon == 0.0
    assert cli.main(["--dataset", "digits", "--adversarial", "2", "--out", str(tmp_path)]) == 2
    assert "adversarial epsilon" in capsys.readouterr().err


def test_the_defence_reuses_the_saved_settings_and_survives_odd_ones():
    from explorer.ui import defence

    def card(config: dict) -> ModelCard:
        spec = {"architecture": "fastnet", "options": {"in_channels": 1, "num_classes": 10, "input_size": [8, 8]}}
        return ModelCard.from_json({"name": "n", "architecture": "fastnet", "spec": spec, "classes": list("0123456789"),
                                    "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]},
                                    "config": config})

    c = defence._config(card({"epochs": 3, "lr": 0.02, "batch_size": 32, "label_smoothing": 0.1}), 0.1)
    assert (c.epochs, c.lr, c.batch_size, c.label_smoothing, c.adversarial_epsilon) == (3, 0.02, 32, 0.1, 0.1)
    odd = defence._config(card({"epochs": "many", "optimizer": "magic"}), 0.1)
    assert odd.optimizer == "adamw" and odd.adversarial_epsilon == 0.1  # the default schedule instead
    long = defence._config(card({"epochs": 100000}), 0.05)
    assert long.epochs == defence.MAX_EPOCHS


def test_the_notes_on_the_loss_name_the_fgsm_pictures(data_dir):
    """The note on why the test loss sits below the training loss named augmentation and smoothed
    labels, but not an adversarial run's FGSM pictures, its largest cause; Saved models drew the
    same curves with no note at all."""
    train, test = digits_split()
    spec = recipes.model_spec("fastnet", train, {"width": 8})
    config = training.TrainConfig(epochs=2, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu",
                                  adversarial_epsilon=0.1)
    events = []
    out = runs.run(runs.TrainRequest(spec, config, "digits", train, test, COURSE_SPLIT, "adv note"), events.append)
    started = next(e for e in events if isinstance(e, training.Started))
    assert started.adversarial == 0.5 == out.saved.card.adversarial
    fgsm = "half of each batch's pictures altered to fool the network (FGSM)"
    assert fgsm in loss_gap_note(started) and "on plain pictures" in loss_gap_note(started)
    assert any(h["test_loss"] < h["train_loss"] for h in out.saved.card.history)
    at = open_page("pages/models.py")
    why = [c.value for c in at.caption if c.value.startswith("Why can the test loss")]
    assert len(why) == 1 and fgsm in why[0] and "on plain pictures" in why[0], why


def test_an_uploaded_cards_odd_settings_give_no_reasons():
    """Saved models reads the note's reasons from the card, whose settings and history an
    upload may fill with anything: words, true, NaN or nothing give no reason and no error."""
    def card(config: dict, history: list) -> ModelCard:
        spec = {"architecture": "fastnet", "options": {"in_channels": 1, "num_classes": 10, "input_size": [8, 8]}}
        return ModelCard.from_json({"name": "n", "architecture": "fastnet", "spec": spec, "classes": list("0123456789"),
                                    "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]},
                                    "config": config, "history": history})

    odd = card({"augment": "yes", "adversarial_epsilon": True, "adversarial_fraction": 0.5, "label_smoothing": "0.2"},
               [{"epoch": 1, "test_loss": "low", "train_loss": 1.0}, {"epoch": 2, "train_loss": None}])
    assert (odd.augmented, odd.adversarial, odd.label_smoothing) == (False, 0.0, 0.0)
    assert not odd.test_loss_below_training
    plain = card({"augment": True, "max_shift": 0.0, "max_rotation": 0, "adversarial_epsilon": 0.1,
                  "adversarial_fraction": 2.0}, [{"epoch": 1, "test_loss": 0.2, "train_loss": 0.9}])
    assert (plain.augmented, plain.adversarial, plain.test_loss_below_training) == (False, 0.0, True)
    both = card({"augment": True, "adversarial_epsilon": 0.1}, [])  # TrainConfig's defaults for the rest
    assert (both.augmented, both.adversarial, both.test_loss_below_training) == (True, 0.5, False)
