"""url_state: the values a link carries by hand are checked; hostile ones are refused."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.learn import kernels
from explorer.ui import url_state


@pytest.mark.parametrize("raw, flag", [("1", True), ("true", True), ("ON", True), (" yes ", True),
                                       ("0", False), ("false", False), ("off", False)])
def test_flags_read_the_usual_spellings(raw, flag):
    assert url_state.parse_flag(raw) is flag


@pytest.mark.parametrize("raw", [None, "", "2", "abc", "truee", "1" * 5000, "../../etc", "<script>", 1])
def test_anything_else_is_no_flag(raw):
    assert url_state.parse_flag(raw) is None


def test_choices_are_exact():
    allowed = ["max", "avg", "sum"]
    assert url_state.parse_choice("avg", allowed) == "avg"
    for raw in ["AVG", "av", "max ", "../../etc/passwd", "", None, "max&min"]:
        assert url_state.parse_choice(raw, allowed) is None


@pytest.mark.parametrize("name, size", [("sobel x", 3), ("gaussian", 5), ("random", 7), ("identity", 1)])
def test_kernels_survive_the_round_trip(name, size):
    kernel = kernels.make(name, size, seed=3)
    text = url_state.encode_kernel(kernel)
    assert set(text) <= set("0123456789.-,_e+")
    back = url_state.parse_kernel(text, size)
    assert back.shape == (size, size)
    np.testing.assert_allclose(back, kernel, rtol=1e-3, atol=1e-4)


def test_sobel_is_short():
    assert url_state.encode_kernel(kernels.make("sobel x", 3)) == "-1,0,1_-2,0,2_-1,0,1"


@pytest.mark.parametrize("raw", [
    "", "abc", "1,2,3", "1,2_3,4", "1,2,3_4,5,6_7,8", "1,2,3_4,5,6_7,8,9,10", "1,,3_4,5,6_7,8,9",
    "nan,0,0_0,0,0_0,0,0", "inf,0,0_0,0,0_0,0,0", "1e308,0,0_0,0,0_0,0,0", "1e9,0,0_0,0,0_0,0,0",
    "../../etc/passwd", "1;2;3", "0x1,0,0_0,0,0_0,0,0", ",".join(["1"] * 3000),
])
def test_bad_kernels_are_refused(raw):
    assert url_state.parse_kernel(raw, 3) is None


def test_a_kernel_of_another_size_is_refused():
    assert url_state.parse_kernel("1,0,1_2,0,2_1,0,1", 5) is None
    assert url_state.parse_kernel("1,0,1_2,0,2_1,0,1", 3) is not None
