#!/usr/bin/python3
"""PyTorch twin of `cnnlab bench`: the course's CNN models (baseline, bn, gap)
trained on random CIFAR-shaped data with Adam 1e-3 and sparse cross-entropy,
then run for inference, printing the same measurements (and JSON keys).

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_bench.py --model baseline --json
Threads default to 2 (the course machines' cores), set with --threads.

glibc's malloc returns big buffers to the OS (mmap threshold), so PyTorch
page-faults on every large activation: here its batch-256 inference ran 5x
slower that way. Unless --system-malloc is given, the script re-runs itself
with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ raised, PyTorch's
usual CPU tuning, so cnnlab is compared with a well-configured PyTorch.
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

import torch
from torch import nn

PARAMS = {"baseline": 904718, "bn": 905166, "gap": 293968}


def conv_flops():
    f, size, cin = 0, 32, 3
    for filters in (32, 64, 128):
        for _ in range(2):
            f += 2 * size * size * 9 * cin * filters
            cin = filters
        size //= 2
    return f


FLOPS = {
    "baseline": conv_flops() + 2 * (2048 * 300 + 300 * 10),
    "bn": conv_flops() + 2 * (2048 * 300 + 300 * 10),
    "gap": conv_flops() + 2 * (128 * 50 + 50 * 10),
}


class Net(nn.Module):
    """Same layers as pkg/layers/bench: Keras "same" 3x3 convs = padding 1."""

    def __init__(self, name):
        super().__init__()
        bn, gap = name == "bn", name == "gap"
        layers, cin = [], 3
        for filters in (32, 64, 128):
            for _ in range(2):
                layers.append(nn.Conv2d(cin, filters, 3, padding=1, bias=not bn))
                if bn:
                    # Keras defaults: momentum 0.99 (PyTorch's 0.01), epsilon 1e-3.
                    layers.append(nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01))
                layers.append(nn.ReLU())
                cin = filters
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        if gap:
            self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
                                      nn.Linear(128, 50), nn.ReLU(), nn.Dropout(0.2), nn.Linear(50, 10))
        else:
            # Keras flattens NHWC; the order does not change the cost.
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(2048, 300), nn.ReLU(),
                                      nn.Dropout(0.3), nn.Linear(300, 10))

    def forward(self, x):
        return self.head(self.features(x))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="baseline", choices=sorted(PARAMS))
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--eval-batch", type=int, default=256)
    p.add_argument("--eval-steps", type=int, default=20)
    p.add_argument("--eval-warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.add_argument("--system-malloc", action="store_true", help="keep glibc's default malloc thresholds")
    a = p.parse_args()
    if not a.system_malloc and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="4000000000", MALLOC_TRIM_THRESHOLD_="4000000000")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    net = Net(a.model)
    params = sum(q.numel() for q in net.parameters() if q.requires_grad)
    assert params == PARAMS[a.model], (params, PARAMS[a.model])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    res = {"model": a.model, "params": params, "batch": a.batch, "eval_batch": a.eval_batch,
           "steps": a.steps, "warmup_steps": a.warmup, "eval_steps": a.eval_steps,
           "backend": "pytorch " + torch.__version__, "threads": torch.get_num_threads(),
           "python": platform.python_version(),
           "malloc_mmap_threshold": os.environ.get("MALLOC_MMAP_THRESHOLD_", "glibc default")}

    def batch(n):
        return torch.rand(n, 3, 32, 32), torch.randint(0, 10, (n,))

    net.train()
    loss = None
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            start = time.perf_counter()
        x, y = batch(a.batch)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
    elapsed = time.perf_counter() - start
    res["train_images_per_sec"] = a.steps * a.batch / elapsed
    res["train_ms_per_step"] = 1000 * elapsed / a.steps
    res["train_gflops_per_sec"] = 3 * FLOPS[a.model] * res["train_images_per_sec"] / 1e9
    res["final_loss"] = float(loss)

    net.eval()
    with torch.no_grad():
        for i in range(a.eval_warmup + a.eval_steps):
            if i == a.eval_warmup:
                start = time.perf_counter()
            x, _ = batch(a.eval_batch)
            net(x)
    elapsed = time.perf_counter() - start
    res["eval_images_per_sec"] = a.eval_steps * a.eval_batch / elapsed
    res["eval_ms_per_step"] = 1000 * elapsed / a.eval_steps
    res["eval_gflops_per_sec"] = FLOPS[a.model] * res["eval_images_per_sec"] / 1e9
    res["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    if a.json:
        json.dump(res, sys.stdout, indent=2)
        print()
    else:
        print(f"model:    {a.model} ({params} trainable params), {res['backend']}, {res['threads']} threads")
        print(f"train:    batch {a.batch}, {a.steps} steps after {a.warmup} warm-up: "
              f"{res['train_images_per_sec']:.1f} images/s, {res['train_ms_per_step']:.1f} ms/step, "
              f"{res['train_gflops_per_sec']:.1f} GFLOP/s")
        print(f"infer:    batch {a.eval_batch}, {a.eval_steps} steps: {res['eval_images_per_sec']:.1f} images/s, "
              f"{res['eval_ms_per_step']:.1f} ms/step")
        print(f"memory:   peak RSS {res['peak_rss_bytes'] / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
