"""`argus eval`: the labeled scenario suite through a running Argus, scored per diagnoser.

Outside the layer stack, like `argus.loggen`: a client of the HTTP API that uses the scenario
generator and the analysis domain's types (see docs/architecture/evaluation.md).
"""

from argus.evaluation.feedback_round import FeedbackRow, feedback_cells, feedback_round
from argus.evaluation.output import (
    FEEDBACK_COLUMNS,
    EvalRun,
    feedback_row_cells,
    markdown,
    write_results,
)
from argus.evaluation.report_facts import ReportFacts, StepFacts
from argus.evaluation.results import Aggregates, BatchRow, Ratio, aggregate, batch_row
from argus.evaluation.runner import (
    EMBEDDERS,
    EvalOptions,
    EvalTokens,
    parse_embedders,
    parse_scenarios,
    parse_seeds,
    run_suite,
)
from argus.evaluation.scoring import TIME_TOLERANCE_S, BatchScore, chain_matches, score_batch
from argus.evaluation.server import ServerFailed, embedded_server
from argus.evaluation.suite import default_out_dir, evaluate

__all__ = [
    "EMBEDDERS",
    "FEEDBACK_COLUMNS",
    "TIME_TOLERANCE_S",
    "Aggregates",
    "BatchRow",
    "BatchScore",
    "EvalOptions",
    "EvalRun",
    "EvalTokens",
    "FeedbackRow",
    "Ratio",
    "ReportFacts",
    "ServerFailed",
    "StepFacts",
    "aggregate",
    "batch_row",
    "chain_matches",
    "default_out_dir",
    "embedded_server",
    "evaluate",
    "feedback_cells",
    "feedback_round",
    "feedback_row_cells",
    "markdown",
    "parse_embedders",
    "parse_scenarios",
    "parse_seeds",
    "run_suite",
    "score_batch",
    "write_results",
]
