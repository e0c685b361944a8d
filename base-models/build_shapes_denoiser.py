"""Builds base-models/shapes-denoiser-v1 from generated shapes with a fixed seed (no external data).

Run in the trainer image (python3, torch 1.13, onnx 1.12, one thread so the result is reproducible):
    docker run --rm --network none -u "$(id -u):$(id -g)" -v "$PWD:/repo" -w /repo \
        crucible/trainer-cpu:1 python3 base-models/build_shapes_denoiser.py
Writes model.pt (state dict) and model.onnx into base-models/shapes-denoiser-v1/ and prints their sha256.
The training images follow the rules of crucible-shapes/1 (src/evaluation/datasets/shapes-generator.ts:
disc, square, triangle, cross at a random centre, size and intensity on a -1 background), drawn here
with NumPy's generator from SEED, so they are other images than any task's.
"""
import hashlib
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "shapes-denoiser-v1")
sys.path.insert(0, OUT)
from model import CONFIG, Denoiser, alpha_bars, export_onnx  # noqa: E402

SEED, IMAGES, STEPS, BATCH, LR = 1234, 4096, 400, 64, 2e-3


def shapes(rng, count, size):
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    out = np.full((count, 1, size, size), -1.0, dtype=np.float32)
    for i in range(count):
        label = rng.integers(0, 4)
        cx, cy = size * (0.3 + 0.4 * rng.random()), size * (0.3 + 0.4 * rng.random())
        r = size * (0.15 + 0.15 * rng.random())
        value = 0.3 + 0.7 * rng.random()
        dx, dy = xs - cx, ys - cy
        if label == 0:
            inside = dx * dx + dy * dy <= r * r
        elif label == 1:
            inside = (np.abs(dx) <= 0.8 * r) & (np.abs(dy) <= 0.8 * r)
        elif label == 2:
            inside = (dy >= -r) & (dy <= r) & (np.abs(dx) <= (dy + r) / 2)
        else:
            inside = ((np.abs(dx) <= r / 3) & (np.abs(dy) <= r)) | ((np.abs(dy) <= r / 3) & (np.abs(dx) <= r))
        out[i, 0][inside] = value
    return out


torch.set_num_threads(1)
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)
images = torch.from_numpy(shapes(rng, IMAGES, CONFIG["size"]))
bars = alpha_bars(CONFIG["timesteps"]).float()

model = Denoiser(**CONFIG)
opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
for step in range(STEPS):
    idx = torch.randint(0, IMAGES, (BATCH,))
    t = torch.randint(0, CONFIG["timesteps"], (BATCH,))
    noise = torch.randn(BATCH, 1, CONFIG["size"], CONFIG["size"])
    a = bars[t].sqrt()[:, None, None, None]
    b = (1 - bars[t]).sqrt()[:, None, None, None]
    loss = F.mse_loss(model(a * images[idx] + b * noise, t), noise)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 0 or step == STEPS - 1:
        print(f"step {step} loss {loss.item():.4f}", flush=True)

torch.save(model.state_dict(), os.path.join(OUT, "model.pt"))
export_onnx(model, os.path.join(OUT, "model.onnx"))
for name in ("model.pt", "model.onnx"):
    with open(os.path.join(OUT, name), "rb") as f:
        print(name, hashlib.sha256(f.read()).hexdigest())
