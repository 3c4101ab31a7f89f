"""R's default random number generator, replayed from ``set.seed(seed)``.

R (>= 3.6) defaults to the Mersenne-Twister for uniforms, inversion for normals and
Ahrens-Dieter (GD / GS) for gamma variates. DESeq2's ``estimateDispersionsPriorVar``
draws its simulated null distribution under ``set.seed(2)``, so replaying that stream
makes the dispersion prior variance of designs with 1-3 residual degrees of freedom
equal to R's (see :mod:`drugsig.diffexp.r_parity.prior_variance`).

Ported from R's ``src/main/RNG.c`` (``RNG_Init``, ``MT_genrand``, ``fixup``,
``norm_rand`` INVERSION) and ``src/nmath`` (``exp_rand``, ``rgamma``, ``rchisq``).
Uniforms and gamma variates are bit-identical to R's; ``rnorm`` equals R's to a few
units in the last place (it inverts the normal CDF with scipy's ``ndtri``, vectorised,
instead of R's AS241 ``qnorm``).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from scipy.special import ndtri

_MT_N = 624
_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1), R's fixup()
_TWO_NEG_32 = 2.3283064365386963e-10  # 2^-32, MT_genrand's scaling
_BIG = 134217728.0  # 2^27, norm_rand's INVERSION
_REFILL = 1 << 16
_qnorm = NormalDist().inv_cdf  # Wichura's AS241, as R's qnorm


# q[k] = sum_{j=1}^{k+1} log(2)^j / j!, the table of R's exp_rand (nmath/sexp.c)
_EXP_Q = (
    0.6931471805599453,
    0.9333736875190459,
    0.9888777961838675,
    0.998495925291496,
    0.9998292811061389,
    0.9999833164100727,
    0.9999985691438767,
    0.9999998906925558,
    0.9999999924734159,
    0.9999999995283275,
    0.9999999999728814,
    0.9999999999985598,
    0.999999999999929,
    0.9999999999999968,
    0.9999999999999999,
    1.0,
)


class RRandom:
    """R's random number stream as started by ``set.seed(seed)``.

    Parameters
    ----------
    seed : int
        The ``set.seed`` argument.

    Examples
    --------
    ``RRandom(2).runif(3)`` equals R's ``set.seed(2); runif(3)``.
    """

    def __init__(self, seed: int) -> None:
        state = seed & 0xFFFFFFFF
        for _ in range(50):  # RNG_Init's initial scrambling
            state = (69069 * state + 1) & 0xFFFFFFFF
        key = np.empty(_MT_N + 1, dtype=np.uint32)
        for j in range(_MT_N + 1):
            state = (69069 * state + 1) & 0xFFFFFFFF
            key[j] = state
        # key[0] is R's mti slot, which FixupSeeds sets to N: regenerate on first use
        self._mt = np.random.MT19937()
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key[1:], "pos": _MT_N}}
        self._buffer: list[float] = []
        self._pos = 0

    def _refill(self, n: int) -> None:
        """Make at least ``n`` values of ``unif_rand()`` available in the buffer."""
        raw = self._mt.random_raw(max(n, _REFILL)).astype(np.float64) * _TWO_NEG_32
        raw[raw <= 0.0] = 0.5 * _I2_32M1  # R's fixup(): values strictly inside (0, 1)
        raw[1.0 - raw <= 0.0] = 1.0 - 0.5 * _I2_32M1
        self._buffer = self._buffer[self._pos :] + raw.tolist()
        self._pos = 0

    def _take(self, n: int) -> np.ndarray:
        """Next ``n`` values of ``unif_rand()``."""
        if self._pos + n > len(self._buffer):
            self._refill(n)
        out = np.array(self._buffer[self._pos : self._pos + n])
        self._pos += n
        return out

    def _unif(self) -> float:
        """One ``unif_rand()``."""
        if self._pos >= len(self._buffer):
            self._refill(1)
        value = self._buffer[self._pos]
        self._pos += 1
        return value

    def _norm(self) -> float:
        """One ``norm_rand()`` by inversion of two uniforms."""
        u = self._unif()
        return _qnorm((int(_BIG * u) + self._unif()) / _BIG)

    def _exp(self) -> float:
        """One ``exp_rand()`` (Ahrens & Dieter 1972)."""
        a = 0.0
        u = self._unif()
        while u <= 0.0 or u >= 1.0:
            u = self._unif()
        while True:
            u += u
            if u > 1.0:
                break
            a += _EXP_Q[0]
        u -= 1.0
        if u <= _EXP_Q[0]:
            return a + u
        i = 0
        umin = self._unif()
        while True:
            ustar = self._unif()
            umin = min(umin, ustar)
            i += 1
            if u <= _EXP_Q[i]:
                break
        return a + umin * _EXP_Q[0]

    def runif(self, n: int) -> np.ndarray:
        """``runif(n)``.

        Parameters
        ----------
        n : int
            Number of draws.

        Returns
        -------
        numpy.ndarray
            Uniforms on (0, 1).
        """
        return self._take(n)

    def rnorm(self, n: int, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
        """``rnorm(n, mean, sd)``; like R, draws nothing when ``sd == 0``.

        Parameters
        ----------
        n : int
            Number of draws.
        mean, sd : float
            Mean and standard deviation.

        Returns
        -------
        numpy.ndarray
            Normal variates.
        """
        if sd == 0.0:
            return np.full(n, mean)
        u = self._take(2 * n).reshape(n, 2)
        return mean + sd * ndtri((np.floor(_BIG * u[:, 0]) + u[:, 1]) / _BIG)

    def rchisq(self, n: int, df: float) -> np.ndarray:
        """``rchisq(n, df)``, i.e. ``rgamma(n, shape=df / 2, scale=2)``.

        Parameters
        ----------
        n : int
            Number of draws.
        df : float
            Degrees of freedom (> 0).

        Returns
        -------
        numpy.ndarray
            Chi-squared variates.
        """
        shape = df / 2.0
        if shape < 1.0:
            draws = [self._gamma_small(shape) for _ in range(n)]
        else:
            gamma_gd = _GammaGD(self, shape)
            draws = [gamma_gd() for _ in range(n)]
        return 2.0 * np.array(draws)

    def _gamma_small(self, a: float) -> float:
        """One standard gamma variate of shape ``a < 1`` (Ahrens & Dieter 1974, GS)."""
        e0 = 1.0 + 0.36787944117144233 * a
        while True:
            p = e0 * self._unif()
            if p >= 1.0:
                x = -math.log((e0 - p) / a)
                if self._exp() >= (1.0 - a) * math.log(x):
                    return x
            else:
                x = math.exp(math.log(p) / a)
                if self._exp() >= x:
                    return x


class _GammaGD:
    """R's ``rgamma`` for shape ``a >= 1`` (Ahrens & Dieter 1982, GD), for one shape.

    Parameters
    ----------
    rng : RRandom
        The stream to draw from.
    a : float
        Shape (>= 1).
    """

    _Q = (0.04166669, 0.02083148, 0.00801191, 0.00144121, -7.388e-5, 2.4511e-4, 2.424e-4)
    _A = (0.3333333, -0.250003, 0.2000062, -0.1662921, 0.1423657, -0.1367177, 0.1233795)

    def __init__(self, rng: RRandom, a: float) -> None:
        self.rng = rng
        self.s2 = a - 0.5
        self.s = math.sqrt(self.s2)
        self.d = 5.656854 - self.s * 12.0
        r = 1.0 / a
        q0 = 0.0
        for coefficient in reversed(self._Q):
            q0 = (q0 + coefficient) * r
        self.q0 = q0
        if a <= 3.686:
            self.b, self.si = 0.463 + self.s + 0.178 * self.s2, 1.235
            self.c = 0.195 / self.s - 0.079 + 0.16 * self.s
        elif a <= 13.022:
            self.b, self.si = 1.654 + 0.0076 * self.s2, 1.68 / self.s + 0.275
            self.c = 0.062 / self.s + 0.024
        else:
            self.b, self.si, self.c = 1.77, 0.75, 0.1515 / self.s

    def _q(self, t: float) -> float:
        v = t / (self.s + self.s)
        if abs(v) <= 0.25:
            poly = 0.0
            for coefficient in reversed(self._A):
                poly = (poly + coefficient) * v
            return self.q0 + 0.5 * t * t * poly
        return self.q0 - self.s * t + 0.25 * t * t + (self.s2 + self.s2) * math.log(1.0 + v)

    def __call__(self) -> float:
        """One standard gamma variate."""
        rng = self.rng
        t = rng._norm()
        x = self.s + 0.5 * t
        if t >= 0.0:
            return x * x
        u = rng._unif()
        if self.d * u <= t * t * t:
            return x * x
        if x > 0.0 and math.log(1.0 - u) <= self._q(t):
            return x * x
        while True:
            e = rng._exp()
            u = rng._unif()
            u = u + u - 1.0
            t = self.b - self.si * e if u < 0.0 else self.b + self.si * e
            if t >= -0.71874483771719:
                q = self._q(t)
                if q > 0.0 and self.c * abs(u) <= math.expm1(q) * math.exp(e - 0.5 * t * t):
                    break
        x = self.s + 0.5 * t
        return x * x
