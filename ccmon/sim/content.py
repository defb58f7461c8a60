"""Per-workflow input variables and output data for generated runs."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from .catalog import Workflow
from .hostile import Texter

__all__ = ["credential_ref", "gen_inputs", "gen_output"]

_J = dict[str, Any]


def _day(t: float, offset_days: int = 0) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(t + offset_days * 86400))


_FIRST = ["Dana", "Luis", "Mei", "Omar", "Priya", "Tomasz", "Aisha", "Jonas", "Keiko", "Sam"]
_LAST = ["Okafor", "Garcia", "Chen", "Haddad", "Patel", "Nowak", "Bello", "Berg", "Sato", "Reyes"]
_BIZ = [
    "Blue Heron Bakery LLC",
    "Northside Auto Repair",
    "Cedar & Pine Dental",
    "Lakeview Logistics Inc",
    "Bright Path Daycare",
    "Summit Roofing Co",
]
_CITIES = ["Memphis, TN", "Louisville, KY", "Reno, NV", "Columbus, OH", "Ontario, CA"]


def gen_inputs(wf: Workflow, rng: random.Random, t: float) -> _J:
    """Input variables for a generated run of `wf` created at `t` (without the vault ref)."""
    k = wf.key
    if k == "eligibility":
        return {
            "member_id": f"MBR-{rng.randint(100000, 999999)}",
            "date_of_service": _day(t, -rng.randint(0, 10)),
        }
    if k == "claims":
        return {
            "claim_number": f"CLM-2026-{rng.randint(1, 99999):06d}",
            "payer_id": rng.choice(["60054", "87726", "62308", "SB580", "00431"]),
        }
    if k == "prior_auth":
        return {
            "patient_id": f"PT-{rng.randint(10000, 99999)}",
            "cpt_code": rng.choice(["72148", "70553", "97110", "29881", "43239"]),
            "diagnosis_code": rng.choice(["M54.16", "G43.909", "M17.11", "K21.9"]),
            "provider_npi": str(rng.randint(1000000000, 1999999999)),
        }
    if k == "quote":
        return {
            "business_name": rng.choice(_BIZ),
            "zip_code": f"{rng.randint(10000, 99950)}",
            "class_code": rng.choice(["59963", "91580", "10026", "41677"]),
            "annual_revenue_usd": rng.randint(50, 5000) * 1000,
        }
    if k == "invoice":
        return {
            "invoice_number": f"INV-{rng.randint(10000, 99999)}",
            "account_id": f"ACCT-{rng.randint(1000, 9999)}",
        }
    if k == "timesheet":
        end = rng.randint(1, 14)
        return {
            "pay_period_start": _day(t, -end - 13),
            "pay_period_end": _day(t, -end),
            "department": rng.choice(["Operations", "Warehouse", "Nursing", "Front office"]),
        }
    if k == "tracking":
        carrier = rng.choice(["UPS", "FedEx", "DHL", "USPS"])
        num = (
            f"1Z{rng.getrandbits(48):012X}"
            if carrier == "UPS"
            else str(rng.randint(10**11, 10**12 - 1))
        )
        return {"tracking_number": num, "carrier": carrier}
    return {
        "first_name": rng.choice(_FIRST),
        "last_name": rng.choice(_LAST),
        "date_of_birth": _day(0, rng.randint(2000, 19000)),
        "insurance_member_id": f"MBR-{rng.randint(100000, 999999)}",
    }


def credential_ref(wf: Workflow, inputs: _J) -> str | tuple[str, ...] | None:
    """The vault reference a run's inputs carry (string, or tuple for a pooled list)."""
    if wf.vault_alias is None:
        return None
    ref = inputs.get(wf.vault_alias)
    if isinstance(ref, str):
        return ref
    if isinstance(ref, list) and ref and all(isinstance(x, str) for x in ref):
        return tuple(ref)
    return None


def _eligibility(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    status = rng.choice(["ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE", "TERMINATED"])
    return {
        "eligibility_status": status,
        "plan_name": tx(
            rng.choice(
                ["Gold PPO 2026", "Silver HMO Select", "Bronze EPO", "Medicare Advantage Plus"]
            )
        ),
        "copay_usd": rng.choice([0, 15, 25, 40, 60]),
        "deductible_remaining_usd": round(rng.uniform(0, 3000), 2),
    }


def _claims(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    status = rng.choice(["PAID", "PAID", "DENIED", "PENDING", "IN_PROCESS"])
    return {
        "claim_status": status,
        "paid_amount_usd": round(rng.uniform(40, 2400), 2) if status == "PAID" else 0,
        "adjudication_date": _day(t, -rng.randint(1, 30)) if status in ("PAID", "DENIED") else None,
        "remark_codes": rng.sample(["CO-45", "PR-1", "PR-2", "CO-97", "N130"], rng.randint(0, 2)),
    }


def _prior_auth(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    return {
        "authorization_number": f"PA{rng.randint(10**8, 10**9 - 1)}",
        "decision": rng.choice(["PENDED", "PENDED", "APPROVED", "MORE_INFO_NEEDED"]),
        "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)),
        "reviewer_note": tx("Clinical review in progress"),
    }


def _quote(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    return {
        "quote_id": f"Q-{rng.randint(100000, 999999)}",
        "premium_usd": round(rng.uniform(900, 14000), 2),
        "carrier": tx(rng.choice(["Example Mutual", "Harbor Casualty", "Ridge Specialty"])),
        "valid_until": _day(t, 30),
    }


def _invoice(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    return {
        "invoice_total_usd": round(rng.uniform(120, 25000), 2),
        "due_date": _day(t, rng.randint(5, 45)),
        "currency": "USD",
        "vendor_name": tx(rng.choice(["Acme Medical Supply", "Globex Office", "Initech IT"])),
    }


def _timesheet(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    rows = rng.randint(12, 480)
    return {
        "rows_exported": rows,
        "total_hours": round(rows * rng.uniform(30, 42), 1),
        "approved_only": True,
    }


def _tracking(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    status = rng.choice(["IN_TRANSIT", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"])
    return {
        "shipment_status": status,
        "last_location": tx(rng.choice(_CITIES)),
        "eta": None if status == "DELIVERED" else _day(t, rng.randint(0, 5)),
    }


def _intake(rng: random.Random, tx: Callable[[str], str], t: float) -> _J:
    return {
        "intake_confirmation": f"INT-{rng.randint(100000, 999999)}",
        "appointment_id": f"APT-{rng.randint(10000, 99999)}",
        "message": tx("Thank you! Your information has been received."),
    }


_OUTPUTS: dict[str, Callable[[random.Random, Callable[[str], str], float], _J]] = {
    "eligibility": _eligibility,
    "claims": _claims,
    "prior_auth": _prior_auth,
    "quote": _quote,
    "invoice": _invoice,
    "timesheet": _timesheet,
    "tracking": _tracking,
    "intake": _intake,
}


def gen_output(wf: Workflow, rng: random.Random, texter: Texter, t: float) -> _J:
    """The output data model of a successful run of `wf` that ended at `t`."""
    return _OUTPUTS[wf.key](rng, lambda s: texter(rng, s), t)
