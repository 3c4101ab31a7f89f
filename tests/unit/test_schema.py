import pytest

from drugsig.errors import InputError
from drugsig.schema import validate_config

MINIMAL = {
    "samples": "config/samples.tsv",
    "units": "config/units.tsv",
    "reference": {"fasta": "g.fa", "gtf": "g.gtf"},
}


def test_defaults_are_filled():
    config = validate_config(dict(MINIMAL), "my.yaml")
    assert config["diffexp"]["vehicle"] == "DMSO"
    assert config["trimming"]["quality_cutoff"] == 20
    assert config["counting"]["strandedness"] == "reverse"
    assert config["signatures"]["marker_genes"][:4] == ["CDKN1A", "BBC3", "MDM2", "GDF15"]


def test_given_values_are_kept():
    config = validate_config({**MINIMAL, "diffexp": {"vehicle": "PBS"}}, "my.yaml")
    assert config["diffexp"]["vehicle"] == "PBS"
    assert config["diffexp"]["alpha"] == 0.05


def test_misspelt_top_level_key_gets_suggestion():
    with pytest.raises(InputError) as error:
        validate_config({**MINIMAL, "trimmming": {}}, "my.yaml")
    assert str(error.value) == (
        "my.yaml: top level: unknown key 'trimmming' (did you mean 'trimming'?). Allowed keys: "
        "counting, diffexp, reference, samples, signatures, star, trimming, units."
    )


def test_misspelt_nested_key_gets_suggestion():
    with pytest.raises(InputError) as error:
        validate_config({**MINIMAL, "diffexp": {"vehicel": "DMSO"}}, "my.yaml")
    assert "my.yaml: 'diffexp': unknown key 'vehicel' (did you mean 'vehicle'?)." in str(
        error.value
    )


def test_bad_enum_value():
    with pytest.raises(InputError) as error:
        validate_config({**MINIMAL, "counting": {"strandedness": "yes"}}, "my.yaml")
    assert str(error.value) == (
        "my.yaml: 'counting.strandedness': 'yes' is not one of none, forward, reverse."
    )


def test_missing_reference():
    config = {key: value for key, value in MINIMAL.items() if key != "reference"}
    with pytest.raises(InputError, match="my.yaml: top level: required key 'reference'"):
        validate_config(config, "my.yaml")
