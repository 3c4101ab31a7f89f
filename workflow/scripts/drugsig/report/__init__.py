"""The MultiQC report: custom content, tables and plots (rules: plots.smk, report.smk)."""
