import pytest

from drugsig.inputs.sheets import Unit
from drugsig.reads.align.star import (
    SORT_BUFFER_BYTES,
    align_command,
    align_job_mem_mb,
    index_bytes,
    index_memory_bytes,
    index_parameters,
    sort_ram_bytes,
)

HG38 = 3_099_734_149
GB = 1024**3


def test_tiny_genome_gets_small_preindex_and_bins():
    parameters = index_parameters(2_000_000, 4, memory_budget_mb=24_000)
    assert parameters.sa_index_nbases == 9  # log2(2e6)/2 - 1 = 9.47
    assert parameters.chr_bin_nbits == 18  # log2(500,000) = 18.9, capped at 18
    assert parameters.sa_sparse_d == 1


def test_many_contigs_lower_chr_bin_bits():
    parameters = index_parameters(2_000_000, 10_000, memory_budget_mb=24_000)
    assert parameters.chr_bin_nbits == 7  # log2(max(200, 100)) = 7.6


def test_hg38_standard_parameters_need_about_32_gb():
    assert index_memory_bytes(HG38, 14, 1) / GB == pytest.approx(32.4, abs=1.0)
    parameters = index_parameters(HG38, 194, memory_budget_mb=64_000)
    assert (parameters.sa_index_nbases, parameters.sa_sparse_d) == (14, 1)


def test_hg38_on_32_gb_workstation_uses_sparse_suffix_array():
    parameters = index_parameters(HG38, 194, memory_budget_mb=32_000)
    assert parameters.sa_sparse_d == 2
    assert parameters.memory_bytes <= 32_000 * 1024**2


def test_hg38_on_24_gb_uses_sparser_array():
    assert index_parameters(HG38, 194, memory_budget_mb=24_000).sa_sparse_d == 2
    assert index_parameters(HG38, 194, memory_budget_mb=16_000).sa_sparse_d == 3


def test_budget_too_small_is_explained():
    with pytest.raises(ValueError, match="raise star.memory_mb or use aligner hisat2"):
        index_parameters(HG38, 194, memory_budget_mb=4_000)


def test_align_command_joins_units_with_one_read_group_each():
    units = [
        Unit("s1", "L1", "t/L1_R1.fq.gz", "t/L1_R2.fq.gz"),
        Unit("s1", "L2", "t/L2_R1.fq.gz", "t/L2_R2.fq.gz"),
    ]
    command = align_command("s1", units, "idx", "out/s1.", threads=4, sort_ram=2**30)
    assert command[command.index("--readFilesIn") + 1 : command.index("--readFilesCommand")] == [
        "t/L1_R1.fq.gz,t/L2_R1.fq.gz",
        "t/L1_R2.fq.gz,t/L2_R2.fq.gz",
    ]
    read_groups = command[
        command.index("--outSAMattrRGline") + 1 : command.index("--outFileNamePrefix")
    ]
    assert " ".join(read_groups) == "ID:s1.L1 SM:s1 PU:L1 , ID:s1.L2 SM:s1 PU:L2"
    assert command[command.index("--limitBAMsortRAM") + 1] == str(2**30)


def test_align_command_single_end_with_extra_options():
    command = align_command(
        "s1", [Unit("s1", "L1", "r.fq.gz")], "idx", "p.", 2, 5, "--outSAMunmapped Within"
    )
    assert command[command.index("--readFilesIn") + 1 : command.index("--readFilesCommand")] == [
        "r.fq.gz"
    ]
    assert command[-2:] == ["--outSAMunmapped", "Within"]


def test_alignment_memory_follows_the_index_size(tmp_path):
    (tmp_path / "SA").write_bytes(b"x" * 3 * 2**20)
    (tmp_path / "Genome").write_bytes(b"x" * 2**20)
    assert index_bytes(tmp_path) == 4 * 2**20
    assert sort_ram_bytes(tmp_path) == SORT_BUFFER_BYTES  # a tiny index: the 1 GiB floor
    assert align_job_mem_mb(tmp_path) == 4 + 1024 + 1024
    assert align_job_mem_mb(tmp_path, attempt=2) == int(1.5 * (4 + 1024 + 1024))
