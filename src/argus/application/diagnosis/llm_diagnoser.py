"""`LlmDiagnoser`: a model's diagnosis over pruned evidence, checked, else the rules'.

The rules always run first: their diagnosis goes into the prompt as a hypothesis, is kept
beside the model's when the two disagree, and is the answer whenever the model fails.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from argus.application.diagnosis.answer import ANSWER_SCHEMA, Answer, parse_answer
from argus.application.diagnosis.ports import ChatMessage, ChatModel, ModelFailed, TokenCounter
from argus.application.diagnosis.prompt import BudgetTooSmall, Prompt, build_prompt, repair_message
from argus.domain.analysis import (
    NO_COMPONENT,
    Anomaly,
    BatchSummary,
    Diagnosis,
    Precedent,
    diagnose_offline,
)
from argus.domain.analysis.corrections import FOLLOW_SIMILARITY, follow_correction
from argus.domain.analysis.evidence_chain import ChainStep
from argus.domain.component import component_of
from argus.domain.errors import InvalidInput

__all__ = ["ENGINE", "LlmDiagnoser"]

ENGINE = "llm"


@dataclass
class _Exchange:
    """What the model calls cost so far, and how they ended."""

    calls: int = 0
    max_prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str | None = None
    answer: Answer | None = None
    failure: str | None = None


class LlmDiagnoser:
    """The `Diagnoser` port, answered by a chat model under a prompt token budget."""

    engine = ENGINE

    def __init__(
        self,
        *,
        model: ChatModel,
        counter: TokenCounter,
        token_budget: int,
        follow_similarity: float = FOLLOW_SIMILARITY,
    ) -> None:
        self._follow_similarity = follow_similarity
        self._model = model
        self._counter = counter
        self._budget = token_budget

    async def diagnose(
        self,
        *,
        batch_id: str,
        vehicle_id: str,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        precedents: Sequence[Precedent] = (),
    ) -> Diagnosis:
        """The model's diagnosis; the rules' with `fallback_reason` when it has none."""
        # The rules' hypothesis (and fallback) defers to an engineer's correction, as the rules do.
        rules = follow_correction(
            diagnose_offline(summary=summary, anomalies=anomalies),
            precedents,
            anomalies,
            min_similarity=self._follow_similarity,
        )
        try:
            # In a worker thread: a counter may block (the server's /tokenize).
            prompt = await asyncio.to_thread(
                functools.partial(
                    build_prompt,
                    summary=summary,
                    anomalies=anomalies,
                    precedents=precedents,
                    rules=rules,
                    counter=self._counter,
                    budget=self._budget,
                )
            )
        except BudgetTooSmall as exc:
            return self._fallback(rules, _Exchange(failure=exc.message), precedents)
        exchange = await self._ask(prompt)
        if exchange.answer is None:
            return self._fallback(rules, exchange, precedents)
        return self._diagnosis(
            exchange, exchange.answer, prompt, summary, anomalies, precedents, rules
        )

    async def _ask(self, prompt: Prompt) -> _Exchange:
        """Ask once, and once more naming what was wrong with the citations."""
        known = {item.evidence_id for item in prompt.evidence}
        exchange = _Exchange()
        messages: Sequence[ChatMessage] = prompt.messages
        for attempt in range(2):
            try:
                reply = await self._model.complete(messages, schema=ANSWER_SCHEMA)
            except ModelFailed as exc:
                exchange.calls += exc.attempts
                exchange.failure = f"model failed: {exc.message}"
                return exchange
            exchange.calls += reply.attempts
            exchange.model = reply.model
            sent = reply.prompt_tokens
            if sent is None:
                sent = await asyncio.to_thread(self._counter.count_messages, messages)
            exchange.max_prompt_tokens = max(sent, exchange.max_prompt_tokens or 0)
            if reply.completion_tokens is not None:
                exchange.completion_tokens = (exchange.completion_tokens or 0) + (
                    reply.completion_tokens
                )
            try:
                answer = parse_answer(reply.content)
            except InvalidInput as exc:
                exchange.failure = f"invalid answer: {exc.message}"
                return exchange
            unknown = [i for i in answer.cited() if i not in known]
            uncited = not answer.cited() and _component(answer.component) != NO_COMPONENT
            if not unknown and not uncited:
                exchange.answer = answer
                return exchange
            problem = "cited evidence ids that do not exist" if unknown else "cited no evidence"
            if attempt == 0:
                messages = (*prompt.messages, repair_message(problem, unknown))
            else:
                shown = ", ".join(unknown[:5])
                exchange.failure = f"answer {problem} after one repair" + (
                    f": {shown}" if shown else ""
                )
        return exchange

    def _fallback(
        self, rules: Diagnosis, exchange: _Exchange, precedents: Sequence[Precedent]
    ) -> Diagnosis:
        return dataclasses.replace(
            rules,
            model=exchange.model or self._model.name,
            prompt_tokens=exchange.max_prompt_tokens,
            completion_tokens=exchange.completion_tokens,
            token_budget=self._budget,
            llm_calls=exchange.calls,
            fallback_reason=exchange.failure,
            precedents=tuple(precedents),
        )

    def _diagnosis(
        self,
        exchange: _Exchange,
        answer: Answer,
        prompt: Prompt,
        summary: BatchSummary,
        anomalies: Sequence[Anomaly],
        precedents: Sequence[Precedent],
        rules: Diagnosis,
    ) -> Diagnosis:
        cited = answer.cited()
        origin = summary.timeline.start_ns
        lines = {i.evidence_id: i for i in prompt.evidence}
        component = _component(answer.component)
        disagree = (component, answer.severity) != (rules.component, rules.severity)
        return Diagnosis(
            component=component,
            root_cause=answer.root_cause,
            severity=answer.severity,
            confidence=answer.confidence,
            evidence=tuple(lines[i].line(origin) for i in cited),
            actions=tuple(answer.actions),
            engine=ENGINE,
            related_anomalies=tuple(i for i, a in enumerate(anomalies) if a.anomaly_id in cited),
            model=exchange.model,
            prompt_tokens=exchange.max_prompt_tokens,
            completion_tokens=exchange.completion_tokens,
            token_budget=self._budget,
            llm_calls=exchange.calls,
            chain=tuple(
                ChainStep(
                    component=_component(s.component),
                    event=s.event,
                    start_s=s.start_s,
                    end_s=s.end_s,
                    evidence_ids=tuple(s.evidence_ids),
                )
                for s in answer.chain
            ),
            cited_evidence_ids=tuple(cited),
            precedents=tuple(precedents),
            rule_diagnosis=rules if disagree else None,
        )


def _component(name: str) -> str:
    lowered = name.strip().lower()
    return NO_COMPONENT if lowered == NO_COMPONENT else component_of(lowered)
