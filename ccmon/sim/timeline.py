"""What happened inside a run, generated lazily and deterministically from its seed.

Everything is drawn for every planned attempt in a fixed order (so the stream never depends
on the current time); absolute times come from the run's actual attempt start times, and the
renderer shows only what has happened by "now".
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from .catalog import Node, Workflow
from .content import gen_inputs, gen_output
from .hostile import Texter
from .records import FAILED, STOPPED, SUCCESS, RunRecord
from .taxonomy import AUTO_INTERRUPT, FATAL, LLM_MODELS, RECOVERABLE, REQUEUE, ErrorKind
from .util import derive_seed, new_uuid, token

__all__ = ["Err", "Shot", "Timeline", "Visit", "build_timeline"]


@dataclass(slots=True)
class Visit:
    t: float
    attempt: int
    node: Node
    token: str


@dataclass(slots=True)
class Shot:
    t: float
    attempt: int
    node: Node
    error: bool
    screenshot_id: str
    token: str


@dataclass(slots=True)
class Err:
    t: float
    attempt: int
    node: Node
    recovered: bool
    json: dict[str, Any]


@dataclass(slots=True)
class FileOut:
    t: float
    attempt: int
    name: str
    content_type: str
    token: str


@dataclass(slots=True)
class Timeline:
    inputs: dict[str, Any]
    data: dict[str, Any]
    recording: str | None  # token of the screen recording, if one was made
    visits: list[Visit] = field(default_factory=list)
    shots: list[Shot] = field(default_factory=list)
    errors: list[Err] = field(default_factory=list)
    files: list[FileOut] = field(default_factory=list)


_REC_P = {SUCCESS: 0.15, FAILED: 0.4, STOPPED: 0.1, "requeue": 0.1}
_SHOT_ACTIONS = frozenset({"NAVIGATE", "EXTRACT_DATAMODEL", "FILE_DOWNLOAD"})


class _Fmt(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return key


def build_timeline(run: RunRecord, wf: Workflow, texter: Texter) -> Timeline:
    rng = random.Random(derive_seed(run.seed, "detail"))
    if run.inputs is not None:
        inputs = run.inputs
    else:
        inputs = gen_inputs(wf, rng, run.created)
        if wf.vault_alias and run.cred is not None:
            inputs[wf.vault_alias] = run.cred if isinstance(run.cred, str) else list(run.cred)
    data = gen_output(wf, rng, texter, run.created)
    rec = token(rng) if rng.random() < 0.85 else None
    tl = Timeline(inputs=inputs, data=data, recording=rec)
    fmt = _Fmt({k: v for k, v in inputs.items() if isinstance(v, str | int | float)})
    files = []
    for i, (template, ctype) in enumerate(wf.files):
        keep = i == 0 or rng.random() < 0.5
        name = texter(rng, template.format_map(fmt))
        files.append((keep, name, ctype, token(rng), rng.uniform(0.5, 3.0)))
    plan = run.plan
    last = len(plan.durations) - 1
    for attempt, dur in enumerate(plan.durations):
        kind = "requeue" if attempt < last else plan.final
        start = run.starts[attempt] if attempt < len(run.starts) else None
        _attempt(tl, rng, run, wf, texter, attempt, kind, start, dur)
    download = next(
        (v for v in tl.visits if v.attempt == last and v.node.action == "FILE_DOWNLOAD"), None
    )
    if download is not None:
        done = run.starts[last] + plan.durations[last]  # files land before the attempt ends
        for keep, name, ctype, tok, delay in files:
            if keep:
                t = min(download.t + delay, done - 0.01)
                tl.files.append(FileOut(t, last, name, ctype, tok))
    return tl


def _attempt(
    tl: Timeline,
    rng: random.Random,
    run: RunRecord,
    wf: Workflow,
    texter: Texter,
    attempt: int,
    kind: str,
    start: float | None,
    dur: float,
) -> None:
    nodes = wf.nodes
    m = len(nodes) - 1 if kind == SUCCESS else rng.randint(2, len(nodes) - 2)
    weights = [rng.uniform(0.6, 1.4) for _ in range(m + 1)]
    total = sum(weights)
    offsets, acc = [], 0.0
    for w in weights:
        offsets.append(acc / total * dur)
        acc += w
    n_rec = 0
    if m >= 3 and rng.random() < _REC_P[kind]:
        n_rec = 1 if rng.random() < 0.7 else 2
    rec_nodes = sorted(rng.sample(range(1, m), n_rec))
    rec = [
        (
            j,
            offsets[j] + rng.uniform(0.1, 0.5) * (offsets[j + 1] - offsets[j]),
            rng.choice(RECOVERABLE),
        )
        for j in rec_nodes
    ]
    shots = [j for j in range(1, m + 1) if nodes[j].action in _SHOT_ACTIONS or rng.random() < 0.3]
    shot_ids = [(new_uuid(rng), token(rng), rng.uniform(0.2, 1.5)) for _ in shots]
    snap_tokens = [token(rng) for _ in range(m + 1)] if run.debug else []
    final: tuple[float, ErrorKind, bool] | None = None
    if kind == "requeue":
        final = (dur - rng.uniform(0.1, 0.5), rng.choice(REQUEUE), True)
    elif kind == FAILED:
        final = (dur - rng.uniform(0.1, 0.5), rng.choice(FATAL), False)
    elif kind == STOPPED:
        final = (dur - rng.uniform(0.05, 0.2), AUTO_INTERRUPT, False)
    errs = [(t, nodes[j], k, True) for j, t, k in rec]
    if final is not None:
        errs.append((final[0], nodes[m], final[1], final[2]))
    err_json = [_error_json(rng, texter, wf, node, k) for _, node, k, _ in errs]
    err_shots = [(new_uuid(rng), token(rng)) for _ in errs]
    if start is None:
        return
    for j in range(m + 1):
        tl.visits.append(
            Visit(start + offsets[j], attempt, nodes[j], snap_tokens[j] if snap_tokens else "")
        )
    for j, (sid, tok, delay) in zip(shots, shot_ids, strict=True):
        t = min(start + offsets[j] + delay, start + dur)
        tl.shots.append(Shot(t, attempt, nodes[j], False, sid, tok))
    for (off, node, _, recovered), ej, (sid, tok) in zip(errs, err_json, err_shots, strict=True):
        t = start + off
        tl.errors.append(Err(t, attempt, node, recovered, ej))
        tl.shots.append(Shot(t + 0.05, attempt, node, True, sid, tok))
    tl.shots.sort(key=lambda s: s.t)


def _field(node: Node) -> str:
    m = re.search(r"\{\{([^}]+)\}\}", str(node.parameters.get("input_text", "")))
    return m.group(1) if m else "value"


def _error_json(
    rng: random.Random, texter: Texter, wf: Workflow, node: Node, kind: ErrorKind
) -> dict[str, Any]:
    error_id = new_uuid(rng)
    ctx = {
        "node": node.name,
        "url": node.url,
        "xpath": node.parameters.get("xpath", "//body"),
        "field": _field(node),
    }
    prompt = (
        f"{node.action.replace('_', ' ').title()}: {node.name}"
        if node.action in ("CLICK", "INPUT_TEXT", "EXTRACT_DATAMODEL") and rng.random() < 0.4
        else None
    )
    model = rng.choice(LLM_MODELS) if kind.category is not None else None
    code_draw = rng.random()
    if kind is AUTO_INTERRUPT:
        code: str | None = "INTERRUPTED-E0002"
    elif kind.user_error and code_draw < 0.4:
        code = f"{wf.code_prefix}-{rng.randint(1, 40):04d}"
    else:
        code = None
    return {
        "prompt": prompt,
        "message": texter(rng, kind.message.format_map(ctx)),
        "error_id": error_id,
        "full_url": node.url,
        "llm_model": model,
        "created_at": None,  # filled in when rendered
        "error_code": code,
        "action_type": node.action,
        "action_display_name": node.name,
        "original_error": texter(rng, kind.original_error.format_map(ctx)),
        "llm_error_category": kind.category,
        "llm_error_sub_type": kind.sub_type,
        "llm_error_description": (
            None if kind.description is None else texter(rng, kind.description)
        ),
        "node_id": node.id,
    }
