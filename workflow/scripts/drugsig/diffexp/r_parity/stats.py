"""``DeseqStats`` whose Wald test and independent filtering follow R DESeq2 1.38."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydeseq2.ds import DeseqStats
from pydeseq2.inference import Inference

from drugsig.diffexp.r_parity.filtering import r_independent_filtering

#: R's ``minmu``: ``fitBeta`` bounds the fitted means from below by it.
R_MIN_MU = 0.5


class MinMuWald:
    """An inference back end whose Wald test bounds the fitted means by ``min_mu``.

    R DESeq2's ``fitBeta`` computes the weights of the Wald standard errors from
    ``max(mu, minmu = 0.5)``; pydeseq2 uses the unbounded means. For genes with an
    all-zero group the means there are ~0, so pydeseq2's standard error of that group's
    fold change is larger than R's and its p-value much larger. Everything but
    ``wald_test`` is the wrapped back end's.

    Parameters
    ----------
    inference
        The wrapped back end.
    min_mu
        Lower bound of the means in the Wald weights.
    """

    def __init__(self, inference: Inference, min_mu: float = R_MIN_MU) -> None:
        self.inference = inference
        self.min_mu = min_mu

    def __getattr__(self, name: str) -> Any:
        """Delegate everything else (``n_cpus``, ``lfc_shrink_nbinom_glm``, ...)."""
        return getattr(self.inference, name)

    def wald_test(self, *args: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run the wrapped Wald test with ``mu`` bounded below by ``min_mu``.

        Same arguments as :meth:`pydeseq2.inference.Inference.wald_test` (``mu`` the
        fourth positional or the ``mu`` keyword).
        """
        if "mu" in kwargs:
            kwargs["mu"] = np.maximum(kwargs["mu"], self.min_mu)
        else:
            args = (*args[:3], np.maximum(args[3], self.min_mu), *args[4:])
        return self.inference.wald_test(*args, **kwargs)


class RParityDeseqStats(DeseqStats):
    """pydeseq2's ``DeseqStats`` with R DESeq2's Wald weights and independent filtering.

    Same constructor and methods as :class:`pydeseq2.ds.DeseqStats`. The Wald test's
    weights use the fitted means bounded below by R's ``minmu`` (:class:`MinMuWald`),
    and the filter threshold is chosen with R's ``lowess`` (see
    :func:`~drugsig.diffexp.r_parity.filtering.r_independent_filtering`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inference = MinMuWald(self.inference)  # type: ignore[has-type,assignment]

    def _independent_filtering(self) -> None:
        """Set ``padj`` by R's ``pvalueAdjustment``."""
        if not hasattr(self, "p_values"):
            self.run_wald_test()
        result = r_independent_filtering(
            self.base_mean.to_numpy(), self.p_values.to_numpy(), self.alpha
        )
        self.padj = pd.Series(result.padj, index=self.dds.var_names)
