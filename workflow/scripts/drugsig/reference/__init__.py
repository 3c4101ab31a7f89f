"""The reference genome and annotation: download, checks, GTF parsing (rules: reference.smk)."""
