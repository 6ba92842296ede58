"""AdamW on a one-cycle schedule, as torch.optim.AdamW + OneCycleLR compute them, without
torch.optim.

Why: creating any torch.optim optimizer imports PyTorch's compiler (torch._dynamo) for its
decorators, about as long as importing torch itself (1 s of the command line's 2.5 s on a
2-core CPU), and the app never compiles. The default recipe (adamw + one-cycle) runs here; other
optimizers and schedules use torch.optim. tests/test_optim.py checks the weights after many
steps equal torch.optim's.
"""

from __future__ import annotations

import math

import torch

BASE_MOMENTUM, MAX_MOMENTUM = 0.85, 0.95  # OneCycleLR's defaults: beta1 cycles between them
DIV_FACTOR, FINAL_DIV_FACTOR = 25.0, 1e4  # start at max_lr / 25, end at that / 1e4


def one_cycle(step: int, total_steps: int, max_lr: float, warmup: float) -> tuple[float, float]:
    """(learning rate, beta1) for the 0-based `step` of OneCycleLR(max_lr, total_steps,
    pct_start=warmup) with its defaults (cosine annealing, two phases, beta1 cycled)."""
    initial = max_lr / DIV_FACTOR
    phases = ((float(warmup * total_steps) - 1, initial, max_lr, MAX_MOMENTUM, BASE_MOMENTUM),
              (total_steps - 1, max_lr, initial / FINAL_DIV_FACTOR, BASE_MOMENTUM, MAX_MOMENTUM))
    start = 0.0
    for i, (end, lr0, lr1, m0, m1) in enumerate(phases):
        if step <= end or i == len(phases) - 1:
            pct = (step - start) / (end - start)
            return _cos(lr0, lr1, pct), _cos(m0, m1, pct)
        start = end
    raise AssertionError("unreachable")


def _cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


class OneCycleAdamW:
    """The subset of the optimizer + scheduler pair the training loop uses: zero_grad(), step()
    (which also advances the schedule, like calling opt.step() then sched.step()) and
    param_groups[0]["lr"] (the rate the next step will use)."""

    def __init__(self, params, max_lr: float, total_steps: int, warmup: float, weight_decay: float,
                 beta2: float = 0.999, eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.max_lr, self.total, self.warmup = max_lr, total_steps, warmup
        self.weight_decay, self.beta2, self.eps = weight_decay, beta2, eps
        self.steps = 0
        self.exp_avg = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        lr, beta1 = one_cycle(0, total_steps, max_lr, warmup)
        self.param_groups = [{"lr": lr, "betas": (beta1, beta2)}]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        lr, (beta1, beta2) = group["lr"], group["betas"]
        self.steps += 1
        correction1 = 1 - beta1 ** self.steps
        correction2_sqrt = (1 - beta2 ** self.steps) ** 0.5  # as torch.optim.Adam computes it
        # One foreach call per formula over all tensors (as torch.optim's foreach path): a
        # handful of kernel launches per step instead of six per tensor.
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        params = [self.params[i] for i in live]
        grads = [p.grad for p in params]
        m, v = [self.exp_avg[i] for i in live], [self.exp_avg_sq[i] for i in live]
        torch._foreach_mul_(params, 1 - lr * self.weight_decay)
        torch._foreach_lerp_(m, grads, 1 - beta1)
        torch._foreach_mul_(v, beta2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - beta2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, correction2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, m, denom, value=-lr / correction1)
        if self.steps < self.total:  # the scheduler's step: the next step's rate and beta1
            lr, beta1 = one_cycle(self.steps, self.total, self.max_lr, self.warmup)
            group["lr"], group["betas"] = lr, (beta1, beta2)
