#!/usr/bin/python3
"""Prints the table of cnnlab vs PyTorch benchmark results written by bench/run.sh.

usage: compare.py OUT_DIR MODEL...   (reads OUT_DIR/go_MODEL.json and OUT_DIR/torch_MODEL.json)
"""
import json
import os
import sys


def main():
    out, models = sys.argv[1], sys.argv[2:]
    rows = []
    for m in models:
        with open(os.path.join(out, f"go_{m}.json")) as f:
            g = json.load(f)
        with open(os.path.join(out, f"torch_{m}.json")) as f:
            t = json.load(f)
        ts = None
        if os.path.exists(os.path.join(out, f"torch_sys_{m}.json")):
            with open(os.path.join(out, f"torch_sys_{m}.json")) as f:
                ts = json.load(f)
        rows.append((m, g, t, ts))
    print("| model | cnnlab train img/s | PyTorch train img/s | ratio | cnnlab infer img/s | PyTorch infer img/s | ratio | cnnlab peak RSS | PyTorch peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m, g, t, ts in rows:
        for name, tt in (("PyTorch", t), ("PyTorch, glibc malloc", ts)):
            if tt is None:
                continue
            print(f"| {m} vs {name} | {g['train_images_per_sec']:.1f} | {tt['train_images_per_sec']:.1f} | "
                  f"{g['train_images_per_sec'] / tt['train_images_per_sec']:.2f} | "
                  f"{g['eval_images_per_sec']:.1f} | {tt['eval_images_per_sec']:.1f} | "
                  f"{g['eval_images_per_sec'] / tt['eval_images_per_sec']:.2f} | "
                  f"{g['train_peak_rss_bytes'] / 2**30:.2f} GiB (train), {g['peak_rss_bytes'] / 2**30:.2f} GiB | "
                  f"{tt['peak_rss_bytes'] / 2**30:.2f} GiB |")
    g = rows[0][1] if rows else {}
    if g:
        print(f"\ncnnlab: {g['backend']} ({g['backend_config']}), simd {g['simd']}, layers {g['impl']}, "
              f"{g['go_version']}, {g['cpus']} CPUs, GOMAXPROCS {g['gomaxprocs']}; PyTorch: {rows[0][2]['backend']}, {rows[0][2]['threads']} threads; "
              f"batch {g['batch']} train ({g['warmup_steps']} warm-up + {g['steps']} timed steps), "
              f"batch {g['eval_batch']} inference.")


if __name__ == "__main__":
    main()
