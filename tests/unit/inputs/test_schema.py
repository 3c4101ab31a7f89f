import pytest

from drugsig.errors import InputError
from drugsig.inputs.schema import check_inputs_mode, validate_config

MINIMAL = {
    "samples": "config/samples.tsv",
    "units": "config/units.tsv",
    "reference": {"fasta": "g.fa", "gtf": "g.gtf"},
}


def test_defaults_are_filled():
    config = validate_config(dict(MINIMAL), "my.yaml")
    assert config["diffexp"]["vehicle"] == "DMSO"
    assert config["trimming"]["quality_cutoff"] == 20
    assert config["counting"]["strandedness"] == "auto"
    assert config["aligner"] == "star"
    assert config["counts"] is None
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
        "aligner, comparison, concentration_response, counting, counts, counts_extra_columns, "
        "diffexp, "
        "dose_response, fastq_qc, genesets, hisat2, qpcr, reference, resistance, sample_qc, "
        "samples, signatures, star, trimming, units, viability."
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
        "my.yaml: 'counting.strandedness': 'yes' is not one of none, forward, reverse, auto."
    )


def test_fastq_mode_needs_a_reference():
    config = validate_config({k: v for k, v in MINIMAL.items() if k != "reference"}, "my.yaml")
    with pytest.raises(InputError) as error:
        check_inputs_mode(config, "my.yaml")
    assert str(error.value) == (
        "my.yaml: 'reference' needs fasta and gtf paths, or a preset "
        "({source: ensembl|gencode, release: N})."
    )


def test_fastq_mode_needs_units():
    config = validate_config({k: v for k, v in MINIMAL.items() if k != "units"}, "my.yaml")
    with pytest.raises(InputError, match="required key 'units' is missing .or give 'counts'"):
        check_inputs_mode(config, "my.yaml")


def test_count_mode_needs_neither_units_nor_fasta():
    config = validate_config({"samples": "s.tsv", "counts": "counts.tsv"}, "my.yaml")
    check_inputs_mode(config, "my.yaml")
    check_inputs_mode({**config, "reference": {"gtf": "a.gtf"}}, "my.yaml")


def test_preset_and_paths_together_is_an_error():
    config = {**MINIMAL, "reference": {"fasta": "a.fa", "preset": {"source": "ensembl",
                                                                     "release": 112}}}  # fmt: skip
    with pytest.raises(InputError, match="has both a preset and fasta/gtf paths"):
        check_inputs_mode(validate_config(config, "my.yaml"), "my.yaml")


@pytest.mark.parametrize(
    ("value", "problem"),
    [(0, "0 is less than the minimum of 1"), (2.5, "2.5 is not of type 'integer'")],
)
def test_samples_per_check_job_must_be_a_positive_integer(value, problem):
    assert validate_config(dict(MINIMAL), "my.yaml")["fastq_qc"]["samples_per_check_job"] == 20
    with pytest.raises(InputError) as error:
        validate_config({**MINIMAL, "fastq_qc": {"samples_per_check_job": value}}, "my.yaml")
    assert str(error.value) == f"my.yaml: 'fastq_qc.samples_per_check_job': {problem}."
