"""End-to-end runs of the simulator's command line on a small experiment."""

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import drugsig
from drugsig.errors import InputError
from drugsig.simulate.cli import main
from drugsig.simulate.sequence import decode, encode, reverse_complement

SMALL = [
    "--genes", "70", "--read-pairs", "300", "--replicates", "2", "--control-replicates", "2",
    "--seed", "3",
]  # fmt: skip
SERIES = {
    ("Milademetan", "24h"): ("0.005", "0.016", "0.05", "0.16", "0.5"),
    ("Nutlin-3a", "24h"): ("0.05", "0.16", "0.5", "1.6", "5"),
    ("AMG-232", "24h"): ("0.01", "0.032", "0.1", "0.32", "1"),
    ("Milademetan", "6h"): ("0.005", "0.016", "0.05", "0.16", "0.5"),
}
CONTRASTS = [
    *(
        f"SJSA-1_{drug}_{dose}_{time}_vs_DMSO"
        for (drug, time), doses in SERIES.items()
        for dose in doses
    ),
    "A2780_MilciclibR_vs_parental",
]


def folders(root: Path) -> list[str]:
    return ["--outdir", str(root / "demo"), "--sheets-dir", str(root / "config")]


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_tsv(path: Path) -> list[dict[str, str]]:
    header, *rows = (line.split("\t") for line in path.read_text().splitlines())
    return [dict(zip(header, row, strict=True)) for row in rows]


def fastq_records(path: Path) -> list[tuple[str, str]]:
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    return list(zip(lines[0::4], lines[1::4], strict=True))


def parse_genome(outdir: Path) -> dict[str, str]:
    contigs: dict[str, list[str]] = {}
    with gzip.open(outdir / "genome.fa.gz", "rt") as handle:
        for line in handle:
            if line.startswith(">"):
                name = line[1:].split()[0]
                contigs[name] = []
            else:
                contigs[name].append(line.strip())
    return {name: "".join(parts) for name, parts in contigs.items()}


def parse_gtf(outdir: Path) -> list[tuple[list[str], dict[str, str]]]:
    records = []
    with gzip.open(outdir / "annotation.gtf.gz", "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            attributes = dict(
                part.strip().split(" ", 1) for part in fields[8].split(";") if part.strip()
            )
            records.append((fields, {k: v.strip('"') for k, v in attributes.items()}))
    return records


def transcript_sequences(outdir: Path) -> list[str]:
    """Spliced transcripts (5' to 3') rebuilt from the written genome and GTF."""
    genome = parse_genome(outdir)
    exons: dict[str, list[tuple[int, int]]] = {}
    strands: dict[str, tuple[str, str]] = {}
    for fields, attributes in parse_gtf(outdir):
        if fields[2] == "exon":
            transcript = attributes["transcript_id"]
            exons.setdefault(transcript, []).append((int(fields[3]), int(fields[4])))
            strands[transcript] = (fields[0], fields[6])
    sequences = []
    for transcript, spans in exons.items():
        contig, strand = strands[transcript]
        spliced = "".join(genome[contig][start - 1 : end] for start, end in sorted(spans))
        sequences.append(spliced if strand == "+" else revcomp(spliced))
    return sequences


def revcomp(sequence: str) -> str:
    return decode(reverse_complement(encode(sequence)))


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("simulated")
    main([*folders(root), *SMALL])
    return root


def test_writes_every_file(small_run):
    names = set(digests(small_run))
    samples = [row["sample"] for row in read_tsv(small_run / "config" / "samples.tsv")]
    assert len(samples) == 20 * 2 + 4 * 2
    reads = {f"demo/reads/{s}_R{mate}.fastq.gz" for s in samples for mate in (1, 2)}
    expected = {"demo/genome.fa.gz", "demo/annotation.gtf.gz", "demo/truth.tsv"}
    expected |= {"demo/truth_concentration_response.tsv"}
    expected |= {"demo/true_counts.tsv", "config/samples.tsv", "config/units.tsv"}
    expected |= {"demo/viability.tsv", "demo/qpcr.tsv"}
    assert names == expected | reads


def test_same_seed_gives_identical_bytes_and_gzip_has_no_timestamp(small_run, tmp_path):
    # Second run through `python -m drugsig.simulate` into the same relative layout.
    environment = {**os.environ, "PYTHONPATH": str(Path(drugsig.__file__).parents[1])}
    subprocess.run(
        [sys.executable, "-m", "drugsig.simulate", *folders(tmp_path), *SMALL],
        check=True,
        capture_output=True,
        env=environment,
    )
    first, second = digests(small_run), digests(tmp_path)
    assert first.keys() == second.keys()
    differing = {name for name in first if first[name] != second[name]}
    assert differing == {"config/units.tsv"}  # it holds the (different) output folder
    units = (tmp_path / "config" / "units.tsv").read_text()
    assert (
        units.replace(str(tmp_path), str(small_run))
        == (small_run / "config" / "units.tsv").read_text()
    )
    header = (small_run / "demo" / "genome.fa.gz").read_bytes()[:10]
    assert header[3] == 0  # no file name
    assert header[4:8] == b"\0\0\0\0"  # no modification time


def test_different_seed_gives_different_data(small_run, tmp_path):
    other = [*SMALL[:-1], "4"]
    main([*folders(tmp_path), *other])
    first, second = digests(small_run), digests(tmp_path)
    for name in ("genome.fa.gz", "annotation.gtf.gz", "reads/A2780_parental_1_R1.fastq.gz"):
        assert first[f"demo/{name}"] != second[f"demo/{name}"]
    assert first["config/samples.tsv"] == second["config/samples.tsv"]


def test_sample_and_unit_sheets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["--outdir", "resources/demo/", "--sheets-dir", "config", *SMALL, "--strandedness=none"])
    samples = read_tsv(Path("config/samples.tsv"))
    assert list(samples[0]) == [
        "sample", "condition", "cell_line", "genotype", "dose", "time", "replicate", "batch",
    ]  # fmt: skip
    assert samples[2] == {
        "sample": "SJSA-1_Milademetan_0p005uM_24h_1",
        "condition": "Milademetan",
        "cell_line": "SJSA-1",
        "genotype": "parental",
        "dose": "0.005",
        "time": "24h",
        "replicate": "1",
        "batch": "b1",
    }
    by_name = {row["sample"]: row for row in samples}
    assert by_name["SJSA-1_DMSO_6h_2"]["dose"] == "0"
    assert by_name["SJSA-1_Nutlin-3a_5uM_24h_2"]["dose"] == "5"
    assert by_name["SJSA-1_Milademetan_0p16uM_6h_1"]["time"] == "6h"
    assert samples[-1]["sample"] == "A2780_MilciclibR_2"
    units = read_tsv(Path("config/units.tsv"))
    assert units[0] == {
        "sample": "SJSA-1_DMSO_24h_1",
        "unit": "L001",
        "fq1": "resources/demo/reads/SJSA-1_DMSO_24h_1_R1.fastq.gz",
        "fq2": "resources/demo/reads/SJSA-1_DMSO_24h_1_R2.fastq.gz",
        "strandedness": "none",
    }
    assert all(Path(unit[key]).is_file() for unit in units for key in ("fq1", "fq2"))


def test_truth_table_covers_every_gene_and_contrast(small_run):
    truth = read_tsv(small_run / "demo" / "truth.tsv")
    gtf = parse_gtf(small_run / "demo")
    genes = {attributes["gene_id"]: attributes["gene_name"] for _, attributes in gtf}
    assert len(truth) == 21 * len(genes) == 21 * 70
    assert [row["contrast"] for row in truth[:: len(genes)]] == CONTRASTS
    assert all(genes[row["gene_id"]] == row["gene_name"] for row in truth)
    value = {(row["contrast"], row["gene_name"]): float(row["true_log2fc"]) for row in truth}
    top = 1 / (1 + 10**-1.5)  # Hill fraction at 10x the EC50 (hill 1.5)
    assert value[("SJSA-1_Milademetan_0.5_24h_vs_DMSO", "CDKN1A")] == round(3.5 * top, 6)
    assert value[("SJSA-1_Milademetan_0.05_24h_vs_DMSO", "CDKN1A")] == 1.75
    assert value[("SJSA-1_Nutlin-3a_0.5_24h_vs_DMSO", "CDKN1A")] == 1.75
    assert value[("SJSA-1_AMG-232_0.1_24h_vs_DMSO", "SYN0004")] == 1.2
    assert value[("SJSA-1_Milademetan_0.05_6h_vs_DMSO", "CDKN1A")] == 1.4
    assert value[("SJSA-1_Milademetan_0.05_6h_vs_DMSO", "SYN0001")] == 0.0
    resistance = "A2780_MilciclibR_vs_parental"
    assert value[(resistance, "ABCB1")] == 4.0
    assert value[(resistance, "RB1")] == -2.0
    assert value[(resistance, "CDKN1A")] == 0.0
    # every dose moves all 15 p53 targets and, at 24 h, the drug's three own genes
    assert sum(v != 0 for v in value.values()) == 15 * (15 + 3) + 5 * 15 + 3


def test_concentration_response_truth(small_run):
    table = read_tsv(small_run / "demo" / "truth_concentration_response.tsv")
    assert list(table[0]) == [
        "cell_line", "drug", "time", "gene_id", "gene_name", "top_log2fc", "ec50_um", "hill",
        "c_at_log2fc_0.5",
    ]  # fmt: skip
    rows = {(row["drug"], row["time"], row["gene_name"]): row for row in table}
    series = list(dict.fromkeys((drug, time) for drug, time, _ in rows))
    assert series == [("Milademetan", "24h"), ("Nutlin-3a", "24h"), ("AMG-232", "24h"),
                      ("Milademetan", "6h")]  # fmt: skip
    assert len(rows) == 3 * (15 + 3) + 15  # responding genes only
    assert {row["cell_line"] for row in table} == {"SJSA-1"}
    cdkn1a = rows[("Nutlin-3a", "24h", "CDKN1A")]
    assert (cdkn1a["top_log2fc"], cdkn1a["ec50_um"], cdkn1a["hill"]) == ("3.5", "0.5", "1.2")
    # 3.5 c^1.2 / (0.5^1.2 + c^1.2) = 0.5  <=>  c = 0.5 * (0.5 / 3) ** (1 / 1.2)
    assert float(cdkn1a["c_at_log2fc_0.5"]) == pytest.approx(0.5 * (1 / 6) ** (1 / 1.2), abs=1e-6)
    assert rows[("Milademetan", "24h", "SYN0002")]["top_log2fc"] == "-2.2"
    assert float(rows[("Milademetan", "24h", "SYN0002")]["c_at_log2fc_0.5"]) > 0
    assert rows[("Milademetan", "24h", "PLK3")]["c_at_log2fc_0.5"] != "NaN"
    assert rows[("Milademetan", "6h", "GDF15")]["top_log2fc"] == "0.9"
    assert rows[("Milademetan", "6h", "SESN1")]["c_at_log2fc_0.5"] == "NaN"  # top 0.27
    assert ("Milademetan", "6h", "SYN0001") not in rows


def test_viability_plates_hold_the_a2780_and_sjsa1_curves(small_run):
    plates = read_tsv(small_run / "demo" / "viability.tsv")
    treated = [row for row in plates if row["well_type"] == "treated"]
    curves = list(dict.fromkeys((row["plate"], row["cell_line"], row["drug"]) for row in treated))
    assert curves == [
        ("1", "A2780", "Milciclib"), ("2", "A2780-MilR1", "Milciclib"),
        ("3", "A2780-MilR2", "Milciclib"), ("4", "SJSA-1", "Milademetan"),
        ("5", "SJSA-1", "Nutlin-3a"), ("6", "SJSA-1", "AMG-232"),
    ]  # fmt: skip
    assert len(plates) == 6 * 3 * 12


def test_reads_pair_up_and_library_sizes_differ(small_run):
    counts = read_tsv(small_run / "demo" / "true_counts.tsv")
    sizes = {}
    for path in sorted((small_run / "demo" / "reads").glob("*_R1.fastq.gz")):
        read1 = fastq_records(path)
        read2 = fastq_records(Path(str(path).replace("_R1.", "_R2.")))
        assert [name.replace(" 1:N:", " 2:N:") for name, _ in read1] == [n for n, _ in read2]
        assert len({name for name, _ in read1}) == len(read1)
        sample = path.name.removesuffix("_R1.fastq.gz")
        sizes[sample] = len(read1)
        assert sizes[sample] == sum(int(row[sample]) for row in counts)
    assert max(sizes.values()) > 1.6 * min(sizes.values())


def test_reads_map_back_to_transcripts_and_genome(small_run):
    outdir = small_run / "demo"
    transcripts = "|".join(transcript_sequences(outdir))
    genome = "|".join(parse_genome(outdir).values())
    genome_both = genome + "|" + revcomp(genome)
    read1 = fastq_records(outdir / "reads" / "SJSA-1_AMG-232_1uM_24h_2_R1.fastq.gz")
    read2 = fastq_records(outdir / "reads" / "SJSA-1_AMG-232_1uM_24h_2_R2.fastq.gz")
    # Reverse-stranded library: read 2 is sense, read 1 antisense to the transcript.
    sense = [seq for _, seq in read2]
    antisense = [revcomp(seq) for _, seq in read1]
    both = [s in transcripts and a in transcripts for s, a in zip(sense, antisense, strict=True)]
    assert sum(both) > 0.8 * len(sense)  # the rest carry errors or adapters
    unspliced = [s for s in sense if s in transcripts and s in genome_both]
    spliced = [s for s in sense if s in transcripts and s not in genome_both]
    assert len(unspliced) > 0.5 * len(sense)
    assert 0.1 * len(sense) < len(spliced) < 0.5 * len(sense)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--genes", "10", "--genes must be between 67 and 9999, got 10"),
        ("--read-pairs", "5", "--read-pairs must be between 100"),
        ("--read-length", "5", "--read-length must be between 20 and 300"),
        ("--replicates", "1", "--replicates must be between 2 and 20"),
        ("--seed", "-1", "--seed must be a non-negative integer"),
    ],
)
def test_bad_options_raise_input_error(tmp_path, option, value, message):
    with pytest.raises(InputError, match=message):
        main(["--outdir", str(tmp_path / "o"), "--sheets-dir", str(tmp_path / "c"), option, value])


def test_output_folder_must_not_be_a_file(tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(InputError, match="--outdir .*taken exists and is not a folder"):
        main(["--outdir", str(tmp_path / "taken"), "--sheets-dir", str(tmp_path)])
