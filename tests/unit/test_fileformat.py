from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from mamori.registry.fileformat import RegistryFileError, load_file, parse_document, to_document

DATA = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"


@pytest.fixture
def doc() -> dict:
    return yaml.safe_load(DATA.read_text())


def problems(doc: dict) -> list[str]:
    with pytest.raises(RegistryFileError) as info:
        parse_document(doc, "reg.yaml")
    return [str(p) for p in info.value.problems]


def test_loads_and_round_trips() -> None:
    reg = load_file(DATA)
    assert [c.id for c in reg.characters] == ["mirai", "tobio", "kappa-x"]
    mirai = reg.characters[0]
    assert mirai.policy is not None and mirai.policy.territories == ("JP", "US")
    assert str(mirai.policy.fee_per_generation.amount) == "0.05"
    assert reg.characters[1].policy is None and reg.characters[1].effective_policy.generation == "block"
    assert parse_document(to_document(reg), check_files=False) == reg


def test_every_problem_has_a_path(doc: dict) -> None:
    doc["characters"][0]["policy"]["territories"] = ["JP", "XX"]
    doc["characters"][0]["policy"]["valid_from"] = "2026-02-30"
    doc["characters"][0]["colour"] = "red"
    doc["characters"][2]["policy"]["generation"] = "maybe"
    doc["characters"][0]["policy"]["fee_per_generation"]["currency"] = "YEN"
    got = problems(doc)
    assert (
        "characters[0].policy.territories[1]: 'XX' is not an ISO 3166-1 alpha-2 country code (e.g. JP, US)"
        in got
    )
    assert any(p.startswith("characters[0].policy.valid_from:") for p in got)
    assert "characters[0].colour: unknown key" in got
    assert any(p.startswith("characters[2].policy.generation:") for p in got)
    assert any(p.startswith("characters[0].policy.fee_per_generation.currency:") for p in got)


def test_dangling_and_duplicate_ids(doc: dict) -> None:
    doc["characters"][1]["work"] = "no-such-work"
    doc["characters"].append(copy.deepcopy(doc["characters"][0]))
    doc["works"][1]["rightsholder"] = "nobody"
    got = problems(doc)
    assert "characters[1].work: no work with id 'no-such-work'" in got
    assert "characters[3].id: duplicate id 'mirai' (first at characters[0])" in got
    assert "works[1].rightsholder: no rightsholder with id 'nobody'" in got


@pytest.mark.parametrize(
    "mutate, path",
    [
        (lambda d: d.update(format="mamori-registry/2"), "format"),
        (lambda d: d["characters"][0].update(id="Mirai!"), "characters[0].id"),
        (
            lambda d: d["characters"][0]["policy"].update(revenue_share=1.5),
            "characters[0].policy.revenue_share",
        ),
        (
            lambda d: d["characters"][0]["policy"].update(themes_forbidden=["gore"]),
            "characters[0].policy.themes_forbidden[0]",
        ),
        (
            lambda d: d["characters"][0]["policy"].update(valid_until="2025-01-01"),
            "characters[0].policy.valid_until",
        ),
        (lambda d: d["characters"][0].update(names=[]), "characters[0].names"),
        (lambda d: d["characters"][0].update(names=["  "]), "characters[0].names[0]"),
        (lambda d: d["characters"][0].update(references=["../../etc/passwd"]), "characters[0].references[0]"),
        (lambda d: d["works"][0].update(titles="Star Courier"), "works[0].titles"),
    ],
)
def test_rejects_bad_values(doc: dict, mutate, path: str) -> None:  # type: ignore[no-untyped-def]
    mutate(doc)
    assert any(p.startswith(path + ":") for p in problems(doc)), problems(doc)


def test_not_a_mapping_and_not_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(RegistryFileError, match="mapping"):
        load_file(bad)
    bad.write_text("format: [unclosed\n")
    with pytest.raises(RegistryFileError, match="not valid YAML"):
        load_file(bad)
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RegistryFileError, match="not UTF-8"):
        load_file(bad)
    with pytest.raises(RegistryFileError, match="cannot read"):
        load_file(tmp_path / "missing.yaml")


def test_missing_reference_file(tmp_path: Path, doc: dict) -> None:
    doc["characters"][0]["references"] = ["refs/mirai.png"]
    f = tmp_path / "reg.yaml"
    f.write_text(yaml.safe_dump(doc))
    with pytest.raises(RegistryFileError, match=r"characters\[0\]\.references\[0\]: file not found"):
        load_file(f)


def test_json_registry(tmp_path: Path) -> None:
    import json

    reg = load_file(DATA)
    f = tmp_path / "reg.json"
    f.write_text(json.dumps(to_document(reg), ensure_ascii=False))
    assert load_file(f) == reg


def test_policy_on_its_own_uses_the_same_rules() -> None:
    from mamori.registry.fileformat import policy_from_json

    assert policy_from_json({"generation": "license", "territories": ["JP"]}).territories == ("JP",)
    with pytest.raises(RegistryFileError) as info:
        policy_from_json({"generation": "license", "valid_from": "2027-01-01", "valid_until": "2026-01-01"})
    assert [str(p) for p in info.value.problems] == ["policy.valid_until: is before valid_from"]
    with pytest.raises(RegistryFileError) as info:
        policy_from_json({"generation": "license", "territories": ["ZZ"]})
    assert info.value.problems[0].path == "policy.territories[0]"


def test_homonym_fields_validated_and_round_trip(doc: dict) -> None:
    doc["characters"][0]["ambiguous"] = True
    doc["characters"][0]["other_senses"] = ["place", "word:nl", "brand"]
    reg = parse_document(doc, "reg.yaml", check_files=False)
    assert reg.characters[0].ambiguous is True
    assert reg.characters[0].other_senses == ("place", "word:nl", "brand")
    assert reg.characters[1].ambiguous is None and reg.characters[1].other_senses == ()
    assert parse_document(to_document(reg), check_files=False) == reg
    bad = copy.deepcopy(doc)
    bad["characters"][0]["other_senses"] = ["planet", "place:nl"]
    got = problems(bad)
    assert any("characters[0].other_senses" in p and "unknown sense 'planet'" in p for p in got), got
    bad["characters"][0]["other_senses"] = ["place:nl"]
    assert any("unknown sense 'place:nl'" in p for p in problems(bad))
    bad["characters"][0]["other_senses"] = ["place"]
    bad["characters"][0]["ambiguous"] = "sometimes"
    assert any("characters[0].ambiguous" in p for p in problems(bad))
