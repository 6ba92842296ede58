"""Every architecture's default schedule can be shown by the Train page's controls: a default
the sliders do not offer made the page fail to open (the peak rate 0.04 of issue 21)."""

from __future__ import annotations

import pytest

from explorer import models
from explorer.train import recipes
from explorer.ui import train_settings


@pytest.mark.parametrize("architecture", [*models.names(trainable_only=True), "custom"])
def test_default_schedule_is_on_the_sliders(architecture):
    s = recipes.default_schedule(architecture)
    assert s["lr"] in train_settings.LRS
    assert s["weight_decay"] in train_settings.DECAYS
    assert s["batch_size"] in (16, 32, 64, 128, 256)
