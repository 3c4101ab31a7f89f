import math
import warnings
from pathlib import Path

import pysam
import pytest

from drugsig.errors import InputError
from drugsig.reads.featurecounts import featurecounts_s
from drugsig.reads.strandedness import (
    StrandCounts,
    call_strandedness,
    compare_with_declared,
    count_strands,
    exon_index,
    strandedness_report,
)

# 1-based GTF loci: PLUS (+) has two exons with MINUS_IN_INTRON (-) inside its intron;
# MINUS (-); BOTH_A (+) and BOTH_B (-) share a locus (ambiguous).
GTF_LINES = [
    ("PLUS", "+", 1001, 1200),
    ("PLUS", "+", 2001, 2200),
    ("MINUS_IN_INTRON", "-", 1501, 1600),
    ("MINUS", "-", 5001, 5200),
    ("BOTH_A", "+", 8001, 8200),
    ("BOTH_B", "-", 8101, 8300),
]
LOCUS = {"+": 1051, "-": 5051, "both": 8151, "intergenic": 20001}  # 1-based read starts


@pytest.fixture
def gtf(tmp_path: Path) -> Path:
    path = tmp_path / "genes.gtf"
    path.write_text(
        "".join(
            f'chr1\ttest\texon\t{start}\t{end}\t.\t{strand}\t.\tgene_id "{gene}";\n'
            for gene, strand, start, end in GTF_LINES
        )
    )
    return path


def _read(header, name, start, reverse, flag=0, mapq=255, cigar="50M") -> pysam.AlignedSegment:
    read = pysam.AlignedSegment(header)
    read.query_name = name
    read.flag = flag | (0x10 if reverse else 0)
    read.reference_id = 0
    read.reference_start = start - 1
    read.mapping_quality = mapq
    read.cigarstring = cigar
    length = read.query_alignment_length if "N" not in cigar else 100
    read.query_sequence = "A" * length
    read.query_qualities = pysam.qualitystring_to_array("I" * length)
    return read


def _write_bam(path: Path, fragments: list[tuple[str, bool]], paired: bool) -> Path:
    """Write one read (or pair) per fragment ``(locus, read1_on_plus)``."""
    header = pysam.AlignmentHeader.from_dict(
        {"HD": {"VN": "1.6", "SO": "unsorted"}, "SQ": [{"SN": "chr1", "LN": 50000}]}
    )
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for number, (locus, read1_on_plus) in enumerate(fragments):
            start = LOCUS[locus]
            if paired:
                out.write(_read(header, f"f{number}", start, not read1_on_plus, 0x1 | 0x40))
                out.write(_read(header, f"f{number}", start + 20, read1_on_plus, 0x1 | 0x80))
            else:
                out.write(_read(header, f"f{number}", start, not read1_on_plus))
    return path


def _library(read1_on_gene_strand: int, read1_opposite: int, ambiguous: int) -> list:
    """Fragments on PLUS and MINUS genes, alternating, plus ambiguous ones."""
    fragments = []
    for count, same in ((read1_on_gene_strand, True), (read1_opposite, False)):
        for number in range(count):
            gene_strand_plus = number % 2 == 0
            locus = "+" if gene_strand_plus else "-"
            fragments.append((locus, gene_strand_plus == same))
    fragments += [("both", index % 2 == 0) for index in range(ambiguous)]
    fragments += [("intergenic", True)] * 7  # never counted
    return fragments


def test_exon_index_merges_per_strand(gtf):
    index = exon_index(gtf)
    assert index == {
        "chr1": {
            "+": ([1000, 2000, 8000], [1200, 2200, 8200]),
            "-": ([1500, 5000, 8100], [1600, 5200, 8300]),
        }
    }


@pytest.mark.parametrize("paired", [True, False])
@pytest.mark.parametrize(
    ("same", "opposite", "expected"),
    [(95, 5, "forward"), (4, 96, "reverse"), (50, 50, "none"), (45, 55, "none"), (70, 30, None)],
)
def test_calls_and_fractions(tmp_path, gtf, paired, same, opposite, expected):
    bam = _write_bam(tmp_path / "r.bam", _library(same, opposite, ambiguous=25), paired)
    counts = count_strands(bam, gtf)
    mates = 2 if paired else 1
    assert counts == StrandCounts(
        forward=same * mates, reverse=opposite * mates, ambiguous=25 * mates
    )
    assert counts.reads_used == 125 * mates
    assert counts.fraction_forward == pytest.approx(same / 100, rel=1e-12)
    assert counts.fraction_reverse == pytest.approx(opposite / 100, rel=1e-12)
    assert counts.fraction_ambiguous == pytest.approx(0.2, rel=1e-12)
    assert call_strandedness(counts) == (expected or "undetermined")


def test_filtered_alignments_are_skipped(tmp_path, gtf):
    header = pysam.AlignmentHeader.from_dict({"SQ": [{"SN": "chr1", "LN": 50000}]})
    path = tmp_path / "r.bam"
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        out.write(_read(header, "kept", LOCUS["+"], reverse=True))
        for name, flag, mapq in [
            ("secondary", 0x100, 255),
            ("supplementary", 0x800, 255),
            ("qcfail", 0x200, 255),
            ("multimapper", 0, 3),
        ]:
            out.write(_read(header, name, LOCUS["+"], reverse=False, flag=flag, mapq=mapq))
        unmapped = _read(header, "unmapped", LOCUS["+"], reverse=False, flag=0x4)
        out.write(unmapped)
    assert count_strands(path, gtf) == StrandCounts(forward=0, reverse=1, ambiguous=0)


def test_spliced_read_blocks_skip_the_intron(tmp_path, gtf):
    header = pysam.AlignmentHeader.from_dict({"SQ": [{"SN": "chr1", "LN": 50000}]})
    path = tmp_path / "r.bam"
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        # 1151-1200 and 2001-2050 on PLUS; the 800 bp gap spans MINUS_IN_INTRON
        out.write(_read(header, "spliced", 1151, reverse=False, cigar="50M800N50M"))
        # an unspliced read inside the intron is on MINUS_IN_INTRON only
        out.write(_read(header, "intronic", 1521, reverse=False))
    assert count_strands(path, gtf) == StrandCounts(forward=1, reverse=1, ambiguous=0)


def test_max_reads_stops_after_reads_on_exons(tmp_path, gtf):
    bam = _write_bam(tmp_path / "r.bam", _library(0, 100, ambiguous=0), paired=False)
    assert count_strands(bam, gtf, max_reads=10) == StrandCounts(0, 10, 0)


def test_too_few_informative_reads_is_undetermined():
    assert call_strandedness(StrandCounts(99, 0, 500)) == "undetermined"
    assert call_strandedness(StrandCounts(100, 0, 500)) == "forward"
    assert call_strandedness(StrandCounts(5, 0, 0), min_reads=5) == "forward"


def test_no_reads_gives_nan_fractions():
    counts = StrandCounts(0, 0, 0)
    assert math.isnan(counts.fraction_forward)
    assert math.isnan(counts.fraction_ambiguous)
    assert call_strandedness(counts) == "undetermined"


def test_featurecounts_s():
    assert [featurecounts_s(s) for s in ("none", "forward", "reverse")] == [0, 1, 2]
    with pytest.raises(InputError) as error:
        featurecounts_s("undetermined")
    assert str(error.value) == (
        "strandedness 'undetermined' has no featureCounts -s value; use 'none', 'forward' or "
        "'reverse'."
    )


def test_compare_with_declared():
    counts = StrandCounts(forward=10, reverse=190, ambiguous=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compare_with_declared("S1", counts, "reverse", "reverse") is True
        assert compare_with_declared("S1", counts, "reverse", None) is None
        assert compare_with_declared("S1", counts, "undetermined", "forward") is None
    with pytest.warns(UserWarning) as record:
        assert compare_with_declared("S1", counts, "reverse", "forward") is False
    assert [str(w.message) for w in record] == [
        "Sample S1: the reads look 'reverse'-stranded (fraction_forward 0.050, fraction_reverse "
        "0.950 of 200 informative reads) but strandedness 'forward' is declared, so featureCounts "
        "counts with -s 1 instead of -s 2 and may miss most reads. If the library kit confirms "
        "the inference, set the unit's strandedness column in the units sheet (or "
        "counting.strandedness in the config) to 'reverse'."
    ]


def test_report_writes_one_row_tsv(tmp_path, gtf):
    bam = _write_bam(tmp_path / "r.bam", _library(3, 97, ambiguous=25), paired=True)
    output = tmp_path / "qc/S1.strandedness.tsv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strandedness_report("S1", bam, gtf, "reverse", output)
    assert output.read_text() == (
        "sample\treads_used\tfraction_forward\tfraction_reverse\tfraction_ambiguous\tinferred\t"
        "declared\tagrees\n"
        "S1\t250\t0.03\t0.97\t0.2\treverse\treverse\tTrue\n"
    )


def test_report_warns_on_disagreement(tmp_path, gtf):
    bam = _write_bam(tmp_path / "r.bam", _library(50, 50, ambiguous=0), paired=False)
    output = tmp_path / "S2.tsv"
    with pytest.warns(UserWarning, match="^Sample S2: the reads look 'none'-stranded"):
        table = strandedness_report("S2", bam, gtf, "reverse", output)
    assert table.loc[0, ["inferred", "declared", "agrees"]].tolist() == ["none", "reverse", False]
    assert output.read_text().splitlines()[1] == "S2\t100\t0.5\t0.5\t0\tnone\treverse\tFalse"


def test_report_warns_when_undetermined(tmp_path, gtf):
    bam = _write_bam(tmp_path / "r.bam", _library(70, 30, ambiguous=0), paired=False)
    output = tmp_path / "S3.tsv"
    with pytest.warns(UserWarning) as record:
        strandedness_report("S3", bam, gtf, "reverse", output)
    assert [str(w.message) for w in record] == [
        "Sample S3: library strandedness undetermined (fraction_forward 0.700, fraction_reverse "
        "0.300 of 100 informative reads): neither stranded (>= 0.8 one way) nor unstranded "
        "(0.4-0.6 each way). Counting uses the declared 'reverse'."
    ]
    assert output.read_text().splitlines()[1] == "S3\t100\t0.7\t0.3\t0\tundetermined\treverse\t"


def test_report_warns_when_no_read_is_on_a_gene(tmp_path, gtf):
    bam = _write_bam(tmp_path / "r.bam", [("intergenic", True)] * 3, paired=False)
    with pytest.warns(UserWarning) as record:
        strandedness_report("S4", bam, gtf, None, tmp_path / "S4.tsv")
    assert [str(w.message) for w in record] == [
        "Sample S4: library strandedness undetermined (fraction_forward nan, fraction_reverse "
        "nan of 0 informative reads): fewer than 100 informative reads; check that the BAM and "
        "the GTF use the same chromosome names."
    ]
    assert (tmp_path / "S4.tsv").read_text().splitlines()[1] == "S4\t0\t\t\t\tundetermined\t\t"
