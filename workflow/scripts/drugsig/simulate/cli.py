"""Command line of the simulator: ``python -m drugsig.simulate`` / ``drugsig-simulate``."""

import argparse
from collections.abc import Sequence
from pathlib import Path

from drugsig.errors import InputError
from drugsig.simulate.catalog import REAL_GENES
from drugsig.simulate.effects import N_SYNTHETIC_PLANTED
from drugsig.simulate.experiment import Settings, simulate
from drugsig.simulate.fastq import MAX_READS
from drugsig.simulate.reads import Strandedness

MIN_GENES = len(REAL_GENES) + N_SYNTHETIC_PLANTED
MAX_GENES = 9999
MIN_READ_PAIRS = 100
MAX_READ_PAIRS = MAX_READS // 2
"""Half the flow cell, leaving room for size factors (up to 1.5x) and planted effects."""
READ_LENGTH_RANGE = (20, 300)
REPLICATE_RANGE = (2, 20)
DEFAULT_READ_PAIRS = 6500


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the simulator."""
    parser = argparse.ArgumentParser(
        prog="drugsig-simulate",
        description=(
            "Simulate the drugsig demo experiment: a mini genome with annotation, "
            "paired-end RNA-seq reads of SJSA-1 cells under three MDM2 inhibitors at five "
            "concentrations each (24 h; Milademetan also at 6 h) and of A2780 parental "
            "and Milciclib-resistant cells, the sample sheets, the true log2 fold changes "
            "and concentration responses, viability plates and qPCR Ct values. The same "
            "seed gives byte-identical files."
        ),
    )
    parser.add_argument("--outdir", required=True, help="output folder, e.g. resources/demo")
    parser.add_argument(
        "--sheets-dir", required=True, type=Path, help="folder for samples.tsv and units.tsv"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--genes", type=int, default=220, help="number of genes (default 220)")
    parser.add_argument(
        "--read-pairs",
        type=int,
        default=DEFAULT_READ_PAIRS,
        help=(
            f"mean read pairs per sample before library size factors (default {DEFAULT_READ_PAIRS})"
        ),
    )
    parser.add_argument("--read-length", type=int, default=50, help="read length (default 50)")
    parser.add_argument(
        "--replicates", type=int, default=2, help="replicates per dose group (default 2)"
    )
    parser.add_argument(
        "--control-replicates",
        type=int,
        default=3,
        help="replicates per vehicle group and per A2780 group (default 3)",
    )
    parser.add_argument(
        "--strandedness",
        choices=[str(choice) for choice in Strandedness],
        default=str(Strandedness.REVERSE),
        help="library strandedness; reverse = dUTP/TruSeq stranded (default reverse)",
    )
    return parser


def _check_range(option: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InputError(f"{option} must be between {low} and {high}, got {value}")


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    """Parse and check the command line.

    Raises
    ------
    InputError
        A value out of range, or an output folder that is an existing file.
    """
    args = build_parser().parse_args(argv)
    if args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    _check_range("--genes", args.genes, MIN_GENES, MAX_GENES)
    _check_range("--read-pairs", args.read_pairs, MIN_READ_PAIRS, MAX_READ_PAIRS)
    _check_range("--read-length", args.read_length, *READ_LENGTH_RANGE)
    _check_range("--replicates", args.replicates, *REPLICATE_RANGE)
    _check_range("--control-replicates", args.control_replicates, *REPLICATE_RANGE)
    outdir = args.outdir.rstrip("/") or "/"
    for option, folder in (("--outdir", Path(outdir)), ("--sheets-dir", args.sheets_dir)):
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{option} {folder} exists and is not a folder")
    return Settings(
        outdir=outdir,
        sheets_dir=args.sheets_dir,
        seed=args.seed,
        n_genes=args.genes,
        read_pairs=args.read_pairs,
        read_length=args.read_length,
        replicates=args.replicates,
        control_replicates=args.control_replicates,
        strandedness=Strandedness(args.strandedness),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator; returns the exit status (0)."""
    simulate(parse_settings(argv))
    return 0
