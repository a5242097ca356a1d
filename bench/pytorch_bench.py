#!/usr/bin/python3
"""PyTorch twin of `cnnlab bench`: the course's CNN models (baseline, bn, gap)
trained with Adam 1e-3 and sparse cross-entropy, printing the same
measurements (and JSON keys).

Two modes, as `cnnlab bench`:
  random data (default): timed training steps, then inference batches;
  --epoch --data cifar-10-binary.tar.gz: real epochs of the course's setup on
    CIFAR-10 (a seeded 15% hold-out validates at the end of every epoch,
    batches of 64 reshuffled every epoch, Keras's initializers), like
    `cnnlab bench --epoch`; with --epochs N --test it trains N epochs and
    evaluates the test set, and --recompute-bn also reports the test accuracy
    with BatchNorm statistics recomputed at the final weights (one pass over
    the training images in training mode, cumulative average);
    --test-every-epoch does both after every epoch, without changing the run.
    `cnnlab data export --out cifar-10-binary.tar.gz` writes that file from
    any copy cnnlab reads (e.g. the JPEG archive).

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_bench.py --model baseline --json
Threads default to 2 (the course machines' cores), set with --threads.

glibc's malloc returns big buffers to the OS (mmap threshold), so PyTorch
page-faults on every large activation: here its batch-256 inference ran 5x
slower that way. Unless --system-malloc is given, the script re-runs itself
with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ raised, PyTorch's
usual CPU tuning, so cnnlab is compared with a well-configured PyTorch.
"""
import argparse
import io
import json
import math
import os
import platform
import resource
import sys
import tarfile
import time

import numpy as np

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
    """The models of cnnlab's nn.Named: Keras "same" 3x3 convs = padding 1,
    Keras's initializers (glorot_uniform kernels, zero biases)."""

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

        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.features(x))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def load_binary(path):
    """Reads the official binary release (.tar.gz): train and test as
    uint8 NCHW arrays and int64 labels."""
    parts = {"train": [], "test": []}
    with tarfile.open(path) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            base = os.path.basename(m.name)
            if not base.endswith(".bin"):
                continue
            raw = np.frombuffer(tar.extractfile(m).read(), np.uint8).reshape(-1, 3073)
            parts["test" if base.startswith("test") else "train"].append(raw)
    out = {}
    for k, v in parts.items():
        raw = np.concatenate(v)
        out[k] = (raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64))
    return out


def epochs_mode(a, res):
    """Real epochs of the course's setup; fills res."""
    data = load_binary(a.data)
    x, y = data["train"]
    if a.limit:
        pick = np.random.default_rng(a.seed).permutation(len(y))[:a.limit]
        x, y = x[pick], y[pick]
    n = len(y)
    n_val = math.ceil(0.15 * n)  # scikit-learn's train_test_split(test_size=0.15)
    perm = np.random.default_rng(a.seed + 1).permutation(n)
    xt, yt = torch.from_numpy(x[perm[n_val:]]), torch.from_numpy(y[perm[n_val:]])
    xv, yv = torch.from_numpy(x[perm[:n_val]]), torch.from_numpy(y[perm[:n_val]])
    net = Net(a.model)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)  # Keras's epsilon
    loss_fn = nn.CrossEntropyLoss()

    def evaluate(xs, ys):
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(ys), a.batch):
                out = net(xs[i:i + a.batch].float() / 255)
                correct += (out.argmax(1) == ys[i:i + a.batch]).sum().item()
        net.train()
        return correct / len(ys)

    tx, ty = (torch.from_numpy(v) for v in data["test"])  # views, no copy
    res.update(train_images=len(yt), val_images=len(yv), history=[])
    wall = time.perf_counter()
    for epoch in range(a.epochs):
        began = time.perf_counter()
        order = torch.from_numpy(np.random.default_rng(a.seed + 2 + epoch).permutation(len(yt)))
        correct, steps, timed_from = 0, 0, None
        for i in range(0, len(yt), a.batch):
            idx = order[i:i + a.batch]
            xb = xt[idx].float() / 255
            opt.zero_grad(set_to_none=True)
            out = net(xb)
            loss = loss_fn(out, yt[idx])
            loss.backward()
            opt.step()
            correct += (out.argmax(1) == yt[idx]).sum().item()
            steps += 1
            if steps == 1:
                timed_from = time.perf_counter()
                first = timed_from - began
        trained = time.perf_counter()
        val_acc = evaluate(xv, yv)
        ended = time.perf_counter()
        res["history"].append({"epoch": epoch, "accuracy": correct / len(yt), "val_accuracy": val_acc,
                               "time": ended - began})
        if a.test_every_epoch:
            row = res["history"][-1]
            row["test_accuracy"] = evaluate(tx, ty)
            if a.recompute_bn:
                row["test_accuracy_recomputed_bn"] = recomputed_bn_accuracy(net, xt, a.batch, evaluate, tx, ty)
            print(f"epoch {epoch + 1}: test_accuracy {row['test_accuracy']:.4f}" +
                  (f" recomputed_bn {row['test_accuracy_recomputed_bn']:.4f}" if a.recompute_bn else ""),
                  file=sys.stderr, flush=True)
        if epoch == 0:
            res.update(train_images_per_sec=(len(yt) - a.batch) / (trained - timed_from), first_step_sec=first,
                       train_sec=trained - began, validation_sec=ended - trained, epoch_sec=ended - began,
                       accuracy=correct / len(yt), val_accuracy=val_acc)
        print(f"epoch {epoch + 1}/{a.epochs}: {ended - began:.0f}s accuracy {correct / len(yt):.4f} "
              f"val_accuracy {val_acc:.4f}", file=sys.stderr, flush=True)
    res["wall_sec"] = time.perf_counter() - wall
    if a.test:
        res["test_accuracy"] = evaluate(tx, ty)
        if a.recompute_bn:
            res["test_accuracy_recomputed_bn"] = recomputed_bn_accuracy(net, xt, a.batch, evaluate, tx, ty)


def recomputed_bn_accuracy(net, xt, batch, evaluate, tx, ty):
    """Test accuracy with BatchNorm statistics recomputed at the current
    weights (one pass over xt in batches, BN layers in training mode with a
    cumulative average, dropout off so no random numbers are drawn); the
    running statistics and momenta are restored afterwards, so training
    goes on unchanged."""
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [(m.momentum, {k: v.clone() for k, v in m.state_dict().items()}) for m in bns]
    net.eval()
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the pass
        m.train()
    with torch.no_grad():
        for i in range(0, len(xt), batch):
            net(xt[i:i + batch].float() / 255)
    acc = evaluate(tx, ty)
    # How far each layer's moving mean trailed: the mean over channels of
    # |moving - recomputed| in recomputed standard deviations.
    lag = [((state["running_mean"] - m.running_mean).abs() / (m.running_var + m.eps).sqrt()).mean().item()
           for m, (_, state) in zip(bns, saved)]
    print("moving-mean lag by BN layer (recomputed sd): " + " ".join(f"{x:.3f}" for x in lag),
          file=sys.stderr, flush=True)
    for m, (momentum, state) in zip(bns, saved):
        m.momentum = momentum
        m.load_state_dict(state)
    net.train()
    return acc


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
    p.add_argument("--epoch", action="store_true", help="real epochs on CIFAR-10 (--data) instead of random data")
    p.add_argument("--data", help="cifar-10-binary.tar.gz (cnnlab data export writes one)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="train on this many images drawn with the seed")
    p.add_argument("--test", action="store_true", help="evaluate the test set after training")
    p.add_argument("--recompute-bn", action="store_true", help="with --test: also with BatchNorm statistics recomputed")
    p.add_argument("--test-every-epoch", action="store_true",
                   help="with --epoch: also evaluate the test set after every epoch (and with --recompute-bn, with "
                        "recomputed statistics), recorded in the history")
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
           "python": platform.python_version(), "cpu": cpu_model(),
           "malloc_mmap_threshold": os.environ.get("MALLOC_MMAP_THRESHOLD_", "glibc default")}
    if a.epoch:
        if not a.data:
            p.error("--epoch needs --data cifar-10-binary.tar.gz")
        epochs_mode(a, res)
        res["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if a.json:
            json.dump(res, sys.stdout, indent=2)
            print()
        else:
            print(f"epoch: {res['train_images']} training images: {res['epoch_sec']:.1f} s, "
                  f"{res['train_images_per_sec']:.1f} images/s, val_accuracy {res['val_accuracy']:.4f}")
        return

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
