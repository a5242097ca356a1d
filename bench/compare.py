#!/usr/bin/python3
"""Prints the table of cnnlab vs PyTorch benchmark results written by bench/run.sh.

usage: compare.py OUT_DIR MODEL...   (reads OUT_DIR/go_MODEL.json and OUT_DIR/torch_MODEL.json,
and OUT_DIR/torch_sys_MODEL.json when present)
"""
import json
import os
import sys


def load(out, name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def gib(b):
    return f"{b / 2**30:.2f} GiB"


def main():
    out, models = sys.argv[1], sys.argv[2:]
    rows = [(m, load(out, f"go_{m}.json"), load(out, f"torch_{m}.json"), load(out, f"torch_sys_{m}.json"))
            for m in models]
    epoch = "epoch_sec" in rows[0][1]
    if epoch:
        print("| model | cnnlab train img/s | PyTorch train img/s | ratio | cnnlab epoch s | PyTorch epoch s | ratio (time) "
              "| cnnlab val_accuracy | PyTorch val_accuracy | cnnlab peak RSS | PyTorch peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for m, g, t, _ in rows:
            print(f"| {m} | {g['train_images_per_sec']:.1f} | {t['train_images_per_sec']:.1f} | "
                  f"{g['train_images_per_sec'] / t['train_images_per_sec']:.2f} | {g['epoch_sec']:.1f} | "
                  f"{t['epoch_sec']:.1f} | {t['epoch_sec'] / g['epoch_sec']:.2f} | {g['val_accuracy']:.4f} | "
                  f"{t['val_accuracy']:.4f} | {gib(g['peak_rss_bytes'])} | {gib(t['peak_rss_bytes'])} |")
    else:
        print("| model | cnnlab train img/s | PyTorch train img/s | ratio | cnnlab Evaluate img/s | PyTorch infer img/s "
              "| ratio | cnnlab peak RSS | PyTorch peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|")
        for m, g, t, ts in rows:
            for name, tt in (("PyTorch", t), ("PyTorch, glibc malloc", ts)):
                if tt is None:
                    continue
                print(f"| {m} vs {name} | {g['train_images_per_sec']:.1f} | {tt['train_images_per_sec']:.1f} | "
                      f"{g['train_images_per_sec'] / tt['train_images_per_sec']:.2f} | "
                      f"{g['eval_images_per_sec']:.1f} | {tt['eval_images_per_sec']:.1f} | "
                      f"{g['eval_images_per_sec'] / tt['eval_images_per_sec']:.2f} | "
                      f"{gib(g['train_peak_rss_bytes'])} (train), {gib(g['peak_rss_bytes'])} | {gib(tt['peak_rss_bytes'])} |")
    g, t = rows[0][1], rows[0][2]
    cpu = g["cpu"]
    print(f"\nCPU: {cpu['model']} ({' '.join(cpu['flags'])}), {g['cpus']} CPUs. cnnlab: {g['backend']} "
          f"({g['backend_config']}), simd {g['simd']}, layers {g['impl']}, {g['go_version']}, GOMAXPROCS {g['gomaxprocs']}; "
          f"PyTorch: {t['backend']}, {t['threads']} threads.")
    if epoch:
        print(f"One epoch: {g['train_images']} training images in batches of {g['batch']}, "
              f"{g['val_images']} validated at the end; images/s exclude the first step (graph compilation).")
    else:
        print(f"Batch {g['batch']} training ({g['warmup_steps']} warm-up + {g['steps']} timed steps), "
              f"batch {g['eval_batch']} inference (cnnlab: one Evaluate call of {g['eval_steps']} batches, "
              f"compilation included).")


if __name__ == "__main__":
    main()
