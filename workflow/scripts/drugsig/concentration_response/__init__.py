"""Concentration-response pharmacology of expression (BMDExpress/DRomics-like).

Per *series* (one cell line x genotype x drug x time with at least
``concentration_response.min_concentrations`` non-zero concentrations and the vehicle of
the same cell line, genotype and time):

1. responsive genes: the DESeq2 likelihood-ratio test of the DE stage, or the fallback
   trend test :func:`trend_test` (quadratic trend on dose ranks, BH FDR);
2. :func:`fit_concentration_response`: fit const/linear/power/exp/quadratic/Hill models
   to log2 (VST) expression, choose one per gene by AICc, and derive the benchmark
   concentration (BMC), its profile-likelihood limits (BMCL, BMCU), the Hill EC50 and
   range flags;
3. :func:`pathway_bmc`, :func:`accumulation`, :func:`tpod`: pathway median BMCs, the
   BMC accumulation and the transcriptomic point of departure;
4. :func:`potency_ratio`: potency between drugs on their shared responsive genes;
   :func:`flag_cytotoxic`, :func:`selectivity`: viability context.

The workflow entry points are :func:`run_fits` and :func:`write_summary` (rules in
``workflow/rules/concentration_response.smk``); :func:`find_series` and
:func:`parse_concentration` read the samples sheet.
"""

from ._bmc import BMR, fit_concentration_response
from ._cytotox import flag_cytotoxic, selectivity, viability
from ._pathways import accumulation, pathway_bmc, tpod, usable_bmcs
from ._potency import potency_ratio
from ._series import Series, find_series, parse_concentration
from ._trend import trend_test
from ._validation import MIN_CONCENTRATIONS, Design, check_design
from ._workflow import benchmark_response, run_fits, write_summary

__all__ = [
    "BMR",
    "MIN_CONCENTRATIONS",
    "Design",
    "Series",
    "accumulation",
    "benchmark_response",
    "check_design",
    "find_series",
    "fit_concentration_response",
    "flag_cytotoxic",
    "parse_concentration",
    "pathway_bmc",
    "potency_ratio",
    "run_fits",
    "selectivity",
    "tpod",
    "trend_test",
    "usable_bmcs",
    "viability",
    "write_summary",
]
