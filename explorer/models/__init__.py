"""Every architecture in the app as a real nn.Module, built by name.

Contract: `build(name, **options) -> nn.Module`. Architectures register themselves in
explorer/models/catalog.py with `@register(name, title=..., input_size=..., trainable=...)`,
one module per family; importing this package imports every family.
"""

from __future__ import annotations

# Families register on import, in the order the pickers list them.
from explorer.models import (  # noqa: F401, I001
    classic,
    course,
    fastnet,  # noqa: F401, I001
    inception,
    lenet,
    resnet,
)
from explorer.models.catalog import Architecture, build, current_options, info, names, option_defaults, register  # noqa: F401
from explorer.models.shapes import InputTooSmall  # noqa: F401
from explorer.models.summary import summary  # noqa: F401  (the function, not the module)
