import inspect

import pytest

from drugsig.reads.align import ALIGNERS, star

INTERFACE = ["build_index", "index_job_mem_mb", "align_sample", "align_job_mem_mb"]


@pytest.mark.parametrize("function", INTERFACE)
def test_the_aligners_share_one_interface(function):
    signatures = {
        name: inspect.signature(getattr(module, function)) for name, module in ALIGNERS.items()
    }
    assert len(set(signatures.values())) == 1, signatures


def test_each_aligner_names_its_summary():
    assert {name: module.LOG_SUFFIX for name, module in ALIGNERS.items()} == {
        "star": "Log.final.out",
        "hisat2": "hisat2.summary",
    }


def test_star_builds_the_splice_sites_into_its_index(tmp_path):
    with pytest.raises(ValueError, match="splice_sites_mode must be auto or index"):
        star.build_index("g.fa", "g.fa.fai", "a.gtf", tmp_path, 4_000, 1, "alignment")
