"""shapes-denoiser-v1: a small convolutional noise predictor (the architecture of the base model in /task/base).

Inputs: noisy float32 [batch, 1, 16, 16] (pixels in [-1, 1] noised by the DDPM forward process of
/data/train/meta.json's schedule) and timestep int64 [batch] (0 <= t < CONFIG["timesteps"]).
Output: noise float32 [batch, 1, 16, 16], the predicted N(0, 1) noise.

    import sys; sys.path.insert(0, "/task/base")
    from model import load_base, export_onnx
    model = load_base("/task/base/model.pt")   # Denoiser with the pretrained weights
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = {"channels": 1, "size": 16, "width": 32, "timesteps": 100}


class Denoiser(nn.Module):
    def __init__(self, channels=1, size=16, width=32, timesteps=100):
        super().__init__()
        self.time = nn.Embedding(timesteps, width)
        self.inp = nn.Conv2d(channels, width, 3, padding=1)
        self.mid1 = nn.Conv2d(width, width, 3, padding=1)
        self.mid2 = nn.Conv2d(width, width, 3, padding=1)
        self.out = nn.Conv2d(width, channels, 3, padding=1)

    def forward(self, noisy, timestep):
        t = self.time(timestep)[:, :, None, None]
        h = F.silu(self.inp(noisy) + t)
        h = h + F.silu(self.mid1(h))
        h = h + F.silu(self.mid2(h) + t)
        return self.out(h)


def alpha_bars(timesteps=100, beta_start=1e-3, beta_end=0.04):
    """prod_{s<=t} (1 - beta_s), linear betas: the schedule of crucible-shapes/1 tasks (meta.json)."""
    betas = torch.linspace(beta_start, beta_end, timesteps, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0)


def load_base(path):
    model = Denoiser(**CONFIG)
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model


def export_onnx(model, path):
    model.eval()
    size = CONFIG["size"]
    torch.onnx.export(
        model,
        (torch.zeros(1, CONFIG["channels"], size, size), torch.zeros(1, dtype=torch.int64)),
        path,
        input_names=["noisy", "timestep"],
        output_names=["noise"],
        dynamic_axes={"noisy": {0: "batch"}, "timestep": {0: "batch"}, "noise": {0: "batch"}},
        opset_version=14,
    )
