#!/usr/bin/python3
"""Checks executed lesson notebooks: no error cell, at least one figure, and
the key values each lesson must print.

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
    problems, images, text = [], 0, []
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
