"""drugsig: the library behind the drugsig Snakemake workflow.

Subpackages follow the workflow's stages (and its rule files):

* :mod:`drugsig.inputs`: config schema, samples and units sheets, experimental design.
* :mod:`drugsig.reference`: reference download, checks, GTF parsing.
* :mod:`drugsig.reads`: FASTQ checks, trimming, alignment, strandedness, featureCounts,
  per-sample QC.
* :mod:`drugsig.counts`: the gene x sample count matrix.
* :mod:`drugsig.diffexp`: differential expression (pydeseq2, vectorised inference).
* :mod:`drugsig.analysis`: signatures, cross-drug comparison, gene sets, resistance,
  dose and time response.
* :mod:`drugsig.assays`: viability (IC50) and qPCR.
* :mod:`drugsig.report`: MultiQC content and plots.
* :mod:`drugsig.simulate`: the demo experiment simulator.

Shared by all: :mod:`drugsig.errors`, :mod:`drugsig.io` and :mod:`drugsig.tables`.
The scripts in ``workflow/scripts`` that Snakemake rules call are thin adapters.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("drugsig")
except PackageNotFoundError:  # imported from a checkout without installing it
    __version__ = "unknown"
