"""The catalogue of architectures: each family registers its factories here by name.

Contract: `build(name, **options) -> nn.Module`; `@register(name, title=..., input_size=...,
trainable=...)` on a factory adds it. Families import this module, never the package, so
the package can import every family without an import cycle.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

from torch import nn


@dataclass(frozen=True)
class Architecture:
    """What the app knows about an architecture besides its constructor."""

    name: str
    factory: Callable[..., nn.Module]
    title: str
    input_size: tuple[int, int, int]  # (C, H, W) it is designed for
    trainable: bool  # offered on the Train page (small enough for a CPU)
    description: str = ""
    # Options added or changed since models were first saved, with the values a saved spec that
    # lacks them was built with (its weights only fit that layout); new specs write them out.
    saved_before: dict = field(default_factory=dict)


_ARCHITECTURES: dict[str, Architecture] = {}


def register(name: str, *, title: str, input_size: tuple[int, int, int], trainable: bool = False,
             description: str = "", saved_before: dict | None = None) -> Callable:
    """Decorator for a factory `f(**options) -> nn.Module`."""

    def deco(factory: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        if name in _ARCHITECTURES:
            raise ValueError(f"architecture {name!r} registered twice")
        _ARCHITECTURES[name] = Architecture(name, factory, title, input_size, trainable, description,
                                            dict(saved_before or {}))
        return factory

    return deco


def names(trainable_only: bool = False) -> list[str]:
    return [n for n, a in _ARCHITECTURES.items() if a.trainable or not trainable_only]


def info(name: str) -> Architecture:
    try:
        return _ARCHITECTURES[name]
    except KeyError:
        raise KeyError(f"unknown architecture {name!r}; choose one of {', '.join(_ARCHITECTURES)}") from None


def option_defaults(name: str) -> dict:
    """Every option of the factory with its default today (inspect.Parameter.empty: none)."""
    return {key: p.default for key, p in inspect.signature(info(name).factory).parameters.items()}


def current_options(name: str) -> dict:
    """The factory's defaults today for the options in `saved_before` (written into new specs)."""
    defaults = option_defaults(name)
    return {key: defaults[key] for key in info(name).saved_before}


def build(name: str, **options) -> nn.Module:
    """A freshly initialised model. Options are the factory's keyword arguments
    (e.g. in_channels, num_classes, input_size)."""
    return info(name).factory(**options)
