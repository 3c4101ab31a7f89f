import gzip
import json

import pytest

from drugsig.errors import InputError
from drugsig.inputs.sheets import Unit
from drugsig.reads.trim import trim_sample

ADAPTER_R1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"
ADAPTER_R2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"
INSERT = "ACGTTGCAAGGCTTACGATCGATCGGCTAAGCTTGACTGA"  # 40 bp
SETTINGS = {
    "adapter_r1": ADAPTER_R1,
    "adapter_r2": ADAPTER_R2,
    "quality_cutoff": 20,
    "minimum_length": 20,
    "extra": "",
}


def revcomp(sequence):
    return sequence[::-1].translate(str.maketrans("ACGT", "TGCA"))


def write_fastq(path, reads):
    with gzip.open(path, "wt") as handle:
        for name, sequence in reads:
            handle.write(f"@{name}\n{sequence}\n+\n{'I' * len(sequence)}\n")


def read_sequences(path):
    with gzip.open(path, "rt") as handle:
        return handle.read().splitlines()[1::4]


@pytest.fixture
def unit(tmp_path):
    clean = "GATTACA" * 9  # 63 bp, no adapter
    r1 = [("r1", (INSERT + ADAPTER_R1)[:60]), ("r2", clean[:60]), ("r3", "ACGTACGTAC")]
    r2 = [
        ("r1", (revcomp(INSERT) + ADAPTER_R2)[:60]),
        ("r2", revcomp(clean)[:60]),
        ("r3", "GTACGTACGT"),
    ]
    write_fastq(tmp_path / "u_R1.fq.gz", r1)
    write_fastq(tmp_path / "u_R2.fq.gz", r2)
    return Unit("s1", "L1", str(tmp_path / "u_R1.fq.gz"), str(tmp_path / "u_R2.fq.gz"))


def test_paired_trimming_removes_adapters_and_short_pairs(tmp_path, unit):
    trimmed = trim_sample(
        "s1", [unit], tmp_path / "reads", tmp_path / "reports", SETTINGS, threads=1
    )
    reads = tmp_path / "reads"
    assert trimmed == [Unit("s1", "L1", f"{reads}/L1_R1.fastq.gz", f"{reads}/L1_R2.fastq.gz")]
    assert read_sequences(tmp_path / "reads" / "L1_R1.fastq.gz") == [INSERT, "GATTACA" * 8 + "GATT"]
    assert read_sequences(tmp_path / "reads" / "L1_R2.fastq.gz")[0] == revcomp(INSERT)
    report = json.loads((tmp_path / "reports" / "s1.L1.cutadapt.json").read_text())
    assert report["read_counts"]["input"] == 3
    assert report["read_counts"]["filtered"]["too_short"] == 1
    assert report["read_counts"]["read1_with_adapter"] == 1


def test_truncated_gzip_names_the_files(tmp_path, unit):
    data = (tmp_path / "u_R2.fq.gz").read_bytes()
    (tmp_path / "u_R2.fq.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"sample 's1', unit 'L1': cutadapt failed on .*u_R1"):
        trim_sample("s1", [unit], tmp_path / "reads", tmp_path / "reports", SETTINGS, threads=1)
