"""Style and static checks: ruff (docstrings included), mypy, snakefmt and snakemake --lint
must be clean."""

import subprocess

import pytest

from conftest import BIN, REPO, tool_environment


def run(*command):
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, env=tool_environment(), check=False
    )


def test_ruff_check():
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy():
    result = run(str(BIN / "mypy"), "workflow/scripts/drugsig")
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakefmt():
    result = run(str(BIN / "snakefmt"), "--check", "Snakefile", "workflow")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("aligner", ["star", "hisat2"])
def test_snakemake_lint(aligner):
    result = run(str(BIN / "snakemake"), "--lint", "--config", f"aligner={aligner}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr, result.stdout + result.stderr
