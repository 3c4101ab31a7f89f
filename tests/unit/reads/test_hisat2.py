import gzip
import json
import random
import shutil
import subprocess

import pysam
import pytest

from drugsig.inputs.sheets import Unit
from drugsig.reads.align import hisat2
from drugsig.reads.align.hisat2 import (
    alignment_memory_mb,
    alignment_splice_site_arguments,
    hisat2_command,
    index_build_memory_bytes,
    plan_index,
    rna_strandness,
)
from drugsig.reads.align.hisat2_summary import format_summary, merge_summaries, parse_summary
from drugsig.reads.align.splice_sites import exons, splice_sites, write_intervals

HG38 = 3_099_734_149
DEMO = 1_795_869
GB = 1024**3
MB = 1024**2

PAIRED_SUMMARY = (
    "HISAT2 summary stats:\n\tTotal pairs: 15785\n"
    "\t\tAligned concordantly or discordantly 0 time: 444 (2.81%)\n"
    "\t\tAligned concordantly 1 time: 15264 (96.70%)\n"
    "\t\tAligned concordantly >1 times: 3 (0.02%)\n"
    "\t\tAligned discordantly 1 time: 74 (0.47%)\n"
    "\tTotal unpaired reads: 888\n\t\tAligned 0 time: 531 (59.80%)\n"
    "\t\tAligned 1 time: 357 (40.20%)\n\t\tAligned >1 times: 0 (0.00%)\n"
    "\tOverall alignment rate: 98.32%\n"
)
SINGLE_SUMMARY = (
    "HISAT2 summary stats:\n\tTotal reads: 15785\n\t\tAligned 0 time: 271 (1.72%)\n"
    "\t\tAligned 1 time: 15512 (98.27%)\n\t\tAligned >1 times: 2 (0.01%)\n"
    "\tOverall alignment rate: 98.28%\n"
)

needs_hisat2 = pytest.mark.skipif(
    not (shutil.which("hisat2") and shutil.which("samtools")),
    reason="hisat2 and samtools are not installed",
)


# --- memory model -------------------------------------------------------------------


def test_hg38_plain_index_needs_about_8_gb():
    # 128 MiB + 2.75 B x 3.1 Gb = 8.06 GiB (HISAT2: "8 GB to build the human index")
    assert index_build_memory_bytes(HG38, splice_sites_in_index=False) / GB == pytest.approx(
        8.06, abs=0.05
    )


def test_hg38_index_with_splice_sites_needs_about_160_gb():
    # 128 MiB + 55 B x 3.1 Gb = 158.9 GiB (HISAT2: ~160 GB with --ss/--exon for human)
    assert index_build_memory_bytes(HG38, splice_sites_in_index=True) / GB == pytest.approx(
        158.9, abs=0.2
    )


def test_estimates_cover_the_measured_demo_builds():
    # hisat2-build -p 2 on the 1.8 Mb demo genome: 100 MiB plain, 205 MiB with --ss/--exon
    assert 100 * MB < index_build_memory_bytes(DEMO, False) < 150 * MB
    assert 205 * MB < index_build_memory_bytes(DEMO, True) < 250 * MB


def test_small_genome_gets_splice_sites_in_the_index():
    plan = plan_index(DEMO, memory_budget_mb=24_000)
    assert plan.splice_sites_in_index
    assert plan.memory_mb == 223


def test_hg38_on_a_workstation_gets_a_plain_index():
    for budget in (16_000, 24_000, 64_000, 128_000):
        plan = plan_index(HG38, memory_budget_mb=budget)
        assert not plan.splice_sites_in_index, budget
        assert plan.memory_mb == 8258


def test_hg38_on_a_large_node_gets_splice_sites_in_the_index():
    plan = plan_index(HG38, memory_budget_mb=200_000)
    assert plan.splice_sites_in_index
    assert plan.memory_mb == pytest.approx(162_700, abs=100)


def test_forced_modes():
    assert not plan_index(DEMO, 24_000, splice_sites="alignment").splice_sites_in_index
    assert plan_index(DEMO, 1_000, splice_sites="index").splice_sites_in_index
    with pytest.raises(ValueError, match=r"--ss/--exon.*set hisat2.splice_sites"):
        plan_index(HG38, 64_000, splice_sites="index")
    with pytest.raises(ValueError, match="splice_sites must be"):
        plan_index(DEMO, 24_000, splice_sites="graph")


def test_budget_too_small_for_a_plain_index_is_explained():
    with pytest.raises(ValueError, match=r"needs ~8,\d{3} MB.*raise hisat2.memory_mb"):
        plan_index(HG38, memory_budget_mb=4_000)
    with pytest.raises(ValueError, match="empty"):
        plan_index(0, memory_budget_mb=4_000)


def test_alignment_memory_is_index_plus_sort_buffer():
    # a plain GRCh38 index is ~4.3 GB of .ht2 files: 4,101 + 2 x 768 + 1,024 MB
    assert alignment_memory_mb(4_300_000_000) == 4_101 + 1_536 + 1_024
    assert alignment_memory_mb(8 * MB) == 8 + 1_536 + 1_024


def test_index_bytes_counts_only_the_index_files(tmp_path):
    (tmp_path / "genome.1.ht2").write_bytes(b"x" * 100)
    (tmp_path / "genome.2.ht2l").write_bytes(b"x" * 10)
    (tmp_path / "splice_sites.txt").write_bytes(b"x" * 1000)
    assert hisat2.index_bytes(tmp_path) == 110


# --- strandedness --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strandedness", "paired", "expected"),
    [
        ("reverse", True, "RF"),
        ("reverse", False, "R"),
        ("forward", True, "FR"),
        ("forward", False, "F"),
        ("none", True, None),
        ("auto", False, None),
    ],
)
def test_rna_strandness(strandedness, paired, expected):
    assert rna_strandness(strandedness, paired) == expected


def test_unknown_strandedness_is_an_error():
    with pytest.raises(ValueError, match="strandedness must be"):
        rna_strandness("2", True)


# --- splice sites and exons ----------------------------------------------------------

GTF_LINES = [
    '1\tt\tgene\t100\t900\t.\t+\t.\tgene_id "A";',
    '1\tt\texon\t100\t200\t.\t+\t.\tgene_id "A"; transcript_id "A1";',
    '1\tt\texon\t300\t400\t.\t+\t.\tgene_id "A"; transcript_id "A1";',
    '1\tt\texon\t800\t900\t.\t+\t.\tgene_id "A"; transcript_id "A1";',
    '1\tt\texon\t100\t200\t.\t+\t.\tgene_id "A"; transcript_id "A2";',
    '1\tt\texon\t350\t450\t.\t+\t.\tgene_id "A"; transcript_id "A2";',
    # a 3 bp gap inside a transcript is closed, not an intron
    '1\tt\texon\t1000\t1100\t.\t-\t.\tgene_id "B"; transcript_id "B1";',
    '1\tt\texon\t1104\t1200\t.\t-\t.\tgene_id "B"; transcript_id "B1";',
    '1\tt\texon\t1500\t1600\t.\t-\t.\tgene_id "B"; transcript_id "B1";',
    '10\tt\texon\t5\t50\t.\t+\t.\tgene_id "C"; transcript_id "C1";',
    '10\tt\texon\t60\t90\t.\t+\t.\tgene_id "C"; transcript_id "C1"; # comment',
    '2\tt\texon\t5\t50\t.\t+\t.\tgene_id "D";',  # no transcript_id: skipped
]


@pytest.fixture
def gtf(tmp_path):
    path = tmp_path / "genes.gtf"
    path.write_text("#!genome-build test\n" + "\n".join(GTF_LINES) + "\n")
    return path


def test_splice_sites_are_zero_based_introns(gtf):
    assert splice_sites(gtf) == [
        ("1", 199, 299, "+"),
        ("1", 199, 349, "+"),
        ("1", 399, 799, "+"),
        ("1", 1199, 1499, "-"),
        ("10", 49, 59, "+"),
    ]


def test_exons_are_merged_across_transcripts(gtf):
    assert exons(gtf) == [
        ("1", 99, 199, "+"),
        ("1", 299, 449, "+"),
        ("1", 799, 899, "+"),
        ("1", 999, 1199, "-"),
        ("1", 1499, 1599, "-"),
        ("10", 4, 49, "+"),
        ("10", 59, 89, "+"),
    ]


def test_gzipped_gtf(gtf, tmp_path):
    compressed = tmp_path / "genes.gtf.gz"
    compressed.write_bytes(gzip.compress(gtf.read_bytes()))
    assert splice_sites(compressed) == splice_sites(gtf)


@pytest.mark.parametrize(
    ("script", "function"),
    [("hisat2_extract_splice_sites.py", splice_sites), ("hisat2_extract_exons.py", exons)],
)
def test_same_as_hisat2_scripts(gtf, tmp_path, script, function):
    if not shutil.which(script):
        pytest.skip(f"{script} is not installed")
    expected = subprocess.run([script, str(gtf)], capture_output=True, text=True, check=True)
    output = tmp_path / "out.txt"
    write_intervals(function(gtf), output)
    assert output.read_text() == expected.stdout


# --- summaries -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [PAIRED_SUMMARY, SINGLE_SUMMARY])
def test_summary_round_trip_is_byte_identical(text):
    assert format_summary(parse_summary(text)) == text


def test_merged_summary_sums_units_and_recomputes_rates():
    merged = merge_summaries([PAIRED_SUMMARY, PAIRED_SUMMARY.replace("15785", "0")])
    assert "Total pairs: 15785\n" in merged  # 15785 + 0
    assert merge_summaries([PAIRED_SUMMARY, PAIRED_SUMMARY]) == format_summary(
        {key: 2 * value for key, value in parse_summary(PAIRED_SUMMARY).items()}
    )
    mixed = merge_summaries([SINGLE_SUMMARY, SINGLE_SUMMARY.replace("15512", "0")])
    # (15512 + 2 + 0 + 2) aligned of 31570 reads
    assert "Overall alignment rate: 49.15%\n" in mixed
    assert parse_summary(mixed)["reads_one"] == 15512


def test_merging_single_and_paired_end_is_an_error():
    with pytest.raises(ValueError, match="mix single-end and paired-end"):
        merge_summaries([PAIRED_SUMMARY, SINGLE_SUMMARY])
    with pytest.raises(ValueError, match="not a HISAT2"):
        parse_summary("Uniquely mapped reads % | 99.9%")


# --- commands ------------------------------------------------------------------------


def test_paired_unit_command_has_its_read_group_and_strandness():
    unit = Unit("s1", "L001", "t/L001_R1.fastq.gz", "t/L001_R2.fastq.gz")
    command = hisat2_command("s1", unit, "idx/genome", 8, "u.summary", "RF", ["--no-mixed"])
    text = " ".join(command)
    assert command[:5] == ["hisat2", "-p", "8", "-x", "idx/genome"]
    assert "-1 t/L001_R1.fastq.gz -2 t/L001_R2.fastq.gz" in text
    assert "--rna-strandness RF" in text
    assert "--rg-id s1.L001 --rg SM:s1 --rg PU:L001" in text
    assert "--new-summary --summary-file u.summary" in text
    assert command[-1] == "--no-mixed"


def test_single_end_unstranded_unit_command():
    command = hisat2_command("s1", Unit("s1", "L2", "r1.fq.gz"), "i", 2, "x", None)
    assert "-U" in command
    assert "-1" not in command
    assert "--rna-strandness" not in command


def test_known_splice_sites_only_for_a_plain_index(tmp_path):
    (tmp_path / "splice_sites.txt").write_text("1\t199\t299\t+\n")
    (tmp_path / "index.json").write_text(json.dumps({"splice_sites_in_index": True}))
    assert alignment_splice_site_arguments(tmp_path) == []
    (tmp_path / "index.json").write_text(json.dumps({"splice_sites_in_index": False}))
    assert alignment_splice_site_arguments(tmp_path) == [
        "--known-splicesite-infile",
        str(tmp_path / "splice_sites.txt"),
    ]


# --- a real (tiny) index and sample -------------------------------------------------

COMPLEMENT = str.maketrans("ACGT", "TGCA")


def revcomp(sequence):
    return sequence.translate(COMPLEMENT)[::-1]


def write_reference(root, rng):
    genome = list(rng.choices("ACGT", k=20_000))
    genome[3000:3002] = "GT"  # intron 3001..4000 (0-based): GT ... AG
    genome[3998:4000] = "AG"
    sequence = "".join(genome)
    (root / "genome.fa").write_text(f">chr1\n{sequence}\n")
    (root / "genome.fa.fai").write_text(f"chr1\t{len(sequence)}\t6\t{len(sequence)}\t20001\n")
    tx = 'gene_id "G"; transcript_id "T";'
    (root / "genes.gtf").write_text(
        f"chr1\tt\texon\t2001\t3000\t.\t+\t.\t{tx}\nchr1\tt\texon\t4001\t5000\t.\t+\t.\t{tx}\n"
    )
    return sequence[2000:3000] + sequence[4000:5000]  # the spliced transcript


def write_unit(path_stem, transcript, rng, n_pairs, paired=True, sample="s1"):
    """Reverse-stranded 60 bp reads of 200 bp fragments, every fragment across the junction."""
    reads1, reads2 = [], []
    for _ in range(n_pairs):
        start = rng.randrange(820, 960)
        fragment = transcript[start : start + 200]
        reads1.append(revcomp(fragment)[:60])
        reads2.append(fragment[:60])
    files = []
    for number, reads in ((1, reads1), (2, reads2)):
        if number == 2 and not paired:
            break
        path = f"{path_stem}_R{number}.fastq.gz"
        with gzip.open(path, "wt") as handle:
            for index, read in enumerate(reads):
                handle.write(f"@r{index}/{number}\n{read}\n+\n{'I' * len(read)}\n")
        files.append(path)
    return Unit(sample, path_stem.rsplit("/", 1)[-1], files[0], files[1] if paired else None)


@needs_hisat2
@pytest.mark.parametrize("mode", ["index", "alignment"])
def test_two_lanes_are_aligned_into_one_bam_with_two_read_groups(tmp_path, mode):
    rng = random.Random(3)
    transcript = write_reference(tmp_path, rng)
    index = tmp_path / "index"
    command = hisat2.build_index(
        tmp_path / "genome.fa",
        tmp_path / "genome.fa.fai",
        tmp_path / "genes.gtf",
        index,
        memory_budget_mb=4_000,
        threads=1,
        splice_sites_mode=mode,
    )
    settings = json.loads((index / "index.json").read_text())
    assert settings["splice_sites_in_index"] == (mode == "index")
    assert ("--ss" in command) == (mode == "index")
    assert (index / "splice_sites.txt").read_text() == "chr1\t2999\t4000\t+\n"
    units = [
        write_unit(str(tmp_path / lane), transcript, rng, n) for lane, n in [("L1", 30), ("L2", 20)]
    ]
    bam, summary = tmp_path / "s1.bam", tmp_path / "s1.hisat2.summary"
    hisat2.align_sample("s1", units, index, bam, summary, threads=1, strandedness="reverse")

    counts = parse_summary(summary.read_text())
    assert counts["pairs"] == 50
    assert counts["pairs_one"] == 50
    assert (tmp_path / "s1.bam.bai").exists()
    assert not (tmp_path / "s1.bam.hisat2_tmp").exists()
    with pysam.AlignmentFile(bam) as alignments:
        assert alignments.header["HD"]["SO"] == "coordinate"
        groups = {group["ID"]: group for group in alignments.header["RG"]}
        assert set(groups) == {"s1.L1", "s1.L2"}
        assert groups["s1.L2"]["SM"] == "s1"
        records = list(alignments)
    per_group = {name: sum(r.get_tag("RG") == name for r in records) for name in groups}
    assert per_group == {"s1.L1": 60, "s1.L2": 40}
    spliced = [r for r in records if "N" in r.cigarstring]
    assert spliced, "no read was aligned across the intron"
    assert all(r.get_tag("XS") == "+" for r in spliced)


@needs_hisat2
def test_single_end_sample_keeps_the_hisat2_summary(tmp_path):
    rng = random.Random(5)
    transcript = write_reference(tmp_path, rng)
    index = tmp_path / "index"
    hisat2.build_index(
        tmp_path / "genome.fa",
        tmp_path / "genome.fa.fai",
        tmp_path / "genes.gtf",
        index,
        memory_budget_mb=4_000,
        threads=1,
    )
    unit = write_unit(str(tmp_path / "L1"), transcript, rng, 25, paired=False, sample="s")
    bam, summary = tmp_path / "s.bam", tmp_path / "s.summary"
    hisat2.align_sample("s", [unit], index, bam, summary, threads=1, strandedness="reverse")
    assert summary.read_text().startswith("HISAT2 summary stats:\n\tTotal reads: 25\n")
    assert "Overall alignment rate: 100.00%" in summary.read_text()


# --- job resources and rule parameters ----------------------------------------------


def test_job_memory_from_the_fai_and_the_index(tmp_path):
    fai = tmp_path / "genome.fa.fai"
    fai.write_text(f"1\t{DEMO - 1000}\t3\t60\t61\n2\t1000\t4\t60\t61\n")
    assert hisat2.index_job_mem_mb(fai, 24_000, "auto") == 223 + 500
    assert hisat2.index_job_mem_mb(fai, 24_000, "alignment", attempt=2) == 199 + 500
    (tmp_path / "genome.1.ht2").write_bytes(b"x" * 8 * MB)
    assert hisat2.align_job_mem_mb(tmp_path) == 8 + 1_536 + 1_024
    assert hisat2.align_job_mem_mb(tmp_path, attempt=3) == 2 * (8 + 1_536 + 1_024)
