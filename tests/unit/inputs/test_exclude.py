"""Samples excluded by the samples sheet's ``exclude`` column."""

import pytest

from drugsig.counts.matrix import match_sample_columns
from drugsig.errors import InputError
from drugsig.inputs.sheets import load_samples, load_units


def write(path, text):
    path.write_text(text)
    return path


SHEET = "sample\tcondition\texclude\na1\tDMSO\t\na2\tDMSO\t\nb1\tdrug\tRIN 4.1\nb2\tdrug\t\n"


def test_excluded_samples_are_dropped_with_their_reasons(tmp_path):
    samples = load_samples(write(tmp_path / "s.tsv", SHEET))
    assert list(samples.index) == ["a1", "a2", "b2"]
    assert "exclude" not in samples.columns
    assert samples.attrs["excluded"] == {"b1": "RIN 4.1"}
    everything = load_samples(tmp_path / "s.tsv", keep_excluded=True)
    assert list(everything.index) == ["a1", "a2", "b1", "b2"]


def test_sheet_without_exclude_column(tmp_path):
    samples = load_samples(write(tmp_path / "s.tsv", "sample\tcondition\na1\tDMSO\n"))
    assert samples.attrs["excluded"] == {}


def test_every_sample_excluded_is_an_error(tmp_path):
    text = "sample\tcondition\texclude\na1\tDMSO\tbad\n"
    with pytest.raises(InputError, match="every sample"):
        load_samples(write(tmp_path / "s.tsv", text))


def test_units_of_excluded_samples_are_skipped(tmp_path):
    samples = load_samples(write(tmp_path / "s.tsv", SHEET))
    for name in ["a1", "a2", "b2"]:
        write(tmp_path / f"{name}.fq.gz", "x")
    units = "sample\tunit\tfq1\n" + "".join(
        f"{name}\tL1\t{tmp_path / name}.fq.gz\n" for name in ["a1", "a2", "b1", "b2"]
    )
    loaded = load_units(write(tmp_path / "u.tsv", units), samples, check_files=False)
    assert list(loaded) == ["a1", "a2", "b2"]


def test_count_matrix_columns_of_excluded_and_unknown_samples(tmp_path):
    samples = load_samples(write(tmp_path / "s.tsv", SHEET))
    columns = ["a1", "a2", "b1.bam", "b2"]
    assert match_sample_columns(columns, samples, "m.tsv") == {"a1": "a1", "a2": "a2", "b2": "b2"}
    with pytest.raises(InputError, match="Columns without a sample: junk"):
        match_sample_columns([*columns, "junk"], samples, "m.tsv")
    mapping = match_sample_columns([*columns, "junk"], samples, "m.tsv", extra_columns="ignore")
    assert list(mapping.values()) == ["a1", "a2", "b2"]
