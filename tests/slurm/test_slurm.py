"""Slurm profile tests.

* The profile tests are cheap and always run: they load profiles/slurm the way
  Snakemake does and check what reaches the command line.
* The end-to-end test starts a real single-node Slurm cluster (root, Debian, installs
  slurm-wlm + munge) and only runs with DRUGSIG_SLURM_TEST=1. CI runs the same thing as
  its own stage: `tests/slurm/run_slurm_test.sh`. DRUGSIG_SLURM_TINY=1 uses the small
  tests/slurm/Snakefile instead of the real workflow.
"""

import os
import subprocess
from pathlib import Path

import pytest
from snakemake.profiles import ProfileConfigFileParser

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SLURM_PROFILE = REPO / "profiles" / "slurm" / "config.yaml"
DEFAULT_PROFILE = REPO / "profiles" / "default" / "config.yaml"


def load_profile(path: Path) -> dict:
    with path.open() as fh:
        return dict(ProfileConfigFileParser().parse(fh))


def test_slurm_profile_reads_partition_and_account_from_env(monkeypatch):
    monkeypatch.setenv("SBATCH_PARTITION", "long")
    monkeypatch.setenv("SBATCH_ACCOUNT", "lab42")
    prof = load_profile(SLURM_PROFILE)
    assert prof["executor"] == "slurm"
    assert "slurm_partition=long" in prof["default-resources"]
    assert "slurm_account=lab42" in prof["default-resources"]


def test_slurm_profile_omits_partition_and_account_when_unset(monkeypatch):
    monkeypatch.delenv("SBATCH_PARTITION", raising=False)
    monkeypatch.delenv("SBATCH_ACCOUNT", raising=False)
    prof = load_profile(SLURM_PROFILE)
    joined = " ".join(prof["default-resources"])
    assert "slurm_partition" not in joined
    assert "slurm_account" not in joined
    assert int(prof["retries"]) >= 1  # rules scaling mem_mb with `attempt` get a retry


def test_default_profile_has_no_executor_or_resources():
    # It is merged key by key over any --profile; it must not fight a cluster profile.
    prof = load_profile(DEFAULT_PROFILE)
    assert "executor" not in prof
    assert "default-resources" not in prof
    assert "set-resources" not in prof


@pytest.mark.skipif(
    os.environ.get("DRUGSIG_SLURM_TEST") != "1",
    reason="set DRUGSIG_SLURM_TEST=1 to run the Slurm end-to-end test (root, Debian)",
)
def test_slurm_end_to_end():
    args = ["--tiny"] if os.environ.get("DRUGSIG_SLURM_TINY") == "1" else []
    proc = subprocess.run([str(HERE / "run_slurm_test.sh"), *args], check=False)
    assert proc.returncode == 0, "Slurm end-to-end test failed; diagnostics above"
