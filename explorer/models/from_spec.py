"""Building a model from a saved spec: the only way a saved or uploaded model becomes a network.

A spec is {"architecture": name, "options": {...}} for a catalogue architecture, or
{"architecture": "custom", "layers": [...], "input_size": [C, H, W], "num_classes": K} for the
layer builder's. Nothing is unpickled: a file can only ever become one of the app's own
architectures, built by the app's code.
"""

from __future__ import annotations

from torch import nn

from explorer.models import builder, catalog


class SpecError(ValueError):
    """A spec that does not describe a model this app can build; str(error) is a sentence."""


def build(spec: dict) -> nn.Module:
    """A freshly initialised model for a spec (SpecError says why one cannot be built)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("architecture"), str):
        raise SpecError("The model's description (spec) has no architecture name.")
    arch = spec["architecture"]
    try:
        if arch == "custom":
            return builder.build(spec.get("layers"), spec.get("input_size"), spec.get("num_classes"))
        options = spec.get("options", {})
        if not isinstance(options, dict) or not all(_plain(v) for v in options.values()):
            raise SpecError("The model's options are not plain numbers and words.")
        # A spec saved before an option existed gets the value its weights were trained with.
        return catalog.build(arch, **{**catalog.info(arch).saved_before, **options})
    except SpecError:
        raise
    except builder.LayerError as exc:
        raise SpecError(f"The model's layers do not fit together: {exc}") from exc
    except KeyError:
        raise SpecError(f"Unknown architecture {arch!r}: this app cannot rebuild it.") from None
    except Exception as exc:  # any factory failure on untrusted options is the file's fault
        raise SpecError(f"The {arch!r} model cannot be built from its saved options ({exc}).") from exc


def _plain(v) -> bool:
    if isinstance(v, (list, tuple)):
        return len(v) <= 16 and all(_plain(x) for x in v)
    return v is None or isinstance(v, (bool, int, float, str))
