"""Train page, part 1: the settings (architecture, builder, hyperparameters) -> a TrainRequest."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from explorer import limits, models, random_state
from explorer.data import datasets
from explorer.data.types import Split
from explorer.models import builder, from_spec
from explorer.saved import registry
from explorer.train import estimate, recipes, runs, training
from explorer.ui import cached, tables, url_state

CUSTOM = "custom"
LRS = [1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 4e-2, 5e-2, 1e-1, 1.0, 10.0]
DECAYS = [0.0, 1e-5, 1e-4, 5e-4, 1e-3, 1e-2]
SCHEDULE_TEXT = {"one-cycle": "one-cycle (warm up, then anneal)", "cosine": "cosine decay", "constant": "constant"}
SMOOTHING_HELP = ("The target stops being 100% on the right class: at 0.2, a fifth of it is spread evenly "
                  "over all classes (with ten classes, 82% on the right one and 2% on each other). The net "
                  "stops pushing its scores to extremes, which makes short runs more reliable. FastNet's "
                  "default is 0.2.")
PUBLIC_NOTE = ("🔓 The model you train here is saved on this server for everyone in the class: its name, "
               "your zip's file name and its class names (your folder names) can be seen by all. Your "
               "pictures themselves are not saved. Rename your folders before uploading if their names "
               "are private.")

ADVERSARIAL = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3]
ADVERSARIAL_HELP = ("The defence against fooling: half of every batch is replaced by its FGSM pictures (each "
                    "pixel moved by ε towards a mistake, as on the Fooling page) with their true labels, so the "
                    "net learns to resist them. Each step costs about half as much again. Compare both nets' "
                    "accuracy-against-ε curves on the Fooling page.")
BF16_HELP = ("Each layer's multiplications are done with 16-bit numbers (bfloat16: fewer digits after "
             "the point) while the weights and their updates stay 32-bit. On a processor with AMX "
             "matrix units (recent Intel Xeons) training runs a tenth to a fifth faster and FastNet ends "
             "as accurate. Elsewhere 16-bit arithmetic measured slower, so there, and on GPUs, the "
             "setting is ignored (32-bit throughout). FastNet's default.")

# Plain-language help for every setting (issue #14: a student met most of them unexplained).
HELP = {
    "epochs": "How many times the network sees every training picture. More epochs learn more, "
              "up to the point where it starts memorising the training pictures.",
    "batch": "How many pictures are looked at before each weight update. Small batches: more, "
             "noisier updates; large batches: fewer, smoother ones.",
    "optimizer": "The rule that turns gradients into weight changes. AdamW adapts the step for each "
                 "weight (and decays weights properly); SGD with momentum is the classic.",
    "schedule": "How the learning rate changes during training. One-cycle warms up then anneals to "
                "almost 0; cosine only anneals; constant never changes.",
    "decay": "Weight decay pulls every weight a little towards 0 at each step: a simple brake "
             "against memorising (overfitting).",
    "shift": "The largest random move of a training picture, in percent of its size.",
    "rotation": "The largest random rotation of a training picture, in degrees.",
    "seed": "Fixes the random choices (initial weights, order of pictures, augmentation, which units "
            "dropout switches off): the same seed and settings train the same network again, also "
            "while others train on this server.",
    "dropout": "During training, each unit of the dropout layer is switched off at random with this "
               "probability, so the network cannot rely on any single one.",
    "test_size": "The share of the pictures kept aside for testing: never trained on, never used to "
                 "choose anything, measured at the end.",
    "random_state": "Which pictures go to the test set (the course uses 8): the same number gives the "
                    "same split.",
    "name": "How the model is listed under Saved models and on the Inspect pages.",
}
LAYER_COLUMNS = ["layer", "channels / units", "kernel / window", "stride", "padding", "dropout p"]


def architectures() -> list[str]:
    """Trainable architectures, the fast default first, then the builder."""
    names = models.names(trainable_only=True)
    return sorted(names, key=lambda n: n != recipes.DEFAULT_MODEL) + [CUSTOM]


def title(name: str) -> str:
    return "Build your own (layer by layer)" if name == CUSTOM else models.info(name).title


def _has_option(arch: str, option: str) -> bool:
    return arch != CUSTOM and option in models.option_defaults(arch)


# ---- the layer builder ----------------------------------------------------------------------

def _cell(v) -> str:
    """A setting as the editor shows it: '' where it does not apply to the layer (a number
    column showed the word "None" there, issue #14)."""
    return "" if v is None else f"{v:g}"


def _rows(layers: list[dict]) -> pd.DataFrame:
    rows = []
    for l in layers:
        t = l["type"]
        rows.append({"layer": t, "channels / units": _cell(l.get("channels", l.get("units"))),
                     "kernel / window": _cell(l.get("kernel", l.get("size"))), "stride": _cell(l.get("stride")),
                     "padding": _cell(l.get("padding")), "dropout p": _cell(l.get("p"))})
    return pd.DataFrame(rows, columns=LAYER_COLUMNS)


def _num(v, default):
    """A typed cell as a number (a whole one as int), the default when empty; text that is no
    number is passed on as it is, so the builder names the layer and the setting it needs."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return default
    if isinstance(v, str):
        text = v.strip()
        if not text:
            return default
        try:
            v = float(text)
        except ValueError:
            return text
    return int(v) if float(v).is_integer() else float(v)


def layers_from_rows(df: pd.DataFrame) -> list[dict]:
    """The editor's table -> builder layers (cells that do not apply to a layer are ignored)."""
    out = []
    for _, r in df.iterrows():
        t = r["layer"]
        if not isinstance(t, str) or not t:
            continue
        size, kernel = _num(r["channels / units"], None), _num(r["kernel / window"], None)
        if t == "conv":
            out.append({"type": t, "channels": _num(size, 16), "kernel": _num(kernel, 3),
                        "stride": _num(r["stride"], 1), "padding": _num(r["padding"], 0)})
        elif t in ("maxpool", "avgpool"):
            out.append({"type": t, "size": _num(kernel, 2)})
        elif t == "dense":
            out.append({"type": t, "units": _num(size, 64)})
        elif t == "dropout":
            out.append({"type": t, "p": _num(r["dropout p"], 0.25)})
        else:
            out.append({"type": t})
    return out


def layer_builder(input_size: tuple[int, int, int], num_classes: int) -> list[dict] | None:
    """The editable layer table with live shapes; None while a layer does not fit."""
    st.caption("Add, remove or edit rows; the table under it checks every shape as you type. "
               "A dense output layer with one unit per class is added at the end.")
    # The two tables one above the other, each the page's width: side by side (3:2) both scrolled
    # sideways and cut off 'padding', 'dropout p' and the parameter counts (issue #14).
    df = st.data_editor(
        _rows(builder.DEFAULT), key="train_builder_layers", num_rows="dynamic", hide_index=True,
        column_config={
            "layer": st.column_config.SelectboxColumn("layer", options=list(builder.TYPES), required=True),
            # Text cells: empty where a setting does not apply (number cells showed "None");
            # the builder checks each value and names the layer when one is not a number.
            **{col: st.column_config.TextColumn(col, max_chars=8, default="") for col in LAYER_COLUMNS[1:]},
        },
    )
    layers = layers_from_rows(df)
    try:
        rows = builder.shapes(layers, input_size, num_classes)
    except builder.LayerError as exc:
        st.warning(f"⚠️ {exc}")
        return None
    c, h, w = input_size
    table = [{"#": "in", "layer": "input image", "output shape": f"{c}x{h}x{w}", "params": 0}]
    table += [{"#": str(r.index + 1), "layer": r.label, "output shape": "x".join(map(str, r.shape)),
               "params": r.params} for r in rows]
    tables.show(table)
    st.success(f"✅ All shapes fit: {sum(r.params for r in rows):,} parameters.")
    return layers


# ---- everything else ------------------------------------------------------------------------

def _architecture(ds: datasets.Dataset) -> tuple[str, dict | None]:
    arch = st.selectbox("Architecture", architectures(), format_func=title, key="train_architecture",
                        bind=url_state.BIND, help="The network's layers. FastNet trains in seconds; the others "
                        "are the course's and history's networks; 'Build your own' lets you stack layers.")
    if arch == CUSTOM:
        layers = layer_builder(ds.image_shape, len(ds.classes))
        return arch, None if layers is None else recipes.model_spec(CUSTOM, ds, layers=layers)
    st.caption(models.info(arch).description)
    options = {}
    if _has_option(arch, "dropout"):
        default = models.option_defaults(arch)["dropout"]
        options["dropout"] = st.slider("Dropout", 0.0, 0.8, float(default), 0.05, key=f"train_dropout_{arch}",
                                       bind=url_state.BIND, help=HELP["dropout"])
    else:
        st.caption("This architecture has no dropout layer; the layer builder lets you add one.")
    spec = recipes.model_spec(arch, ds, options)
    try:
        with random_state.seeded(0):  # counted, not trained: its weights drawn apart from a job's
            with_meta = from_spec.build(spec)
    except from_spec.SpecError as exc:
        st.warning(f"⚠️ {exc}")
        return arch, None
    st.caption(f"{training.count_params(with_meta):,} parameters for {'x'.join(map(str, ds.image_shape))} images.")
    return arch, spec


def _hyperparameters(arch: str) -> dict:
    d = recipes.default_schedule(arch)
    k = f"_{arch}"  # each architecture keeps its own settings, starting from its defaults
    c1, c2, c3 = st.columns(3)
    epochs = c1.slider("Epochs", 1, 40, d["epochs"], key=f"train_epochs{k}", bind=url_state.BIND,
                       help=HELP["epochs"])
    batch = c2.select_slider("Batch size", [16, 32, 64, 128, 256], d["batch_size"], key=f"train_batch{k}",
                             bind=url_state.BIND, help=HELP["batch"])
    optimizer = c3.selectbox("Optimizer", training.OPTIMIZERS, training.OPTIMIZERS.index(d["optimizer"]),
                             key=f"train_optimizer{k}", bind=url_state.BIND, help=HELP["optimizer"])
    # The schedule's column is wider: "one-cycle (warm up, then anneal)" was cut off.
    c1, c2, c3, c4 = st.columns([1, 1.5, 1, 1])
    lr = c1.select_slider("Learning rate", LRS, d["lr"], key=f"train_lr{k}", bind=url_state.BIND,
                          help="With one-cycle, the peak rate. 1 and 10 are there to see divergence.")
    schedule = c2.selectbox("Schedule", training.SCHEDULES, training.SCHEDULES.index(d["schedule"]),
                            format_func=SCHEDULE_TEXT.get, key=f"train_schedule{k}", bind=url_state.BIND,
                            help=HELP["schedule"])
    decay = c3.select_slider("Weight decay", DECAYS, d["weight_decay"], key=f"train_decay{k}", bind=url_state.BIND,
                             help=HELP["decay"])
    smoothing = c4.slider("Label smoothing", 0.0, 0.3, float(d.get("label_smoothing", 0.0)), 0.05,
                          key=f"train_smoothing{k}", bind=url_state.BIND, help=SMOOTHING_HELP)
    c1, c2, c3, c4 = st.columns(4)
    augment = c1.toggle("Augmentation", d["augment"], key=f"train_augment{k}", bind=url_state.BIND,
                        help="Random shifts and small rotations of each training batch.")
    shift = c2.slider("Max shift (%)", 0, 25, 10, key=f"train_shift{k}", bind=url_state.BIND, disabled=not augment,
                      help=HELP["shift"])
    rotation = c3.slider("Max rotation (°)", 0, 30, 10, key=f"train_rotation{k}",
                         bind=url_state.BIND, disabled=not augment, help=HELP["rotation"])
    seed = c4.number_input("Seed", 0, 2**31 - 1, 0, key=f"train_seed{k}", bind=url_state.BIND, help=HELP["seed"])
    c1, c2 = st.columns(2)
    adversarial = c1.select_slider("Adversarial training (FGSM ε)", ADVERSARIAL, 0.0, key=f"train_adversarial{k}",
                                   bind=url_state.BIND, format_func=_adversarial_text, help=ADVERSARIAL_HELP)
    bf16 = c2.toggle("16-bit arithmetic (bfloat16)", d.get("bf16", False), key=f"train_bf16{k}",
                     bind=url_state.BIND, help=BF16_HELP)
    return {"epochs": epochs, "batch_size": batch, "optimizer": optimizer, "lr": lr, "schedule": schedule,
            "weight_decay": decay, "augment": augment, "max_shift": shift / 100, "max_rotation": float(rotation),
            "seed": int(seed), "label_smoothing": float(smoothing), "adversarial_epsilon": float(adversarial),
            "bf16": bool(bf16)}


def _adversarial_text(eps: float) -> str:
    return "off" if eps == 0 else f"{eps:g}"


def _split() -> Split:
    with st.expander("Train / test split (the course's by default)"):
        c1, c2 = st.columns(2)
        test_size = c1.slider("Test fraction", 0.1, 0.5, 0.2, 0.05, key="train_test_size", bind=url_state.BIND,
                              help=HELP["test_size"])
        state = c2.number_input("Random state", 0, 10_000, 8, key="train_random_state", bind=url_state.BIND,
                                help=HELP["random_state"])
    return Split(float(test_size), int(state))


@st.cache_data(max_entries=64, show_spinner=False)
def _spec_cost(spec_json: str, shape: tuple[int, int, int]) -> estimate.Cost:
    """The network's cost per picture, once per spec and picture size (a slider move reruns the page)."""
    return estimate.spec_cost(json.loads(spec_json), shape)


# Re-measured after ten minutes: a probe timed while the cores were busy (another training, a
# benchmark) read 0.2 instead of 6 billion multiply-adds a second, and the page said "about 2
# minutes" for a 1-second run for as long as the server ran.
@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _rate_here(spec_json: str, shape: tuple[int, int, int], batch_size: int, bf16: bool,
               adversarial: float) -> float | None:
    """The network's measured training speed on this server, once per spec, size, batch, arithmetic
    and share of FGSM pictures."""
    spec = json.loads(spec_json)
    return estimate.measured_rate(spec, _spec_cost(spec_json, shape), shape, batch_size, bf16, adversarial)


def _costs(spec: dict, ds: datasets.Dataset, split: Split, params: dict) -> bool:
    """Say what the run will cost before it is queued; False (with the reason) when it is too much.
    Refusals use the conservative rate (as the queue does); the time shown is measured here."""
    n_test = max(1, round(len(ds) * split.test_size))
    sizes = (len(ds) - n_test, n_test, params["epochs"], params["batch_size"], ds.images.nbytes)
    try:
        spec_json, shape = json.dumps(spec, sort_keys=True), tuple(ds.image_shape)
        c = _spec_cost(spec_json, shape)
        e = estimate.estimate(c, *sizes)
        estimate.check_model(c, ds.image_shape, "This network")
        estimate.check_run(e)
    except (estimate.TooCostly, from_spec.SpecError) as exc:
        st.warning(f"⚠️ {exc}")
        return False
    rate = _rate_here(spec_json, shape, params["batch_size"], params.get("bf16", False),
                      training.TrainConfig(**params).adversarial_share)
    shown = estimate.estimate(c, *sizes, macs_per_second=rate) if rate else e
    st.caption(f"Estimated cost: {shown.sentence()} ({c.macs / 1e6:,.1f} million multiply-adds per picture).")
    return True


def settings(ds: datasets.Dataset, dataset_name: str) -> runs.TrainRequest | None:
    """Draw the settings; returns a request when the Train button is pressed and all fits."""
    split = _split()
    arch, spec = _architecture(ds)
    with st.expander("Hyperparameters", expanded=True):
        params = _hyperparameters(arch)
    # The name follows the data: keyed by architecture, dataset and how many names are taken,
    # so switching to a zip does not keep "fastnet on sign-digits", and a second run on the
    # same zip is offered "(2)" (issue #14).
    taken = [m.name for m in registry.list_models()]
    default = recipes.default_name(arch, dataset_name, taken)
    name = st.text_input("Name of the saved model", default, key=f"train_name_{arch}_{dataset_name}_{len(taken)}",
                         max_chars=limits.MODEL_NAME_CHARS, help=HELP["name"])
    if ds.source == "your zip":
        st.caption(PUBLIC_NOTE)
    fits = spec is not None and _costs(spec, ds, split, params)
    if not st.button("🏋️ Train", type="primary", disabled=not fits, key="train_start"):
        return None
    train_ds, test_ds = datasets.split(ds, split)
    if len(train_ds) < 2 or len(set(test_ds.labels.tolist())) < 1:
        st.warning("This split leaves too few images to train on.")
        return None
    config = training.TrainConfig(**params)
    return runs.TrainRequest(spec, config, dataset_name, train_ds, test_ds, split,
                             name.strip() or default, owner=cached.who().owner)
