"""Dry-run speed at scale: wall time, CPU time and peak memory of ``snakemake -n``.

Generates sample and unit sheets for N paired-end samples with two lanes each
(placeholder FASTQ files: a dry-run only checks that they exist), reusing the demo's
reference, and times ``snakemake -n`` on them. CPU seconds (user + system of the
snakemake process and its children) are the better yardstick on a busy machine, where
wall time is inflated by other jobs; the load average is printed alongside.

    python benchmarks/dry_run.py                 # N = 100, 1,000, 10,000
    python benchmarks/dry_run.py --samples 1000  # one size
    python benchmarks/dry_run.py --samples 1000 --keep /tmp/dry1000  # keep the project
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DRUGS = ["DMSO", "Milademetan", "Nutlin-3a", "AMG-232"]


def write_project(root: Path, n_samples: int) -> None:
    """Sheets and placeholder FASTQs for ``n_samples`` samples: cell lines of 12 samples
    (DMSO and three drugs, three replicates; the last line takes the remainder)."""
    fastq_dir = root / "fastq"
    fastq_dir.mkdir(parents=True)
    samples = ["sample\tcondition\tcell_line\treplicate"]
    units = ["sample\tunit\tfq1\tfq2"]
    for index in range(n_samples):
        cell_line = f"line{min(index // 12, max(n_samples // 12 - 1, 0))}"
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


def dry_run(root: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and job count of one
    ``snakemake -n``."""
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
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="generate the projects in DIR/n{N} and keep them (e.g. to profile)",
    )
    args = parser.parse_args()
    columns = ("samples", "units", "jobs", "wall_s", "cpu_s", "peak_MB", "load1")
    print(" ".join(f"{name:>8}" for name in columns), flush=True)
    for n_samples in args.samples:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            if args.keep:
                root = args.keep / f"n{n_samples}"
                shutil.rmtree(root, ignore_errors=True)
            write_project(root, n_samples)
            load = os.getloadavg()[0]
            wall, cpu, peak_mb, jobs = dry_run(root)
        values = (n_samples, 2 * n_samples, jobs, f"{wall:.2f}", f"{cpu:.2f}", f"{peak_mb:.0f}")
        print(" ".join(f"{value:>8}" for value in (*values, f"{load:.1f}")), flush=True)


if __name__ == "__main__":
    main()
