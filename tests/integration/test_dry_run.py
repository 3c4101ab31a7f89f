"""The workflow dry-runs on a fresh clone: offline, no reference or index built."""

import subprocess

from conftest import REPO, run_snakemake


def test_dry_run_on_fresh_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    result = run_snakemake(clone, "-n", "--cores", "2", snakefile=clone / "Snakefile")
    summary = result.stdout + result.stderr
    assert "star_index" in summary
    assert "deseq2" in summary
    assert not (clone / "resources" / "index").exists()
    assert not (clone / "results").exists()
