import gzip

import pandas as pd
import pytest

from drugsig.errors import InputError
from drugsig.inputs.sheets import Unit
from drugsig.reads.raw_check import check_chunks, check_samples


def test_chunks_keep_sheet_order_and_only_the_last_one_grows():
    samples = [f"s{i}" for i in range(5)]
    assert check_chunks(samples, 2) == {
        "chunk1": ["s0", "s1"],
        "chunk2": ["s2", "s3"],
        "chunk3": ["s4"],
    }
    grown = check_chunks([*samples, "s5"], 2)
    assert grown["chunk1"] == ["s0", "s1"] and grown["chunk3"] == ["s4", "s5"]
    assert check_chunks(samples, 50) == {"chunk1": samples}
    assert check_chunks([], 50) == {}
    with pytest.raises(ValueError, match="at least 1"):
        check_chunks(samples, 0)


def write_fastq(path, n_reads, name="r", length=20):
    records = "".join(f"@{name}{i}\n{'A' * length}\n+\n{'I' * length}\n" for i in range(n_reads))
    path.write_bytes(gzip.compress(records.encode()))
    return str(path)


@pytest.fixture
def units(tmp_path):
    return {
        "s1": [
            Unit(
                "s1",
                "L1",
                write_fastq(tmp_path / "s1_L1_R1.fq.gz", 3),
                write_fastq(tmp_path / "s1_L1_R2.fq.gz", 3, length=30),
            ),
            Unit(
                "s1",
                "L2",
                write_fastq(tmp_path / "s1_L2_R1.fq.gz", 5),
                write_fastq(tmp_path / "s1_L2_R2.fq.gz", 5),
            ),
        ],
        "s2": [Unit("s2", "L1", write_fastq(tmp_path / "s2_R1.fq.gz", 4))],
    }


@pytest.mark.parametrize("threads", [1, 4])
def test_summary_has_one_row_per_unit_in_sheet_order(tmp_path, units, threads):
    table = check_samples(units, tmp_path / "summary.tsv", threads)
    written = pd.read_csv(tmp_path / "summary.tsv", sep="\t")
    assert written["sample"].tolist() == ["s1", "s1", "s2"]
    assert written["unit"].tolist() == ["L1", "L2", "L1"]
    assert written["records"].tolist() == [3, 5, 4]
    assert written["read2_mean_length"].tolist()[:2] == [30.0, 20.0]
    assert pd.isna(written["read2_mean_length"].iloc[2])
    assert table["records"].tolist() == [3, 5, 4]


@pytest.mark.parametrize("threads", [1, 4])
def test_a_bad_unit_stops_the_check_and_writes_nothing(tmp_path, units, threads):
    path = tmp_path / "s1_L2_R2.fq.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(InputError, match=r"s1_L2_R2\.fq\.gz: the gzip stream is truncated"):
        check_samples(units, tmp_path / "summary.tsv", threads)
    assert not (tmp_path / "summary.tsv").exists()
