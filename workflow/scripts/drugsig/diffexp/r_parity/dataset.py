"""``DeseqDataSet`` whose dispersion steps follow R DESeq2 1.38."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pydeseq2.dds import DeseqDataSet

from drugsig.diffexp.r_parity.dispersions import r_genewise_dispersions, r_map_dispersions
from drugsig.diffexp.r_parity.prior_variance import r_dispersion_prior_var
from drugsig.diffexp.r_parity.trend import TrendFitError, r_parametric_dispersion_fit

if TYPE_CHECKING:  # pydeseq2's data container, only named in an annotation
    import anndata as ad

_FEW_DF_WARNING = "As the residual degrees of freedom is less than 3"


class RParityDeseqDataSet(DeseqDataSet):
    """pydeseq2's ``DeseqDataSet`` with R DESeq2's dispersion estimation rules.

    Same constructor and pipeline (``deseq2()``) as :class:`pydeseq2.dds.DeseqDataSet`;
    size factors, fitted means, log fold changes and Cook's distances are pydeseq2's
    (computed by the dataset's ``inference``). The dispersion steps follow DESeq2
    1.38's ``estimateDispersions``:

    * genewise dispersions: R's line search and its rules
      (:func:`~drugsig.diffexp.r_parity.dispersions.r_genewise_dispersions`), with the
      fitted means floored at ``min_mu`` as R does;
    * trend: R's ``parametricDispersionFit`` gene selection and fit
      (:func:`~drugsig.diffexp.r_parity.trend.r_parametric_dispersion_fit`); where it
      fails, pydeseq2's mean trend (R would fit a local regression);
    * prior variance: R's ``estimateDispersionsPriorVar``, with its simulation for 1-3
      residual degrees of freedom
      (:func:`~drugsig.diffexp.r_parity.prior_variance.r_dispersion_prior_var`);
    * MAP dispersions: R's line search and its rules
      (:func:`~drugsig.diffexp.r_parity.dispersions.r_map_dispersions`), then the same
      dispersion-outlier rule as pydeseq2 and R.

    Genes refitted after Cook's outlier replacement go through the same rules. The VST
    (``vst_fit``) is pydeseq2's.
    """

    counts_to_refit: ad.AnnData  # set by pydeseq2's _replace_outliers

    def _non_zero(self) -> np.ndarray:
        return self.var["non_zero"].to_numpy(dtype=bool)

    def fit_genewise_dispersions(self, vst: bool = False) -> None:
        """Fit genewise dispersions (R's rules unless ``vst``).

        Parameters
        ----------
        vst : bool
            Whether the fit is part of the VST, which keeps pydeseq2's estimates.
            (default: ``False``).
        """
        super().fit_genewise_dispersions(vst)
        if vst:
            return
        genes = self._non_zero()
        # R floors the fitted means at minmu (pydeseq2's GLM fit does not), for the MAP too
        mu = np.maximum(self.layers["_mu_hat"][:, genes], self.min_mu)
        self.layers["_mu_hat"][:, genes] = mu
        dispersions, converged = r_genewise_dispersions(
            self.X[:, genes],
            self.obsm["design_matrix"].to_numpy(dtype=float),
            mu,
            self.var["_MoM_dispersions"].to_numpy()[genes],
            self.min_disp,
            self.max_disp,
        )
        self.var.loc[genes, "genewise_dispersions"] = dispersions
        self.var.loc[genes, "_genewise_converged"] = converged

    def _fit_parametric_dispersion_trend(self, vst: bool = False) -> None:
        """Fit the parametric trend as R does (pydeseq2's fit for the VST).

        Parameters
        ----------
        vst : bool
            Whether the fit is part of the VST. (default: ``False``).
        """
        if vst:
            super()._fit_parametric_dispersion_trend(vst)
            return
        genes = self._non_zero()
        try:
            coefs = r_parametric_dispersion_fit(
                self.var["_normed_means"].to_numpy()[genes],
                self.var["genewise_dispersions"].to_numpy()[genes],
                self.min_disp,
            )
        except TrendFitError as error:
            warnings.warn(
                f"The parametric dispersion trend failed ({error}); using the mean "
                "dispersion instead (R DESeq2 would fit a local regression).",
                UserWarning,
                stacklevel=2,
            )
            self._fit_mean_dispersion_trend(vst)
            return
        self.uns["trend_coeffs"] = pd.Series(coefs, index=["a0", "a1"])
        self.uns["disp_function_type"] = "parametric"
        self.var["fitted_dispersions"] = np.nan
        self.var.loc[genes, "fitted_dispersions"] = self.disp_function(
            self.var.loc[genes, "_normed_means"]
        )

    def fit_dispersion_prior(self) -> None:
        """Fit the prior variance of the log dispersions as R does.

        ``uns["_squared_logres"]`` (R's ``varLogDispEsts``) is pydeseq2's; only
        ``uns["prior_disp_var"]`` differs, for 1-3 residual degrees of freedom.
        """
        with warnings.catch_warnings():  # R's simulation replaces the MAD-based estimate
            warnings.filterwarnings("ignore", message=_FEW_DF_WARNING, category=UserWarning)
            super().fit_dispersion_prior()
        var = self.var[self._non_zero()]
        above = var["genewise_dispersions"] >= 100 * self.min_disp
        residuals = np.log(var.loc[above, "genewise_dispersions"]) - np.log(
            var.loc[above, "fitted_dispersions"]
        )
        self.uns["prior_disp_var"] = np.asarray(
            r_dispersion_prior_var(
                residuals.to_numpy(),
                self.n_obs,
                self.obsm["design_matrix"].shape[1],
                float(self.uns["_squared_logres"]),
            )
        )

    def fit_MAP_dispersions(self) -> None:  # noqa: N802 (pydeseq2's name)
        """Fit MAP dispersions by R's rules, then flag dispersion outliers as pydeseq2."""
        if "prior_disp_var" not in self.uns:
            self.fit_dispersion_prior()
        genes = self._non_zero()
        dispersions, converged = r_map_dispersions(
            self.X[:, genes],
            self.obsm["design_matrix"].to_numpy(dtype=float),
            self.layers["_mu_hat"][:, genes],
            self.var["genewise_dispersions"].to_numpy()[genes],
            self.var["fitted_dispersions"].to_numpy()[genes],
            float(self.uns["prior_disp_var"]),
            self.min_disp,
            self.max_disp,
        )
        self.var["MAP_dispersions"] = np.nan
        self.var.loc[genes, "MAP_dispersions"] = dispersions
        self.var["_MAP_converged"] = pd.array([pd.NA] * self.n_vars, dtype="boolean")
        self.var.loc[genes, "_MAP_converged"] = converged
        # genes far above the trend keep their genewise estimate (R: dispOutlier)
        self.var["dispersions"] = self.var["MAP_dispersions"].copy()
        self.var["_outlier_genes"] = np.log(self.var["genewise_dispersions"]) > np.log(
            self.var["fitted_dispersions"]
        ) + 2 * np.sqrt(self.uns["_squared_logres"])
        outliers = self.var["_outlier_genes"]
        self.var.loc[outliers, "dispersions"] = self.var.loc[outliers, "genewise_dispersions"]
        if self.low_memory:
            del self.layers["_mu_hat"]

    def _refit_without_outliers(self) -> None:
        """Refit the genes whose Cook's outliers were replaced, with R's rules too.

        pydeseq2 0.5.4's ``_refit_without_outliers`` with one change: the genes are
        refitted by an ``RParityDeseqDataSet`` instead of a plain ``DeseqDataSet``. As in
        R's ``refitWithoutOutliers``, the trend and the prior variance are not refitted.
        """
        if "replaced" not in self.var:
            self._replace_outliers()
        replaced = self.counts_to_refit
        new_all_zeroes = (replaced.X == 0).all(axis=0)
        self.new_all_zeroes_genes = replaced.var_names[new_all_zeroes]
        self.var["refitted"] = self.var["replaced"].copy()
        self.var.loc[self.var["refitted"], "refitted"] = ~new_all_zeroes
        if new_all_zeroes.sum() > 0:
            self.var.loc[self.new_all_zeroes_genes, "_normed_means"] = 0
            self.varm["LFC"].loc[self.new_all_zeroes_genes, :] = 0
        if self.var["refitted"].sum() == 0:
            return
        self.counts_to_refit = replaced = replaced[:, ~new_all_zeroes].copy()
        sub = RParityDeseqDataSet(
            counts=pd.DataFrame(replaced.X, index=replaced.obs_names, columns=replaced.var_names),
            metadata=self.obs,
            design=self.design,
            min_mu=self.min_mu,
            min_disp=self.min_disp,
            max_disp=self.max_disp,
            refit_cooks=self.refit_cooks,
            min_replicates=self.min_replicates,
            beta_tol=self.beta_tol,
            inference=self.inference,
            quiet=self.quiet,
        )
        sub.obs["size_factors"] = replaced.obs["size_factors"]
        sub.layers["normed_counts"] = sub.X / sub.obs["size_factors"].to_numpy()[:, None]
        sub.fit_genewise_dispersions()
        sub.uns["disp_function_type"] = self.uns["disp_function_type"]
        if sub.uns["disp_function_type"] == "parametric":
            sub.uns["trend_coeffs"] = self.uns["trend_coeffs"]
        else:
            sub.uns["mean_disp"] = self.uns["mean_disp"]
        sub.var["_normed_means"] = sub.layers["normed_counts"].mean(axis=0)
        sub.var["fitted_dispersions"] = sub.disp_function(sub.var["_normed_means"])
        sub.uns["_squared_logres"] = self.uns["_squared_logres"]
        sub.uns["prior_disp_var"] = self.uns["prior_disp_var"]
        sub.fit_MAP_dispersions()
        sub.fit_LFC()
        refitted = self.var["refitted"]
        for name in ("_normed_means", "genewise_dispersions", "fitted_dispersions", "dispersions"):
            self.var.loc[refitted, name] = sub.var[name]
        self.varm["LFC"][refitted] = sub.varm["LFC"]
        self.layers["replace_cooks"] = self.layers["cooks"].copy()
        for gene in np.flatnonzero(refitted):
            self.layers["replace_cooks"][self.obs["replaceable"], gene] = 0.0
