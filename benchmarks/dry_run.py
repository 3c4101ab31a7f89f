"""Dry-run speed at scale: wall time and peak memory of ``snakemake -n``.

Generates sample and unit sheets for N paired-end samples with two lanes each
(empty-content placeholder FASTQ files: a dry-run only checks that they exist),
reusing the demo's reference, and times ``snakemake -n`` on them.

    python benchmarks/dry_run.py                 # N = 100, 1,000, 10,000
    python benchmarks/dry_run.py --samples 1000  # one size
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DRUGS = ["DMSO", "Milademetan", "Nutlin-3a", "AMG-232"]


def write_project(root: Path, n_samples: int) -> None:
    """Sheets and placeholder FASTQs for ``n_samples`` samples in 10-sample cell lines."""
    fastq_dir = root / "fastq"
    fastq_dir.mkdir(parents=True)
    samples = ["sample\tcondition\tcell_line\treplicate"]
    units = ["sample\tunit\tfq1\tfq2"]
    for index in range(n_samples):
        cell_line = f"line{index // 12}"
        condition = DRUGS[index % 4]
        replicate = (index % 12) // 4 + 1
        sample = f"s{index:05d}"
        samples.append(f"{sample}\t{condition}\t{cell_line}\t{replicate}")
        for lane in ("L001", "L002"):
            reads = []
            for read in ("R1", "R2"):
                path = fastq_dir / f"{sample}_{lane}_{read}.fastq.gz"
                path.write_bytes(b"placeholder")
                reads.append(str(path))
            units.append(f"{sample}\t{lane}\t{reads[0]}\t{reads[1]}")
    (root / "config").mkdir()
    (root / "config" / "samples.tsv").write_text("\n".join(samples) + "\n")
    (root / "config" / "units.tsv").write_text("\n".join(units) + "\n")
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["reference"] = {
        "fasta": str(REPO / "resources" / "demo" / "genome.fa.gz"),
        "gtf": str(REPO / "resources" / "demo" / "annotation.gtf.gz"),
    }
    for key in ("viability", "qpcr"):
        config.pop(key, None)
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def dry_run(root: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and job count of one ``snakemake -n``."""
    snakemake = Path(sys.executable).parent / "snakemake"
    command = [str(snakemake), "-n", "--quiet", "rules", "-s", str(REPO / "Snakefile")]
    log = root / "dry_run.log"
    start = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(command, cwd=root, stdout=handle, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = log.read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"dry-run failed:\n{output[-5000:]}")
    jobs = 0
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "total" and parts[1].isdigit():
            jobs = int(parts[1])
    return wall, usage.ru_maxrss / 1024, jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[100, 1000, 10000])
    args = parser.parse_args()
    print(f"{'samples':>8} {'units':>7} {'jobs':>7} {'wall_s':>8} {'peak_MB':>8}")
    for n_samples in args.samples:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_project(root, n_samples)
            wall, peak_mb, jobs = dry_run(root)
        print(f"{n_samples:>8} {2 * n_samples:>7} {jobs:>7} {wall:>8.2f} {peak_mb:>8.0f}")


if __name__ == "__main__":
    main()
