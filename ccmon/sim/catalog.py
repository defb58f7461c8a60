"""The simulated workspace's static contents: workflows (with nodes) and vault credentials."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from .catalog_data import CREDENTIALS, DATE, SPECS
from .hostile import Texter
from .timefmt import iso_ms
from .util import Weighted, derive_seed, new_uuid

__all__ = ["Catalog", "Credential", "Node", "Workflow", "build_catalog"]

_P = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    action: str
    parameters: _P
    url: str  # the page the browser is on while this node runs (for errors' full_url)

    def to_json(self) -> _P:
        return {
            "id": self.id,
            "name": self.name,
            "action": self.action,
            "parameters": self.parameters,
        }


@dataclass(frozen=True, slots=True)
class Credential:
    permissioned_user_id: str
    user_alias: str
    domain: str


@dataclass(slots=True)
class Workflow:
    key: str
    id: str
    name: str
    description: str | None
    domain: str
    code_prefix: str
    nodes: list[Node]
    edges: dict[str, dict[str, str]]
    input_schema: _P
    vault_alias: str | None
    credentials: list[Credential]
    files: list[tuple[str, str]]  # (file name template, content type)
    weight: float
    meta: _P = field(default_factory=dict)

    def summary(self) -> _P:
        m = self.meta
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created_at": m["created_at"],
            "updated_at": m["updated_at"],
            "workspace_id": m["workspace_id"],
            "created_by": m["created_by"],
            **m["flags"],
        }

    def definition(self) -> _P:
        m = self.meta
        vault = (
            {
                self.vault_alias: {
                    "type": "credential",
                    "domain": self.domain,
                    "example": self.credentials[0].permissioned_user_id,
                }
            }
            if self.vault_alias
            else {}
        )
        return {
            "id": self.id,
            "name": self.name,
            "created_at": m["created_at"],
            "updated_at": m["updated_at"],
            "workspace_id": m["workspace_id"],
            "created_by": m["created_by"],
            "nodes": [n.to_json() for n in self.nodes],
            "edges": self.edges,
            "description": self.description,
            "version_number": m["version_number"],
            "version_id": m["version_id"],
            "input_schema": self.input_schema,
            "vault_schema": vault,
            **m["flags"],
            "origin_catalog_workflow_id": None,
            "origin_catalog_version_number": None,
            "track_updates_from_catalog": False,
        }


@dataclass(slots=True)
class Catalog:
    workspace_id: str
    workflows: list[Workflow]
    credentials: list[Credential]
    by_id: dict[str, Workflow]
    creds_by_id: dict[str, Credential]
    pick: Weighted[Workflow]  # a workflow, weighted by popularity


_FLAGS = (
    "enable_popup_handling",
    "enable_xpath_recovery",
    "enable_error_code_generation",
    "enable_service_unavailable_recovery",
    "enable_action_timing_recovery",
)

_BASE = 1748736000.0  # 2025-06-01T00:00:00Z: workflows were created some time before the runs


def build_catalog(seed: int, texter: Texter) -> Catalog:
    rng = random.Random(derive_seed(seed, "catalog"))
    trng = random.Random(derive_seed(seed, "catalog-text"))  # hostile text: ids stay the same
    workspace_id = new_uuid(rng)
    creds_by_key: dict[str, list[Credential]] = {}
    domains = {spec[0]: spec[3] for spec in SPECS}
    all_creds: list[Credential] = []
    for alias, key in CREDENTIALS:
        cred = Credential(new_uuid(rng), alias, domains[key])
        creds_by_key.setdefault(key, []).append(cred)
        all_creds.append(cred)
    workflows = [
        _build_workflow(rng, trng, texter, workspace_id, spec, creds_by_key.get(spec[0], []))
        for spec in SPECS
    ]
    return Catalog(
        workspace_id,
        workflows,
        all_creds,
        {w.id: w for w in workflows},
        {c.permissioned_user_id: c for c in all_creds},
        Weighted([(w, w.weight) for w in workflows]),
    )


def _build_workflow(
    rng: random.Random,
    trng: random.Random,
    texter: Texter,
    workspace_id: str,
    spec: tuple[Any, ...],
    creds: list[Credential],
) -> Workflow:
    key, name, desc, domain, prefix, vault, inputs, steps, files, weight = spec
    wf_id = new_uuid(rng)
    url = domain
    nodes = [Node(new_uuid(rng), "Start", "START", {}, domain)]
    optional: list[int] = []
    for step_name, action, detail in steps:
        if step_name.startswith("Dismiss"):
            optional.append(len(nodes))
        if action == "NAVIGATE":
            url = domain + detail
        params = _parameters(rng, action, detail, url, step_name)
        nodes.append(Node(new_uuid(rng), texter(trng, step_name), action, params, url))
    nodes.append(Node(new_uuid(rng), "End", "END", {}, url))
    edges: dict[str, dict[str, str]] = {}
    for a, b in itertools.pairwise(nodes):
        edges[a.id] = {"to": b.id}
    for i in optional:  # an optional popup step: both branches converge
        edges[nodes[i].id] = {"true": nodes[i + 1].id, "false": nodes[i + 1].id}
    schema: _P = {"type": "object", "properties": {}, "required": list(inputs)}
    for field_name, (typ, example) in inputs.items():
        prop: _P = {"type": "string", "format": "date"} if typ == DATE else {"type": typ}
        prop["example"] = example
        schema["properties"][field_name] = prop
    created = _BASE + rng.uniform(0, 120) * 86400
    flags = {f: rng.random() < 0.75 for f in _FLAGS}
    meta = {
        "created_at": iso_ms(created),
        "updated_at": iso_ms(created + rng.uniform(1, 60) * 86400),
        "workspace_id": workspace_id,
        "created_by": new_uuid(rng),
        "version_number": rng.randint(1, 14),
        "version_id": new_uuid(rng),
        "flags": flags,
    }
    return Workflow(
        key=key,
        id=wf_id,
        name=texter(trng, name),
        description=texter(trng, desc) if desc else None,
        domain=domain,
        code_prefix=prefix,
        nodes=nodes,
        edges=edges,
        input_schema=schema,
        vault_alias="USER" if vault else None,
        credentials=creds,
        files=files,
        weight=weight,
        meta=meta,
    )


def _parameters(rng: random.Random, action: str, detail: str, url: str, name: str) -> _P:
    slug = name.lower().replace(" ", "-")
    if action == "NAVIGATE":
        return {"url": url}
    if action == "INPUT_TEXT":
        text = (
            "{{" + detail + "}}"
            if detail
            else ("{{USER.user_name}}" if "user" in slug else "{{USER.password}}")
        )
        return {"xpath": f"//input[@data-testid='{slug}']", "input_text": text}
    if action == "CLICK":
        return {
            "xpath": f"//button[normalize-space()='{name}']"
            if not detail
            else f"//li[@data-value='{{{{{detail}}}}}']",
            "wait_for_navigation": rng.random() < 0.3,
        }
    if action == "EXTRACT_DATAMODEL":
        return {"prompt": f"Extract the data shown for step '{name}'", "xpath": "//main"}
    if action == "FILE_DOWNLOAD":
        return {"xpath": "//a[contains(@href, 'download')]", "timeout_ms": 30000}
    return {}
