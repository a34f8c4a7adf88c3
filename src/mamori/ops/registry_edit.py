"""Single-object registry edits for the API: rightsholders, works, characters, policies and reference images.

Upserts go through `RegistryStore.import_registry` with a one-object registry, so the API validates, versions
policies and stamps changes exactly as a file import does; every edit is a ledger event and refreshes the indexes.
A rightsholder principal may touch only its own works and characters.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mamori.ops import Conflict, Forbidden, NotFound, OpsError, store
from mamori.ops.keys import Principal
from mamori.registry.fileformat import (
    CharacterIn,
    Problem,
    RegistryFileError,
    RightsholderIn,
    WorkIn,
    _loc,
    _message,
    policy_from_json,
    policy_to_json,
)
from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.storage.registry_store import ImportReport, ReferenceBlob

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori


def _validate(model: Any, data: dict[str, Any], source: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RegistryFileError(
            source, [Problem(_loc(e["loc"]), _message(dict(e))) for e in exc.errors()]
        ) from None


def _record(
    svc: Mamori, action: str, subject: dict[str, Any], report: ImportReport | None, actor: Principal
) -> None:
    events: list[tuple[str, dict[str, Any]]] = [
        ("registry.edit", {"action": action, **subject, "by": actor.actor})
    ]
    if report is not None:
        events += [("policy.change", {**change, "by": actor.actor}) for change in report.policy_changes]
    svc.ledger.append_many(events)
    svc.invalidate()


def _own_rightsholder(actor: Principal, rightsholder: str | None) -> None:
    if actor.role == "admin":
        return
    if actor.role != "rightsholder" or rightsholder is None or actor.rightsholder != rightsholder:
        raise Forbidden("this key may manage only its own rightsholder's works and characters")


def _registry(svc: Mamori) -> Registry:
    return svc.registry_store.load()


def _character_owner(svc: Mamori, character: str) -> tuple[Character, str | None]:
    c = svc.registry_store.get_character(character)
    if c is None:
        raise NotFound(f"no character with id {character!r}")
    return c, svc.registry_store.rightsholder_of_work(c.work)


# --- reads ------------------------------------------------------------------------------------------------


def character_json(c: Character, owner: str | None) -> dict[str, Any]:
    return {
        "id": c.id,
        "work": c.work,
        "rightsholder": owner,
        "names": list(c.names),
        "traits": list(c.traits),
        "references": list(c.references),
        "voices": list(c.voices),
        "policy": policy_to_json(c.policy),
        "ambiguous": c.ambiguous,
        "other_senses": list(c.other_senses),
    }


def list_rightsholders(svc: Mamori, actor: Principal) -> list[dict[str, Any]]:
    reg = _registry(svc)
    return [
        {"id": r.id, "name": r.name}
        for r in reg.rightsholders
        if actor.role == "admin" or r.id == actor.rightsholder
    ]


def get_rightsholder(svc: Mamori, ident: str, actor: Principal) -> dict[str, Any]:
    _own_rightsholder(actor, ident)
    reg = _registry(svc)
    rh = next((r for r in reg.rightsholders if r.id == ident), None)
    if rh is None:
        raise NotFound(f"no rightsholder with id {ident!r}")
    return {"id": rh.id, "name": rh.name, "works": [w.id for w in reg.works if w.rightsholder == ident]}


def list_works(svc: Mamori, actor: Principal) -> list[dict[str, Any]]:
    reg = _registry(svc)
    return [
        {"id": w.id, "rightsholder": w.rightsholder, "titles": list(w.titles)}
        for w in reg.works
        if actor.role == "admin" or w.rightsholder == actor.rightsholder
    ]


def get_work(svc: Mamori, ident: str, actor: Principal) -> dict[str, Any]:
    reg = _registry(svc)
    w = reg.work(ident)
    if w is None:
        raise NotFound(f"no work with id {ident!r}")
    _own_rightsholder(actor, w.rightsholder)
    return {
        "id": w.id,
        "rightsholder": w.rightsholder,
        "titles": list(w.titles),
        "characters": [c.id for c in reg.characters_of(ident)],
    }


def list_characters(svc: Mamori, actor: Principal) -> list[dict[str, Any]]:
    reg = _registry(svc)
    owners = {w.id: w.rightsholder for w in reg.works}
    return [
        character_json(c, owners.get(c.work))
        for c in reg.characters
        if actor.role == "admin" or owners.get(c.work) == actor.rightsholder
    ]


def get_character(svc: Mamori, ident: str, actor: Principal) -> dict[str, Any]:
    c, owner = _character_owner(svc, ident)
    _own_rightsholder(actor, owner)
    out = character_json(c, owner)
    out["policy_version"] = svc.registry_store.policy_version(ident)
    out["reference_images"] = svc.registry_store.reference_summaries(ident)
    return out


def policy_history(svc: Mamori, ident: str, actor: Principal) -> list[dict[str, Any]]:
    _c, owner = _character_owner(svc, ident)
    _own_rightsholder(actor, owner)
    return svc.registry_store.policy_history(ident)


# --- writes -----------------------------------------------------------------------------------------------


def put_rightsholder(svc: Mamori, ident: str, name: str, actor: Principal) -> dict[str, Any]:
    _own_rightsholder(actor, ident)
    doc = _validate(RightsholderIn, {"id": ident, "name": name}, f"rightsholders/{ident}")
    svc.registry_store.import_registry(Registry(rightsholders=(Rightsholder(doc.id, doc.name),)))
    _record(svc, "put_rightsholder", {"rightsholder": doc.id, "name": doc.name}, None, actor)
    return {"id": doc.id, "name": doc.name}


def put_work(
    svc: Mamori, ident: str, rightsholder: str, titles: list[str], actor: Principal
) -> dict[str, Any]:
    _own_rightsholder(actor, rightsholder)
    existing = svc.registry_store.rightsholder_of_work(ident)
    if existing is not None and existing != rightsholder and actor.role != "admin":
        raise Forbidden(f"work {ident!r} belongs to another rightsholder")
    doc = _validate(WorkIn, {"id": ident, "rightsholder": rightsholder, "titles": titles}, f"works/{ident}")
    if not any(r.id == doc.rightsholder for r in _registry(svc).rightsholders):
        raise RegistryFileError(
            f"works/{ident}", [Problem("rightsholder", f"no rightsholder with id {doc.rightsholder!r}")]
        )
    titles_t = tuple(dict.fromkeys(doc.titles))
    svc.registry_store.import_registry(Registry(works=(Work(doc.id, doc.rightsholder, titles_t),)))
    _record(
        svc,
        "put_work",
        {"work": doc.id, "rightsholder": doc.rightsholder, "titles": list(titles_t)},
        None,
        actor,
    )
    return {"id": doc.id, "rightsholder": doc.rightsholder, "titles": list(titles_t)}


def put_character(svc: Mamori, ident: str, body: dict[str, Any], actor: Principal) -> dict[str, Any]:
    """Create or replace a character (names, traits, policy); its reference images are kept."""
    source = f"characters/{ident}"
    doc = _validate(CharacterIn, {"id": ident, **body, "references": []}, source)
    owner = svc.registry_store.rightsholder_of_work(doc.work)
    if owner is None:
        raise RegistryFileError(source, [Problem("work", f"no work with id {doc.work!r}")])
    _own_rightsholder(actor, owner)
    old = svc.registry_store.get_character(ident)
    if old is not None:
        _own_rightsholder(actor, svc.registry_store.rightsholder_of_work(old.work))
    policy = policy_from_json(body.get("policy"), source) if body.get("policy") is not None else None
    c = Character(
        ident,
        doc.work,
        tuple(dict.fromkeys(doc.names)),
        tuple(dict.fromkeys(doc.traits)),
        old.references if old else (),
        policy,
        ambiguous=doc.ambiguous,
        other_senses=tuple(dict.fromkeys(doc.other_senses)),
        voices=old.voices if old else (),
    )
    report = svc.registry_store.import_registry(Registry(characters=(c,)))
    _record(
        svc,
        "put_character",
        {
            "character": ident,
            "work": doc.work,
            "rightsholder": owner,
            "created": bool(report.created),
            "names": list(c.names),
        },
        report,
        actor,
    )
    return get_character(svc, ident, actor)


def put_policy(svc: Mamori, ident: str, policy: dict[str, Any] | None, actor: Principal) -> dict[str, Any]:
    c, owner = _character_owner(svc, ident)
    _own_rightsholder(actor, owner)
    parsed = policy_from_json(policy, f"characters/{ident}/policy")
    version = svc.registry_store.set_policy(ident, parsed)
    changed = c.policy != parsed
    if changed:
        svc.ledger.append(
            "policy.change",
            {"character": ident, "version": version, "policy": policy_to_json(parsed), "by": actor.actor},
        )
    svc.invalidate()
    return {"character": ident, "version": version, "policy": policy_to_json(parsed), "changed": changed}


def delete_character(svc: Mamori, ident: str, actor: Principal) -> dict[str, Any]:
    c, owner = _character_owner(svc, ident)
    _own_rightsholder(actor, owner)
    history = svc.registry_store.policy_history(ident)
    store(svc).delete_character(ident)
    # The ledger keeps the deleted character's whole policy history, so audits of earlier decisions still can.
    _record(
        svc,
        "delete_character",
        {"character": ident, "work": c.work, "rightsholder": owner, "policy_history": history},
        None,
        actor,
    )
    return {"deleted": ident}


def delete_work(svc: Mamori, ident: str, actor: Principal) -> dict[str, Any]:
    owner = svc.registry_store.rightsholder_of_work(ident)
    if owner is None:
        raise NotFound(f"no work with id {ident!r}")
    _own_rightsholder(actor, owner)
    if store(svc).count_characters_of_work(ident):
        raise Conflict(f"work {ident!r} still has characters; delete them first")
    store(svc).delete_work(ident)
    _record(svc, "delete_work", {"work": ident, "rightsholder": owner}, None, actor)
    return {"deleted": ident}


def delete_rightsholder(svc: Mamori, ident: str, actor: Principal) -> dict[str, Any]:
    if actor.role != "admin":
        raise Forbidden("only an admin may delete a rightsholder")
    if not any(r.id == ident for r in _registry(svc).rightsholders):
        raise NotFound(f"no rightsholder with id {ident!r}")
    if store(svc).count_works_of(ident):
        raise Conflict(f"rightsholder {ident!r} still has works; delete them first")
    store(svc).delete_rightsholder(ident)
    _record(svc, "delete_rightsholder", {"rightsholder": ident}, None, actor)
    return {"deleted": ident}


def add_reference(
    svc: Mamori, character: str, filename: str, data: bytes, actor: Principal, voice: bool = False
) -> dict[str, Any]:
    """Store an uploaded reference; `voice`: it is a voice sample of the character (audio, or video with sound),
    added to the character's `voices`."""
    from mamori.service import MAX_REFERENCE_BYTES, NOT_A_REFERENCE, NOT_A_VOICE, reference_mime

    c, owner = _character_owner(svc, character)
    _own_rightsholder(actor, owner)
    if len(data) > MAX_REFERENCE_BYTES:
        raise OpsError(f"reference is larger than {MAX_REFERENCE_BYTES // 2**20} MiB", 413)
    mime = reference_mime(data)
    if mime is None:
        raise OpsError(f"reference {NOT_A_REFERENCE}", 415)
    if voice and not mime.startswith(("audio/", "video/")):
        raise OpsError(f"reference {NOT_A_VOICE}", 415)
    if mime.startswith("audio/") or voice:
        from mamori.screening.audio.service_gate import check_reference

        if problem := check_reference(data, svc.settings):
            raise OpsError(f"reference audio: {problem}", 415)
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    blob = ReferenceBlob(character, f"uploads/{name}", data, mime)
    added = svc.registry_store.add_reference(blob)
    added = _set_voice(svc, c, blob.path, voice) or added
    if added:
        _record(
            svc,
            "add_reference",
            {
                "character": character,
                "path": blob.path,
                "sha256": blob.sha256,
                "mime": mime,
                "rightsholder": owner,
                **({"voice": True} if voice else {}),
            },
            None,
            actor,
        )
    return {"character": character, "path": blob.path, "sha256": blob.sha256, "mime": mime, "added": added}


def _set_voice(svc: Mamori, c: Character, path: str, voice: bool) -> bool:
    """List or unlist `path` among the character's voice samples; whether that changed anything."""
    if voice == (path in c.voices):
        return False
    voices = (*c.voices, path) if voice else tuple(v for v in c.voices if v != path)
    svc.registry_store.import_registry(Registry(characters=(replace(c, voices=voices),)))
    return True


def delete_reference(svc: Mamori, character: str, ref_id: int, actor: Principal) -> dict[str, Any]:
    c, owner = _character_owner(svc, character)
    _own_rightsholder(actor, owner)
    path = store(svc).delete_reference(character, ref_id)
    if path is None:
        raise NotFound(f"character {character!r} has no reference {ref_id}")
    _set_voice(svc, c, path, False)  # no longer a voice sample either
    _record(
        svc,
        "delete_reference",
        {"character": character, "reference": ref_id, "rightsholder": owner},
        None,
        actor,
    )
    return {"deleted": ref_id}
