"""What an export holds about one run: its label, config, frames and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.objectives.base import Objective
from app.optimizers.schedules import SCHEDULES
from app.runs.run import Run


@dataclass(frozen=True)
class RunRecord:
    """A run frozen for export: the frames list is a copy, so a live run may go on stepping meanwhile."""

    label: str
    config: dict[str, Any]
    frames: list[dict[str, Any]]
    status: str
    message: str
    evaluations: dict[str, int]
    objective: Objective
    sentence: dict[str, Any] | None = None  # the message as data: {"key", "args"} (see app/runs/wording.py)

    @property
    def dim(self) -> int:
        return self.objective.dim

    def document(self) -> dict[str, Any]:
        """The run shaped as the API answers it (``POST /optimize``), frames left out."""
        return {
            "config": self.config,
            "status": self.status,
            "message": self.message,
            "message_key": None if self.sentence is None else self.sentence["key"],
            "message_args": None if self.sentence is None else self.sentence["args"],
            "evaluations": self.evaluations,
        }


def postable(config: dict[str, Any]) -> dict[str, Any]:
    """The described config with only the schedule's own parameters, so it can be posted back as it is.

    ``RunConfig.describe`` writes every field of the schedule (a step schedule with ``t_max`` too), which
    ``POST /optimize`` refuses; the values that shape the path are the same.
    """
    schedule = config.get("schedule")
    if not schedule or schedule.get("kind") not in SCHEDULES:
        return config
    names = {h.name for h in SCHEDULES[schedule["kind"]].parameters}
    return {**config, "schedule": {k: v for k, v in schedule.items() if k == "kind" or k in names}}


def record_of(run: Run, label: str) -> RunRecord:
    """Freeze ``run`` (call it under the run's lock when others may step it)."""
    return RunRecord(
        label=label,
        config=postable(run.config.describe()),
        frames=list(run.frames),
        status=run.status,
        message=run.message,
        evaluations=run.oracle.counts(),
        objective=run.config.objective,
        sentence=run.sentence,
    )


def default_labels(optimizer_names: list[str]) -> list[str]:
    """The optimizer's name, numbered when two runners share it ("Adam #1", "Adam #2")."""
    return [f"{name} #{i + 1}" if optimizer_names.count(name) > 1 else name for i, name in enumerate(optimizer_names)]
