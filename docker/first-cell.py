#!/usr/bin/env python3
"""Times a GoNB notebook's first cells in a fresh kernel, as a user who opens
a lesson notebook sees them: the kernel's start, then each cell's execution
(GoNB's compilation and link, then the run).

    python3 first-cell.py [--cold] NOTEBOOK [N]

runs the first N code cells (default 1) of NOTEBOOK and prints one JSON
object. --cold gives the kernel an empty Go build cache (GOCACHE in a
temporary folder), to show what the image's warm cache saves.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager


def main():
    args = sys.argv[1:]
    cold = "--cold" in args
    args = [a for a in args if a != "--cold"]
    if not args:
        sys.exit(__doc__)
    path = args[0]
    n = int(args[1]) if len(args) > 1 else 1
    with open(path) as f:
        nb = json.load(f)
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"][:n]

    env = dict(os.environ)
    tmp = None
    if cold:
        tmp = tempfile.mkdtemp(prefix="gocache-cold-")
        env["GOCACHE"] = tmp
    km = KernelManager(kernel_name="gonb")
    t0 = time.monotonic()
    # GoNB logs to stderr: kept out of the timing's output.
    km.start_kernel(env=env, cwd=os.path.dirname(os.path.abspath(path)),
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    result = {"notebook": path, "cold_cache": cold, "kernel_start_s": round(time.monotonic() - t0, 2), "cells": []}
    try:
        for src in cells:
            t = time.monotonic()
            msg_id = kc.execute(src)
            errors = []
            while True:
                msg = kc.get_iopub_msg(timeout=1800)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "error":
                    errors.append(msg["content"].get("ename", "") + ": " + msg["content"].get("evalue", ""))
                elif kind == "stream" and msg["content"].get("name") == "stderr":
                    text = msg["content"].get("text", "")
                    if "error" in text.lower():
                        errors.append(text.strip()[:500])
                elif kind == "status" and msg["content"].get("execution_state") == "idle":
                    break
            result["cells"].append({"source": src[:80], "seconds": round(time.monotonic() - t, 2), "errors": errors})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        if tmp:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))
    if any(c["errors"] for c in result["cells"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
