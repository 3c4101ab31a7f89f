"""pydeseq2 with the estimation rules of R DESeq2 1.38 where pydeseq2 deviates from them.

On designs with few residual degrees of freedom (e.g. ``~ donor + treatment`` with 3-5
donors) pydeseq2's results drift from R's. Four causes, each ported from R here:

* genewise and MAP dispersions: R's ``fitDisp`` line search and the rules around it
  (:mod:`~drugsig.diffexp.r_parity.dispersions`);
* the parametric dispersion trend (:mod:`~drugsig.diffexp.r_parity.trend`);
* the dispersion prior variance for 1-3 residual degrees of freedom, which R estimates
  by a seeded simulation, replayed with R's random number generator
  (:mod:`~drugsig.diffexp.r_parity.prior_variance`, :mod:`~drugsig.diffexp.r_parity.rng`);
* the independent-filtering threshold, which depends on R's ``lowess``
  (:mod:`~drugsig.diffexp.r_parity.filtering`,
  :mod:`~drugsig.diffexp.r_parity.smoothers`).

Use :class:`RParityDeseqDataSet` and :class:`RParityDeseqStats` in place of pydeseq2's
``DeseqDataSet`` and ``DeseqStats`` (same arguments); :func:`deseq_classes` picks
them or pydeseq2's by the ``diffexp.r_parity`` switch.
"""

from pydeseq2.dds import DeseqDataSet
from pydeseq2.ds import DeseqStats

from drugsig.diffexp.r_parity.dataset import RParityDeseqDataSet
from drugsig.diffexp.r_parity.stats import RParityDeseqStats

__all__ = ["RParityDeseqDataSet", "RParityDeseqStats", "deseq_classes"]


def deseq_classes(r_parity: bool) -> tuple[type[DeseqDataSet], type[DeseqStats]]:
    """Return the dataset and statistics classes of the DE fits (``diffexp.r_parity``).

    Parameters
    ----------
    r_parity
        True: R DESeq2's dispersion and independent-filtering rules
        (:class:`RParityDeseqDataSet`, :class:`RParityDeseqStats`); False: pydeseq2's own.

    Returns
    -------
    tuple
        ``(dataset class, statistics class)``.
    """
    if r_parity:
        return RParityDeseqDataSet, RParityDeseqStats
    return DeseqDataSet, DeseqStats
