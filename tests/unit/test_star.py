import pytest

from drugsig.star import index_memory_bytes, index_parameters

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
