"""``DeseqStats`` whose independent filtering follows R DESeq2 1.38."""

from __future__ import annotations

import pandas as pd
from pydeseq2.ds import DeseqStats

from drugsig.diffexp.r_parity.filtering import r_independent_filtering


class RParityDeseqStats(DeseqStats):
    """pydeseq2's ``DeseqStats`` with R DESeq2's independent filtering.

    Same constructor and methods as :class:`pydeseq2.ds.DeseqStats`; only the choice
    of the filter threshold differs (R's ``lowess``, see
    :func:`~drugsig.diffexp.r_parity.filtering.r_independent_filtering`).
    """

    def _independent_filtering(self) -> None:
        """Set ``padj`` by R's ``pvalueAdjustment``."""
        if not hasattr(self, "p_values"):
            self.run_wald_test()
        result = r_independent_filtering(
            self.base_mean.to_numpy(), self.p_values.to_numpy(), self.alpha
        )
        self.padj = pd.Series(result.padj, index=self.dds.var_names)
