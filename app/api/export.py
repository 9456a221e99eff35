"""Runs and races as files to download: CSV, JSON (the API's own shape) and a standalone HTML replay.

``GET /runs/{id}/export`` freezes a run kept on the server; ``POST /export`` runs a race from its
configs (what a page holds: its runs are live websocket runs, replayable from their configs) and
``POST /optimize?format=`` exports the run it just made. CSV and JSON stream a chunk of frames at a
time; the HTML is one file with Plotly inlined, so it plays in a hall with no network at all.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import Field

from app.api import budget
from app.api.errors import LimitedRoute
from app.api.runs import ERRORS, Store, config_from
from app.api.schemas import ErrorBody, Strict
from app.export.document import json_chunks
from app.export.names import MEDIA_TYPES, content_disposition, file_name
from app.export.records import RunRecord, default_labels, record_of
from app.export.replay import standalone_html
from app.export.table import csv_chunks
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, known, load_messages, translator
from app.live.session import LiveRunSpec
from app.runs.factory import ConfigError
from app.runs.run import Run, advance_to
from app.settings import get_settings

router = APIRouter(tags=["export"], route_class=LimitedRoute)
_limits = get_settings()
# A race export replays every run from step 0: four /optimize requests' worth of steps in all (about 1.2 s of
# Adam on this machine), so one request cannot hold a worker for 8 runs x 20,000 steps.
RACE_STEP_BUDGET = 4 * _limits.max_steps_per_request

ExportFormat = Literal["csv", "json", "html"]
FORMAT_HELP = (
    "`csv`: one row per runner and step (x, y, loss, gradient, learning rate, evaluations); "
    "`json`: the API's own shape (`config`, `status`, `message`, `frames`), to post back or re-import; "
    "`html`: one file that replays the run offline in any browser (Plotly inlined, no internet needed)."
)
FormatQuery = Annotated[ExportFormat, Query(description=FORMAT_HELP)]
LangQuery = Annotated[
    str,
    Query(max_length=16, description=f"The language of a standalone HTML file's words: {', '.join(LANGUAGES)}."),
]
FILES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    200: {
        "description": "The file, as an attachment (CSV and JSON are streamed).",
        "content": {"text/csv": {}, "application/json": {}, "text/html": {}},
    },
    404: {"model": ErrorBody, "description": "No such run."},
    422: {"model": ErrorBody, "description": "An unknown format (the answer lists them) or a bad config."},
}


def _texts(language: str) -> tuple[dict[str, str], Any]:
    messages = load_messages(language)
    return {k: v for k, v in messages.items() if k.startswith("export.replay.")}, translator(messages, language)


def _html(records: list[RunRecord], language: str) -> str:
    texts, t = _texts(language)
    objective = records[0].objective
    steps = max(record.frames[-1]["step"] for record in records)
    name_key = f"function.{objective.id}.name"
    name = t(name_key) if t(name_key) != name_key else objective.name
    return standalone_html(
        records,
        texts,
        language=language,
        title=t("export.replay.title", function=name),
        subtitle=t("export.replay.subtitle", runners=len(records), steps=steps, formula=objective.formula),
        footer=t("export.replay.footer"),
    )


def export_response(records: list[RunRecord], fmt: str, race: bool = False, lang: str | None = None) -> Response:
    """The file for ``records`` in ``fmt``, with a name that says what it holds."""
    headers = {"Content-Disposition": content_disposition(file_name(records, fmt))}
    if fmt == "csv":
        return StreamingResponse(csv_chunks(records), media_type=MEDIA_TYPES["csv"], headers=headers)
    if fmt == "json":
        return StreamingResponse(json_chunks(records, race), media_type=MEDIA_TYPES["json"], headers=headers)
    language = known(lang) or DEFAULT_LANGUAGE
    return Response(_html(records, language), media_type=MEDIA_TYPES["html"], headers=headers)


def export_run(run: Run, fmt: str) -> Response:
    """One run just made (``POST /optimize?format=``) as a file."""
    return export_response([record_of(run, run.config.optimizer.name)], fmt)


@router.get(
    "/runs/{run_id}/export",
    responses=FILES,
    response_class=Response,
    summary="A run kept on the server as a CSV, JSON or standalone HTML file",
)
def export_stored_run(
    run_id: str, store: Store, request: Request, format: FormatQuery = "json", lang: LangQuery = "en"
) -> Response:
    """The run's frames so far. It may go on stepping while the file is sent: the file holds what there was."""
    with budget.holding(request, store, run_id) as run:
        record = record_of(run, run.config.optimizer.name)
    return export_response([record], format, lang=lang)


class RaceExport(Strict):
    """A race as a page holds it: its runs' configs, how far to go, and the names the page gives them."""

    runs: list[LiveRunSpec] = Field(min_length=1, max_length=_limits.max_runs_per_race)
    steps: int = Field(ge=0, le=_limits.max_steps_per_run, description="Step every run this far (or to its end).")
    max_steps: int | None = Field(
        None,
        ge=1,
        le=_limits.max_steps_per_run,
        description="The runs' step limit, as on the page (default: `steps`, so they end there with max_steps).",
    )
    labels: list[Annotated[str, Field(max_length=80)]] | None = Field(
        None, max_length=_limits.max_runs_per_race, description="One name per run for the legend (default: optimizer)."
    )


@router.post(
    "/export",
    responses=FILES,
    response_class=Response,
    summary="Run a race from its configs and answer with it as a CSV, JSON or standalone HTML file",
)
def export_race(body: RaceExport, format: FormatQuery = "json", lang: LangQuery = "en") -> Response:
    """What the pages' Download menu calls: the runs are replayed from their configs (same config, same path).

    JSON holds `{"runs": [...]}`, one document per runner shaped as `POST /optimize` answers.
    """
    if len({repr(spec.function) for spec in body.runs}) > 1:
        raise ConfigError("All runs of a race descend the same function; give every run the same function.")
    if body.labels is not None and len(body.labels) != len(body.runs):
        raise ConfigError(f"labels: give one per run ({len(body.runs)}), or none; got {len(body.labels)}.")
    if len(body.runs) * body.steps > RACE_STEP_BUDGET:
        raise ConfigError(
            f"An export replays at most {RACE_STEP_BUDGET:,} steps in all; {len(body.runs)} runs of {body.steps:,} "
            f"steps make {len(body.runs) * body.steps:,}. Export at an earlier step, or fewer runs."
        )
    max_steps = body.max_steps or max(body.steps, 1)
    runs = []
    for spec in body.runs:
        runs.append(Run(config_from(spec, max_steps)))  # with its mid-run changes
    advance_to(runs, body.steps)
    labels = body.labels or default_labels([run.config.optimizer.name for run in runs])
    records = [record_of(run, label) for run, label in zip(runs, labels, strict=True)]
    return export_response(records, format, race=True, lang=lang)
