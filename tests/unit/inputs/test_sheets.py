from pathlib import Path

import pytest

from drugsig.errors import InputError
from drugsig.inputs.sheets import load_samples, load_units, read_sheet


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def samples_tsv(tmp_path):
    return write(
        tmp_path / "samples.tsv",
        "sample\tcondition\tcell_line\tdose\tbatch\n"
        "s1\tDMSO\tSJSA-1\t0\t\n"
        "s2\tNutlin-3a\tSJSA-1\t0.5\tb1\n",
    )


@pytest.fixture
def fastqs(tmp_path):
    for name in ("a_R1.fq.gz", "a_R2.fq.gz", "b_R1.fq.gz", "b_R2.fq.gz", "c.fq.gz"):
        (tmp_path / name).write_bytes(b"x")
    return tmp_path


def test_samples_empty_cells_are_none_not_nan(samples_tsv):
    samples = load_samples(samples_tsv)
    assert list(samples.index) == ["s1", "s2"]
    assert samples.loc["s1", "batch"] is None
    assert samples.loc["s2", "dose"] == "0.5"
    assert samples.loc["s2", "condition"] == "Nutlin-3a"


def test_sample_name_with_space_is_rejected(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\nok\tDMSO\nbad name\tDMSO\n")
    with pytest.raises(InputError) as error:
        load_samples(sheet)
    assert str(error.value) == (
        f"{sheet}, line 3 (sample 'bad name'): 'sample': 'bad name' is not allowed; expected "
        "sample name: letters, digits, '.', '_' and '-' only, starting and ending with a "
        "letter or digit (it becomes part of file names)."
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"PK\x03\x04" + bytes(40), "the file is a zip archive (an Excel .xlsx workbook?), not a "
         "text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40), "the file is an Excel .xls workbook "
         "(or another Office document), not a text file"),
        ("sample\tcondition\ns1\tDMSO\n".encode("utf-16"), "the file is UTF-16 text, not UTF-8"),
        (b"\x1f\x8b\x08\x00", "the sheet is gzip-compressed; decompress it (gunzip)"),
        (b"sample\tcondition\ns1\x00\tDMSO\n", "the file holds binary data (a NUL byte at byte "
         "20), not text"),
    ],
)  # fmt: skip
def test_sheet_that_is_not_text_is_rejected(tmp_path, data, problem):
    sheet = tmp_path / "samples.tsv"
    sheet.write_bytes(data)
    with pytest.raises(InputError) as error:
        read_sheet(sheet)
    assert str(error.value) == (f"{sheet}: {problem}. Save it as UTF-8 tab-separated values (TSV).")


def test_sample_names_with_dots_are_accepted(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\ndose0.22_r1\tX\nDMSO.log2_a\tDMSO\n")
    assert list(load_samples(sheet).index) == ["dose0.22_r1", "DMSO.log2_a"]


@pytest.mark.parametrize("name", ["x.", "x_", ".x", "x-"])
def test_sample_name_must_end_with_a_letter_or_digit(tmp_path, name):
    sheet = write(tmp_path / "s.tsv", f"sample\tcondition\n{name}\tDMSO\n")
    with pytest.raises(InputError, match="starting and ending with a letter or digit"):
        load_samples(sheet)


def test_shell_metacharacters_are_rejected(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\ns1;rm\tDMSO\n")
    with pytest.raises(InputError, match=r"line 2 \(sample 's1;rm'\): 'sample': 's1;rm' is not"):
        load_samples(sheet)


def test_missing_condition_names_line(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\ns1\tDMSO\ns2\t\n")
    with pytest.raises(InputError) as error:
        load_samples(sheet)
    assert str(error.value) == (
        f"{sheet}, line 3 (sample 's2'): top level: required key 'condition' is missing."
    )


def test_non_numeric_dose(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\tdose\ns1\tDMSO\t5uM\n")
    with pytest.raises(InputError, match=r"'dose': '5uM' is not allowed; expected dose"):
        load_samples(sheet)


def test_duplicate_sample(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\ns1\tDMSO\ns1\tDMSO\n")
    with pytest.raises(InputError) as error:
        load_samples(sheet)
    assert str(error.value) == (
        f"{sheet}, line 3: duplicate sample name 's1' (first on line 2). "
        "Sample names must be unique."
    )


def test_comma_separated_sheet_is_named(tmp_path):
    sheet = write(tmp_path / "s.csv", "sample,condition\ns1,DMSO\n")
    with pytest.raises(InputError) as error:
        read_sheet(sheet)
    assert str(error.value) == (
        f"{sheet}, line 1: the sheet is not tab-separated (the header is split by commas). "
        "Save it as tab-separated values (TSV)."
    )


def test_missing_sheet(tmp_path):
    with pytest.raises(InputError, match="nope.tsv: file not found."):
        read_sheet(tmp_path / "nope.tsv")


def test_too_many_cells(tmp_path):
    sheet = write(tmp_path / "s.tsv", "sample\tcondition\ns1\tDMSO\textra\n")
    with pytest.raises(InputError, match="line 2: 3 cells but the header has 2 columns"):
        read_sheet(sheet)


def test_comments_and_blank_lines_are_skipped(tmp_path):
    sheet = write(tmp_path / "s.tsv", "# a comment\nsample\tcondition\n\ns1\tDMSO\n")
    rows = read_sheet(sheet)
    assert rows == [{"_line": "4", "sample": "s1", "condition": "DMSO"}]


def units_sheet(tmp_path, body):
    return write(tmp_path / "units.tsv", "sample\tunit\tfq1\tfq2\n" + body)


def test_units_lanes_and_single_end(samples_tsv, fastqs):
    sheet = units_sheet(
        fastqs,
        f"s1\tL1\t{fastqs}/a_R1.fq.gz\t{fastqs}/a_R2.fq.gz\n"
        f"s1\tL2\t{fastqs}/b_R1.fq.gz\t{fastqs}/b_R2.fq.gz\n"
        f"s2\tL1\t{fastqs}/c.fq.gz\t\n",
    )
    units = load_units(sheet, load_samples(samples_tsv))
    assert [unit.unit for unit in units["s1"]] == ["L1", "L2"]
    assert units["s1"][0].paired and not units["s2"][0].paired
    assert units["s2"][0].fq2 is None


def test_unit_of_unknown_sample(samples_tsv, fastqs):
    sheet = units_sheet(fastqs, f"s1\tL1\t{fastqs}/c.fq.gz\t\nsX\tL1\t{fastqs}/c.fq.gz\t\n")
    with pytest.raises(InputError) as error:
        load_units(sheet, load_samples(samples_tsv))
    assert str(error.value) == (
        f"{sheet}, line 3: sample 'sX' is not in the samples sheet. Add it there or remove "
        "this unit."
    )


def test_sample_without_units(samples_tsv, fastqs):
    sheet = units_sheet(fastqs, f"s1\tL1\t{fastqs}/c.fq.gz\t\n")
    with pytest.raises(InputError) as error:
        load_units(sheet, load_samples(samples_tsv))
    assert str(error.value) == (
        f"{sheet}: sample(s) s2 of the samples sheet have no unit. Add their FASTQ files to "
        "the units sheet or remove them from the samples sheet."
    )


def test_missing_fastq(samples_tsv, fastqs):
    sheet = units_sheet(fastqs, f"s1\tL1\t{fastqs}/gone.fq.gz\t\ns2\tL1\t{fastqs}/c.fq.gz\t\n")
    with pytest.raises(InputError) as error:
        load_units(sheet, load_samples(samples_tsv))
    assert str(error.value) == f"{sheet}, line 2: fq1 file '{fastqs}/gone.fq.gz' not found."


def test_empty_fastq(samples_tsv, fastqs):
    (fastqs / "empty.fq.gz").write_bytes(b"")
    sheet = units_sheet(fastqs, f"s1\tL1\t{fastqs}/empty.fq.gz\t\n")
    with pytest.raises(InputError, match=r"line 2: fq1 file '.*empty.fq.gz' is empty\."):
        load_units(sheet, load_samples(samples_tsv))


def test_mixed_layout_and_duplicate_unit(samples_tsv, fastqs):
    mixed = units_sheet(
        fastqs,
        f"s1\tL1\t{fastqs}/a_R1.fq.gz\t{fastqs}/a_R2.fq.gz\ns1\tL2\t{fastqs}/c.fq.gz\t\n",
    )
    with pytest.raises(InputError, match="line 3: sample 's1' mixes single-end and paired-end"):
        load_units(mixed, load_samples(samples_tsv))
    duplicate = units_sheet(fastqs, f"s1\tL1\t{fastqs}/c.fq.gz\t\ns1\tL1\t{fastqs}/a_R1.fq.gz\t\n")
    with pytest.raises(InputError, match="line 3: duplicate unit 'L1' of sample 's1'."):
        load_units(duplicate, load_samples(samples_tsv))
