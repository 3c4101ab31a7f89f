"""FastQC of a sample's raw reads (the per-sample job's first step)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def run_fastqc(files: Sequence[str], outdir: str | Path, threads: int) -> None:
    """Run FastQC on ``files`` (``threads`` files at a time), reports into ``outdir``."""
    Path(outdir).mkdir(parents=True, exist_ok=True)
    command = ["fastqc", "--quiet", "--threads", str(threads), "--outdir", str(outdir), *files]
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
