"""Deterministic simulator of the drugsig demo experiment.

It writes a mini genome and Ensembl-style annotation, paired-end RNA-seq reads for
every sample of the design, the sample sheets and a truth table of the planted
log2 fold changes. Modules, in pipeline order:

``catalog``
    gene names (real p53 targets, resistance markers, housekeeping; synthetic rest)
``annotation``
    gene models and their GTF
``genome``
    genome sequence with canonical splice sites; transcript sequences
``design``
    samples and contrasts of the demo
``effects``
    the planted log2 fold changes (``planted_log2fc``), the ground truth
``expression``
    fragment counts per gene and transcript
``reads``, ``fastq``
    reads with adapters, qualities and errors; FASTQ text
``io``
    reproducible gzip and TSV output
``experiment``, ``cli``
    the whole run and its command line
"""
