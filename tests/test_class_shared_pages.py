"""A class on one server: the second student who opens an Inspect page on the same model and
picture gets the first one's results (attribution maps, feature maps, top-k searches, their
charts) without computing anything again (explorer/ui/cached.shared_results)."""

from __future__ import annotations

import pytest

from explorer.ui import cached
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import open_page


@pytest.fixture(scope="module")
def saved():
    return save_digits_model(epochs=2, name="class test net")


def pictures(at) -> list[str]:
    return [img.url for element in at.get("imgs") for img in element.proto.imgs]


@pytest.mark.parametrize("page", ["pages/saliency.py", "pages/filters.py", "pages/max_activations.py"])
def test_the_second_student_on_a_page_computes_nothing_again(saved, page):
    first = open_page(page)
    before = cached.shared_results().stats()
    second = open_page(page)  # another session: its own session state, the same server
    after = cached.shared_results().stats()
    assert before.misses > 0, "the first student's visit computed and stored the results"
    assert after.misses == before.misses, "the second student's visit computed something again"
    assert after.hits > before.hits
    assert pictures(second) == pictures(first)  # and saw the same pictures


def charts(at) -> list[str]:
    return [c.proto.spec for c in at.get("vega_lite_chart")]


@pytest.mark.parametrize("page", ["pages/pooling.py", "pages/convolution_1d.py", "pages/convolution.py"])
def test_the_second_student_on_a_learn_page_computes_nothing_again(page):
    """Pooling's measurements (shift, overlap, rotation) and pictures, the 1-D page's charts, the
    Convolution page's output map and picture (explorer/ui/learn_cache.py): the
    same default picture and settings for the whole class, computed once."""
    cached.shared_results().clear()  # as on a fresh server: earlier tests opened these pages too
    start = cached.shared_results().stats()
    first = open_page(page)
    before = cached.shared_results().stats()
    second = open_page(page)
    after = cached.shared_results().stats()
    assert before.misses > start.misses, "the first student's visit computed and stored the results"
    assert after.misses == before.misses, "the second student's visit computed something again"
    assert after.hits > before.hits
    assert pictures(second) == pictures(first) and charts(second) == charts(first)


def test_the_echo_is_computed_and_encoded_once_for_the_class():
    """The 1-D page's echo: its three charts and two sounds are the same for every student with
    the same settings (built and encoded once), and the sounds are the WAV st.audio made."""
    import numpy as np
    from streamlit.elements.media import _maybe_convert_to_wav_bytes

    from explorer.learn import signals

    cached.shared_results().clear()
    students = [open_page("pages/convolution_1d.py") for _ in range(2)]
    counts = [cached.shared_results().stats().misses]
    for at in students:
        at.button_group(key="convolution_1d_preset").set_value("echo").run()
        counts.append(cached.shared_results().stats().misses)
    assert counts[1] > counts[0], "the first student's echo computed and stored it"
    assert counts[2] == counts[1], "the second student's echo computed something again"
    assert [a.proto.url for a in students[0].get("audio")] == [a.proto.url for a in students[1].get("audio")]
    # The same bytes as st.audio(array) sent before: Streamlit names a media file by its content.
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    sound = signals.sound(signals.SOUNDS[0], signals.SAMPLE_RATE)
    expected = _calculate_file_id(_maybe_convert_to_wav_bytes(np.asarray(sound), signals.SAMPLE_RATE), "audio/wav")
    assert expected in students[0].get("audio")[0].proto.url
