"""Lesson presets: prepared views a teacher opens from Home with one click.

Each lesson is a page and the address parameters of its widgets (widget key -> the option
as the widget shows it, see url_state). Only values that differ from a widget's default are
listed: Streamlit drops a default from the address, so tests/test_lessons.py can check that
every parameter of every lesson is still accepted by its page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from explorer.ui import url_state


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    text: str
    page: str
    params: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """The page's widget keys start with this (pages/convolution.py -> 'convolution_')."""
        return self.page.removeprefix("pages/").removesuffix(".py") + "_"


LESSONS = [
    Lesson("stride3", "Stride 3 does not fit",
           "The course's 7x7 input with a 3x3 kernel and stride 3: the formula gives 2.33, so the "
           "last row and column are never looked at.",
           "pages/convolution.py",
           {"convolution_stride": "3", "convolution_view": "👣 Step by step",
            "convolution_toy": "7x7 (the course's stride-3 example)"}),
    Lesson("sobel", "Edges with Sobel",
           "Sobel x and Sobel y on a photo: one lights up vertical edges, the other horizontal ones.",
           "pages/convolution.py",
           {"convolution_sample": "A temple in China", "convolution_view": "🧱 Several filters",
            "convolution_bank": ["Sobel x", "Sobel y"]}),
    Lesson("pooling", "Max vs average pooling",
           "A feature map pooled 2x2 with the average; click Max to compare (max keeps the "
           "strongest edge, average blurs it).",
           "pages/pooling.py",
           {"pooling_mode": "Average"}),
    Lesson("gradcam", "What Grad-CAM sees",
           "Six explanations of one prediction over the picture, Grad-CAM among them, and the "
           "sanity check with random weights.",
           "pages/saliency.py",
           {"saliency_view": "Overlay"}),
    Lesson("dilation", "Dilation spreads the kernel",
           "A 3x3 kernel with dilation 2 covers 5x5 pixels with the same 9 weights: step through it.",
           "pages/convolution.py",
           {"convolution_dilation": "2", "convolution_view": "👣 Step by step"}),
    Lesson("lenet", "LeNet-5, layer by layer",
           "The 1998 network for digits: every layer's shape and parameters on a 32x32 input.",
           "pages/architectures.py"),  # LeNet-5 is the page's default
    Lesson("fooling", "Fool the CNN: make it say 7",
           "PGD moves every pixel by at most 0.1 until the model answers 7; below, how the whole "
           "test split's accuracy falls as ε grows, and what adversarial training changes.",
           "pages/fooling.py",
           {"fooling_attack": "PGD", "fooling_epsilon": "0.1", "fooling_goal": "make it say 7"}),
    Lesson("faithful", "Which map should you believe?",
           "Delete each map's most important pixels first: a faithful map makes the probability fall "
           "fastest. Every method against a random order and against random weights, on many pictures.",
           "pages/faithfulness.py",
           {"faithfulness_average": "true", "faithfulness_random_curves": "true"}),
    Lesson("ood", "Does it know when it doesn't know?",
           "Is an 80%-sure answer right 80% of the time? Then two photos that are no hand sign: does "
           "their top-class probability give them away? Switch to the feature distance and compare.",
           "pages/confidence.py",
           {"confidence_score": "Top-class probability"}),
    Lesson("echo", "An echo is a convolution",
           "A sound convolved with two spikes: hear the original and its later, quieter copy.",
           "pages/convolution_1d.py",
           {"convolution_1d_preset": "echo"}),
]


def open_lesson(lesson: Lesson) -> None:
    """Switch to the lesson's page with its settings (earlier choices on that page forgotten,
    so the view is exactly the prepared one; presenter mode stays as it is)."""
    url_state.forget(lesson.prefix)
    st.switch_page(lesson.page, query_params=lesson.params)


def cards(per_row: int = 3) -> None:
    """One bordered card per lesson with its button."""
    for start in range(0, len(LESSONS), per_row):
        cols = st.columns(per_row)
        for col, lesson in zip(cols, LESSONS[start:start + per_row]):
            with col.container(border=True):
                st.markdown(f"**{lesson.title}**")
                st.caption(lesson.text)
                if st.button("Open ▶", key=f"lesson_{lesson.key}"):
                    open_lesson(lesson)
