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
        # The moments of all tensors live in one flat buffer each, every tensor's part in the
        # order its parameter lies in memory (channels-last weights included): a formula is then
        # one kernel over ~100k numbers. On the CPU `torch._foreach_*` loops over the tensors,
        # so the per-tensor form cost 8 formulas x 14 tensors = 112 kernel calls a step (80 ms of
        # FastNet's 184 steps at 2 threads, ~5% of a run); this form costs about 35.
        self.flat = all(_dense(p) for p in self.params)
        total = sum(p.numel() for p in self.params)
        self.flat_exp_avg, self.flat_exp_avg_sq = torch.zeros(total), torch.zeros(total)
        if self.params:
            self.flat_exp_avg = self.flat_exp_avg.to(self.params[0])
            self.flat_exp_avg_sq = self.flat_exp_avg_sq.to(self.params[0])
        self.exp_avg = _views(self.flat_exp_avg, self.params)
        self.exp_avg_sq = _views(self.flat_exp_avg_sq, self.params)
        self.flat_denom = torch.empty_like(self.flat_exp_avg_sq)
        self.denom = _views(self.flat_denom, self.params)
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
        if self.flat and all(p.grad is not None and p.grad.stride() == p.stride() for p in self.params):
            self._flat_step(lr, beta1, beta2, correction1, correction2_sqrt)
        else:
            self._foreach_step(lr, beta1, beta2, correction1, correction2_sqrt)
        if self.steps < self.total:  # the scheduler's step: the next step's rate and beta1
            lr, beta1 = one_cycle(self.steps, self.total, self.max_lr, self.warmup)
            group["lr"], group["betas"] = lr, (beta1, beta2)

    def _flat_step(self, lr: float, beta1: float, beta2: float, correction1: float, correction2_sqrt: float) -> None:
        """AdamW's formulas on the flat moments; bit for bit the numbers of `_foreach_step`."""
        grads = torch.cat([_memory_order(p.grad) for p in self.params])
        m, v = self.flat_exp_avg, self.flat_exp_avg_sq
        m.lerp_(grads, 1 - beta1)
        v.mul_(beta2).addcmul_(grads, grads, value=1 - beta2)
        torch.sqrt(v, out=self.flat_denom).div_(correction2_sqrt).add_(self.eps)
        torch._foreach_mul_(self.params, 1 - lr * self.weight_decay)
        # addcdiv per tensor, as the foreach step: the same kernel gives the same roundings, so the
        # weights are bit for bit those of the per-tensor form (a last-bit change moves single
        # seeds of the 4-epoch recipe by up to a point: bench/README.md, round 5).
        torch._foreach_addcdiv_(self.params, self.exp_avg, self.denom, value=-lr / correction1)

    def _foreach_step(self, lr: float, beta1: float, beta2: float, correction1: float, correction2_sqrt: float) -> None:
        """One foreach call per formula over the tensors that have a gradient."""
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


def _dense(t: torch.Tensor) -> bool:
    """Whether t's numbers fill a block of memory without gaps (any order of dimensions)."""
    return t.is_contiguous() or (t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last))


def _memory_order(t: torch.Tensor) -> torch.Tensor:
    """A dense tensor's numbers as a 1-D view, in the order they lie in memory."""
    return t.as_strided((t.numel(),), (1,), t.storage_offset())


def _views(flat: torch.Tensor, like: list[torch.Tensor]) -> list[torch.Tensor]:
    """Views of consecutive parts of `flat`, each with the shape and strides of its tensor in `like`."""
    out, offset = [], 0
    for t in like:
        if _dense(t):
            out.append(flat.as_strided(t.shape, t.stride(), flat.storage_offset() + offset))
        else:  # never for the flat step (it needs every tensor dense); the foreach step's moments
            out.append(flat[offset:offset + t.numel()].view(t.shape))
        offset += t.numel()
    return out
