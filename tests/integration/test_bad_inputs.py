"""Every bad input a user is likely to give stops the run with one clear message.

Each case starts from a copy of a tiny valid project (:func:`helpers.tiny_project`),
breaks one thing and runs the README's plain command (``snakemake --cores 2``).

* DAG-time cases (sheets, config, contrasts) must stop while Snakemake builds the DAG:
  the exact message is the ``InputError`` in Snakemake's output, and no job ran (no
  ``results/``, ``resources/`` or ``logs/``).
* Run-time cases (the content of FASTQ files, the reference, the counts) must stop in
  the cheap rule that checks them: the exact message is the ``InputError`` at the end
  of that rule's log, the heavy steps after it did not run, the failed job's outputs
  were removed and nothing that looks like a finished result is left.
"""

from __future__ import annotations

import gzip
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import (
    copy_project,
    default_config,
    gtf_lines,
    intergenic_pairs,
    make_genome,
    read_config,
    tiny_project,
    write_config,
    write_pairs,
)

from conftest import run_snakemake
from drugsig.inputs.schema import load_schema

pytestmark = pytest.mark.integration

SNAKEMAKE_ARGS = ("--cores", "2")
# Results that must never exist after a failed run: they would look complete.
FINAL_RESULTS = [
    "results/counts/counts.tsv",
    "results/de",
    "results/signatures",
    "results/multiqc/multiqc_report.html",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return tiny_project(tmp_path_factory.mktemp("tiny") / "project")


@pytest.fixture
def project(template, tmp_path) -> Path:
    return copy_project(template, tmp_path / "project")


# --- editing a project -----------------------------------------------------------------


def read_rows(root: Path, sheet: str) -> list[list[str]]:
    """A sheet's lines split by tabs, the header first."""
    lines = (root / "config" / sheet).read_text().splitlines()
    return [line.split("\t") for line in lines]


def write_rows(root: Path, sheet: str, rows: list[list[str]], separator: str = "\t") -> None:
    (root / "config" / sheet).write_text("\n".join(separator.join(row) for row in rows) + "\n")


def edit_unit(root: Path, sample: str, **values: str) -> None:
    """Set columns of a sample's unit row (adding the columns if needed)."""
    rows = read_rows(root, "units.tsv")
    header = rows[0]
    for column in values:
        if column not in header:
            header.append(column)
            for row in rows[1:]:
                row.append("")
    for row in rows[1:]:
        row.extend([""] * (len(header) - len(row)))
        if row[0] == sample:
            for column, value in values.items():
                row[header.index(column)] = value
    write_rows(root, "units.tsv", rows)


def add_column(root: Path, sheet: str, column: str, values: list[str]) -> None:
    rows = read_rows(root, sheet)
    for row, value in zip(rows, [column, *values], strict=True):
        row.append(value)
    write_rows(root, sheet, rows)


def drop_sample(root: Path, sheet: str, sample: str) -> None:
    write_rows(root, sheet, [row for row in read_rows(root, sheet) if row[0] != sample])


def rename_sample(root: Path, sheet: str, old: str, new: str) -> None:
    rows = read_rows(root, sheet)
    write_rows(root, sheet, [[new if cell == old else cell for cell in row] for row in rows])


def append_row(root: Path, sheet: str, row: list[str]) -> None:
    write_rows(root, sheet, [*read_rows(root, sheet), row])


def configure(root: Path, **sections: dict) -> None:
    """Merge ``sections`` into the config (one level deep)."""
    config = read_config(root)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key].update(value)
        else:
            config[key] = value
    write_config(root, config)


# --- DAG-time cases --------------------------------------------------------------------


def allowed_keys(*path: str) -> str:
    """The keys the config schema allows at ``path``, as the error message lists them."""
    node = load_schema("config")
    for part in path:
        node = node["properties"][part]
    return ", ".join(sorted(node["properties"]))


def one_replicate(root: Path) -> None:
    drop_sample(root, "samples.tsv", "drugA_2")
    drop_sample(root, "units.tsv", "drugA_2")


def batch(values: list[str]) -> Callable[[Path], None]:
    """A ``batch`` column with these values, used as a covariate."""

    def edit(root: Path) -> None:
        add_column(root, "samples.tsv", "batch", values)
        configure(root, diffexp={"covariates": ["batch"]})

    return edit


def contrast(**spec: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        configure(root, diffexp={"contrasts": [{"column": "condition", **spec}]})

    return edit


def not_utf8(root: Path) -> None:
    add_column(root, "samples.tsv", "dose", ["0", "0", "5", "5"])
    path = root / "config" / "samples.tsv"
    path.write_bytes(path.read_bytes().replace(b"dose", "dose_µM".encode("latin-1")))


def mixed_layout(root: Path) -> None:
    append_row(root, "units.tsv", ["DMSO_1", "L2", "data/reads/DMSO_2_R1.fq.gz", ""])


def reference(**paths: object) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        config = read_config(root)
        config["reference"] = {**config["reference"], **paths}
        config["reference"] = {key: value for key, value in config["reference"].items() if value}
        write_config(root, config)

    return edit


def counts_matrix_with_other_samples(root: Path) -> None:
    columns = ["DMSO_1", "DMSO_2", "drugA_1", "drugA_3"]
    rows = ["gene_id\t" + "\t".join(columns)]
    rows += [f"G{i}\t" + "\t".join(str(10 + i + j) for j in range(4)) for i in range(20)]
    (root / "data/counts.tsv").write_text("\n".join(rows) + "\n")
    config = default_config()
    del config["units"], config["reference"]
    config["counts"] = "data/counts.tsv"
    write_config(root, config)


def count_matrix(data: bytes) -> Callable[[Path], None]:
    """Counts mode, with ``data`` as the count matrix."""

    def edit(root: Path) -> None:
        (root / "data/counts.tsv").write_bytes(data)
        config = default_config()
        del config["units"], config["reference"]
        config["counts"] = "data/counts.tsv"
        write_config(root, config)

    return edit


def gmt(text: str) -> Callable[[Path], None]:
    """An extra GMT file (genesets.gmt) with ``text``."""

    def edit(root: Path) -> None:
        (root / "data/extra.gmt").write_text(text)
        configure(root, genesets={"gmt": ["data/extra.gmt"]})

    return edit


def qpcr_table(rows: list[str]) -> Callable[[Path], None]:
    """A qPCR table (sample, gene, replicate, ct) with these rows."""

    def edit(root: Path) -> None:
        lines = ["sample\tgene\treplicate\tct", *rows]
        (root / "data/qpcr.tsv").write_text("\n".join(lines) + "\n")
        configure(root, qpcr={"table": "data/qpcr.tsv"})

    return edit


DAG_CASES = [
    # FASTQ paths in the units sheet
    (
        "missing_fastq",
        lambda root: edit_unit(root, "DMSO_2", fq1="data/reads/DMSO_2_R1.fastq.gz"),
        "config/units.tsv, line 3: fq1 file 'data/reads/DMSO_2_R1.fastq.gz' not found.",
    ),
    (
        "empty_fastq_file",
        lambda root: (root / "data/reads/drugA_1_R2.fq.gz").write_bytes(b""),
        "config/units.tsv, line 4: fq2 file 'data/reads/drugA_1_R2.fq.gz' is empty.",
    ),
    (
        "fastq_path_is_a_directory",
        lambda root: edit_unit(root, "DMSO_1", fq1="data/reads"),
        "config/units.tsv, line 2: fq1 'data/reads' is a directory; give the FASTQ file's path.",
    ),
    (
        "fq1_equals_fq2",
        lambda root: edit_unit(root, "DMSO_1", fq2="data/reads/DMSO_1_R1.fq.gz"),
        "config/units.tsv, line 2: fq1 and fq2 are the same file 'data/reads/DMSO_1_R1.fq.gz'.",
    ),
    (
        "single_and_paired_end_units_of_one_sample",
        mixed_layout,
        "config/units.tsv, line 6: sample 'DMSO_1' mixes single-end and paired-end units; "
        "all units of a sample must have the same layout.",
    ),
    (
        "duplicate_unit",
        lambda root: append_row(root, "units.tsv", read_rows(root, "units.tsv")[1]),
        "config/units.tsv, line 6: duplicate unit 'L1' of sample 'DMSO_1'.",
    ),
    # samples vs units
    (
        "duplicate_sample_name",
        lambda root: append_row(root, "samples.tsv", ["DMSO_2", "drugA"]),
        "config/samples.tsv, line 6: duplicate sample name 'DMSO_2' (first on line 3). "
        "Sample names must be unique.",
    ),
    (
        "unit_of_a_sample_not_in_samples",
        lambda root: rename_sample(root, "units.tsv", "DMSO_2", "DMSO-2"),
        "config/units.tsv, line 3: sample 'DMSO-2' is not in the samples sheet (did you mean "
        "'DMSO_2'?). Add it there or remove this unit.",
    ),
    (
        "sample_without_units",
        lambda root: drop_sample(root, "units.tsv", "drugA_1"),
        "config/units.tsv: sample(s) drugA_1 of the samples sheet have no unit. Add their "
        "FASTQ files to the units sheet or remove them from the samples sheet.",
    ),
    *(
        (
            f"sample_name_{label}",
            lambda root, name=name: rename_sample(root, "samples.tsv", "DMSO_1", name),
            f"config/samples.tsv, line 2 (sample '{name}'): 'sample': '{name}' is not "
            "allowed; expected sample name: letters, digits, '.', '_' and '-' only, starting "
            "and ending with a letter or digit (it becomes part of file names).",
        )
        for label, name in [
            ("with_space", "DMSO 1"),
            ("with_semicolon", "DMSO_1;rm"),
            ("with_dollar", "DMSO_$(id)"),
            ("with_pipe", "DMSO|1"),
        ]
    ),
    # sheet format
    (
        "samples_sheet_comma_separated",
        lambda root: write_rows(root, "samples.tsv", read_rows(root, "samples.tsv"), ","),
        "config/samples.tsv, line 1: the sheet is not tab-separated (the header is split by "
        "commas). Save it as tab-separated values (TSV).",
    ),
    (
        "units_sheet_semicolon_separated",
        lambda root: write_rows(root, "units.tsv", read_rows(root, "units.tsv"), ";"),
        "config/units.tsv, line 1: the sheet is not tab-separated (the header is split by "
        "semicolons). Save it as tab-separated values (TSV).",
    ),
    (
        "row_separated_by_spaces",
        lambda root: append_row(root, "samples.tsv", ["drugA_3 drugA"]),
        "config/samples.tsv, line 6: one cell but the header has 2 columns; the row is split "
        "by spaces, not tabs. Save the sheet as tab-separated values (TSV).",
    ),
    (
        "sheet_not_utf8",
        not_utf8,
        "config/samples.tsv, line 1: the sheet is not UTF-8 text (byte 0xb5). Save it as "
        "UTF-8 tab-separated values.",
    ),
    (
        "missing_samples_sheet",
        lambda root: configure(root, samples="config/sample.tsv"),
        "config/sample.tsv: file not found.",
    ),
    (
        "non_numeric_dose",
        lambda root: add_column(root, "samples.tsv", "dose", ["0", "0", "0.5uM", "0.5uM"]),
        "config/samples.tsv, line 4 (sample 'drugA_1'): 'dose': '0.5uM' is not allowed; "
        "expected dose (concentration) as a non-negative number, e.g. 0.5.",
    ),
    (
        "invalid_strandedness_in_units",
        lambda root: edit_unit(root, "DMSO_1", strandedness="stranded"),
        "config/units.tsv, line 2: 'strandedness': 'stranded' is not one of none, forward, "
        "reverse, auto.",
    ),
    # config keys and values
    (
        "unknown_config_key",
        lambda root: configure(root, trimmming={"quality_cutoff": 25}),
        "config/config.yaml: top level: unknown key 'trimmming' (did you mean 'trimming'?). "
        f"Allowed keys: {allowed_keys()}.",
    ),
    (
        "unknown_nested_config_key",
        lambda root: configure(root, diffexp={"vehicel": "DMSO"}),
        "config/config.yaml: 'diffexp': unknown key 'vehicel' (did you mean 'vehicle'?). "
        f"Allowed keys: {allowed_keys('diffexp')}.",
    ),
    (
        "config_value_of_wrong_type",
        lambda root: configure(root, trimming={"minimum_length": "20bp"}),
        "config/config.yaml: 'trimming.minimum_length': '20bp' is not of type 'integer'.",
    ),
    (
        "preset_and_fasta",
        reference(preset={"source": "ensembl", "release": 112}),
        "config/config.yaml: 'reference' has both a preset and fasta/gtf paths; give one or "
        "the other.",
    ),
    (
        "reference_without_gtf",
        reference(gtf=None),
        "config/config.yaml: 'reference' needs fasta and gtf paths, or a preset "
        "({source: ensembl|gencode, release: N}).",
    ),
    # design and contrasts
    (
        "vehicle_missing",
        lambda root: rename_sample(root, "samples.tsv", "DMSO", "vehicle"),
        "config/samples.tsv: the vehicle 'DMSO' (diffexp.vehicle) is not in column "
        "'condition'; levels found: drugA, vehicle. Set diffexp.vehicle to the condition of "
        "the vehicle controls, or list contrasts in diffexp.contrasts.",
    ),
    (
        "vehicle_misspelt_in_config",
        lambda root: configure(root, diffexp={"vehicle": "dmso"}),
        "config/samples.tsv: the vehicle 'dmso' (diffexp.vehicle) is not in column "
        "'condition'; levels found: DMSO, drugA. Did you mean 'DMSO'? Set diffexp.vehicle to "
        "the condition of the vehicle controls, or list contrasts in diffexp.contrasts.",
    ),
    (
        "condition_with_one_replicate",
        one_replicate,
        "config/samples.tsv: contrast 'drugA_vs_DMSO': the treatment group (condition=drugA) "
        "has only 1 replicate (drugA_1); at least 2 per group are required. DESeq2 can "
        "technically fit a group without replicates, but its fold changes and p-values are "
        "then unreliable, so drugsig refuses. Add replicates or choose other contrasts "
        "(diffexp.contrasts).",
    ),
    (
        "contrast_level_does_not_exist",
        contrast(treatment="Nutlin-3a", reference="DMSO"),
        "diffexp.contrasts item 1: level 'Nutlin-3a' is not in column 'condition' of "
        "config/samples.tsv; levels found: DMSO, drugA.",
    ),
    (
        "contrast_level_typo",
        contrast(treatment="druga", reference="DMSO"),
        "diffexp.contrasts item 1: level 'druga' is not in column 'condition' of "
        "config/samples.tsv; levels found: DMSO, drugA. Did you mean 'drugA'?",
    ),
    (
        "contrast_column_does_not_exist",
        contrast(column="treatment", treatment="drugA", reference="DMSO"),
        "diffexp.contrasts item 1: column 'treatment' is not in config/samples.tsv; its "
        "columns are sample, condition.",
    ),
    (
        "covariate_column_missing",
        lambda root: configure(root, diffexp={"covariates": ["batch"]}),
        "diffexp.covariates: column 'batch' is not in config/samples.tsv; its columns are "
        "sample, condition.",
    ),
    (
        "covariate_confounded_with_condition",
        batch(["b1", "b1", "b2", "b2"]),
        "contrast(s) drugA_vs_DMSO: the covariates batch (diffexp.covariates) are confounded "
        "with the compared groups, so the model cannot be fitted. Remove them or add samples "
        "that separate them.",
    ),
    (
        "covariate_value_missing",
        batch(["b1", "b2", "b1", ""]),
        "config/samples.tsv: covariate 'batch' (diffexp.covariates) is empty for sample(s) "
        "drugA_2; every sample needs a value.",
    ),
    # the start of the reference files, the count matrix, GMT and assay tables
    (
        "empty_genome_fasta",
        lambda root: (root / "data/genome.fa").write_bytes(b""),
        "data/genome.fa: the file is empty (0 bytes). Give the genome FASTA (plain or "
        "gzip-compressed) as reference.fasta.",
    ),
    (
        "genome_fasta_without_header",
        lambda root: (root / "data/genome.fa").write_text("ACGTACGT\nACGT\n"),
        "data/genome.fa: the FASTA should start with a '>' sequence header line but starts "
        "with 'ACGTACGT'. Give the genome FASTA (plain or gzip-compressed) as reference.fasta.",
    ),
    (
        "gtf_is_an_excel_workbook",
        lambda root: (root / "data/genes.gtf").write_bytes(b"PK\x03\x04" + bytes(100)),
        "data/genes.gtf: the file is a zip archive (an Excel .xlsx workbook?), not a text "
        "file. Give the gene annotation GTF (plain or gzip-compressed) as reference.gtf.",
    ),
    (
        "samples_sheet_utf16",
        lambda root: (root / "config/samples.tsv").write_bytes(
            (root / "config/samples.tsv").read_text().encode("utf-16")
        ),
        "config/samples.tsv: the file is UTF-16 text, not UTF-8. Save it as UTF-8 "
        "tab-separated values (TSV).",
    ),
    (
        "count_matrix_columns_do_not_match_samples",
        counts_matrix_with_other_samples,
        "data/counts.tsv: the count matrix's columns do not match the samples sheet. Samples "
        "without a column: drugA_2. Columns without a sample: drugA_3. Columns map to samples "
        "by file name, without its extensions (featureCounts' BAM paths work as they are), or "
        "exactly by a `counts_column` column in the samples sheet.",
    ),
    (
        "count_matrix_is_not_gzip",
        count_matrix(b"\x1f\x8bnot really gzip"),
        "data/counts.tsv: the file starts like gzip but its data is corrupt (Error -3 while "
        "decompressing data: unknown compression method). Copy or download it again.",
    ),
    (
        "gmt_set_defined_twice",
        gmt("up\tx\tG1\tG2\ndown\tx\tG3\nup\tx\tG4\n"),
        "data/extra.gmt, line 3: gene set 'up' was already defined on line 1; set names must "
        "be unique.",
    ),
    (
        "gmt_empty",
        gmt(""),
        "data/extra.gmt: the GMT file is empty (no gene sets). Give GMT files (tab-separated "
        "text: set name, description, genes) in genesets.gmt.",
    ),
    (
        "qpcr_duplicate_well",
        qpcr_table(["DMSO_1\tGAPDH\t1\t20.1", "DMSO_1\tGAPDH\t1\t20.3"]),
        "data/qpcr.tsv, row 2 (line 3; sample 'DMSO_1', gene 'GAPDH'): duplicate well "
        "(replicate '1' given twice).",
    ),
]


# Snakemake's one line before parsing when it uses the workflow's profiles/default.
PROFILE_NOTICE = re.compile(r"^Using workflow specific profile .*\n", re.M)


def dag_error(stderr: str) -> str:
    """The message of a parse-time InputError: common.smk prints ``Error: <message>``."""
    match = re.search(r"^Error: (.*)$", stderr, re.M)
    assert match, stderr[-3000:]
    return match.group(1)


def assert_nothing_ran(root: Path) -> None:
    for folder in ("results", "resources", "logs"):
        assert not (root / folder).exists(), f"{folder}/ was created: a job ran"


@pytest.mark.parametrize(
    ("edit", "message"),
    [pytest.param(edit, message, id=name) for name, edit, message in DAG_CASES],
)
def test_dag_time_error(project, edit, message):
    edit(project)
    result = run_snakemake(project, *SNAKEMAKE_ARGS, check=False)
    assert result.returncode == 1
    assert dag_error(result.stderr) == message
    assert_nothing_ran(project)


@pytest.mark.parametrize(
    "name", ["unknown_config_key", "sample_name_with_space", "empty_genome_fasta"]
)
def test_dag_time_error_is_our_message_alone(project, name):
    """No traceback: stderr is ``Error: <message>`` (after Snakemake's profile notice)."""
    edit, message = {case[0]: case[1:] for case in DAG_CASES}[name]
    edit(project)
    result = run_snakemake(project, *SNAKEMAKE_ARGS, check=False)
    assert result.returncode == 1
    assert PROFILE_NOTICE.sub("", result.stderr) == f"Error: {message}\n"
    assert 'File "' not in result.stderr
    assert result.stdout == ""
    assert_nothing_ran(project)


def test_missing_reference_file(project):
    """Snakemake's own message: the rule that needs the file and the file's path."""
    reference(fasta="data/genom.fa")(project)
    result = run_snakemake(project, *SNAKEMAKE_ARGS, check=False)
    assert result.returncode != 0
    assert "Missing input files for rule prepare_genome:" in result.stderr
    assert re.search(r"affected files:\n\s+data/genom\.fa\n", result.stderr), result.stderr
    assert_nothing_ran(project)


def byte_order_mark(root: Path) -> None:
    path = root / "config/samples.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def windows_line_ends(root: Path) -> None:
    for sheet in ("samples.tsv", "units.tsv"):
        path = root / "config" / sheet
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(byte_order_mark, id="byte_order_mark"),
        pytest.param(windows_line_ends, id="windows_line_ends"),
        pytest.param(batch(["b1"] * 4), id="constant_covariate"),
    ],
)
def test_harmless_quirks_are_accepted(project, edit):
    """Not errors: the dry run plans the whole workflow."""
    edit(project)
    result = run_snakemake(project, "-n", *SNAKEMAKE_ARGS, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "deseq2" in result.stdout


def test_valid_tiny_project_passes_the_dag_checks(project):
    result = run_snakemake(project, "-n", *SNAKEMAKE_ARGS, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "reads_to_counts" in result.stdout
    assert "deseq2" in result.stdout


# --- run-time cases --------------------------------------------------------------------


@dataclass(frozen=True)
class RunCase:
    """A bad input found by a rule: its log gets ``message``."""

    edit: Callable[[Path], None]
    rule: str  # the rule that fails ("a|b": either, whichever runs first)
    log: str  # its log ("a|b" likewise)
    message: str | Callable[[Path], str] | re.Pattern[str]
    # outputs of the failed job: must be gone (Snakemake removes what the job wrote)
    outputs: list[str] = field(default_factory=list)
    # later (heavy) steps that must not have run
    absent: list[str] = field(default_factory=list)
    # the job wrote some of its outputs before failing, so Snakemake says it removes them
    removes_outputs: bool = False


# A bad FASTQ in any sample stops every sample before trimming and alignment: with
# --cores 2 the check (one job for the few samples here, priority 10) runs before
# anything else, and every sample's job waits for the check of its chunk.
FASTQ_STAGE_ABSENT = [
    "results/qc/raw_reads.tsv",
    "results/qc/samples",
    "results/align",
    "resources/index",
]


def truncate(root: Path) -> None:
    path = root / "data/reads/drugA_2_R1.fq.gz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def truncated_message(root: Path) -> str:
    data = (root / "data/reads/drugA_2_R1.fq.gz").read_bytes()
    records = zlib.decompressobj(wbits=31).decompress(data).count(b"\n") // 4
    return (
        f"data/reads/drugA_2_R1.fq.gz: the gzip stream is truncated after about {records} "
        f"records (it ends in or just before record {records + 1}). The file was cut short, "
        "e.g. by an interrupted download or copy; copy or download it again."
    )


def drop_last_records(root: Path) -> None:
    path = root / "data/reads/DMSO_2_R2.fq.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    path.write_bytes(gzip.compress("".join(lines[:-8]).encode()))


def empty_gzip(root: Path) -> None:
    for mate in (1, 2):
        (root / f"data/reads/drugA_1_R{mate}.fq.gz").write_bytes(gzip.compress(b""))


def fasta_reads(root: Path) -> None:
    for mate in (1, 2):
        path = root / f"data/reads/DMSO_1_R{mate}.fq.gz"
        lines = gzip.decompress(path.read_bytes()).decode().splitlines()
        fasta = "".join(f">{lines[i][1:].split()[0]}\n{lines[i + 1]}\n" for i in range(0, 120, 4))
        (root / f"data/reads/DMSO_1_R{mate}.fa.gz").write_bytes(gzip.compress(fasta.encode()))
    edit_unit(root, "DMSO_1", fq1="data/reads/DMSO_1_R1.fa.gz", fq2="data/reads/DMSO_1_R2.fa.gz")


def chr_prefixed_gtf(root: Path) -> None:
    (root / "data/genes.gtf").write_text("\n".join(gtf_lines(prefix="chr")) + "\n")


def gtf_without_exons(root: Path) -> None:
    lines = [line for line in gtf_lines() if line.split("\t")[2] != "exon"]
    (root / "data/genes.gtf").write_text("\n".join(lines) + "\n")


def gff3_annotation(root: Path) -> None:
    """The same genes as GFF3: key=value attributes, no gene_id."""
    lines = []
    for line in gtf_lines():
        fields = line.split("\t")
        gene = re.search(r'gene_id "(\w+)"', fields[8]).group(1)
        fields[8] = f"ID={fields[2]}:{gene};gene_name={gene}_name"
        lines.append("\t".join(fields))
    (root / "data/genes.gtf").write_text("##gff-version 3\n" + "\n".join(lines) + "\n")


def intergenic_sample(root: Path) -> None:
    pairs = intergenic_pairs(make_genome(), random.Random(3), 30)
    reads = root / "data/reads"
    write_pairs(reads / "drugA_2_R1.fq.gz", reads / "drugA_2_R2.fq.gz", "drugA_2", pairs)


def duplicate_gene_id(root: Path) -> None:
    rows = [f"G{i}\t" + "\t".join(str(10 + i + j) for j in range(4)) for i in range(20)]
    rows[7] = "G3\t5\t6\t7\t8"
    count_matrix(("gene_id\tDMSO_1\tDMSO_2\tdrugA_1\tdrugA_2\n" + "\n".join(rows)).encode())(root)


def truncated_genome(root: Path) -> None:
    data = gzip.compress((root / "data/genome.fa").read_bytes())
    (root / "data/genome.fa.gz").write_bytes(data[: len(data) // 2])
    reference(fasta="data/genome.fa.gz")(root)


RUN_CASES = {
    "truncated_gzip": RunCase(
        truncate,
        "check_reads",
        "logs/check_reads/chunk1.log",
        truncated_message,
        ["results/qc/raw/chunk1.tsv"],
        FASTQ_STAGE_ABSENT,
    ),
    "r2_has_fewer_reads": RunCase(
        drop_last_records,
        "check_reads",
        "logs/check_reads/chunk1.log",
        "data/reads/DMSO_2_R1.fq.gz has 30 records but data/reads/DMSO_2_R2.fq.gz has 28: "
        "record 29 of data/reads/DMSO_2_R1.fq.gz has no mate. Mate files must have the same "
        "reads; one of them is probably incomplete. Copy or download the pair again.",
        ["results/qc/raw/chunk1.tsv"],
        FASTQ_STAGE_ABSENT,
    ),
    "r1_r2_read_names_differ": RunCase(
        lambda root: edit_unit(root, "DMSO_1", fq2="data/reads/drugA_1_R2.fq.gz"),
        "check_reads",
        "logs/check_reads/chunk1.log",
        "data/reads/DMSO_1_R1.fq.gz and data/reads/drugA_1_R2.fq.gz: read names differ at "
        "record 1 ('DMSO_1:0' vs 'drugA_1:0', compared up to the first space, ignoring a "
        "trailing /1 or /2). Mate files must list the same reads in the same order; use the "
        "original pair of files, or re-pair them, e.g. with `seqkit pair`.",
        ["results/qc/raw/chunk1.tsv"],
        FASTQ_STAGE_ABSENT,
    ),
    "fastq_without_records": RunCase(
        empty_gzip,
        "check_reads",
        "logs/check_reads/chunk1.log",
        "data/reads/drugA_1_R1.fq.gz: the file has no FASTQ records. Check the fq1/fq2 path "
        "in the units sheet, or re-export the file.",
        ["results/qc/raw/chunk1.tsv"],
        FASTQ_STAGE_ABSENT,
    ),
    "fasta_given_as_fastq": RunCase(
        fasta_reads,
        "check_reads",
        "logs/check_reads/chunk1.log",
        "data/reads/DMSO_1_R1.fa.gz, record 1 (line 1): the header line should start with '@' "
        "but is '>DMSO_1:0'. Re-download or re-export the file (e.g. from the sequencing "
        "facility).",
        ["results/qc/raw/chunk1.tsv"],
        FASTQ_STAGE_ABSENT,
    ),
    "chromosome_names_differ": RunCase(
        chr_prefixed_gtf,
        "check_reference",
        "logs/reference/check_reference.log",
        "resources/reference/annotation.gtf and resources/reference/genome.fa have no "
        "sequence name in common (GTF genes on: 'chr1', 'chr2'; FASTA: '1', '2'). The GTF "
        "uses UCSC/GENCODE names ('chr1') and the FASTA Ensembl names ('1'). Use an "
        "annotation from the same source and release as the genome (config reference.preset "
        "downloads a matching pair), or strip the prefix from the GTF: zcat -f "
        "resources/reference/annotation.gtf | sed -E 's/^chr//; s/^M\\t/MT\\t/' > "
        "annotation.gtf",
        ["resources/reference/contigs.tsv"],
        ["resources/index", "results/align"],
    ),
    "gtf_without_exons": RunCase(
        gtf_without_exons,
        "check_reference|gene_table",
        "logs/reference/check_reference.log|logs/reference/gene_table.log",
        "resources/reference/annotation.gtf: the GTF has no 'exon' lines, so there is nothing "
        "to count reads on. Use a gene annotation GTF (e.g. Ensembl's "
        "Homo_sapiens.GRCh38.<release>.gtf.gz).",
        ["resources/reference/contigs.tsv", "resources/reference/genes.tsv"],
        ["resources/index", "results/align"],
    ),
    "annotation_is_gff3": RunCase(
        gff3_annotation,
        "check_reference|gene_table",
        "logs/reference/check_reference.log|logs/reference/gene_table.log",
        "resources/reference/annotation.gtf, line 4: exon without a gene_id attribute. Its "
        'attributes look like GFF3 (key=value); use a GTF (key "value";), e.g. Ensembl\'s '
        ".gtf.gz, or convert it with `gffread -T`.",
        ["resources/reference/contigs.tsv", "resources/reference/genes.tsv"],
        ["resources/index", "results/align"],
    ),
    "sample_with_zero_assigned_reads": RunCase(
        intergenic_sample,
        "count_matrix",
        "logs/count_matrix.log",
        "sample 'drugA_2': 0 reads were assigned to genes (results/featurecounts/drugA_2.tsv). "
        "Check the FASTQ files, the reference and the strandedness setting.",
        ["results/counts/counts.tsv"],
        [],
    ),
    "strandedness_cannot_be_inferred": RunCase(
        lambda root: edit_unit(root, "drugA_1", strandedness="auto"),
        "reads_to_counts",
        "logs/reads_to_counts/drugA_1.log",
        re.compile(
            r"sample 'drugA_1': strandedness 'auto' was asked for but could not be inferred "
            r"from the reads \(\d+ reads on exons, fraction_forward \d\.\d{3}, "
            r"fraction_reverse \d\.\d{3}; see the warning above\); set it in the units "
            r"sheet's strandedness column or counting\.strandedness \(none, forward or "
            r"reverse\)\."
        ),
        [
            "results/align/drugA_1.bam",
            "results/featurecounts/drugA_1.tsv",
            "results/qc/samples/drugA_1",
        ],
        ["results/counts"],
        removes_outputs=True,  # the BAM and the reports are written before the error
    ),
    "count_matrix_with_a_duplicate_gene_id": RunCase(
        duplicate_gene_id,
        "import_counts",
        "logs/import_counts.log",
        "data/counts.tsv: gene id 'G3' is on 2 rows (data rows 4, 8); gene ids must be "
        "unique. Sum or remove the repeated rows.",
        ["results/counts/counts.tsv"],
        [],
    ),
    "truncated_genome_gzip": RunCase(
        truncated_genome,
        "prepare_genome",
        "logs/reference/prepare_genome.log",
        "data/genome.fa.gz: the gzip data is truncated or corrupt (gzip could not decompress "
        "it). Copy or download the file again.",
        ["resources/reference/genome.fa", "resources/reference/genome.fa.fai"],
        ["resources/index", "results/align"],
        removes_outputs=True,  # gzip wrote part of the FASTA before failing
    ),
}


def logged_error(log: Path) -> str:
    """The message of the last InputError in a rule's log (its traceback's last line);
    for a shell rule, which echoes our message, the log's last line.
    """
    prefix = "drugsig.errors.InputError: "
    text = log.read_text()
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    if not lines and "Traceback" not in text:
        lines = text.strip().splitlines()[-1:]
    assert lines, text[-3000:]
    return lines[-1].removeprefix(prefix)


@pytest.mark.parametrize("name", list(RUN_CASES))
def test_run_time_error(project, name):
    case = RUN_CASES[name]
    case.edit(project)
    result = run_snakemake(project, *SNAKEMAKE_ARGS, check=False)
    assert result.returncode != 0
    failed = re.findall(r"^Error in rule (\w+):", result.stderr, re.M)
    assert failed and set(failed) <= set(case.rule.split("|")), result.stderr[-3000:]
    logs = [project / log for log in case.log.split("|") if (project / log).exists()]
    assert logs, f"no log of {case.rule}"
    message = logged_error(logs[0])
    if isinstance(case.message, re.Pattern):
        assert case.message.fullmatch(message), message
    else:
        expected = case.message(project) if callable(case.message) else case.message
        assert message == expected
    if case.removes_outputs:
        assert f"Removing output files of failed job {failed[0]}" in result.stderr
    # the failed job's outputs were removed; nothing looks finished; heavy steps did not run
    for path in [*case.outputs, *FINAL_RESULTS, *case.absent]:
        assert not (project / path).exists(), path
    leftovers = [str(path) for path in project.rglob(".*.tmp")]
    assert not leftovers, leftovers
