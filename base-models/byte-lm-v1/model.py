"""byte-lm-v1: a small byte-level causal transformer (the architecture of the base model in /task/base).

Tokens are bytes (vocabulary 256, see tokenizer.json); 0 pads, "\\n" (10) ends a response.
input_ids int64 [batch, seq] (seq <= CONFIG["context"]) -> logits float32 [batch, seq, 256].

    import sys; sys.path.insert(0, "/task/base")
    from model import load_base
    model = load_base("/task/base/model.pt")   # ByteLM with the pretrained weights
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = {"vocab": 256, "context": 64, "width": 64, "heads": 4, "layers": 2}


class Block(nn.Module):
    def __init__(self, width, heads, context):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.fc = nn.Linear(width, 4 * width)
        self.out = nn.Linear(4 * width, width)
        self.register_buffer("mask", torch.tril(torch.ones(context, context)).bool(), persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.reshape(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        att = att.masked_fill(~self.mask[:t, :t], float("-inf")).softmax(dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, c))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class ByteLM(nn.Module):
    def __init__(self, vocab=256, context=64, width=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads, context) for _ in range(layers))
        self.ln = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, input_ids):
        t = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x))


def load_base(path):
    model = ByteLM(**CONFIG)
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model


def export_onnx(model, path):
    """The export every text task expects: input_ids -> logits, dynamic batch and sequence, opset 14."""
    model.eval()
    example = torch.zeros(1, 8, dtype=torch.long)
    torch.onnx.export(model, (example,), path, input_names=["input_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}},
                      opset_version=14, do_constant_folding=True)
