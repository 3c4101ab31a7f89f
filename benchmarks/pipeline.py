"""Whole-workflow benchmark: where the time and memory go, per rule, on a simulated demo.

Simulates a larger demo with the project's simulator (``drugsig.simulate``: 6 groups
x ``--replicates`` samples, ``--read-pairs`` mean read pairs per sample), runs the
whole workflow on it from scratch and prints

* per rule: jobs, threads, wall time, CPU time, CPU use of the declared threads and
  read pairs per second (per job, of wall time and of CPU time);
* per rule: declared ``mem_mb`` against the peak RSS, from the ``benchmark:`` files
  (heavy rules) and from this script's own sampling of every job's process tree,
  with a verdict;
* the orchestration overhead: total wall time / sum of the job wall times on the
  critical path of the run as it was scheduled (the chain of jobs, each waiting for
  the one before it, for input or for cores), and the time in which no job ran.

    python benchmarks/pipeline.py                        # 12 samples x 1,000,000 pairs
    python benchmarks/pipeline.py --quick                # 12 samples x 50,000 pairs
    python benchmarks/pipeline.py --read-pairs 250000 --workdir /tmp/bench --reuse
    python benchmarks/pipeline.py --workdir /tmp/bench --analyse-only

Job start and end times come from Snakemake's metadata (``.snakemake/metadata``:
start when the job's incomplete marker was written, end at its last output's mtime),
threads and ``mem_mb`` from the job lines of Snakemake's log, the job graph from the
jobs' input and output files. Snakemake's ``benchmark:`` sampling is coarse (every
0.5 s for 15 s, then every 30 s), so this script also samples every job's process
tree itself (``/proc``, every ``--interval`` s): peak RSS is the largest sum of RSS over
a job's processes, CPU time is user + system time of the job's processes and of its
reaped children. Memory is in MB (10^6 bytes), as ``mem_mb``. The numbers are
printed, never checked: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GROUPS = 6  # the simulator's design: SJSA-1 DMSO + 3 drugs, A2780 parental + resistant
QUICK_READ_PAIRS = 50_000
FULL_READ_PAIRS = 1_000_000
OVERHEAD_GOAL = 0.10
SIMULATION_STAMP = "simulation.json"
RUN_LOG = "benchmark_snakemake.log"
RUN_INFO = "benchmark_run.json"
JOBS_TABLE = "benchmark_jobs.tsv"
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MIB = 2**20


# --------------------------------------------------------------------------- set-up


def simulate(work: Path, replicates: int, read_pairs: int, seed: int, reuse: bool) -> float:
    """Simulate the demo into ``work/data`` and its sheets into ``work/config``.

    Returns the simulation's wall seconds (0 when ``reuse`` found the same simulation).
    """
    wanted = {"replicates": replicates, "read_pairs": read_pairs, "seed": seed}
    stamp = work / SIMULATION_STAMP
    if reuse and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return 0.0
    shutil.rmtree(work / "data", ignore_errors=True)
    stamp.unlink(missing_ok=True)
    (work / "config").mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "drugsig.simulate", "--outdir", "data", "--sheets-dir", "config",
        "--seed", str(seed), "--read-pairs", str(read_pairs), "--replicates", str(replicates),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow" / "scripts")}
    start = time.perf_counter()
    with (work / "simulation.log").open("w") as log:
        subprocess.run(command, cwd=work, env=env, stdout=log, stderr=log, check=True)
    stamp.write_text(json.dumps(wanted))
    return time.perf_counter() - start


def write_config(work: Path) -> None:
    """The shipped config, pointed at the simulated data (assays included)."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = "config/samples.tsv"
    config["units"] = "config/units.tsv"
    config["reference"] = {"fasta": "data/genome.fa.gz", "gtf": "data/annotation.gtf.gz"}
    for assay, table in (("viability", "data/viability.tsv"), ("qpcr", "data/qpcr.tsv")):
        if assay in config:
            config[assay]["table"] = table
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def clean(work: Path) -> None:
    """Remove every output of an earlier run, so that all jobs run."""
    for name in ("results", "logs", "resources", ".snakemake", RUN_LOG, RUN_INFO, JOBS_TABLE):
        path = work / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


# ------------------------------------------------------------------- process sampling


@dataclass
class Tree:
    """One process tree started by Snakemake (a job, or a helper such as the ILP solver)."""

    pid: int
    first_seen: float
    last_seen: float
    command: str = ""
    peak_rss_bytes: int = 0
    cpu_seconds: float = 0.0


def _stat(pid: str) -> tuple[int, int, int, int, int] | None:
    """``(ppid, own CPU ticks, CPU ticks with reaped children, RSS pages, start ticks)``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:  # noqa: PTH123 - hot loop
            data = handle.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    own = int(fields[11]) + int(fields[12])  # utime, stime
    children = int(fields[13]) + int(fields[14])  # cutime, cstime
    return int(fields[1]), own, own + children, int(fields[21]), int(fields[19])


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:  # noqa: PTH123 - hot loop
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class Sampler(threading.Thread):
    """Samples the process trees under ``root`` every ``interval`` seconds, until stopped."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.trees: dict[tuple[int, int], Tree] = {}
        self.root_cpu_seconds = 0.0
        self.root_cpu: list[tuple[float, float]] = []  # (time, Snakemake's CPU s), 1/s
        self.loads: list[float] = []
        self.samples = 0
        self.stop = threading.Event()
        self.foreign: set[int] = set()
        self._own_command = _command(os.getpid())
        self._root_command = ""  # Snakemake's, read once it has started (exec'd)

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        now = time.time()
        pids = {int(entry) for entry in os.listdir("/proc") if entry.isdigit()}  # noqa: PTH208
        # pids are reused (pid_max may be 32768): forget the processes that are gone
        self.foreign &= pids
        stats = {}
        for pid in pids - self.foreign:
            stat = _stat(str(pid))
            if stat is not None:
                stats[pid] = stat
        children = defaultdict(list)
        for pid, stat in stats.items():
            children[stat[0]].append(pid)
        ours, pending = {self.root}, [self.root]
        while pending:
            for child in children.get(pending.pop(), []):
                ours.add(child)
                pending.append(child)
        # a process outside the tree now never enters it: skip it from now on
        self.foreign.update(pid for pid in stats if pid not in ours)
        if self._root_command in ("", self._own_command):
            self._root_command = _command(self.root)
        if self.root in stats:
            self.root_cpu_seconds = stats[self.root][1] / CLOCK_TICKS
            if not self.root_cpu or now - self.root_cpu[-1][0] >= 1:
                self.root_cpu.append((now, self.root_cpu_seconds))
        for top in children.get(self.root, []):
            key = (top, stats[top][4])
            tree = self.trees.get(key)
            if tree is None:
                tree = self.trees[key] = Tree(top, now, now)
            if not tree.command or tree.command == self._root_command:  # forked, not exec'd
                tree.command = _command(top)
            rss = cpu = 0
            pending = [top]
            while pending:
                pid = pending.pop()
                rss += stats[pid][3]
                cpu += stats[pid][2]
                pending.extend(children.get(pid, []))
            tree.last_seen = now
            tree.peak_rss_bytes = max(tree.peak_rss_bytes, rss * PAGE_BYTES)
            tree.cpu_seconds = max(tree.cpu_seconds, cpu / CLOCK_TICKS)
        self.loads.append(os.getloadavg()[0])
        self.samples += 1


# ------------------------------------------------------------------------------ run


def run_workflow(work: Path, cores: int, interval: float, extra: list[str]) -> dict[str, Any]:
    """Run the workflow in ``work`` with process sampling; returns (and saves) the run info."""
    command = [
        str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--cores", str(cores),
        "--benchmark-extended", "--workflow-profile", "none", "--nocolor", *extra,
    ]  # fmt: skip
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    with (work / RUN_LOG).open("w") as log:
        start = time.time()
        process = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = Sampler(process.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        end = time.time()
    sampler.stop.set()
    sampler.join()
    info = {
        "command": shlex.join(command),
        "cores": cores,
        "start": start,
        "end": end,
        "exit_code": os.waitstatus_to_exitcode(status),
        "cpu_user": usage.ru_utime,
        "cpu_system": usage.ru_stime,
        "snakemake_cpu": sampler.root_cpu_seconds,
        "snakemake_cpu_series": sampler.root_cpu,
        "sampler_cpu": time.process_time() - cpu_before,
        "samples": sampler.samples,
        "interval": interval,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "load_mean": sum(sampler.loads) / len(sampler.loads) if sampler.loads else math.nan,
        "trees": [vars(tree) for tree in sampler.trees.values()],
    }
    (work / RUN_INFO).write_text(json.dumps(info, indent=1))
    return info


# -------------------------------------------------------------------------- analysis


@dataclass
class Job:
    """One executed job, put together from the log, the metadata and the samples."""

    jobid: int
    rule: str
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    wildcards: dict[str, str] = field(default_factory=dict)
    threads: int = 1
    mem_mb: int | None = None
    start: float = math.nan
    end: float = math.nan
    script: str | None = None
    shellcmd: str | None = None
    bench: dict[str, str] | None = None
    tree: Tree | None = None

    @property
    def wall(self) -> float:
        return self.end - self.start

    @property
    def cpu(self) -> float:
        """CPU seconds: sampled (covers every job), else from the benchmark file."""
        if self.tree is not None:
            return self.tree.cpu_seconds
        return _number(self.bench, "cpu_time")

    @property
    def rss_sampled_mb(self) -> float:
        return self.tree.peak_rss_bytes / 1e6 if self.tree is not None else math.nan

    @property
    def rss_bench_mb(self) -> float:
        return _number(self.bench, "max_rss") * MIB / 1e6  # benchmark files are in MiB


def _number(record: dict[str, str] | None, key: str) -> float:
    try:
        return float(record[key]) if record else math.nan
    except (KeyError, ValueError):
        return math.nan


_TIMESTAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_JOB = re.compile(r"^(?:local)?rule (\S+):$")
_FINISHED = re.compile(r"^Finished jobid: (\d+)")
_FIELD = re.compile(r"^    (\w+): (.*)$")


def parse_log(path: Path) -> dict[int, Job]:
    """Jobs of a Snakemake run log: rule, files, threads, mem_mb and 1-s start/end times."""
    jobs: dict[int, Job] = {}
    stamp = math.nan
    current: Job | None = None
    for line in path.read_text().splitlines():
        if match := _TIMESTAMP.match(line):
            stamp = time.mktime(time.strptime(match.group(1), "%a %b %d %H:%M:%S %Y"))
            current = None
        elif match := _JOB.match(line):
            current = Job(jobid=-1, rule=match.group(1), start=stamp)
        elif current is not None and (match := _FIELD.match(line)):
            key, value = match.groups()
            if key == "jobid":
                current.jobid = int(value)
                jobs[current.jobid] = current
            elif key in ("input", "output", "log"):
                files = [item for item in value.split(", ") if item]
                {"input": current.inputs, "output": current.outputs, "log": current.logs}[
                    key
                ].extend(files)
            elif key == "wildcards":
                current.wildcards = dict(item.split("=", 1) for item in value.split(", "))
            elif key == "threads":
                current.threads = int(value)
            elif key == "resources" and (mem := re.search(r"\bmem_mb=(\d+)", value)):
                current.mem_mb = int(mem.group(1))
        elif (match := _FINISHED.match(line)) and int(match.group(1)) in jobs:
            jobs[int(match.group(1))].end = stamp
    return jobs


def read_metadata(work: Path) -> dict[str, dict[str, Any]]:
    """Snakemake's metadata records by output path (keys are base64, split at 255 chars)."""
    root = work / ".snakemake" / "metadata"
    records = {}
    for path in root.rglob("*"):
        if path.is_file():
            key = "".join(path.relative_to(root).parts)
            try:
                records[base64.urlsafe_b64decode(key).decode()] = json.loads(path.read_text())
            except (ValueError, UnicodeDecodeError):
                continue
    return records


def read_benchmarks(work: Path) -> dict[int, dict[str, str]]:
    """Rows of the ``--benchmark-extended`` files under results/benchmarks, by jobid."""
    rows = {}
    for path in sorted((work / "results" / "benchmarks").rglob("*.tsv")):
        with path.open() as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("jobid", "").isdigit():
                    rows[int(row["jobid"])] = row
    return rows


def read_pairs(work: Path) -> dict[str, int]:
    """Raw read pairs per sample, from the FASTQ checks (results/qc/raw_reads.tsv)."""
    pairs: dict[str, int] = defaultdict(int)
    path = work / "results" / "qc" / "raw_reads.tsv"
    if path.is_file():
        with path.open() as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("records"):
                    pairs[row["sample"]] += int(float(row["records"]))
    return dict(pairs)


def read_steps(work: Path) -> list[dict[str, str]]:
    """The step times of every reads_to_counts job (``results/qc/samples/*/*.steps.tsv``)."""
    rows: list[dict[str, str]] = []
    for path in sorted((work / "results" / "qc" / "samples").glob("*/*.steps.tsv")):
        with path.open() as handle:
            rows += csv.DictReader(handle, delimiter="\t")
    return rows


def print_steps(work: Path, pairs: dict[str, int]) -> None:
    """Wall and CPU time of each tool inside the per-sample jobs, and its throughput."""
    steps: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_steps(work):
        steps[row["step"]].append(row)
    if not steps:
        return
    total_cpu = sum(float(row["cpu_s"]) for rows in steps.values() for row in rows)
    print("\nSteps of reads_to_counts (summed over samples; from the jobs' steps.tsv)")
    table = []
    for step, rows in steps.items():
        wall = sum(float(row["wall_s"]) for row in rows)
        cpu = sum(float(row["cpu_s"]) for row in rows)
        n_pairs = sum(pairs.get(row["sample"], 0) for row in rows)
        table.append([
            step, str(len(rows)), _fmt(wall), _fmt(cpu), _fmt(100 * cpu / total_cpu, 0),
            _fmt(n_pairs / wall / 1e3, 0) if n_pairs and wall else "-",
            _fmt(n_pairs / cpu / 1e3, 0) if n_pairs and cpu else "-",
        ])  # fmt: skip
    _table(["step", "samples", "wall_s", "cpu_s", "cpu_share%", "kpairs/s", "kpairs/cpu_s"], table)


def _script_name(code: str | None) -> str | None:
    match = re.search(r"""["']([^"']+\.(?:py|R|r|jl|rs|sh))["']""", code or "")
    return Path(match.group(1)).name if match else None


def attach(jobs: dict[int, Job], work: Path, info: dict[str, Any]) -> list[Tree]:
    """Add precise times, scripts, benchmark rows and sampled trees to the jobs.

    Returns the sampled trees that belong to no job (Snakemake's helpers).
    """
    metadata = read_metadata(work)
    benchmarks = read_benchmarks(work)
    for job in jobs.values():
        records = [metadata[path] for path in job.outputs if path in metadata]
        starts = [r["starttime"] for r in records if r.get("starttime")]
        ends = [r["endtime"] for r in records if r.get("endtime")]
        if starts:
            job.start = min(starts)
        if ends:
            job.end = max(ends)
        if records:
            job.shellcmd = records[0].get("shellcmd")
            job.script = None if job.shellcmd else _script_name(records[0].get("code"))
        job.bench = benchmarks.get(job.jobid)
    unmatched = []
    for tree in (Tree(**values) for values in info.get("trees", [])):
        if not tree.command or "/snakemake -s " in tree.command:
            continue  # gone by the first sample, or a fork seen before its exec
        best, best_overlap = None, 0.0
        for job in jobs.values():
            overlap = min(job.end + 1, tree.last_seen) - max(job.start - 1, tree.first_seen)
            if overlap < 0 or job.tree is not None or not _runs(job, tree.command):
                continue
            if best is None or overlap > best_overlap:
                best, best_overlap = job, overlap
        if best is None:
            unmatched.append(tree)
        else:
            best.tree = tree
            best.end = max(best.end, tree.last_seen)
    return unmatched


def _runs(job: Job, command: str) -> bool:
    """Whether a process command line is the one of ``job``."""
    if job.script:
        return command.endswith("." + job.script)
    if job.shellcmd:
        return job.shellcmd.strip()[:200] in command
    return False


def critical_path(jobs: list[Job]) -> tuple[list[Job], list[Job]]:
    """Longest chain by wall time in the job graph, and the chain that set the run's end.

    The first ignores cores: the wall time with unlimited cores. The second follows
    the run backwards from the job that ended last: each job's blocker is the job that
    ended last before it started (an input, or the job that freed the cores).
    """
    producer = {path: job for job in jobs for path in job.outputs}
    parents = {job.jobid: {producer[p].jobid for p in job.inputs if p in producer} for job in jobs}
    by_id = {job.jobid: job for job in jobs}
    longest: dict[int, tuple[float, list[Job]]] = {}
    for job in sorted(jobs, key=lambda job: job.start):
        best = max((longest[p] for p in parents[job.jobid] if p in longest), default=(0.0, []))
        longest[job.jobid] = (best[0] + job.wall, [*best[1], by_id[job.jobid]])
    dag_path = max(longest.values(), key=lambda item: item[0])[1] if longest else []
    chain: list[Job] = []
    current = max(jobs, key=lambda job: job.end) if jobs else None
    while current is not None:
        chain.append(current)
        end, start = current.end, current.start + 0.05  # timestamps: file mtimes
        earlier = [other for other in jobs if other.end <= start and other.end < end]
        current = max(earlier, key=lambda other: other.end, default=None)
    return dag_path, chain[::-1]


def idle_time(jobs: list[Job]) -> float:
    """Seconds between the first job's start and the last job's end with no job running."""
    idle, running_until = 0.0, None
    for job in sorted(jobs, key=lambda job: job.start):
        if running_until is not None and job.start > running_until:
            idle += job.start - running_until
        running_until = job.end if running_until is None else max(running_until, job.end)
    return idle


# --------------------------------------------------------------------------- printing


def _max(values: Iterable[float]) -> float:
    """The largest value that is not NaN; NaN if there is none."""
    return max((value for value in values if not math.isnan(value)), default=math.nan)


def _fmt(value: float, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _table(header: list[str], rows: Iterable[list[str]]) -> None:
    rows = list(rows)
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))


def _load(values: Iterable[float]) -> str:
    return "/".join(f"{value:.2f}" for value in values)


def report(work: Path, info: dict[str, Any], simulation_s: float | None) -> None:
    """Print every table of a finished run in ``work``."""
    jobs_by_id = parse_log(work / RUN_LOG)
    unmatched = attach(jobs_by_id, work, info)
    jobs = [j for j in jobs_by_id.values() if j.rule != "all" and not math.isnan(j.wall)]
    pairs = read_pairs(work)
    stamp = json.loads((work / SIMULATION_STAMP).read_text())
    total = info["end"] - info["start"]
    cores = info["cores"]

    print(f"workdir       {work}")
    print(
        f"demo          {len(pairs) or GROUPS * stamp['replicates']} samples, "
        f"{stamp['read_pairs']:,} mean read pairs per sample ({sum(pairs.values()):,} in all)"
        + (f", simulated in {simulation_s:.1f} s" if simulation_s else "")
    )
    print(f"command       {info['command']}")
    print(
        f"load average  before {_load(info['load_before'])}, mean during the run "
        f"{info['load_mean']:.2f} (1-min), after {_load(info['load_after'])}; {cores} cores"
    )
    status = "ok" if info["exit_code"] == 0 else f"FAILED (exit {info['exit_code']})"
    print(
        f"run           {status}: {len(jobs)} jobs, wall {total:.1f} s, CPU "
        f"{info['cpu_user'] + info['cpu_system']:.1f} s (Snakemake and all jobs)"
    )

    rules: dict[str, list[Job]] = defaultdict(list)
    for job in sorted(jobs, key=lambda job: job.start):
        rules[job.rule].append(job)

    all_wall = sum(job.wall for job in jobs)
    all_cpu = sum(job.cpu for job in jobs if not math.isnan(job.cpu))
    print("\nTime per rule (wall and CPU summed over the rule's jobs; pairs/s per job)")
    rows = []
    for rule, members in rules.items():
        wall = sum(job.wall for job in members)
        # CPU time of the jobs that were sampled (a job shorter than an interval may not be)
        measured = [job for job in members if not math.isnan(job.cpu)]
        cpu = sum(job.cpu for job in measured) if measured else math.nan
        capacity = sum(job.wall * job.threads for job in measured)
        partial = "*" if measured and len(measured) < len(members) else ""
        threads = sorted({job.threads for job in members})
        sample_pairs = sum(pairs.get(job.wildcards.get("sample", ""), 0) for job in members)
        measured_pairs = sum(pairs.get(job.wildcards.get("sample", ""), 0) for job in measured)
        per_sample = all("sample" in job.wildcards for job in members) and sample_pairs
        rows.append([
            rule, str(len(members)), ",".join(map(str, threads)), _fmt(wall),
            _fmt(max(job.wall for job in members)), _fmt(cpu) + partial,
            _fmt(100 * cpu / capacity, 0) if capacity else "-",
            _fmt(100 * cpu / all_cpu, 0),
            _fmt(sample_pairs / wall / 1e3, 0) if per_sample else "-",
            _fmt(measured_pairs / cpu / 1e3, 0) if per_sample and measured_pairs else "-",
        ])  # fmt: skip
    rows.append(
        ["(all jobs)", str(len(jobs)), "", _fmt(all_wall), "", _fmt(all_cpu), "", "100", "", ""]
    )
    _table(
        ["rule", "jobs", "thr", "wall_s", "max_job_s", "cpu_s", "cpu/thr%", "cpu_share%",
         "kpairs/s", "kpairs/cpu_s"],
        rows,
    )  # fmt: skip
    if any(row[5].endswith("*") for row in rows):
        print("* some of the rule's jobs ended before they were sampled: CPU of the others")
    print_steps(work, pairs)

    print("\nMemory per rule: declared mem_mb vs peak RSS (MB; max over the rule's jobs)")
    rows = []
    for rule, members in rules.items():
        declared = [job.mem_mb for job in members if job.mem_mb is not None]
        bench = _max(job.rss_bench_mb for job in members)
        sampled = _max(job.rss_sampled_mb for job in members)
        n_over = n_measured = 0
        for job in members:
            job_peak = _max([job.rss_bench_mb, job.rss_sampled_mb])
            if math.isnan(job_peak) or job.mem_mb is None:
                continue
            n_measured += 1
            n_over += job_peak > job.mem_mb
        peak = _max([bench, sampled])
        verdict = (
            "n/a" if not n_measured
            else f"OVER in {n_over}/{len(members)} jobs" if n_over
            else "ok" if n_measured == len(members)
            else f"ok ({n_measured}/{len(members)} jobs measured)"
        )  # fmt: skip
        span = (
            "-" if not declared
            else f"{min(declared)}" if min(declared) == max(declared)
            else f"{min(declared)}-{max(declared)}"
        )  # fmt: skip
        share = "-" if not declared or math.isnan(peak) else f"{100 * peak / min(declared):.0f}"
        rows.append(
            [rule, str(len(members)), span, _fmt(bench, 0), _fmt(sampled, 0), share, verdict]
        )
    _table(["rule", "jobs", "mem_mb", "rss_bench", "rss_sampled", "peak/mem%", "verdict"], rows)

    dag_path, chain = critical_path(jobs)
    first_start = min(job.start for job in jobs)
    last_end = max(job.end for job in jobs)
    chain_wall = sum(job.wall for job in chain)
    dag_wall = sum(job.wall for job in dag_path)
    idle = idle_time(jobs)
    work_bound = sum(job.cpu for job in jobs if not math.isnan(job.cpu)) / cores
    print("\nOrchestration")
    print(
        f"  total wall time                              {total:8.1f} s  "
        f"(start-up to first job {first_start - info['start']:.1f} s, "
        f"last job to exit {info['end'] - last_end:.1f} s, "
        f"no job running in between {idle:.1f} s)"
    )
    print(
        f"  critical path of the run ({len(chain):3d} jobs)         {chain_wall:8.1f} s  "
        f"-> overhead = total / path - 1 = {100 * (total / chain_wall - 1):.1f}% "
        f"(goal <= {100 * OVERHEAD_GOAL:.0f}%)"
    )
    print(
        f"  critical path of the job graph ({len(dag_path):3d} jobs)  {dag_wall:8.1f} s  "
        f"(unlimited cores: total / path = {total / dag_wall:.2f})"
    )
    print(
        f"  CPU time of all jobs / {cores} cores                 {work_bound:8.1f} s  "
        f"(core use during the run {100 * all_cpu / (total * cores):.0f}%)"
    )
    helpers = sum(tree.cpu_seconds for tree in unmatched)
    names = sorted({Path(tree.command.split()[0]).name for tree in unmatched})
    series = info.get("snakemake_cpu_series") or []
    startup_cpu = max((cpu for t, cpu in series if t <= first_start), default=math.nan)
    print(
        f"  Snakemake's own CPU time                     {info['snakemake_cpu']:8.1f} s  "
        f"(start-up {_fmt(startup_cpu)} s; "
        f"+ {helpers:.1f} s in {len(unmatched)} helper processes: {', '.join(names) or '-'})"
    )
    print(
        f"  this script's sampling                       {info['sampler_cpu']:8.1f} s  "
        f"CPU ({info['samples']} samples, every {info['interval']} s)"
    )
    gaps = [(later.start - earlier.end, earlier, later) for earlier, later in pairwise(chain)]
    gaps.sort(key=lambda gap: -gap[0])
    if gaps:
        print("  largest waits on the run's critical path (job ends -> next job starts):")
        for seconds, earlier, later in gaps[:5]:
            print(f"    {seconds:6.1f} s  {_name(earlier)} -> {_name(later)}")
    by_rule: dict[str, float] = defaultdict(float)
    for job in chain:
        by_rule[job.rule] += job.wall
    print("  run's critical path by rule (s): " + ", ".join(
        f"{rule} {seconds:.1f}" for rule, seconds in sorted(by_rule.items(), key=lambda i: -i[1])
    ))  # fmt: skip
    write_jobs(work / JOBS_TABLE, jobs, info["start"])
    print(f"\nper-job table: {work / JOBS_TABLE}")


def _name(job: Job) -> str:
    wildcards = ",".join(job.wildcards.values())
    return f"{job.rule}[{wildcards}]" if wildcards else job.rule


def write_jobs(path: Path, jobs: list[Job], t0: float) -> None:
    """Every job's numbers, one row each, for a closer look."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(
            ["jobid", "job", "threads", "mem_mb", "start_s", "end_s", "wall_s", "cpu_s",
             "rss_bench_mb", "rss_sampled_mb", "bench_s"]
        )  # fmt: skip
        for job in sorted(jobs, key=lambda job: job.start):
            writer.writerow([
                job.jobid, _name(job), job.threads, job.mem_mb, f"{job.start - t0:.2f}",
                f"{job.end - t0:.2f}", f"{job.wall:.2f}", _fmt(job.cpu, 2),
                _fmt(job.rss_bench_mb, 0), _fmt(job.rss_sampled_mb, 0),
                _fmt(_number(job.bench, "s"), 2),
            ])  # fmt: skip


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--replicates", type=int, default=2, help="per group (default 2: 12 samples)")
    size.add_argument("--samples", type=int, help=f"samples, a multiple of {GROUPS}")
    parser.add_argument(
        "--read-pairs", type=int, help=f"mean pairs per sample (default {FULL_READ_PAIRS:,})"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_READ_PAIRS:,} pairs per sample"
    )
    parser.add_argument(
        "--cores",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="Snakemake --cores (default: all of this machine's)",
    )
    parser.add_argument("--seed", type=int, default=42, help="simulator seed (default 42)")
    parser.add_argument("--workdir", type=Path, help="keep everything here (default: a temp dir)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the simulated data of --workdir if it matches"
    )
    parser.add_argument(
        "--analyse-only", action="store_true", help="print the tables of the run in --workdir"
    )
    parser.add_argument(
        "--interval", type=float, default=0.25, help="process sampling interval (s)"
    )
    parser.add_argument(
        "--snakemake-args", default="", help="extra Snakemake options, e.g. '--scheduler greedy'"
    )
    args = parser.parse_args()
    if args.samples is not None:
        if args.samples % GROUPS or args.samples < 2 * GROUPS:
            parser.error(f"--samples must be a multiple of {GROUPS}, at least {2 * GROUPS}")
        args.replicates = args.samples // GROUPS
    read_pairs = args.read_pairs or (QUICK_READ_PAIRS if args.quick else FULL_READ_PAIRS)

    if args.analyse_only:
        if args.workdir is None:
            parser.error("--analyse-only needs --workdir")
        report(args.workdir, json.loads((args.workdir / RUN_INFO).read_text()), None)
        return
    work = (args.workdir or Path(tempfile.mkdtemp(prefix="drugsig-bench-"))).resolve()
    if REPO.is_relative_to(work):
        parser.error(f"--workdir {work} holds the repository, whose outputs a run deletes")
    work.mkdir(parents=True, exist_ok=True)
    simulation_s = simulate(work, args.replicates, read_pairs, args.seed, args.reuse)
    write_config(work)
    clean(work)
    info = run_workflow(work, args.cores, args.interval, shlex.split(args.snakemake_args))
    if info["exit_code"] != 0:
        tail = "\n".join((work / RUN_LOG).read_text().splitlines()[-40:])
        raise SystemExit(f"the workflow failed (kept {work}):\n{tail}")
    report(work, info, simulation_s)
    if args.workdir is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
