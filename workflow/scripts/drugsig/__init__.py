"""drugsig: the library behind the drugsig Snakemake workflow.

Each module holds one stage's logic as typed, tested functions; the scripts in
``workflow/scripts`` that Snakemake rules call are thin adapters around them.
"""

__version__ = "0.1.0"
