"""The CNN vs classical ML page as a script: the course's scikit-learn baselines, fitted on the
same split and scored on the same test pictures (explorer/compare/baselines.py)."""

from __future__ import annotations

from explorer.codegen import picture
from explorer.codegen.script import CELL, Script, join

# The course's exact calls (explorer.compare.baselines.CALLS) and their imports.
CALLS = {
    "svm": ('SVC(gamma="scale", decision_function_shape="ovo")', "from sklearn.svm import SVC"),
    "knn": ("KNeighborsClassifier(3)", "from sklearn.neighbors import KNeighborsClassifier"),
    "logreg": ('LogisticRegression(solver="lbfgs")', "from sklearn.linear_model import LogisticRegression"),
    "random_forest": ("RandomForestClassifier(n_estimators=100, random_state=0)",
                      "from sklearn.ensemble import RandomForestClassifier"),
}
BUILT_IN = ("digits", "sign-digits")


def script(dataset: str, test_size: float, random_state: int, names: list[str]) -> Script | None:
    """None for a dataset the script cannot load (a user's zip) or when no classical model is
    chosen (the fully connected network is a PyTorch training: `python -m explorer.train
    --model course_mlp --write-script`)."""
    chosen = [n for n in names if n in CALLS]
    if dataset not in BUILT_IN or not chosen:
        return None
    models = "\n".join(f'    "{n}": {CALLS[n][0]},' for n in chosen)
    text = join(
        f'"""CNN Explorer, CNN vs classical ML: the course\'s classical models on {dataset}, '
        f'test share {test_size:g}, random_state {random_state}."""',
        CELL,
        "\n".join(["import numpy as np", "from PIL import Image, ImageOps",
                   "from sklearn.model_selection import train_test_split"]
                  + sorted({CALLS[n][1] for n in chosen})),
        CELL + " The pictures: float32 in [0, 1]",
        picture.dataset_block(dataset, "images", labels="labels"),
        CELL + " The split, and every picture flattened to one row of pixels",
        f"""x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size={test_size!r}, random_state={random_state})
x_train = x_train.reshape(len(x_train), -1)
x_test = x_test.reshape(len(x_test), -1)
print("train:", x_train.shape, "test:", x_test.shape)""",
        CELL + " The course's models, fitted and scored",
        f"""models = {{
{models}
}}
for name, model in models.items():
    model.fit(x_train, y_train)
    print(f"accuracy {{name}}: {{np.mean(model.predict(x_test) == y_test):.4f}}")""",
    )
    return Script("The classical baselines on this split", text, "baselines")
