"""Builds base-models/byte-lm-v1 from datasets/devils-dictionary.txt (public domain) with a fixed seed.

Run in the trainer image (python3, torch 1.13, onnx 1.12, one thread so the result is reproducible):
    docker run --rm --network none -u "$(id -u):$(id -g)" -v "$PWD:/repo" -w /repo \
        crucible/trainer-cpu:1 python3 base-models/build_byte_lm.py
Writes model.pt (state dict) and model.onnx into base-models/byte-lm-v1/ and prints their sha256.
"""
import hashlib
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "byte-lm-v1")
sys.path.insert(0, OUT)
from model import CONFIG, ByteLM, export_onnx  # noqa: E402

SEED, STEPS, BATCH, LR = 1234, 600, 16, 3e-3

torch.set_num_threads(1)
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)
text = np.fromfile(os.path.join(HERE, "..", "datasets", "devils-dictionary.txt"), dtype=np.uint8)
data = torch.from_numpy(text.astype(np.int64))
ctx = CONFIG["context"]

model = ByteLM(**CONFIG)
opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
for step in range(STEPS):
    starts = torch.from_numpy(rng.integers(0, len(data) - ctx - 1, size=BATCH))
    x = torch.stack([data[s:s + ctx] for s in starts])
    y = torch.stack([data[s + 1:s + ctx + 1] for s in starts])
    for group in opt.param_groups:
        group["lr"] = LR * min(1.0, (step + 1) / 100) * (0.1 + 0.9 * (1 - step / STEPS))
    loss = F.cross_entropy(model(x).reshape(-1, 256), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 0 or step == STEPS - 1:
        print(f"step {step} loss {loss.item():.3f}", flush=True)

torch.save(model.state_dict(), os.path.join(OUT, "model.pt"))
export_onnx(model, os.path.join(OUT, "model.onnx"))
for name in ("model.pt", "model.onnx"):
    with open(os.path.join(OUT, name), "rb") as f:
        print(name, hashlib.sha256(f.read()).hexdigest())
