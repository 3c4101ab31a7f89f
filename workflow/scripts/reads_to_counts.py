"""Command-line adapter: one sample from raw reads to gene counts (all steps).

Run by the reads_to_counts rule as a shell command rather than a Snakemake script:
Snakemake re-reads a script rule's source file for every job on each dry-run, which
adds up with thousands of samples. Options: ``--help``.
"""

from drugsig.reads.reads_to_counts import main

if __name__ == "__main__":
    main()
