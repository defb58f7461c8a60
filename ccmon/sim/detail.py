"""Rendering GET /run/{id} and debug-snapshot bodies from a run's timeline, as of "now"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from .catalog import Catalog, Workflow
from .records import SUCCESS, RunRecord
from .timefmt import iso_ms, iso_us
from .timeline import Timeline

__all__ = ["ARTIFACT_TTL", "STORAGE", "render_detail", "render_snapshot"]

STORAGE = "https://storage.example.com"
ARTIFACT_TTL = timedelta(days=7).total_seconds()  # screenshots and recordings


def _cutoffs(run: RunRecord, now: float) -> list[float]:
    """Per begun attempt, the time up to which its events are visible."""
    cuts = [s + d for s, d in zip(run.starts, run.plan.durations, strict=False)]
    if cuts:
        cuts[-1] = min(cuts[-1], run.end if run.end is not None else now)
    return [min(c, now) for c in cuts]


def render_detail(
    run: RunRecord, wf: Workflow, tl: Timeline, catalog: Catalog, now: float, file_ttl: float
) -> dict[str, Any]:
    ws, sid = catalog.workspace_id, run.session_id
    cuts = _cutoffs(run, now)
    started = bool(run.starts)
    errors = [e for e in tl.errors if e.t <= cuts[e.attempt]] if started else []
    shots = [s for s in tl.shots if s.t <= cuts[s.attempt]] if started else []
    video: list[dict[str, Any]] = []
    if run.terminal and started and run.end is not None and tl.recording is not None:
        t = run.end  # the recording is complete when the run ends
        if t <= now:
            video.append(
                {
                    "timestamp": iso_us(t),
                    "session_id": sid,
                    "signed_screen_recording_url": (
                        f"{STORAGE}/recordings/{ws}/{sid}.mp4?token={tl.recording}"
                    ),
                    "signed_screen_recording_url_expires": iso_us(t + ARTIFACT_TTL),
                }
            )
    files = [
        {
            "signed_file_url": f"{STORAGE}/files/{ws}/{sid}/{quote(f.name, safe='')}"
            f"?token={f.token}",
            "file_name": f.name,
            "timestamp": iso_ms(f.t),
            "signed_file_url_expires": iso_ms(f.t + file_ttl),
            "metadata": {"content_type": f.content_type},
        }
        for f in tl.files
        if started and f.attempt < len(cuts) and f.t <= cuts[f.attempt]
    ]
    alias = wf.vault_alias if wf.vault_alias and wf.vault_alias in tl.inputs else None
    vault: dict[str, Any] = {}
    creds = run.credential_ids()
    if started and alias and creds:
        cid = creds[run.seq % len(creds)]  # round-robin over a pooled list
        cred = catalog.creds_by_id.get(cid)
        vault[alias] = {
            "user_id": cid,
            "user_alias": cred.user_alias if cred else None,
            "domain": cred.domain if cred else wf.domain,
            "user_name": "<encrypted>",
            "password": "<encrypted>",
        }
    recovered = [e.json["error_id"] for e in errors if e.recovered]
    return {
        "session_id": sid,
        "status": run.status,
        "workflow_id": run.workflow_id,
        "input_variables": tl.inputs,
        "vault_entries": vault,
        "encrypted_variables": [alias] if alias else ([] if wf.vault_alias else None),
        "session_retries": run.retries or None,
        "data": tl.data if run.status == SUCCESS else {},
        "video_urls": video,
        "file_urls": files,
        "screenshot_urls": [
            {
                "signed_screenshot_url": f"{STORAGE}/screenshots/{ws}/{sid}/{s.screenshot_id}.jpeg"
                f"?token={s.token}",
                "node_display_name": s.node.name,
                "timestamp": iso_ms(s.t),
                "signed_screenshot_url_expires": iso_ms(s.t + ARTIFACT_TTL),
                "error_screenshot": s.error,
            }
            for s in shots
        ],
        "errors": [{**e.json, "created_at": iso_ms(e.t)} for e in errors] if started else None,
        "was_recovered": bool(recovered),
        "recovered_error_ids": recovered,
    }


def render_snapshot(
    run: RunRecord,
    wf: Workflow,
    tl: Timeline,
    catalog: Catalog,
    node_id: str,
    now: float,
    ttl: float,
) -> dict[str, Any]:
    ws, sid = catalog.workspace_id, run.session_id
    cuts = _cutoffs(run, now)
    visits = [
        v
        for v in tl.visits
        if v.node.id == node_id and v.attempt < len(cuts) and v.t <= cuts[v.attempt]
    ]
    page = None
    if visits:
        v = visits[-1]
        page = f"{STORAGE}/page_snapshots/{ws}/{wf.id}/{node_id}/{sid}.html?token={v.token}"
    shots = [
        s
        for s in tl.shots
        if s.node.id == node_id and s.attempt < len(cuts) and s.t <= cuts[s.attempt]
    ]
    return {
        "session_id": sid,
        "node_id": node_id,
        "page_snapshot_url": page,
        "screenshots": [
            {
                "screenshot_id": s.screenshot_id,
                "signed_screenshot_url": f"{STORAGE}/screenshots/{ws}/{sid}/{s.screenshot_id}.jpeg"
                f"?token={s.token}",
                "node_display_name": s.node.name,
                "node_id": node_id,
                "timestamp": iso_ms(s.t),
                "signed_screenshot_url_expires": iso_ms(s.t + ttl),
                "error_screenshot": s.error,
            }
            for s in shots
        ],
    }
