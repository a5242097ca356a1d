#!/usr/bin/python3
"""Checks executed lesson notebooks: no error cell, at least one figure, the
key values each lesson must print, and that the notebook teaches the
course's code: at least one code cell declaring a model layer by layer
(nn.Sequential with nn.Conv2D or nn.Dense) and one calling .Fit(. A
notebook that went back to only calling nb.Show… fails.

Lesson 1 (the data) is exempt from the model and Fit cells: its course
section declares no model and trains nothing (its notebook says so).

usage: notebooks/check/outputs.py NOTEBOOK.ipynb...
"""
import json
import os
import re
import sys

# Values that must appear in a notebook's outputs (text or HTML), by lesson.
EXPECTED = {
    "01-data": ["50000 training and 10000 test images", ">5000<", ">1000<"],  # the label counts
    "02-first-cnn": ["[32, 10]", "904718"],  # the prediction shape, the summary
    "05-batchnorm": [">0.00<", ">0.50<", ">1.00<", ">-1.22<", ">1.22<"],  # min-max and z-score of [20, 30, 40]
    "10-gap": [">293968<", ">904718<"],  # the parameters of GAP and Flatten
}


# Lessons whose course section has no model nor training.
NO_MODEL = {"01-data"}

# A model declared layer by layer: nn.Sequential( ... nn.Conv2D( or nn.Dense(.
MODEL_CELL = re.compile(r"nn\.Sequential\((?s:.*?)nn\.(Conv2D|Dense)\(")


def teaches(nb, name):
    """Problems with the notebook's teaching cells (its code, not outputs)."""
    if name in NO_MODEL:
        return []
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    problems = []
    if not any(MODEL_CELL.search(src) for src in code):
        problems.append("no cell declares a model layer by layer (nn.Sequential with nn.Conv2D/nn.Dense)")
    if not any(".Fit(" in src for src in code):
        problems.append("no cell trains a model (.Fit()")
    return problems


def texts(cell):
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            yield "".join(out["text"])
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/"):
                yield "".join(value)


def check(path):
    nb = json.load(open(path))
    name = os.path.basename(path).removesuffix(".ipynb")
    problems, images, text = teaches(nb, name), 0, []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                problems.append(f"error cell: {out['ename']}: {out['evalue'][:200]}")
            if "image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {}):
                images += 1
        text.extend(texts(cell))
    if images == 0:
        problems.append("no figure")
    joined = "\n".join(text)
    if not re.search(r"Lesson \d+ — .*: preset \w+ on .*; CPU ", joined):
        problems.append("the first output does not name the preset, backend and CPU")
    for want in EXPECTED.get(name, []):
        if want not in joined:
            problems.append(f"missing value {want!r}")
    print(f"{os.path.basename(path)}: {images} figures, {len(problems)} problems")
    for p in problems:
        print("  " + p)
    return not problems


def main():
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok and sys.argv[1:] else 1)


if __name__ == "__main__":
    main()
