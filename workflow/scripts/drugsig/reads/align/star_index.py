"""Build a STAR genome index with parameters scaled to the genome and memory budget."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from drugsig.reads.align.star import fasta_index_lengths, index_parameters


def build_star_index(
    fasta: str | Path,
    fai: str | Path,
    gtf: str | Path,
    outdir: str | Path,
    memory_budget_mb: int,
    threads: int,
    extra: str = "",
) -> list[str]:
    """Run ``STAR --runMode genomeGenerate`` into ``outdir``; returns the command run."""
    lengths = fasta_index_lengths(fai)
    parameters = index_parameters(sum(lengths), len(lengths), memory_budget_mb)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    temporary = outdir.parent / f"{outdir.name}._STARtmp"
    shutil.rmtree(temporary, ignore_errors=True)
    command = [
        "STAR",
        "--runMode",
        "genomeGenerate",
        "--runThreadN",
        str(threads),
        "--genomeDir",
        str(outdir),
        "--genomeFastaFiles",
        str(fasta),
        "--sjdbGTFfile",
        str(gtf),
        "--outFileNamePrefix",
        f"{outdir}/",
        "--outTmpDir",
        str(temporary),
        *parameters.arguments(),
        *shlex.split(extra),
    ]
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
    return command
