"""Errors raised for bad user input."""


class InputError(ValueError):
    """Bad user input (sheet, config, FASTQ, reference, ...).

    The message names the file, the row (where there is one) and the problem, and
    says how to fix it when that is not obvious. The workflow stops on it before
    any heavy work starts.
    """
