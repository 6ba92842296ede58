"""One loaded model serves every session of the server: tracing its shapes (the Filters page's
layer list and table) from several sessions at once must neither fail nor change the model."""

from __future__ import annotations

import threading

import torch

from explorer.data import datasets
from explorer.models import from_spec
from explorer.models.summary import summary
from explorer.train import recipes


def test_summaries_from_many_threads_leave_the_shared_model_intact():
    ds = datasets.load("digits")
    net = from_spec.build(recipes.model_spec("fastnet", ds)).eval()
    weights = {k: v.clone() for k, v in net.state_dict().items()}
    reference = summary(net, (1, 8, 8))
    x = torch.rand(4, 1, 8, 8)
    expected = net(x).detach()
    failures = []

    def session():
        for _ in range(20):
            try:
                assert summary(net, (1, 8, 8)).rows == reference.rows
                with torch.no_grad():
                    torch.testing.assert_close(net(x), expected)
            except Exception as exc:  # noqa: BLE001 (collected and shown below)
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=session) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert all(p.device.type == "cpu" for p in net.parameters())
    for k, v in net.state_dict().items():
        torch.testing.assert_close(v, weights[k])
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in net.modules())
