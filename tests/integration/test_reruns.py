"""Reruns: a killed run resumes to the same results, and runs are reproducible.

On a small simulated experiment (six samples: DMSO, 0.5 µM Milademetan and 5 µM
Nutlin-3a in SJSA-1 at 24 h, two replicates each), every run asks for the signature
tables, which need the count matrix and the DE tables (the plots, gene sets and report
are left out to keep the runs short; they do not change how a rerun resumes).

* Killed with SIGTERM in the middle of the alignments (as Ctrl-C, a cluster's time
  limit or ``kill`` do), the same command run again completes, and its count matrix,
  DE tables and signatures are byte-identical to an uninterrupted run's.
* Killed with SIGKILL (power loss, the OOM killer), Snakemake cannot clean up: its
  lock stays and the same command refuses to start until ``snakemake --unlock``; then
  the command with ``--rerun-incomplete`` (a killed job may leave outputs marked
  incomplete) completes with the same tables.
* Two complete runs in two directories give byte-identical tables.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from helpers import copy_project, simulated_project, snakemake_command, write_config

from conftest import run_snakemake, tool_environment

pytestmark = pytest.mark.integration

SAMPLES = [
    f"SJSA-1_{group}_24h_{replicate}"
    for group in ("DMSO", "Milademetan_0p5uM", "Nutlin-3a_5uM")
    for replicate in (1, 2)
]
CONTRASTS = ["Milademetan_vs_DMSO", "Nutlin-3a_vs_DMSO"]
# The README's command, with a target that stops after the signature tables.
COMMAND = ("--cores", "2", "signatures")
COMPARED = ["results/counts", "results/de", "results/signatures"]
KILL_TIMEOUT = 30


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = simulated_project(tmp_path_factory.mktemp("simulated"), samples=SAMPLES)
    config = yaml.safe_load((root / "config/config.yaml").read_text())
    config["fastq_qc"]["samples_per_check_job"] = 3  # two full chunks of three samples
    write_config(root, config)
    return root


@pytest.fixture(scope="module")
def uninterrupted(template, tmp_path_factory) -> Path:
    workdir = copy_project(template, tmp_path_factory.mktemp("uninterrupted") / "run")
    run_snakemake(workdir, *COMMAND)
    return workdir


def tables(workdir: Path) -> dict[str, bytes]:
    """Contents of the compared result files by path (relative to ``workdir``)."""
    files = {
        str(path.relative_to(workdir)): path.read_bytes()
        for folder in COMPARED
        for path in sorted((workdir / folder).rglob("*"))
        if path.is_file()
    }
    expected = {
        "results/counts/counts.tsv",
        *(f"results/de/{name}.tsv" for name in CONTRASTS),
        *(f"results/signatures/{name}.tsv" for name in CONTRASTS),
        "results/signatures/cross_drug.tsv",
    }
    assert expected <= set(files), sorted(files)
    return files


def assert_identical(workdir: Path, reference: Path) -> None:
    ours, theirs = tables(workdir), tables(reference)
    assert sorted(ours) == sorted(theirs)
    differing = [path for path in ours if ours[path] != theirs[path]]
    assert not differing, f"differ from the uninterrupted run: {differing}"


def alignments(workdir: Path) -> tuple[list[Path], list[Path]]:
    """STAR alignments running (their temporary folder exists) and finished (indexed BAM)."""
    folder = workdir / "results" / "align"
    if not folder.is_dir():
        return [], []
    return list(folder.glob("*._STARtmp")), list(folder.glob("*.bam.bai"))


def kill_during_alignment(workdir: Path, signals: list[signal.Signals]) -> subprocess.Popen:
    """Start the command; once one BAM is finished and another alignment is running,
    send ``signals`` in turn to its whole process group, each followed by a wait of
    up to ``KILL_TIMEOUT`` seconds for Snakemake to exit. Returns the ended process."""
    log = (workdir / "interrupted.log").open("w")
    process = subprocess.Popen(
        snakemake_command(workdir, *COMMAND),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=tool_environment(),
        start_new_session=True,
    )
    try:
        while True:
            running, finished = alignments(workdir)
            if running and finished and len(finished) < len(SAMPLES):
                break
            if process.poll() is not None:
                pytest.fail(f"the run ended before an alignment could be killed; see {log.name}")
            time.sleep(0.05)
        for number in signals:
            if process.poll() is None:
                os.killpg(process.pid, number)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=KILL_TIMEOUT)
    finally:
        if process.poll() is None or _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()
    return process


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_rerun_after_termination_completes_identically(template, uninterrupted, tmp_path):
    workdir = copy_project(template, tmp_path / "run")
    process = kill_during_alignment(workdir, [signal.SIGTERM, signal.SIGKILL])
    assert process.returncode != 0
    _, finished = alignments(workdir)
    assert len(finished) < len(SAMPLES)
    assert not (workdir / "results/counts/counts.tsv").exists()
    # the same command again: it resumes (no --unlock, no --rerun-incomplete needed)
    result = run_snakemake(workdir, *COMMAND)
    assert not re.search(r"^(local)?rule (star_index|check_reads):", result.stderr, re.M)
    assert_identical(workdir, uninterrupted)


def test_rerun_after_hard_kill_needs_unlock(template, uninterrupted, tmp_path):
    workdir = copy_project(template, tmp_path / "run")
    kill_during_alignment(workdir, [signal.SIGKILL])
    refused = run_snakemake(workdir, *COMMAND, check=False)
    assert refused.returncode != 0
    assert "Error: Directory cannot be locked." in refused.stderr
    assert "It can be removed with the --unlock argument." in refused.stderr
    run_snakemake(workdir, "--unlock")
    run_snakemake(workdir, *COMMAND, "--rerun-incomplete")
    assert_identical(workdir, uninterrupted)


def test_two_complete_runs_are_byte_identical(template, uninterrupted, tmp_path):
    workdir = copy_project(template, tmp_path / "run")
    run_snakemake(workdir, *COMMAND)
    assert_identical(workdir, uninterrupted)


def add_row_like(sheet: Path, template_sample: str, **changes: str) -> None:
    """Append a copy of ``template_sample``'s first row to a sheet, with ``changes``."""
    header, *rows = sheet.read_text().splitlines()
    columns = header.split("\t")
    row = next(dict(zip(columns, line.split("\t"), strict=True)) for line in rows
               if line.startswith(f"{template_sample}\t"))  # fmt: skip
    row.update(changes)
    sheet.write_text("\n".join([header, *rows, "\t".join(row[c] for c in columns)]) + "\n")


def test_a_sample_added_later_aligns_only_itself(uninterrupted, tmp_path):
    """A sample appended to the sheets gets its FASTQ check (a new chunk: the others
    were full) and its job; the finished samples are not aligned again."""
    workdir = copy_project(uninterrupted, tmp_path / "run")
    # a third DMSO replicate (the files of the first one will do for planning)
    add_row_like(
        workdir / "config/samples.tsv",
        "SJSA-1_DMSO_24h_2",
        sample="SJSA-1_DMSO_24h_3",
        replicate="3",
    )
    add_row_like(workdir / "config/units.tsv", "SJSA-1_DMSO_24h_1", sample="SJSA-1_DMSO_24h_3")
    result = run_snakemake(workdir, "-n", *COMMAND)
    planned = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout, re.M))
    assert planned.get("reads_to_counts") == "1", result.stdout
    assert re.search(r"^\s+wildcards: sample=SJSA-1_DMSO_24h_3$", result.stdout, re.M)
    assert planned.get("check_reads") == "1" and "star_index" not in planned
