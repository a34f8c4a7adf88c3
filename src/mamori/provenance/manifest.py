"""What goes into a mamori manifest: ProvenanceInfo and the C2PA manifest definition built from it."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mamori
from mamori.provenance.errors import ProvenanceError, SigningRefused
from mamori.types import Decision

ACTIONS_LABEL = "c2pa.actions.v2"
RIGHTS_LABEL = "org.mamori.rights"
RIGHTS_SCHEMA_VERSION = 1
TRAINING_MINING_LABEL = "cawg.training-mining"
DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

TRAINING_MINING_USES = (
    "cawg.ai_training",
    "cawg.ai_generative_training",
    "cawg.ai_inference",
    "cawg.data_mining",
)
_USE_VALUES = ("allowed", "notAllowed", "constrained")

# Only outputs that pass the gate are released, and only released outputs are signed.
RELEASED_VERDICTS = ("allow", "licensed")
KNOWN_VERDICTS = ("allow", "licensed", "block", "review")


def default_training_mining() -> dict[str, Any]:
    """The CAWG training-and-mining assertion mamori writes unless told otherwise: nothing allowed."""
    return {"entries": {use: {"use": "notAllowed"} for use in TRAINING_MINING_USES}}


def normalize_training_mining(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Accept the full assertion (``{"entries": {...}}``) or a shorthand map.

    Shorthand: ``{"ai_training": "allowed", "cawg.data_mining": {"use": "constrained",
    "constraint_info": "..."}}``; keys without a namespace get ``cawg.``. Uses not named stay
    ``notAllowed``. ``None`` means the default (all notAllowed); an empty mapping means: write no
    training-and-mining assertion at all.
    """
    if value is None:
        return default_training_mining()
    if not value:
        return None
    given = value.get("entries", value)
    if not isinstance(given, Mapping):
        raise ProvenanceError("training_mining 'entries' must be a mapping of use -> permission")
    entries: dict[str, Any] = dict(default_training_mining()["entries"])
    for raw_key, raw in given.items():
        key = raw_key if "." in raw_key else f"cawg.{raw_key}"
        entry = {"use": raw} if isinstance(raw, str) else dict(raw)
        if entry.get("use") not in _USE_VALUES:
            raise ProvenanceError(
                f"training_mining[{raw_key!r}]: use must be one of {', '.join(_USE_VALUES)}, got {entry.get('use')!r}"
            )
        entries[key] = _jsonable(entry)
    return {"entries": entries}


def _jsonable(value: Any) -> Any:
    """Make ``value`` safe for the CBOR/JSON manifest: money stays exact (Decimal -> str)."""
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        return [_jsonable(v) for v in value]
    raise ProvenanceError(f"cannot put a {type(value).__name__} into a C2PA assertion: {value!r}")


def software_agent(generator: str) -> dict[str, str]:
    """``"acme-video/2.1"`` -> ``{"name": "acme-video", "version": "2.1"}``; otherwise just a name."""
    name, sep, version = generator.strip().rpartition("/")
    if sep and name and re.fullmatch(r"v?\d[\w.+-]*", version):
        return {"name": name, "version": version}
    return {"name": generator.strip()}


@dataclass
class ProvenanceInfo:
    """What mamori knows about one released generation."""

    generation_id: str
    verdict: str
    reasons: list[str]
    licensed: list[dict[str, Any]]  # {character, work, rightsholder, terms{attribution, fee, ...}}
    ledger_hash: str | None
    generator: str  # the generative model as softwareAgent: "name/version" or a name
    training_mining: dict[str, Any] | None = None  # None -> all notAllowed; {} -> no assertion
    extra: dict[str, Any] = field(default_factory=dict)  # more fields for the rights assertion

    @classmethod
    def from_decision(
        cls,
        decision: Decision,
        *,
        generation_id: str,
        generator: str,
        ledger_hash: str | None = None,
        licensed: Iterable[Mapping[str, Any]] = (),
        training_mining: dict[str, Any] | None = None,
    ) -> ProvenanceInfo:
        return cls(
            generation_id=generation_id,
            verdict=decision.verdict.value,
            reasons=list(decision.reasons),
            licensed=[dict(x) for x in licensed],
            ledger_hash=ledger_hash,
            generator=generator,
            training_mining=training_mining,
        )

    @classmethod
    def from_assertion(cls, data: Mapping[str, Any], *, generator: str = "") -> ProvenanceInfo:
        """Rebuild the info from a decoded ``org.mamori.rights`` assertion (see ``rights_assertion``)."""
        decision = data.get("decision") or {}
        return cls(
            generation_id=data["generation_id"],
            verdict=decision.get("verdict", ""),
            reasons=list(decision.get("reasons", [])),
            licensed=[dict(x) for x in data.get("licensed", [])],
            ledger_hash=data.get("ledger_hash"),
            generator=generator,
            extra=dict(data.get("extra") or {}),
        )

    def check(self) -> None:
        """Refuse to sign what the gate did not release, or info that cannot be recorded."""
        if not self.generation_id or not str(self.generation_id).strip():
            raise ProvenanceError("generation_id is required")
        if not self.generator or not self.generator.strip():
            raise ProvenanceError("generator (the softwareAgent that made the media) is required")
        verdict = str(self.verdict)
        if verdict not in KNOWN_VERDICTS:
            raise ProvenanceError(
                f"unknown verdict {verdict!r} (expected one of {', '.join(KNOWN_VERDICTS)})"
            )
        if verdict not in RELEASED_VERDICTS:
            raise SigningRefused(
                f"refusing to sign generation {self.generation_id}: verdict {verdict!r} does not release "
                "the output (only allow/licensed outputs get Content Credentials)"
            )
        for i, lic in enumerate(self.licensed):
            if not isinstance(lic, Mapping) or not lic.get("character") and not lic.get("work"):
                raise ProvenanceError(
                    f"licensed[{i}] must be a mapping naming at least a character or a work"
                )


def rights_assertion(info: ProvenanceInfo) -> dict[str, Any]:
    """The ``org.mamori.rights`` assertion body."""
    licensed = []
    for lic in info.licensed:
        entry = {k: lic.get(k) for k in ("character", "work", "rightsholder")}
        entry["terms"] = dict(lic.get("terms") or {})
        entry.update({k: v for k, v in lic.items() if k not in entry})
        licensed.append(entry)
    body: dict[str, Any] = {
        "version": RIGHTS_SCHEMA_VERSION,
        "generation_id": str(info.generation_id),
        "decision": {"verdict": str(info.verdict), "reasons": list(info.reasons)},
        "licensed": licensed,
        "ledger_hash": info.ledger_hash,
    }
    if info.extra:
        body["extra"] = info.extra
    return _jsonable(body)


def build_manifest(info: ProvenanceInfo) -> dict[str, Any]:
    """The manifest definition handed to ``c2pa.Builder``."""
    info.check()
    assertions: list[dict[str, Any]] = [
        {
            "label": ACTIONS_LABEL,
            "data": {
                "actions": [
                    {
                        "action": "c2pa.created",
                        "digitalSourceType": DIGITAL_SOURCE_TYPE,
                        "softwareAgent": software_agent(info.generator),
                    }
                ]
            },
        },
        {"label": RIGHTS_LABEL, "data": rights_assertion(info)},
    ]
    training = normalize_training_mining(info.training_mining)
    if training is not None:
        assertions.append({"label": TRAINING_MINING_LABEL, "data": training})
    return {
        "claim_generator_info": [{"name": "mamori", "version": mamori.__version__}],
        "title": f"mamori generation {info.generation_id}",
        "assertions": assertions,
    }
