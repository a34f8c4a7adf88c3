"""The registry file format `mamori-registry/1` (YAML or JSON): parse, validate, export.

Validation reports every problem with the file, the path inside the document (`characters[3].policy.territories[0]`)
and what is wrong, so a rightsholder can fix a file in one pass. A file with any problem imports nothing.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import pycountry
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from mamori.registry import yamlload
from mamori.registry.model import (
    SENSE_KINDS,
    THEMES,
    Character,
    Money,
    Policy,
    Registry,
    Rightsholder,
    Work,
)
from mamori.textsafe import describe

FORMAT = "mamori-registry/1"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_ID = 128
MAX_TEXT = 500  # a name, title or trait longer than this is a mistake, not a name


@dataclass(frozen=True)
class Problem:
    path: str  # "characters[3].policy.territories[0]"
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<document>'}: {self.message}"


class RegistryFileError(ValueError):
    """A registry file that cannot be imported; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {source}: {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: {len(problems)} problem(s) in registry file\n{lines}{more}")


def _no_blank(value: Any) -> Any:
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            raise ValueError("must not be empty")
        if len(stripped) > MAX_TEXT:
            raise ValueError(f"longer than {MAX_TEXT} characters")
        # isprintable() is one C pass and true for nearly every name; only the rest are scanned per character
        bad = None if stripped.isprintable() else next((ch for ch in stripped if _hidden(ch)), None)
        if bad is not None:
            raise ValueError(
                f"contains {describe(bad)} at position {stripped.index(bad)}: a control, invisible or "
                "unencodable character (write names, titles and traits as plain text)"
            )
        return stripped
    return value


# Zero-width (non-)joiners are part of spelling in Persian, Indic scripts and emoji, so names may hold them.
_JOINERS = frozenset("\u200c\u200d")


def _hidden(ch: str) -> bool:
    """Control (NUL, DEL, C1), format (zero-width space, bidi override, BOM) or lone surrogate."""
    if ch.isprintable() or ch == " ":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in _JOINERS


def brief(value: Any, limit: int = 60) -> str:
    """A value quoted in a message, cut short: a problem report never carries a whole (maybe huge) value."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slug(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_ID:
        raise ValueError(f"an id is at most {MAX_ID} characters; this one has {len(value):,}")
    if isinstance(value, str) and not SLUG.fullmatch(
        value
    ):  # fullmatch: '$' alone lets a trailing newline in
        raise ValueError(
            f"{brief(value)} is not an id: use lower-case letters, digits and '-' ([a-z0-9][a-z0-9-]*)"
        )
    return value


@functools.cache
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    """ISO 3166-1 alpha-2 and ISO 4217 codes, as sets: one lookup per value instead of pycountry's per-call work."""
    return (
        frozenset(c.alpha_2 for c in pycountry.countries),
        frozenset(c.alpha_3 for c in pycountry.currencies),
    )


def _country(value: Any) -> Any:
    if isinstance(value, str):  # any case, as pycountry reads them; stored upper-case, as contexts are
        if value.upper() not in _codes()[0]:
            raise ValueError(f"{brief(value)} is not an ISO 3166-1 alpha-2 country code (e.g. JP, US)")
        return value.upper()
    return value


def _currency(value: Any) -> Any:
    if isinstance(value, str):
        if value.upper() not in _codes()[1]:
            raise ValueError(f"{brief(value)} is not an ISO 4217 currency code (e.g. JPY, USD)")
        return value.upper()
    return value


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a timestamp")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{brief(value)} is not a date (YYYY-MM-DD)") from None
    raise ValueError("must be a date (YYYY-MM-DD)")


def _decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, int | float | str):
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{brief(value)} is not a number") from None
        if not d.is_finite():
            raise ValueError("must be a finite number")
        return d
    raise ValueError("must be a number")


Text = Annotated[str, BeforeValidator(_no_blank)]
Slug = Annotated[str, BeforeValidator(_slug)]
Country = Annotated[str, BeforeValidator(_country)]
Currency = Annotated[str, BeforeValidator(_currency)]
Day = Annotated[date, BeforeValidator(_date)]
Amount = Annotated[Decimal, BeforeValidator(_decimal)]
Theme = Literal[THEMES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MoneyIn(_Strict):
    amount: Amount
    currency: Currency

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, v: Decimal) -> Decimal:
        if v < 0:
            raise ValueError("must not be negative")
        return v


class PolicyIn(_Strict):
    generation: Literal["block", "license", "track"] = "block"
    themes_forbidden: list[Theme] = Field(default_factory=list)
    territories: list[Country] | None = None
    licensees: list[Slug] | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    fee_per_generation: MoneyIn | None = None
    revenue_share: Amount | None = None
    attribution: Text | None = None
    training: Literal["block", "allow"] = "block"

    @field_validator("revenue_share")
    @classmethod
    def _fraction(cls, v: Decimal | None) -> Decimal | None:
        if v is not None and not (0 <= v <= 1):
            raise ValueError("must be a fraction between 0 and 1")
        return v


class RightsholderIn(_Strict):
    id: Slug
    name: Text
    country: Country | None = None


class WorkIn(_Strict):
    id: Slug
    rightsholder: Slug
    titles: list[Text] = Field(default_factory=list)


class CharacterIn(_Strict):
    id: Slug
    work: Slug
    names: list[Text] = Field(min_length=1)
    traits: list[Text] = Field(default_factory=list)
    references: list[Text] = Field(default_factory=list)
    voices: list[Text] = Field(default_factory=list)
    policy: PolicyIn | None = None
    ambiguous: bool | None = None
    other_senses: list[Text] = Field(default_factory=list)

    @field_validator("other_senses")
    @classmethod
    def _senses(cls, v: list[str]) -> list[str]:
        for sense in v:
            kind, _, lang = sense.partition(":")
            if kind not in SENSE_KINDS or (
                lang and (kind != "word" or not re.fullmatch(r"[a-z]{2,3}", lang))
            ):
                raise ValueError(
                    f"unknown sense {sense!r}: one of {', '.join(SENSE_KINDS)} (a word may name its language: word:nl)"
                )
        return v


class RegistryIn(_Strict):
    format: Literal["mamori-registry/1"]
    rightsholders: list[RightsholderIn] = Field(default_factory=list)
    works: list[WorkIn] = Field(default_factory=list)
    characters: list[CharacterIn] = Field(default_factory=list)


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "literal[")) or part in ("str", "date", "decimal"):
            continue  # pydantic's internal validator names
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def _policy(p: PolicyIn | None) -> Policy | None:
    if p is None:
        return None
    fee = Money(p.fee_per_generation.amount, p.fee_per_generation.currency) if p.fee_per_generation else None
    return Policy(
        generation=p.generation,
        themes_forbidden=tuple(dict.fromkeys(p.themes_forbidden)),
        territories=tuple(p.territories) if p.territories is not None else None,
        licensees=tuple(p.licensees) if p.licensees is not None else None,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        fee_per_generation=fee,
        revenue_share=p.revenue_share,
        attribution=p.attribution,
        training=p.training,
    )


def _cross_check(
    rightsholders: Sequence[RightsholderIn],
    works_in: Sequence[WorkIn],
    characters: Sequence[Character],
    base_dir: Path | None,
    check_files: bool,
) -> list[Problem]:
    problems: list[Problem] = []

    def dupes(kind: str, ids: list[str]) -> None:
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in seen:
                problems.append(
                    Problem(f"{kind}[{i}].id", f"duplicate id {ident!r} (first at {kind}[{seen[ident]}])")
                )
            else:
                seen[ident] = i

    dupes("rightsholders", [r.id for r in rightsholders])
    dupes("works", [w.id for w in works_in])
    dupes("characters", [c.id for c in characters])
    holders = {r.id for r in rightsholders}
    works = {w.id for w in works_in}
    for i, w in enumerate(works_in):
        if w.rightsholder not in holders:
            problems.append(
                Problem(f"works[{i}].rightsholder", f"no rightsholder with id {w.rightsholder!r}")
            )
    for i, c in enumerate(characters):
        if c.work not in works:
            problems.append(Problem(f"characters[{i}].work", f"no work with id {c.work!r}"))
        p = c.policy
        if p and p.valid_from and p.valid_until and p.valid_from > p.valid_until:
            problems.append(Problem(f"characters[{i}].policy.valid_until", "is before valid_from"))
        for field, j, ref in [("references", j, r) for j, r in enumerate(c.references)] + [
            ("voices", j, r) for j, r in enumerate(c.voices)
        ]:
            path = Path(ref)
            where = f"characters[{i}].{field}[{j}]"
            if path.is_absolute() or ".." in path.parts:
                problems.append(
                    Problem(where, "must be a path relative to the registry file, inside its folder")
                )
            elif check_files and base_dir is not None and not (base_dir / path).is_file():
                problems.append(Problem(where, f"file not found: {base_dir / path}"))
    return problems


def parse_document(
    data: Any,
    source: str = "<registry>",
    base_dir: Path | None = None,
    check_files: bool = True,
    consume: bool = False,
) -> Registry:
    """Validate an already-decoded document; raise RegistryFileError listing every problem. With `consume` the
    document's character list is emptied as it is read (load_file: the decoded file is not needed after)."""
    if not isinstance(data, dict):
        raise RegistryFileError(
            source, [Problem("", "a registry file is a mapping with 'format: mamori-registry/1'")]
        )
    if data.get("format") != FORMAT:
        got = data.get("format")
        raise RegistryFileError(source, [Problem("format", f"expected {FORMAT!r}, got {brief(got)}")])
    chars_in = data.get("characters", [])
    if not isinstance(chars_in, list):  # let the model say what is wrong with it
        chars_in, data = [], data
    else:
        data = {k: v for k, v in data.items() if k != "characters"}
    problems: list[Problem] = []
    try:
        doc = RegistryIn.model_validate(data)
    except ValidationError as exc:
        problems += [Problem(_loc(e["loc"]), _message(dict(e))) for e in exc.errors()]
        doc = None
    characters = _characters(chars_in, problems, consume)
    if doc is not None and not problems:
        problems = _cross_check(doc.rightsholders, doc.works, characters, base_dir, check_files)
    if problems or doc is None:
        raise RegistryFileError(source, problems)
    return Registry(
        rightsholders=tuple(Rightsholder(r.id, r.name, r.country) for r in doc.rightsholders),
        works=tuple(Work(w.id, w.rightsholder, tuple(w.titles)) for w in doc.works),
        characters=tuple(characters),
        base_dir=str(base_dir) if base_dir is not None else None,
    )


def _characters(items: list[Any], problems: list[Problem], consume: bool) -> list[Character]:
    """Each character validated on its own and turned into the domain object at once: at 60,000 characters the
    document, its models and the registry are never all in memory together (with `consume`, each item of the
    decoded list is dropped once read)."""
    out: list[Character] = []
    validate = CharacterIn.model_validate
    for i, item in enumerate(items):
        try:
            c = validate(item)
        except ValidationError as exc:
            problems += [Problem(_loc(("characters", i, *e["loc"])), _message(dict(e))) for e in exc.errors()]
            continue
        finally:
            if consume:
                items[i] = None
        out.append(
            Character(
                id=c.id,
                work=c.work,
                names=tuple(dict.fromkeys(c.names)),
                traits=tuple(dict.fromkeys(c.traits)),
                references=tuple(c.references),
                policy=_policy(c.policy),
                ambiguous=c.ambiguous,
                other_senses=tuple(dict.fromkeys(c.other_senses)),
                voices=tuple(dict.fromkeys(c.voices)),
            )
        )
    return out


def decode_text(raw: bytes, source: str) -> Any:
    """YAML is a superset of JSON for our purposes; both decode here (libyaml's parser when PyYAML has it).

    Hostile files get a problem, never a traceback: nesting past MAX_DEPTH, aliases that expand past MAX_VALUES
    (a 'billion laughs'), an alias that contains itself. Messages give line and column, never the file's text."""
    if len(raw) > MAX_FILE_BYTES:
        raise RegistryFileError(
            source, [Problem("", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError(source, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from None
    has_anchors = "&" in text
    if not source.endswith(".json"):
        text = ""  # YAML is parsed from the bytes (checked above): one copy of a large file, not two
    try:
        doc = json.loads(text) if source.endswith(".json") else yamlload.load(raw, MAX_DEPTH)
    except RecursionError:
        raise RegistryFileError(
            source, [Problem("", "nested too deeply to read (a registry is 5 levels deep)")]
        ) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise RegistryFileError(source, [Problem("", f"not valid JSON: {exc.msg} ({where})")]) from None
    except yaml.YAMLError as exc:
        raise RegistryFileError(source, [Problem("", f"not valid YAML: {_yaml_problem(exc)}")]) from None
    except yamlload.YamlLoadError as exc:
        raise RegistryFileError(source, [Problem("", f"not valid YAML: {exc}")]) from None
    if has_anchors and isinstance(doc, dict | list) and not source.endswith(".json"):
        _check_shape(doc, source)  # anchors: aliases may expand or refer to themselves
    return doc


MAX_DEPTH = 64  # a registry is 5 levels deep; a little room for mistakes, none for a parser bomb
MAX_VALUES = 20_000_000  # values after YAML aliases are expanded (60,000 characters are ~2 million)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What PyYAML found and where, without the snippet of the file it would quote."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "syntax error"
        return f"{what} (line {mark.line + 1}, column {mark.column + 1})" if mark else what
    return type(exc).__name__


def _check_shape(doc: Any, source: str) -> None:
    """Depth, expanded size and self-reference of a decoded document, without recursion (shared nodes once)."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values once expanded, depth)
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = [k for k in (node.values() if isinstance(node, dict) else node) if isinstance(k, dict | list)]
        if done:
            n, depth = len(node) + 1, 0
            for k in kids:
                kn, kd = sizes[id(k)]
                n += kn - 1
                depth = max(depth, kd)
            sizes[key] = (n, depth + 1)
            open_.discard(key)
            if depth + 1 > MAX_DEPTH:
                raise RegistryFileError(source, [Problem("", f"nested deeper than {MAX_DEPTH} levels")])
            if n > MAX_VALUES:
                raise RegistryFileError(
                    source,
                    [Problem("", f"YAML aliases expand to more than {MAX_VALUES:,} values (an alias bomb?)")],
                )
            continue
        if key in sizes:
            continue
        open_.add(key)
        stack.append((node, True))
        for k in kids:
            if id(k) in open_:
                raise RegistryFileError(
                    source, [Problem("", "a YAML alias refers to a value that contains it")]
                )
            if id(k) not in sizes:
                stack.append((k, False))


def load_file(path: str | Path, check_files: bool = True) -> Registry:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RegistryFileError(str(p), [Problem("", f"cannot read file: {exc.strerror or exc}")]) from None
    doc = decode_text(raw, str(p))
    del raw
    return parse_document(doc, str(p), p.resolve().parent, check_files, consume=True)


def _policy_out(p: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {"generation": p.generation}
    if p.themes_forbidden:
        out["themes_forbidden"] = list(p.themes_forbidden)
    if p.territories is not None:
        out["territories"] = list(p.territories)
    if p.licensees is not None:
        out["licensees"] = list(p.licensees)
    if p.valid_from:
        out["valid_from"] = p.valid_from.isoformat()
    if p.valid_until:
        out["valid_until"] = p.valid_until.isoformat()
    if p.fee_per_generation:
        out["fee_per_generation"] = p.fee_per_generation.to_json()
    if p.revenue_share is not None:
        out["revenue_share"] = str(p.revenue_share)
    if p.attribution:
        out["attribution"] = p.attribution
    out["training"] = p.training
    return out


def policy_to_json(p: Policy | None) -> dict[str, Any] | None:
    return _policy_out(p) if p is not None else None


def policy_from_json(data: dict[str, Any] | None, source: str = "<policy>") -> Policy | None:
    """Validate a policy on its own (API and console edits use the same rules as the file)."""
    if data is None:
        return None
    try:
        policy = PolicyIn.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(_loc(("policy", *e["loc"])), _message(dict(e))) for e in exc.errors()]
        raise RegistryFileError(source, problems) from None
    if policy.valid_from and policy.valid_until and policy.valid_from > policy.valid_until:
        raise RegistryFileError(source, [Problem("policy.valid_until", "is before valid_from")])
    return _policy(policy)


def to_document(reg: Registry) -> dict[str, Any]:
    """The inverse of parse_document: export round-trips through import."""
    chars = []
    for c in reg.characters:
        d: dict[str, Any] = {"id": c.id, "work": c.work, "names": list(c.names)}
        if c.traits:
            d["traits"] = list(c.traits)
        if c.references:
            d["references"] = list(c.references)
        if c.voices:
            d["voices"] = list(c.voices)
        if c.policy is not None:
            d["policy"] = _policy_out(c.policy)
        if c.ambiguous is not None:
            d["ambiguous"] = c.ambiguous
        if c.other_senses:
            d["other_senses"] = list(c.other_senses)
        chars.append(d)
    return {
        "format": FORMAT,
        "rightsholders": [
            {"id": r.id, "name": r.name, **({"country": r.country} if r.country else {})}
            for r in reg.rightsholders
        ],
        "works": [{"id": w.id, "rightsholder": w.rightsholder, "titles": list(w.titles)} for w in reg.works],
        "characters": chars,
    }


def dump_yaml(reg: Registry) -> str:
    return yaml.safe_dump(to_document(reg), allow_unicode=True, sort_keys=False)
