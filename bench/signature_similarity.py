"""How far apart the embedders put repeated and different incidents of the labeled suite.

Every scenario is generated for two seeds (same fault, other timings, rates and wording),
parsed with the Python reference parser and gathered as the pipeline does; each batch's
signature (`BatchSignature.text()`, what retrieval embeds) is embedded by every embedder. Per
embedder it prints the cosine similarity of a scenario's two seeds (a repeated incident) and of
each batch's most similar batch of another scenario, and the ordering accuracy: how often the
repeated incident ranks first among all other batches. The thresholds
`ARGUS_RETRIEVAL_MIN_SIMILARITY` and `corrections.FOLLOW_SIMILARITY` are read against these.

Usage: python bench/signature_similarity.py [--size 1MB] (needs the `embed` extra for minilm)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from argus.cli.gen_logs_cmd import parse_size
from argus.domain.analysis import FileResult, gather
from argus.domain.analysis.signature import BatchSignature
from argus.infrastructure.embeddings.hashed import HashedSignatureEmbedder
from argus.infrastructure.embeddings.minilm import MiniLmEmbedder
from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.templates.drain3_miner import Drain3TemplateMiner
from argus.loggen.scenarios import SCENARIOS, generate_scenario

SEEDS = (1, 2)


def signature(paths: list[Path]) -> str:
    parser = PythonMcapParser()
    files = [FileResult(file_name=p.name, parsed=parser.parse(p)) for p in paths]
    result = gather(files, template_miner=Drain3TemplateMiner())
    return BatchSignature.of(result.summary, result.anomalies).text()


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--size", default="1MB")
    size = parse_size(args.parse_args().size)
    keys: list[tuple[str, int]] = []
    texts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            for seed in SEEDS:
                paths, _ = generate_scenario(Path(tmp) / f"{name}-{seed}", name, seed, size=size)
                keys.append((name, seed))
                texts.append(signature(list(paths)))
    words = [len(t.split()) for t in texts]
    print(f"{len(texts)} signatures, {statistics.median(words):.0f} words median, {max(words)} max")
    for embedder in (HashedSignatureEmbedder(), MiniLmEmbedder()):
        vectors = asyncio.run(embedder.embed(texts))
        repeated, nearest_other, first = [], [], 0
        for i, (name, seed) in enumerate(keys):
            sims = {
                keys[j]: sum(a * b for a, b in zip(vectors[i], vectors[j], strict=True))
                for j in range(len(keys))
                if j != i
            }
            twin = sims[(name, 3 - seed)]
            other = max(s for (n, _), s in sims.items() if n != name)
            repeated.append(twin)
            nearest_other.append(other)
            first += twin > other
        print(
            f"{embedder.name}: repeated incident min/median {min(repeated):.2f}/"
            f"{statistics.median(repeated):.2f}; most similar other scenario median/max "
            f"{statistics.median(nearest_other):.2f}/{max(nearest_other):.2f}; "
            f"repeated incident ranked first {first}/{len(keys)}"
        )


if __name__ == "__main__":
    main()
