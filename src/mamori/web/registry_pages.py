"""Works, characters, reference images and the policy editor. Every read and write goes through
`mamori.ops.registry_edit`, so validation, ownership and ledger events are exactly the API's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from starlette.datastructures import FormData, UploadFile

from mamori.ops import registry_edit as ops
from mamori.registry.fileformat import Problem, RegistryFileError, policy_from_json
from mamori.registry.model import GENERATION_MODES, THEMES, TRAINING_MODES
from mamori.service import MAX_REFERENCE_BYTES
from mamori.web import queries
from mamori.web.pages import (
    OWNERS,
    PREFIX,
    Page,
    PageError,
    checked_form,
    lines,
    need,
    ops_errors,
    secure,
    text,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
owner = need(*OWNERS)


def problems_by_field(exc: RegistryFileError, prefix: str = "") -> dict[str, list[Problem]]:
    """Problems keyed by the form field they belong to: the first path element after `prefix`."""
    out: dict[str, list[Problem]] = {}
    for p in exc.problems:
        path = p.path.removeprefix(prefix)
        head = path.split(".", 1)[0].split("[", 1)[0] or "_"
        out.setdefault(head, []).append(p)
    return out


# --- works ----------------------------------------------------------------------------------------------------


@router.get("/works")
def works(q: str = "", p: Page = Depends(owner)) -> Response:
    with ops_errors():
        found = queries.search_works(p.svc, p.who, q)  # type: ignore[arg-type]
        holders = ops.list_rightsholders(p.svc, p.who)  # type: ignore[arg-type]
    return p.render("works.html", works=found, q=q, holders=holders, errors={}, form={})


@router.post("/works")
def create_work(form: FormData = Depends(checked_form), p: Page = Depends(owner)) -> Response:
    assert p.who is not None
    ident = text(form, "id")
    rightsholder = p.who.rightsholder if p.who.role == "rightsholder" else text(form, "rightsholder")
    titles = lines(text(form, "titles"))
    try:
        with ops_errors():
            ops.put_work(p.svc, ident, rightsholder or "", titles, p.who)
    except RegistryFileError as exc:
        with ops_errors():
            found = queries.search_works(p.svc, p.who)
            holders = ops.list_rightsholders(p.svc, p.who)
        return p.render(
            "works.html",
            http_status=422,
            works=found,
            q="",
            holders=holders,
            source=exc.source,
            errors=problems_by_field(exc),
            form={"id": ident, "titles": "\n".join(titles), "rightsholder": rightsholder},
        )
    p.flash("ok", p.t("common.saved"))
    return p.redirect("/works")


# --- characters -----------------------------------------------------------------------------------------------


@router.get("/characters")
def characters(q: str = "", work: str = "", p: Page = Depends(owner)) -> Response:
    with ops_errors():
        found = queries.search_characters(p.svc, p.who, q, work or None)  # type: ignore[arg-type]
    return p.render("characters.html", characters=found, q=q, work=work)


def _new_form(
    p: Page,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, list[Problem]] | None = None,
    source: str = "",
) -> Response:
    with ops_errors():
        works = ops.list_works(p.svc, p.who)  # type: ignore[arg-type]
    return p.render(
        "character_new.html",
        http_status=status,
        works=works,
        form=form or {},
        errors=errors or {},
        source=source,
    )


@router.get("/characters/new")
def new_character(work: str = "", p: Page = Depends(owner)) -> Response:
    return _new_form(p, form={"work": work})


@router.post("/characters/new")
def create_character(form: FormData = Depends(checked_form), p: Page = Depends(owner)) -> Response:
    assert p.who is not None
    values = {k: text(form, k) for k in ("id", "work", "names", "traits")}
    if not values["id"]:
        exc = RegistryFileError("characters/", [Problem("id", "required key is missing")])
        return _new_form(p, 422, values, problems_by_field(exc), exc.source)
    if p.svc.registry_store.get_character(values["id"]) is not None:
        exc = RegistryFileError(
            f"characters/{values['id']}", [Problem("id", f"a character {values['id']!r} already exists")]
        )
        return _new_form(p, 409, values, problems_by_field(exc), exc.source)
    body = {"work": values["work"], "names": lines(values["names"]), "traits": lines(values["traits"])}
    try:
        with ops_errors():
            ops.put_character(p.svc, values["id"], body, p.who)
    except RegistryFileError as exc:
        return _new_form(p, 422, values, problems_by_field(exc), exc.source)
    p.flash("ok", p.t("chars.created"))
    return p.redirect(f"/characters/{values['id']}")


def _character_page(p: Page, cid: str, status: int = 200, **extra: Any) -> Response:
    with ops_errors():
        c = ops.get_character(p.svc, cid, p.who)  # type: ignore[arg-type]
        work = ops.get_work(p.svc, c["work"], p.who)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "errors": {},
        "form": {"names": "\n".join(c["names"]), "traits": "\n".join(c["traits"])},
        "source": "",
    }
    context.update(extra)
    return p.render(
        "character.html", http_status=status, c=c, work=work, max_mib=MAX_REFERENCE_BYTES // 2**20, **context
    )


@router.get("/characters/{cid}")
def character(cid: str, p: Page = Depends(owner)) -> Response:
    return _character_page(p, cid)


@router.post("/characters/{cid}")
def update_character(cid: str, form: FormData = Depends(checked_form), p: Page = Depends(owner)) -> Response:
    """Names and traits; the policy and references are kept."""
    assert p.who is not None
    with ops_errors():
        current = ops.get_character(p.svc, cid, p.who)
    values = {"names": text(form, "names"), "traits": text(form, "traits")}
    body = {
        "work": current["work"],
        "names": lines(values["names"]),
        "traits": lines(values["traits"]),
        "policy": current["policy"],
    }
    try:
        with ops_errors():
            ops.put_character(p.svc, cid, body, p.who)
    except RegistryFileError as exc:
        return _character_page(p, cid, 422, errors=problems_by_field(exc), form=values, source=exc.source)
    p.flash("ok", p.t("common.saved"))
    return p.redirect(f"/characters/{cid}")


@router.post("/characters/{cid}/references")
def upload_reference(cid: str, form: FormData = Depends(checked_form), p: Page = Depends(owner)) -> Response:
    assert p.who is not None
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _character_page(p, cid, 422, upload_error="no file chosen")
    data = upload.file.read(MAX_REFERENCE_BYTES + 1)
    try:
        with ops_errors():
            added = ops.add_reference(p.svc, cid, upload.filename, data, p.who)
    except PageError as exc:
        if exc.status in (413, 415):
            return _character_page(p, cid, exc.status, upload_error=exc.message)
        raise
    p.flash("ok", p.t("chars.uploaded") if added["added"] else p.t("chars.upload_dup"))
    return p.redirect(f"/characters/{cid}")


@router.post("/characters/{cid}/references/{ref_id}/delete")
def delete_reference(
    cid: str, ref_id: int, form: FormData = Depends(checked_form), p: Page = Depends(owner)
) -> Response:
    with ops_errors():
        ops.delete_reference(p.svc, cid, ref_id, p.who)  # type: ignore[arg-type]
    p.flash("ok", p.t("chars.ref_deleted"))
    return p.redirect(f"/characters/{cid}")


@router.get("/characters/{cid}/references/{ref_id}")
def reference(cid: str, ref_id: int, full: bool = False, p: Page = Depends(owner)) -> Response:
    """A reference thumbnail (or the original with ?full=1), only for a principal who may see the character."""
    with ops_errors():
        mime, data = queries.reference_image(p.svc, p.who, cid, ref_id, full)  # type: ignore[arg-type]
    response = secure(Response(data, media_type=mime))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300"
    if not mime.startswith("image/"):
        response.headers["Content-Disposition"] = f'attachment; filename="reference-{ref_id}"'
    return response


# --- policy editor -------------------------------------------------------------------------------------------


def policy_form_values(policy: dict[str, Any] | None) -> dict[str, Any]:
    """A stored policy (its registry JSON) as the editor's field values."""
    pol = policy or {"generation": "block", "training": "block"}
    fee = pol.get("fee_per_generation") or {}
    return {
        "generation": pol.get("generation", "block"),
        "territories": ", ".join(pol.get("territories") or []),
        "licensees": ", ".join(pol.get("licensees") or []),
        "valid_from": pol.get("valid_from", ""),
        "valid_until": pol.get("valid_until", ""),
        "themes": list(pol.get("themes_forbidden", [])),
        "fee_amount": fee.get("amount", ""),
        "fee_currency": fee.get("currency", ""),
        "revenue_share": pol.get("revenue_share", ""),
        "attribution": pol.get("attribution", ""),
        "training": pol.get("training", "block"),
    }


def _split(value: str) -> list[str]:
    return [s for s in (part.strip() for part in value.replace("、", ",").replace(" ", ",").split(",")) if s]


def policy_from_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """(field values to show again, the policy document to validate). Empty fields are left out of the document,
    so they mean what they mean in a registry file (no territories listed = everywhere)."""
    values: dict[str, Any] = {
        k: text(form, k)
        for k in (
            "generation",
            "territories",
            "licensees",
            "valid_from",
            "valid_until",
            "fee_amount",
            "fee_currency",
            "revenue_share",
            "attribution",
            "training",
        )
    }
    values["themes"] = [t for t in form.getlist("themes") if isinstance(t, str)]
    doc: dict[str, Any] = {
        "generation": values["generation"] or "block",
        "training": values["training"] or "block",
    }
    if values["themes"]:
        doc["themes_forbidden"] = values["themes"]
    if values["territories"]:
        doc["territories"] = [t.upper() for t in _split(values["territories"])]
    if values["licensees"]:
        doc["licensees"] = _split(values["licensees"])
    for k in ("valid_from", "valid_until", "revenue_share", "attribution"):
        if values[k]:
            doc[k] = values[k]
    if values["fee_amount"] or values["fee_currency"]:
        fee: dict[str, str] = {}
        if values["fee_amount"]:
            fee["amount"] = values["fee_amount"]
        if values["fee_currency"]:
            fee["currency"] = values["fee_currency"].upper()
        doc["fee_per_generation"] = fee
    return values, doc


def _policy_page(
    p: Page,
    cid: str,
    status: int = 200,
    values: dict[str, Any] | None = None,
    exc: RegistryFileError | None = None,
) -> Response:
    with ops_errors():
        c = ops.get_character(p.svc, cid, p.who)  # type: ignore[arg-type]
        history = ops.policy_history(p.svc, cid, p.who)  # type: ignore[arg-type]
    return p.render(
        "policy.html",
        http_status=status,
        c=c,
        history=list(reversed(history)),
        form=values if values is not None else policy_form_values(c["policy"]),
        errors=problems_by_field(exc, "policy.") if exc else {},
        source=exc.source if exc else "",
        modes=GENERATION_MODES,
        themes=THEMES,
        training_modes=TRAINING_MODES,
    )


@router.get("/characters/{cid}/policy")
def policy(cid: str, p: Page = Depends(owner)) -> Response:
    return _policy_page(p, cid)


@router.post("/characters/{cid}/policy")
def save_policy(cid: str, form: FormData = Depends(checked_form), p: Page = Depends(owner)) -> Response:
    assert p.who is not None
    values, doc = policy_from_form(form)
    source = f"characters/{cid}/policy"
    try:
        parsed = policy_from_json(doc, source)
        if (
            parsed is not None
            and parsed.valid_from
            and parsed.valid_until
            and parsed.valid_from > parsed.valid_until
        ):
            # the registry file's cross-check (fileformat._cross_check), which policy_from_json leaves to the file
            raise RegistryFileError(source, [Problem("policy.valid_until", "is before valid_from")])
    except RegistryFileError as exc:
        return _policy_page(p, cid, 422, values, exc)
    try:
        with ops_errors():
            saved = ops.put_policy(p.svc, cid, doc, p.who)
    except RegistryFileError as exc:
        return _policy_page(p, cid, 422, values, exc)
    p.flash("ok", p.t("policy.saved", n=saved["version"]) if saved["changed"] else p.t("policy.unchanged"))
    return p.redirect(f"/characters/{cid}")
