#!/usr/bin/env python3
"""Checks for the Slurm end-to-end test (called by run_slurm_test.sh).

Subcommands
-----------
jobs      Parse the console log of a `snakemake --executor slurm` run, then ask Slurm
          (`scontrol show job`) about every submitted job and assert that
            * every job that is not a localrule was submitted to Slurm exactly once,
            * every Slurm job COMPLETED with exit code 0:0,
            * requested CPUs == threads, memory == mem_mb (or mem_mb_per_cpu x CPUs),
              time limit == runtime, partition/account == the expected ones.
          Prints one table row per job (the evidence) and writes it as TSV.
compare   Assert that result files are byte-identical between two working directories.
failed    Print the Slurm log of every job of a run that did not complete (diagnostics).

Only the standard library is used so that any python3 can run this file.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HEADER_RE = re.compile(r"^(local)?(rule|checkpoint) (\S+):\s*$")
FIELD_RE = re.compile(r"^\s{4}(\w+): (.*)$")
SUBMIT_RE = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+) \(log: (.*?)\)\.?\s*$")
STATS_TOTAL_RE = re.compile(r"^total\s+(\d+)\s*$")
RESOURCE_RE = re.compile(r"(\w+)=([^,]*)")


@dataclass
class SnakemakeJob:
    rule: str
    local: bool
    jobid: int
    threads: int = 1
    resources: dict[str, str] = field(default_factory=dict)
    wildcards: str = ""
    slurm_ids: list[str] = field(default_factory=list)
    slurm_logs: list[str] = field(default_factory=list)


def parse_log(path: Path) -> tuple[dict[int, SnakemakeJob], int | None]:
    """Return {snakemake jobid: job} and the planned job total from 'Job stats'."""
    jobs: dict[int, SnakemakeJob] = {}
    total: int | None = None
    current: dict | None = None

    def flush() -> None:
        nonlocal current
        if current and "jobid" in current["fields"]:
            f = current["fields"]
            jid = int(f["jobid"])
            job = jobs.get(jid) or SnakemakeJob(current["rule"], current["local"], jid)
            job.rule, job.local = current["rule"], current["local"]
            job.threads = int(f.get("threads", 1))
            job.wildcards = f.get("wildcards", "")
            job.resources = dict(RESOURCE_RE.findall(f.get("resources", "")))
            jobs[jid] = job
        current = None

    for line in path.read_text(errors="replace").splitlines():
        m = HEADER_RE.match(line)
        if m:
            flush()
            current = {"rule": m.group(3), "local": bool(m.group(1)), "fields": {}}
            continue
        if current is not None:
            fm = FIELD_RE.match(line)
            if fm:
                current["fields"][fm.group(1)] = fm.group(2).strip()
                continue
            flush()
        m = STATS_TOTAL_RE.match(line.strip())
        if m and total is None:
            total = int(m.group(1))
        m = SUBMIT_RE.search(line)
        if m:
            jid = int(m.group(1))
            job = jobs.setdefault(jid, SnakemakeJob("?", False, jid))
            job.slurm_ids.append(m.group(2))
            job.slurm_logs.append(m.group(3))
    flush()
    return jobs, total


def scontrol_job(slurm_id: str) -> dict[str, str]:
    out = subprocess.run(
        ["scontrol", "-o", "show", "job", slurm_id],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if out.returncode != 0 or not out.stdout.strip():
        return {"_error": (out.stderr or out.stdout).strip() or "no output"}
    line = out.stdout.strip()
    info = {}
    for key in (
        "JobState",
        "ExitCode",
        "NumCPUs",
        "CPUs/Task",
        "MinMemoryNode",
        "MinMemoryCPU",
        "TimeLimit",
        "Partition",
        "Account",
        "Comment",
        "NodeList",
        "RunTime",
    ):
        m = re.search(r"(?:^|\s)" + re.escape(key) + r"=(\S*)", line)
        if m:
            info[key] = m.group(1)
    m = re.search(r"(?:^|\s)TRES=(\S*)", line)
    if m:
        info["TRES"] = m.group(1)
    return info


def mem_to_mb(value: str) -> int | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", value or "")
    if not m:
        return None
    factor = {"K": 1 / 1024, "": 1, "M": 1, "G": 1024, "T": 1024 * 1024}[m.group(2)]
    return round(float(m.group(1)) * factor)


def timelimit_to_min(value: str) -> int | None:
    m = re.fullmatch(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)", value or "")
    if not m:
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    return days * 1440 + hours * 60 + minutes + (1 if seconds else 0)


def as_int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "", "<TBD>", "None") else None
    except ValueError:
        return None


def cmd_jobs(args: argparse.Namespace) -> int:
    jobs, total = parse_log(Path(args.log))
    problems: list[str] = []
    if not jobs:
        print(f"FAIL: no jobs found in {args.log}", file=sys.stderr)
        return 1
    remote = [j for j in jobs.values() if not j.local]
    local = [j for j in jobs.values() if j.local]

    if total is not None and total != len(jobs):
        problems.append(
            f"snakemake planned {total} jobs ('Job stats' total) but the log shows "
            f"{len(jobs)} job blocks"
        )
    if args.allowed_local is not None:
        allowed = set(args.allowed_local.split(",")) if args.allowed_local else set()
        bad = sorted({j.rule for j in local} - allowed)
        if bad:
            problems.append(f"rules ran locally but are not allowed to: {', '.join(bad)}")
    if not remote:
        problems.append("no job was submitted to Slurm at all")

    rows = []
    for job in sorted(remote, key=lambda j: (j.rule, j.wildcards, j.jobid)):
        label = f"{job.rule}[{job.wildcards}]" if job.wildcards else job.rule
        if len(job.slurm_ids) != 1:
            problems.append(
                f"{label} (snakemake job {job.jobid}) was submitted "
                f"{len(job.slurm_ids)} times to Slurm (expected exactly 1): {job.slurm_ids}"
            )
            if not job.slurm_ids:
                continue
        sid = job.slurm_ids[-1]
        info = scontrol_job(sid)
        if "_error" in info:
            problems.append(
                f"{label}: scontrol show job {sid} failed: {info['_error']} "
                "(record purged? MinJobAge in slurm.conf must outlast the run)"
            )
            continue
        res = job.resources
        mem_mb = as_int(res.get("mem_mb"))
        mem_per_cpu = as_int(res.get("mem_mb_per_cpu"))
        runtime = as_int(res.get("runtime"))
        cpus = as_int(info.get("CPUs/Task"))
        if mem_per_cpu:
            got_mem = mem_to_mb(info.get("MinMemoryCPU", ""))
            want_mem, mem_kind = mem_per_cpu, "per-cpu"
        else:
            got_mem = mem_to_mb(info.get("MinMemoryNode", ""))
            want_mem, mem_kind = mem_mb, "per-node"
        got_time = timelimit_to_min(info.get("TimeLimit", ""))
        row = {
            "rule": label,
            "smk_job": job.jobid,
            "slurm_job": sid,
            "state": f"{info.get('JobState')}/{info.get('ExitCode')}",
            "threads": job.threads,
            "cpus": cpus,
            "mem_kind": mem_kind,
            "mem_mb": want_mem,
            "slurm_mem_mb": got_mem,
            "runtime_min": runtime,
            "slurm_timelimit_min": got_time,
            "partition": info.get("Partition"),
            "account": info.get("Account"),
        }
        rows.append(row)
        if info.get("JobState") != "COMPLETED" or info.get("ExitCode") != "0:0":
            problems.append(
                f"{label}: Slurm job {sid} state {info.get('JobState')} "
                f"exit {info.get('ExitCode')} (log: {job.slurm_logs[-1]})"
            )
        if cpus != job.threads:
            problems.append(f"{label}: Slurm CPUs/Task={cpus} but threads={job.threads}")
        if want_mem is None or got_mem != want_mem:
            problems.append(
                f"{label}: Slurm memory ({mem_kind}) {got_mem} MB != rule {want_mem} MB"
            )
        if runtime is not None and got_time != runtime:
            problems.append(f"{label}: Slurm TimeLimit {got_time} min != runtime {runtime} min")
        if args.partition and info.get("Partition") != args.partition:
            problems.append(
                f"{label}: partition {info.get('Partition')} != expected {args.partition}"
            )
        if args.account and (info.get("Account") or "").lower() != args.account.lower():
            problems.append(f"{label}: account {info.get('Account')} != expected {args.account}")

    cols = list(rows[0].keys()) if rows else []
    if rows:
        widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
        print("  ".join(c.ljust(widths[c]) for c in cols).rstrip())
        for r in rows:
            print("  ".join(str(r[c]).ljust(widths[c]) for c in cols).rstrip())
        if args.tsv:
            with Path(args.tsv).open("w") as fh:
                fh.write("\t".join(cols) + "\n")
                for r in rows:
                    fh.write("\t".join(str(r[c]) for c in cols) + "\n")
    local_rules = sorted({j.rule for j in local})
    print(
        f"\nplanned jobs: {total}; submitted to Slurm: "
        f"{sum(len(j.slurm_ids) for j in remote)} (distinct jobs {len(remote)}); "
        f"localrules run on the submit host: {len(local)} ({', '.join(local_rules) or '-'})"
    )
    if problems:
        print("\nFAIL:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("OK: every non-local job went through Slurm with the declared CPUs/memory/time")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    a, b = Path(args.dir_a), Path(args.dir_b)
    problems = []
    n = 0
    for pattern in args.patterns:
        files_a = sorted(p.relative_to(a) for p in a.glob(pattern))
        files_b = sorted(p.relative_to(b) for p in b.glob(pattern))
        if not files_a:
            problems.append(f"pattern {pattern!r} matches nothing in {a}")
            continue
        if files_a != files_b:
            problems.append(
                f"pattern {pattern!r}: different file sets\n    {a}: {[str(f) for f in files_a]}"
                f"\n    {b}: {[str(f) for f in files_b]}"
            )
        for rel in files_a:
            if not (b / rel).exists():
                continue
            n += 1
            same = filecmp.cmp(a / rel, b / rel, shallow=False)
            print(f"{'identical' if same else 'DIFFERENT'}  {rel}")
            if not same:
                diff = subprocess.run(
                    ["diff", "-u", str(a / rel), str(b / rel)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                problems.append(f"{rel} differs:\n" + "\n".join(diff.stdout.splitlines()[:40]))
    if problems:
        print("\nFAIL:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"OK: {n} result files byte-identical")
    return 0


def cmd_failed(args: argparse.Namespace) -> int:
    """Print the logs of jobs that did not complete, plus failures reported by snakemake."""
    log = Path(args.log)
    if not log.exists():
        print(f"(no snakemake log at {log})")
        return 0
    jobs, _ = parse_log(log)
    shown = 0
    for job in jobs.values():
        for sid, slog in zip(job.slurm_ids, job.slurm_logs, strict=False):
            info = scontrol_job(sid)
            state = info.get("JobState", "?")
            if state == "COMPLETED" and info.get("ExitCode") == "0:0":
                continue
            shown += 1
            print(
                f"===== {job.rule} [{job.wildcards}] slurm job {sid}: {state} "
                f"exit {info.get('ExitCode', '?')} ====="
            )
            print(f"scontrol: {info}")
            p = Path(slog)
            if p.exists():
                print(f"----- last {args.lines} lines of {p} -----")
                print("\n".join(p.read_text(errors="replace").splitlines()[-args.lines :]))
            else:
                print(f"(slurm log {p} missing)")
    if not shown:
        print("(no unfinished/failed Slurm jobs found in the log)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    j = sub.add_parser("jobs")
    j.add_argument("log", help="console log (stderr) of the snakemake --executor slurm run")
    j.add_argument("--partition")
    j.add_argument("--account")
    j.add_argument("--allowed-local", help="comma-separated rules allowed to run locally")
    j.add_argument("--tsv", help="write the evidence table here")
    c = sub.add_parser("compare")
    c.add_argument("dir_a")
    c.add_argument("dir_b")
    c.add_argument("patterns", nargs="+")
    f = sub.add_parser("failed")
    f.add_argument("log")
    f.add_argument("--lines", type=int, default=60)
    args = ap.parse_args()
    return {"jobs": cmd_jobs, "compare": cmd_compare, "failed": cmd_failed}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
