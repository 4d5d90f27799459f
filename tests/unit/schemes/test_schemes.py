"""Schemes as data: the bundled files, validation errors, the published JSON Schema."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from qcert.schemes import (
    RuleViolation,
    SchemeError,
    SchemeNotFound,
    bundled,
    footprint,
    get,
    json_schema,
    maturity,
    parse,
    sectors,
)
from qcert.schemes.reference import audit_methods

ROOT = Path(__file__).parents[3]
DATA = ROOT / "src" / "qcert" / "schemes" / "data"


def test_every_required_scheme_is_bundled():
    standards = {s.standard.code for s in bundled().values()}
    assert {
        "ISO 9001",
        "ISO 14001",
        "ISO 45001",
        "ISO/IEC 27001",
        "ISO/IEC 17067",
        "GB/T 27922",
        "GB/T 39116",
        "ISO 14067",
        "GB/T 35273",
        "GB 25501",
    } <= standards
    kinds = {s.kind.value for s in bundled().values()}
    assert kinds == {"management-system", "product", "service"}


def test_schemes_are_found_by_id_or_short_name():
    assert get("iso9001") is get("urn:qcert:scheme:iso9001:2015")
    with pytest.raises(SchemeNotFound, match="no scheme 'iso9999'"):
        get("iso9999")


def test_published_json_schema_is_current():
    assert (ROOT / "docs" / "scheme.schema.json").read_text() == json_schema(), (
        "regenerate: python -c 'from qcert.schemes import json_schema; "
        'open("docs/scheme.schema.json","w").write(json_schema())\''
    )


def test_bundled_files_validate_against_the_published_schema():
    schema = json.loads(json_schema())
    for path in DATA.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


def _iso9001() -> dict:
    return yaml.safe_load((DATA / "iso9001.yaml").read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("clauses"), "clauses: Field required"),
        (lambda d: d.update(id="iso9001"), "id: String should match pattern"),
        (lambda d: d.update(kind="toy"), "kind: Input should be"),
        (
            lambda d: d["clauses"][0]["clauses"].append(d["clauses"][0]["clauses"][0]),
            "clause ids must be unique; repeated: 4.1",
        ),
        (lambda d: d["audit_time"].update(table="xyz"), "iaf-md5 needs table"),
        (
            lambda d: d["mappings"][0]["pairs"].append(
                {"clause": "99", "target": "1", "relation": "equal"}
            ),
            "unknown clause '99'",
        ),
        (lambda d: d["clauses"][0]["title"].pop("zh-CN"), "clauses.0.title.zh-CN: Field required"),
        (lambda d: d.update(validity_years=0), "validity_years: Input should be greater than"),
        (lambda d: d["stages"][0].pop("phase"), "stages.0.phase: Field required"),
        (lambda d: d["stages"][0].pop("source"), "stages.0.source: Field required"),
        (
            lambda d: d["decision_rules"][1].update(check="auditor-smiled"),
            "unknown check 'auditor-smiled'; the lifecycle implements stages-done, "
            "nonconformities-closed, nonconformities-answered, test-passed, decider-independent",
        ),
        (
            lambda d: d.update(decision_rules=d["decision_rules"][1:]),
            "a rule with check stages-done is needed",
        ),
        (
            lambda d: d["decision_rules"][1].update(stage="stage3"),
            "decision rule 'majors-closed' names unknown stage 'stage3'",
        ),
        (
            lambda d: d["decision_rules"].append(
                {**d["decision_rules"][1], "id": "t", "check": "test-passed", "stage": "stage2"}
            ),
            "decision rule 't': test-passed needs a stage with activity test",
        ),
        (
            lambda d: d.update(stages=[s for s in d["stages"] if s["phase"] != "initial"]),
            "at least one initial stage",
        ),
        (
            lambda d: d.update(stages=[s for s in d["stages"] if s["phase"] != "surveillance"]),
            "a surveillance audit is needed",
        ),
        (
            lambda d: d["surveillance"].update(product_sampling=True),
            "product_sampling needs a surveillance stage with activity: test",
        ),
        (
            lambda d: d["stages"].append(d["stages"][0]),
            "stage ids must be unique; repeated: stage1",
        ),
    ],
)
def test_invalid_scheme_files_are_refused_naming_the_field(change, message):
    data = _iso9001()
    change(data)
    with pytest.raises(SchemeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(yaml.safe_dump(data, allow_unicode=True), "test.yaml")


def test_every_bundled_scheme_declares_the_stages_its_flow_needs():
    initial = {s.id: [x.id for x in s.stages_in("initial")] for s in bundled().values()}
    assert initial["urn:qcert:scheme:iso9001:2015"] == ["stage1", "stage2"]
    assert initial["urn:qcert:scheme:product:generic"] == ["type-test", "factory-inspection"]
    product = get("product")
    assert [s.id for s in product.stages_in("initial", "test")] == ["type-test"]
    assert [s.id for s in product.stages_in("surveillance", "test")] == ["sampling"]
    for scheme in bundled().values():
        assert scheme.stages_in("surveillance", "audit") and scheme.stages_in("special", "audit")
        assert any(r.check == "stages-done" for r in scheme.decision_rules), scheme.id
        if scheme.validity_years == 3:  # renewed at the end of a cycle
            assert scheme.stages_in("recertification", "audit"), scheme.id


def test_broken_yaml_is_refused_with_its_line():
    with pytest.raises(SchemeError, match=r"test\.yaml: line 2"):
        parse("id: x\n  - : [\n", "test.yaml")


def test_a_new_scheme_is_a_new_file():
    data = _iso9001()
    data["id"] = "urn:qcert:scheme:iso9001:2026-draft"
    data["mappings"] = []
    scheme = parse(yaml.safe_dump(data, allow_unicode=True))
    assert scheme.id.endswith("2026-draft")


def test_sector_codes_and_method_codes():
    codes = sectors()
    assert sorted(codes) == list(range(1, 40))
    assert codes[33].en == "Information technology" and codes[33].zh == "信息技术"
    assert set(audit_methods()) == {"FS01", "FS02", "FS03"}


def test_maturity_scoring_reaches_levels_by_weighted_score():
    scheme = get("smart-manufacturing")
    leaves = [c.id for c in scheme.all_clauses() if not c.clauses]
    assert maturity(scheme, dict.fromkeys(leaves, 0.5)).level == 3
    assert maturity(scheme, dict.fromkeys(leaves, 1.0)).level == 5
    scores = dict.fromkeys(leaves, 0.0) | {"M.2": 1.0}  # weight 6 of 19
    assert maturity(scheme, scores).score == round(6 / 19, 4)
    with pytest.raises(RuleViolation, match="missing clause"):
        maturity(scheme, {"P.1": 1})


def test_carbon_footprint_is_activity_times_factor():
    scheme = get("carbon-footprint")
    result = footprint(scheme, {"electricity.cn-grid": 10, "steel": 2.5, "diesel": 0.1})
    assert result.total_kg_co2e == pytest.approx(10 * 0.5366 + 2.5 * 2.0 + 0.1 * 3.186)
    assert result.by_stage["raw-materials"] == 5.0
    with pytest.raises(RuleViolation, match="no such emission factor"):
        footprint(scheme, {"coal": 1})
    with pytest.raises(RuleViolation, match="must not be negative"):
        footprint(scheme, {"steel": -1})
