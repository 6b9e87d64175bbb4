"""The diagnosis and LLM settings: the rules by default, the model only with its URL."""

from __future__ import annotations

import os

import pytest
from pydantic import SecretStr

from argus.config import SettingsError, load_settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ARGUS_"):
            monkeypatch.delenv(name)


def test_the_rules_diagnose_by_default_and_need_no_llm_section() -> None:
    settings = load_settings()
    assert settings.diagnosis.engine == "rules" and settings.llm is None
    assert (settings.diagnosis.token_budget, settings.diagnosis.tokenizer) == (4000, "bytes")


def test_the_llm_diagnoser_without_its_url_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGUS_DIAGNOSER", "llm")
    with pytest.raises(SettingsError, match=r"^ARGUS_LLM_URL: Field required$"):
        load_settings()


def test_the_llm_section_reads_its_variables_and_keeps_the_key_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "ARGUS_DIAGNOSER": "llm",
        "ARGUS_LLM_URL": "http://127.0.0.1:8000",
        "ARGUS_LLM_MODEL": "qwen2.5-1.5b",
        "ARGUS_LLM_API_KEY": "sk-test",
        "ARGUS_DIAGNOSIS_TOKEN_BUDGET": "2500",
        "ARGUS_DIAGNOSIS_TOKENIZER": "o200k_base",
        "ARGUS_RETRIEVAL_K": "5",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.llm is not None
    assert (settings.llm.url, settings.llm.model) == ("http://127.0.0.1:8000", "qwen2.5-1.5b")
    assert settings.llm.api_key == SecretStr("sk-test") and "sk-test" not in repr(settings)
    assert settings.diagnosis.token_budget == 2500
    assert settings.diagnosis.tokenizer == "o200k_base"
    assert settings.retrieval.k == 5


def test_a_budget_too_small_for_the_instructions_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGUS_DIAGNOSIS_TOKEN_BUDGET", "100")
    with pytest.raises(SettingsError, match="ARGUS_DIAGNOSIS_TOKEN_BUDGET"):
        load_settings()


def test_the_openai_embedder_without_its_url_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGUS_EMBEDDER", "openai")
    with pytest.raises(SettingsError, match=r"^ARGUS_EMBEDDING_URL: Field required$"):
        load_settings()


def test_the_embedding_section_reads_its_variables_only_for_the_openai_embedder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().embedding is None
    for name, value in {
        "ARGUS_EMBEDDER": "openai",
        "ARGUS_EMBEDDING_URL": "http://127.0.0.1:8001/v1",
        "ARGUS_EMBEDDING_MODEL": "nomic-embed",
        "ARGUS_EMBEDDING_API_KEY": "sk-e",
        "ARGUS_EMBEDDING_DIMENSIONS": "384",
    }.items():
        monkeypatch.setenv(name, value)
    embedding = load_settings().embedding
    assert embedding is not None
    assert (embedding.url, embedding.model, embedding.dimensions) == (
        "http://127.0.0.1:8001/v1",
        "nomic-embed",
        384,
    )
    assert embedding.api_key == SecretStr("sk-e")
