"""The ImageNet story as a table: each classic architecture's year, depth, parameters and
MACs computed from the model built here, beside the top-5 figure the course quotes for it.

Top-5 error: the share of test pictures whose correct class is not among the network's five
highest-scoring classes. The course quotes some figures as error and some as accuracy
(accuracy = 100% - error); both are kept as quoted, with the error derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explorer import models
from explorer.models.depth import weight_depth

SOURCE = "the course, section 2"


@dataclass(frozen=True)
class Quote:
    """A figure as the course states it."""

    text: str            # e.g. "15.4% top-5 error (ILSVRC 2012)"
    top5_error: float    # in percent, derived when the course gives accuracy


# Only the same network gets the course's figure (VGG-11/19, ResNet-18/34 have none there).
QUOTES = {
    "alexnet": Quote("top-5 error 15.4% (ILSVRC 2012; the next best entry 26.2%)", 15.4),
    "vgg16": Quote("error 7.3% (ILSVRC 2014)", 7.3),
    "googlenet": Quote("93.3% top-5 accuracy", 100 - 93.3),
    "resnet152": Quote("95.51% top-5 accuracy", 100 - 95.51),
}
YEARS = {"lenet5": 1998, "alexnet": 2012, "vgg16": 2014, "googlenet": 2014, "resnet18": 2015,
         "resnet34": 2015, "resnet152": 2015}
REVIEWED = ("lenet5", "alexnet", "vgg16", "googlenet", "resnet18", "resnet34", "resnet152")


@dataclass(frozen=True)
class ReviewRow:
    name: str
    title: str
    year: int
    depth: int           # weight layers on the longest path (computed)
    params: int          # computed at the design input
    macs: int            # multiply-accumulates for one picture at the design input (computed)
    input_side: int
    quote: Quote | None


def row(name: str) -> ReviewRow:
    info = models.info(name)
    with torch.device("meta"):
        model = models.build(name)
    s = models.summary(model, info.input_size)
    return ReviewRow(name, info.title, YEARS[name], weight_depth(model), s.total_params, s.total_macs,
                     info.input_size[1], QUOTES.get(name))


def table() -> list[ReviewRow]:
    return [row(n) for n in REVIEWED]
