"""Shared fixtures: where the repository is, and running Snakemake on a copy of a config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Tools installed with the venv (cutadapt, multiqc, snakemake) are found by the code under test.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def tool_environment() -> dict[str, str]:
    """Environment whose PATH finds the venv's tools (snakemake, cutadapt, multiqc)."""
    return dict(os.environ)


def run_snakemake(
    workdir: Path, *args: str, check: bool = True, snakefile: Path = REPO / "Snakefile"
) -> subprocess.CompletedProcess:
    """Run the workflow (by default this repository's) in ``workdir``; return the process."""
    command = [
        str(BIN / "snakemake"),
        "--snakefile",
        str(snakefile),
        "--directory",
        str(workdir),
        *args,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env=tool_environment(), check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
            f"{result.stderr[-6000:]}"
        )
    return result


def demo_workdir(target: Path) -> Path:
    """A working directory that holds the demo's config and links to its data."""
    shutil.copytree(REPO / "config", target / "config")
    (target / "resources").mkdir(parents=True)
    (target / "resources" / "demo").symlink_to(REPO / "resources" / "demo")
    return target


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A fresh working directory with the demo config (per test)."""
    return demo_workdir(tmp_path / "demo")
