"""The course's baselines on the bundled digits: exact options, sane accuracy, contract, stop."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.compare import baselines, course_mlp
from explorer.compare.results import Stopped
from explorer.data import datasets


@pytest.fixture(scope="module")
def digits_split():
    return datasets.split(datasets.load("digits"))


def test_pixels_are_flattened_in_0_1_like_the_course(digits_split):
    train, _ = digits_split
    x, y = baselines.flatten(train)
    assert x.shape == (len(train), 64) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x[5], train.images[5].ravel())
    np.testing.assert_array_equal(y, train.labels)


def test_estimators_use_exactly_the_courses_options():
    svm, knn, logreg, forest = (baselines.estimator(n) for n in ("svm", "knn", "logreg", "random_forest"))
    assert (svm.gamma, svm.decision_function_shape, svm.kernel) == ("scale", "ovo", "rbf")
    assert knn.n_neighbors == 3
    # The course's LogisticRegression(random_state=0, solver='lbfgs', multi_class='ovr'):
    # scikit-learn 1.7 removed multi_class, so one-vs-rest is spelled as a wrapper.
    from sklearn.multiclass import OneVsRestClassifier

    assert isinstance(logreg, OneVsRestClassifier)
    assert (logreg.estimator.solver, logreg.estimator.random_state) == ("lbfgs", 0)
    assert (forest.n_estimators, forest.random_state) == (100, 0)


@pytest.mark.parametrize("name", ["svm", "knn", "logreg", "random_forest"])
def test_classical_baseline_is_accurate_on_digits(digits_split, name):
    train, test = digits_split
    r = baselines.run(name, train, test)
    # Handwritten 8x8 digits are easy: every one of these reaches well over 90%.
    assert r.accuracy > 0.9, r
    assert r.fit_seconds > 0 and r.predict_seconds > 0
    assert (r.n_train, r.n_test) == (len(train), len(test))
    assert r.call == baselines.CALLS[name] and r.family == "classical"
    assert r.keeps


def test_logistic_regression_counts_its_weights(digits_split):
    r = baselines.run("logreg", *digits_split)
    assert r.params == 64 * 10 + 10  # ten binary classifiers, 64 weights and a bias each
    assert r.options["solver"] == "lbfgs" and r.options["random_state"] == 0
    assert r.options["multi_class"] == "one-vs-rest" and "10 one-vs-rest" in r.keeps


def test_one_vs_rest_is_not_the_multinomial_model(digits_split):
    """The course's one-vs-rest fits ten separate yes/no models: its scores differ from the
    plain (multinomial) LogisticRegression's, so the app really runs the course's model."""
    from sklearn.linear_model import LogisticRegression

    train, test = digits_split
    x, y = baselines.flatten(train)
    ovr = baselines.estimator("logreg").fit(x, y)
    multinomial = LogisticRegression(random_state=0, solver="lbfgs").fit(x, y)
    xt, _ = baselines.flatten(test)
    assert not np.allclose(ovr.predict_proba(xt), multinomial.predict_proba(xt), atol=1e-3)


def test_svm_gets_no_iteration_note(digits_split):
    """SVC's max_iter is -1 (no limit): the row must not claim it stopped at '-1 iterations'."""
    r = baselines.run("svm", *digits_split)
    assert not any("iterations" in n for n in r.notes)


def test_mlp_uses_the_courses_schedule():
    s = course_mlp.Schedule()
    assert (s.lr, s.batch_size, s.epochs) == (0.001, 128, 50)


def test_random_forest_is_reproducible(digits_split):
    a = baselines.run("random_forest", *digits_split)
    b = baselines.run("random_forest", *digits_split)
    assert a.accuracy == b.accuracy


def test_course_mlp_learns_digits(digits_split):
    train, test = digits_split
    epochs = []
    r = baselines.run("mlp", train, test, on_epoch=lambda e, n, loss: epochs.append((e, n, loss)))
    assert r.accuracy > 0.9, r
    n = course_mlp.Schedule().epochs
    assert [e for e, _, _ in epochs] == list(range(1, n + 1)) and len(r.history) == n
    assert r.history[-1] < r.history[0] / 2  # the loss really went down
    assert r.params == (64 * 512 + 512) + (512 * 512 + 512) + (512 * 10 + 10)
    assert r.options["layers"] == "64-512-512-10"


def test_mlp_stops_between_epochs(digits_split):
    seen = []
    with pytest.raises(Stopped):
        baselines.run("mlp", *digits_split, on_epoch=lambda e, n, loss: seen.append(e),
                      should_stop=lambda: len(seen) >= 2)
    assert seen == [1, 2]


@pytest.mark.parametrize("name", baselines.NAMES)
def test_contract_accuracy_and_fit_seconds(name):
    """run(name, train, test) works for every name, on a small slice to stay quick."""
    train, test = datasets.split(datasets.load("digits"))
    train = train.subset(np.arange(300))
    r = baselines.run(name, train, test)
    assert 0.0 <= r.accuracy <= 1.0 and r.accuracy > 0.5
    assert isinstance(r.fit_seconds, float) and r.fit_seconds >= 0
    assert r.name == name and r.title == baselines.TITLES[name]


def test_unknown_name_is_refused(digits_split):
    with pytest.raises(ValueError, match="unknown baseline"):
        baselines.run("xgboost", *digits_split)


def test_mlp_same_seed_same_training(digits_split):
    train, test = digits_split
    train = train.subset(np.arange(400))
    a, b = baselines.run("mlp", train, test), baselines.run("mlp", train, test)
    assert a.history == b.history and a.accuracy == b.accuracy


def test_an_unconverged_logistic_regression_says_so(digits_split):
    """On the digits lbfgs converges (no note); stopped early, the row says so."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    train, test = digits_split
    assert baselines.run("logreg", train, test).notes == ()
    with pytest.warns(ConvergenceWarning):
        early = LogisticRegression(solver="lbfgs", max_iter=3).fit(*baselines.flatten(train))
    assert "limit of 3 iterations" in baselines._notes(early)[0]
