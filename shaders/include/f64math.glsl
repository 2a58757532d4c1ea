// Elementary and special functions for T = double (F64) or float, which GLSL lacks for double (exp, log, sin, cos,
// tanh, erf, pow have float overloads only). Written once for both precisions: the f64 modules need all of them, the
// f32 ones use erf, the normal CDF and pow (with float constants and shorter series). Method: argument reduction to a
// small interval, then a truncated Taylor (or Chebyshev) series whose first omitted term is below half an ulp:
//   exp   x = k ln2 + r, |r| <= ln2 / 2 (ln2 in two parts, the first short enough that k ln2_hi is exact), e^r to r^13
//   expm1 Taylor below |x| = 1/2, exp(x) - 1 above (cancels at most a bit and a half)
//   log   x = 2^e (1 + f), f in [sqrt(1/2) - 1, sqrt 2 - 1], log(1 + f) = 2 atanh(f / (2 + f)) as fdlibm arranges it
//         (f exact, the series only in the correction)
//   sin, cos  x = k pi/2 + r, r kept as a double-double: below 2^26 by Cody-Waite (pi/2 in six 27-bit parts, each
//         k part exact), above by Payne-Hanek (2/pi in 24-bit digits); Taylor to r^17 / r^18 on |r| <= pi/4
//   erf, erfc, Phi  the CPU's method (ErrorFunction.cs), coefficients built the same way: erf = x P(x^2) below 1, erfc(z) =
//         t exp(-z^2 + C(2t - 1)), t = 2 / (2 + z), C a 24-term Chebyshev series, elsewhere
//   pow   exp(y log x) with log x as a double-double (hi + lo) and y log x as one, special cases as C's pow
// Accuracy (double, measured against the CPU backend, docs/vulkan.md): within 7e-16 relative for exp, log, expm1,
// log1p, sin, cos (any argument), tanh, sigmoid, erf, pow and the activations built on them. Contractions into fma and
// reassociation would break the exact steps, hence `precise`; GLSL's fma is avoided (llvmpipe does not fuse it).
// Include after T is defined (float or double).

// Constants are written as double literals and converted: glslang folds the conversion, so the float modules
// declare no Float64 capability.
#define K(x) T(x)

const T M_INF = T(1.0 / 0.0);
const T M_LN2 = K(0.6931471805599453LF);
const T M_INV_LN2 = K(1.4426950408889634LF);
#ifdef F64
const T M_LN2_HI = K(0.6931471805598903LF);          // 42 bits: k ln2_hi is exact for |k| < 2^11
const T M_LN2_LO = K(5.497923018708371e-14LF);
const T M_EXP_MAX = K(709.782712893384LF);           // above: +inf
const T M_EXP_MIN = K(-745.1332191019412LF);         // below: 0
const int M_EXP_TERMS = 14;                        // e^r, |r| <= 0.347: r^14 / 14! < 5e-18
const int M_EXPM1_TERMS = 18;                      // |x| < 0.5: x^18 / 18! < 2e-21
const int M_LOG_TERMS = 11;                        // s^2 <= 0.0295: s^22 < 2e-17
const T M_TANH_SATURATE = K(22.0LF);
#else
const T M_LN2_HI = K(0.693145751953125LF);           // 16 bits
const T M_LN2_LO = K(1.4286068203094173e-06LF);
const T M_EXP_MAX = K(88.72283LF);
const T M_EXP_MIN = K(-103.97208LF);
const int M_EXP_TERMS = 9;
const int M_EXPM1_TERMS = 10;
const int M_LOG_TERMS = 6;
const T M_TANH_SATURATE = K(9.0LF);
#endif

const T M_INV_FACT[20] = T[20](K(1.0LF), K(1.0LF), K(0.5LF), K(0.16666666666666666LF), K(0.041666666666666664LF),
    K(0.008333333333333333LF), K(0.001388888888888889LF), K(0.0001984126984126984LF), K(2.48015873015873e-05LF),
    K(2.7557319223985893e-06LF), K(2.755731922398589e-07LF), K(2.505210838544172e-08LF), K(2.08767569878681e-09LF),
    K(1.6059043836821613e-10LF), K(1.1470745597729725e-11LF), K(7.647163731819816e-13LF), K(4.779477332387385e-14LF),
    K(2.8114572543455206e-15LF), K(1.5619206968586225e-16LF), K(8.22063524662433e-18LF));

T m_nan() { return M_INF - M_INF; }

#ifdef F64
bool m_signbit(T x) { return (unpackDouble2x32(x).y >> 31) != 0u; }
#else
bool m_signbit(T x) { return (floatBitsToUint(x) >> 31) != 0u; }
#endif

// Round half to even from floor: llvmpipe's double roundEven returns its argument unchanged from 2^24 on (Mesa
// 22.3.6), while floor is right.
T m_round_even(T v) {
    T f = floor(v);
    T d = v - f;                            // exact
    if (d > T(0.5)) return f + T(1);
    if (d < T(0.5)) return f;
    return floor(f * T(0.5)) * T(2) == f ? f : f + T(1);
}

// The rounding error of a * b, exactly: a b = p + m_two_prod_err(a, b, p) for p = a * b (Dekker's product on
// Veltkamp's split; GLSL's fma is not fused on every driver: llvmpipe computes a double fma as a * b + c).
#ifdef F64
const T M_SPLIT = K(134217729.0);                 // 2^27 + 1
#else
const T M_SPLIT = K(4097.0);                      // 2^12 + 1
#endif
T m_two_prod_err(T a, T b, T prod) {
    precise T ca = M_SPLIT * a;
    precise T ahi = ca - (ca - a);
    precise T alo = a - ahi;
    precise T cb = M_SPLIT * b;
    precise T bhi = cb - (cb - b);
    precise T blo = b - bhi;
    precise T err = ((ahi * bhi - prod) + ahi * blo + alo * bhi) + alo * blo;
    return err;
}

// x 2^n for n beyond one ldexp's exponent range (results near the overflow and underflow edges).
T m_ldexp(T x, int n) {
    int h = n / 2;
    return ldexp(ldexp(x, h), n - h);
}

// e^r for |r| <= ln2 / 2.
T m_exp_reduced(T r) {
    T p = M_INV_FACT[M_EXP_TERMS - 1];
    [[unroll]] for (int k = M_EXP_TERMS - 2; k >= 0; --k) p = p * r + M_INV_FACT[k];
    return p;
}

T m_exp(T x) {
    if (isnan(x)) return x;
    if (x > M_EXP_MAX) return M_INF;
    if (x < M_EXP_MIN) return T(0);
    T k = m_round_even(x * M_INV_LN2);
    precise T r = (x - k * M_LN2_HI) - k * M_LN2_LO;
    return m_ldexp(m_exp_reduced(r), int(k));
}

T m_expm1(T x) {
    if (abs(x) < T(0.5)) {
        // x (1 + x/2! + x^2/3! + ...)
        T p = M_INV_FACT[M_EXPM1_TERMS];
        [[unroll]] for (int k = M_EXPM1_TERMS - 1; k >= 1; --k) p = p * x + M_INV_FACT[k];
        return x * p;
    }
    if (x > M_EXP_MAX) return M_INF;
    return m_exp(x) - T(1);
}

// log(x) as hi + lo (|lo| below an ulp of hi, the pair accurate to well beyond T's precision), for pow.
void m_log2parts(T x, out T hi, out T lo) {
    int e;
    T m = frexp(x, e);
    if (m < K(0.70710678118654752LF)) { m = m + m; e -= 1; }
    precise T f = m - T(1);                 // exact
    precise T d = T(2) + f;
    precise T dlo = f - (d - T(2));         // 2 + f = d + dlo exactly
    T s = f / d;
    precise T sd = s * d;
    precise T sres = ((f - sd) - m_two_prod_err(s, d, sd)) - s * dlo;
    T slo = sres / d;                       // f / (2 + f) = s + slo
    T z = s * s;
    T R = T(2) / T(2 * M_LOG_TERMS + 1);
    [[unroll]] for (int k = M_LOG_TERMS - 1; k >= 1; --k) R = R * z + T(2) / T(2 * k + 1);
    // log(1 + f) = 2 s + 2 s (z/3 + z^2/5 + ...) = 2 s + s z R
    T ek = T(e);
    precise T a = ek * M_LN2_HI;            // exact
    precise T b = T(2) * s;                 // exact
    precise T sum = a + b;
    precise T err = abs(a) >= abs(b) ? (a - sum) + b : (b - sum) + a;
    precise T tail = err + (T(2) * slo + (s * z * R + ek * M_LN2_LO));
    hi = sum + tail;
    lo = tail - (hi - sum);
}

T m_log(T x) {
    if (isnan(x)) return x;
    if (x < T(0)) return m_nan();
    if (x == T(0)) return -M_INF;
    if (isinf(x)) return x;
    int e;
    T m = frexp(x, e);
    if (m < K(0.70710678118654752LF)) { m = m + m; e -= 1; }
    precise T f = m - T(1);                 // exact
    T s = f / (T(2) + f);
    T z = s * s;
    T R = T(2) / T(2 * M_LOG_TERMS + 1);
    [[unroll]] for (int k = M_LOG_TERMS - 1; k >= 1; --k) R = R * z + T(2) / T(2 * k + 1);
    R *= z;
    T ek = T(e);
    precise T hfsq = T(0.5) * f * f;
    // fdlibm's arrangement: log(1 + f) = f - (hfsq - s (hfsq + R)), the exact f first.
    precise T r = ek * M_LN2_HI - ((hfsq - (s * (hfsq + R) + ek * M_LN2_LO)) - f);
    return r;
}

// log(1 + x) as the CPU computes it (Goldberg: the rounding of 1 + x cancels in x / (u - 1)), the ratio first, as its
// vector path, so that log(u) x cannot overflow.
T m_log1p(T x) {
    precise T u = T(1) + x;
    if (u == T(1)) return x;
    if (isinf(u) && u > T(0)) return u;
    precise T um1 = u - T(1);
    return m_log(u) * (x / um1);
}

// sigmoid(x) and its complement sigmoid(-x), from e = exp(-|x|) as the CPU (VectorMath.Logistic).
T m_logistic(T x, out T complement) {
    T e = m_exp(-abs(x));
    T r = T(1) / (T(1) + e);
    T er = e * r;
    complement = x < T(0) ? r : er;
    return x < T(0) ? er : r;
}

T m_sigmoid(T x) {
    T c;
    return m_logistic(x, c);
}

T m_tanh(T x) {
    if (isnan(x)) return x;
    T a = abs(x);
    if (a > M_TANH_SATURATE) return x < T(0) ? T(-1) : T(1);
    T e = m_expm1(a + a);
    T t = e / (e + T(2));
    return x < T(0) ? -t : t;
}

// ---- erf, erfc and the normal CDF: ErrorFunction.cs's method; its Taylor coefficients, and its Chebyshev
// interpolation (64 nodes, 24 terms) of ln(erfc(z) e^{z^2} / t) recomputed with a 300-bit reference (mpmath)

const T M_ERF_OVER_X[19] = T[19](K(1.1283791670955126LF), K(-0.37612638903183754LF), K(0.11283791670955126LF),
    K(-0.026866170645131252LF), K(0.005223977625442188LF), K(-0.0008548327023450852LF), K(0.00012055332981789664LF),
    K(-1.492565035840625e-05LF), K(1.6462114365889246e-06LF), K(-1.6365844691234924e-07LF), K(1.4807192815879218e-08LF),
    K(-1.2290555301717926e-09LF), K(9.422759064650411e-11LF), K(-6.7113668551641105e-12LF), K(4.4632242632864775e-13LF),
    K(-2.7835162072109212e-14LF), K(1.6342614095367152e-15LF), K(-9.063970842808673e-17LF), K(4.763348040515068e-18LF));

const T M_ERFC_CHEB[24] = T[24](K(-0.6513268598908548LF), K(0.6419697923564902LF), K(0.01947647320418596LF),
    K(-0.009561514786808785LF), K(-0.0009465953444819583LF), K(0.0003668394978526765LF), K(4.252332480696869e-05LF),
    K(-2.027857811261191e-05LF), K(-1.624290004526019e-06LF), K(1.3036558359214023e-06LF), K(1.5626441876581687e-08LF),
    K(-8.523809631039159e-08LF), K(6.529054366599674e-09LF), K(5.059343916036241e-09LF), K(-9.913640464098705e-10LF),
    K(-2.273653904039108e-10LF), K(9.646839577159838e-11LF), K(2.394126563665111e-12LF), K(-6.886172188025341e-12LF),
    K(8.942152573965245e-13LF), K(3.13020442899159e-13LF), K(-1.1295825386170577e-13LF), K(7.28583859910259e-16LF),
    K(6.807054919732991e-15LF));

const T M_INV_SQRT2 = K(0.70710678118654752LF);
const T M_INV_SQRT_2PI = K(0.39894228040143268LF);

// erfc(z) for z >= 0, given z^2 (computed by the caller, as the CPU does).
T m_erfc_nonneg(T z, T z2) {
    T t = T(2) / (T(2) + z);
    T v = t + t - T(1);
    T b1 = T(0);
    T b2 = T(0);
    [[unroll]] for (int k = 23; k >= 1; --k) {
        T b = (v + v) * b1 - b2 + M_ERFC_CHEB[k];
        b2 = b1;
        b1 = b;
    }
    T c = v * b1 - b2 + M_ERFC_CHEB[0];
    return t * m_exp(c - z2);
}

T m_erf(T x) {
    T ax = abs(x);
    if (ax < T(1)) {
        T x2 = x * x;
        T p = M_ERF_OVER_X[18];
        [[unroll]] for (int k = 17; k >= 0; --k) p = p * x2 + M_ERF_OVER_X[k];
        return x * p;
    }
    if (isnan(x)) return x;
    T r = T(1) - m_erfc_nonneg(ax, x * x);
    return x < T(0) ? -r : r;
}

T m_normal_cdf(T x) {
    T e = m_erfc_nonneg(abs(x) * M_INV_SQRT2, T(0.5) * (x * x));
    return T(0.5) * (x < T(0) ? e : T(2) - e);
}

T m_gelu(T x) { return x * m_normal_cdf(x); }

// GELU's derivative Phi(x) + x phi(x).
T m_gelu_slope(T x) { return m_normal_cdf(x) + x * M_INV_SQRT_2PI * m_exp(T(-0.5) * x * x); }

// ---- pow -------------------------------------------------------------------------------------------------------

bool m_is_integer(T y) { return !isinf(y) && floor(y) == y; }

bool m_is_odd_integer(T y) {
    if (!m_is_integer(y)) return false;
    T h = T(0.5) * y;
    return floor(h) != h;
}

// x^y with C's (and .NET's Math.Pow) special cases.
T m_pow(T x, T y) {
    if (y == T(0)) return T(1);
    if (x == T(1)) return T(1);
    if (isnan(x) || isnan(y)) return m_nan();
    T ax = abs(x);
    if (isinf(y)) {
        if (ax == T(1)) return T(1);
        return (ax > T(1)) == (y > T(0)) ? M_INF : T(0);
    }
    bool odd = m_is_odd_integer(y);
    bool negative = m_signbit(x);
    if (x == T(0) || isinf(x)) {
        bool big = isinf(x) ? y > T(0) : y < T(0);
        T r = big ? M_INF : T(0);
        return negative && odd ? -r : r;
    }
    if (x < T(0) && !m_is_integer(y)) return m_nan();
    T lh, ll;
    m_log2parts(ax, lh, ll);
    precise T ph = y * lh;
    precise T pl = m_two_prod_err(y, lh, ph) + y * ll;  // y log|x| = ph + pl
    T r;
    if (ph > M_EXP_MAX) r = M_INF;
    else if (ph < M_EXP_MIN) r = T(0);
    else {
        T k = m_round_even(ph * M_INV_LN2);
        precise T rr = ((ph - k * M_LN2_HI) - k * M_LN2_LO) + pl;
        r = m_ldexp(m_exp_reduced(rr), int(k));
    }
    return negative && odd ? -r : r;
}

// ---- sin and cos --------------------------------------------------------------------------------------------
// Double: Cody-Waite below 2^26 with pi/2 in six 27-bit parts, Payne-Hanek above with 24-bit digits of 2/pi and the
// mantissa split in 26 + 27 bits. Float: the same with 12-bit parts and digits (Cody-Waite below 2^11), so float32 Sin
// and Cos reduce every argument exactly too (GLSL's sin and cos promise nothing beyond [-pi, pi]).

const T M_TWO_OVER_PI = K(0.6366197723675814LF);
#ifdef F64
const T M_PIO2_HI = K(1.5707963267948966LF);
const T M_PIO2_LO = K(6.123233995736766e-17LF);
const T M_PIO2[6] = T[6](K(1.570796325802803LF), K(9.920935739593517e-10LF), K(5.721188709663575e-18LF),
    K(1.6446256892965207e-26LF), K(4.3359050443915694e-35LF), K(2.0670320881522304e-43LF));
const T M_CODY_WAITE_MAX = K(67108864.0LF);        // 2^26: k < 2^26, so k times a 27-bit part is exact
const int M_DIGIT_BITS = 24;
const int M_MANTISSA_BITS = 53;
const int M_HALF_BITS = 26;                        // the mantissa's low half; the high one has 27 bits
const int M_PH_DIGITS = 10;                        // 240 bits past the first useful digit
// 2/pi = sum_i M_TWO_OVER_PI_DIGITS[i] 2^(-24 (i + 1)): 52 digits (1248 bits) reach past the largest double.
const T M_TWO_OVER_PI_DIGITS[52] = T[52](
    K(10680707.0LF), K(7228996.0LF), K(1387004.0LF), K(2578385.0LF), K(16069853.0LF), K(12639074.0LF),
    K(9804092.0LF), K(4427841.0LF), K(16666979.0LF), K(11263675.0LF), K(12935607.0LF), K(2387514.0LF),
    K(4345298.0LF), K(14681673.0LF), K(3074569.0LF), K(13734428.0LF), K(16653803.0LF), K(1880361.0LF),
    K(10960616.0LF), K(8533493.0LF), K(3062596.0LF), K(8710556.0LF), K(7349940.0LF), K(6258241.0LF), K(3772886.0LF),
    K(3769171.0LF), K(3798172.0LF), K(8675211.0LF), K(12450088.0LF), K(3874808.0LF), K(9961438.0LF), K(366607.0LF),
    K(15675153.0LF), K(9132554.0LF), K(7151469.0LF), K(3571407.0LF), K(2607881.0LF), K(12013382.0LF), K(4155038.0LF),
    K(6285869.0LF), K(7677882.0LF), K(13102053.0LF), K(15825725.0LF), K(473591.0LF), K(9065106.0LF), K(15363067.0LF),
    K(6271263.0LF), K(9264392.0LF), K(5636912.0LF), K(4652155.0LF), K(7056368.0LF), K(13614112.0LF));
#else
const T M_PIO2_HI = K(1.5707963705062866LF);
const T M_PIO2_LO = K(-4.3711390001862426e-08LF);
const T M_PIO2[6] = T[6](K(1.5703125LF), K(0.0004837512969970703LF), K(7.549533620476723e-08LF),
    K(2.5632829192545614e-12LF), K(6.123031769111886e-17LF), K(2.0216294170795996e-21LF));
const T M_CODY_WAITE_MAX = K(2048.0LF);           // k < 2^11: k times a 12-bit part is exact
const int M_DIGIT_BITS = 12;
const int M_MANTISSA_BITS = 24;
const int M_HALF_BITS = 12;
const int M_PH_DIGITS = 10;                        // 120 bits past the first useful digit
// 2/pi in 12-bit digits: 24 digits (288 bits) reach past the largest float.
const T M_TWO_OVER_PI_DIGITS[24] = T[24](K(2607.0LF), K(2435.0LF), K(1764.0LF), K(3652.0LF), K(338.0LF), K(2556.0LF),
    K(629.0LF), K(2001.0LF), K(3923.0LF), K(1245.0LF), K(3085.0LF), K(2914.0LF), K(2393.0LF), K(2364.0LF),
    K(1081.0LF), K(65.0LF), K(4069.0LF), K(355.0LF), K(2749.0LF), K(3771.0LF), K(3158.0LF), K(439.0LF), K(582.0LF),
    K(3642.0LF));
#endif

// hi + lo += v (two-sum), then the integer nearest hi moved into q: the pair stays within [-1/2, 1/2] plus a little.
void m_accumulate(inout T hi, inout T lo, inout T q, T v) {
    precise T s = hi + v;
    precise T bb = s - hi;
    precise T e = (hi - (s - bb)) + (v - bb);
    precise T k = m_round_even(s);
    hi = s - k;                             // exact
    lo += e;
    q += k;
}

// Payne-Hanek beyond Cody-Waite's range: x = M 2^E (M an integer of T's mantissa width, split in two halves so that
// each product with a digit of 2/pi is exact); the products are summed mod 4 from the first one that is not a
// multiple of 4, over ten digits, as a double-T pair. Returns n mod 4 and r = (rh + rl) for |x| = n pi/2 + r.
int m_rem_pio2_large(T ax, out T rh, out T rl) {
    int ex;
    T m = frexp(ax, ex);
    T M = ldexp(m, M_MANTISSA_BITS);
    int E = ex - M_MANTISSA_BITS;
    T Mh = floor(ldexp(M, -M_HALF_BITS));
    T Ml = M - ldexp(Mh, M_HALF_BITS);
    int i0 = max(0, (E - 2) / M_DIGIT_BITS);
    T hi = T(0);
    T lo = T(0);
    T q = T(0);
    for (int j = 0; j < M_PH_DIGITS; ++j) {
        int i = i0 + j;
        T c = M_TWO_OVER_PI_DIGITS[i];
        T ph = ldexp(Mh * c, E + M_HALF_BITS - M_DIGIT_BITS * (i + 1));   // exact
        T pl = ldexp(Ml * c, E - M_DIGIT_BITS * (i + 1));                 // exact
        // Terms mod 4 first (exact): their multiples of 4 leave sin and cos unchanged.
        m_accumulate(hi, lo, q, ph - T(4) * floor(ph * T(0.25)));
        m_accumulate(hi, lo, q, pl - T(4) * floor(pl * T(0.25)));
    }
    // Renormalise: hi + lo exactly as before, lo below half an ulp of hi.
    T tail = lo;
    lo = T(0);
    m_accumulate(hi, lo, q, tail);
    // r = (hi + lo) pi/2 as a double-double.
    precise T fh = hi;
    precise T ph2 = fh * M_PIO2_HI;
    precise T err = m_two_prod_err(fh, M_PIO2_HI, ph2) + (fh * M_PIO2_LO + lo * M_PIO2_HI);
    precise T h = ph2 + err;
    rl = err - (h - ph2);
    rh = h;
    T n = q - T(4) * floor(q * T(0.25));
    return int(n);
}

// x = n pi/2 + (rh + rl), |rh + rl| <= about pi/4; returns n mod 4: Cody-Waite (k pi/2 exact part by part), then
// Payne-Hanek.
int m_rem_pio2(T x, out T rh, out T rl) {
    T ax = abs(x);
    if (ax >= M_CODY_WAITE_MAX) {
        int n = m_rem_pio2_large(ax, rh, rl);
        if (x < T(0)) {
            rh = -rh;
            rl = -rl;
            n = (4 - n) & 3;
        }
        return n;
    }
    T k = m_round_even(x * M_TWO_OVER_PI);
    precise T hi = x - k * M_PIO2[0];       // exact: k pi2[0] is, and it is within a factor 2 of x
    precise T lo = T(0);
    [[unroll]] for (int i = 1; i < 6; ++i) {
        precise T t = -(k * M_PIO2[i]);     // exact
        precise T s = hi + t;
        precise T bb = s - hi;
        precise T e = (hi - (s - bb)) + (t - bb);
        hi = s;
        lo += e;
    }
    precise T h = hi + lo;
    rl = lo - (h - hi);
    rh = h;
    T q = k - T(4) * floor(k * T(0.25));
    return int(q);
}

T m_sin_kernel(T r, T rl) {
    T z = r * r;
    // sin r = r + r z (-1/3! + z/5! - ...), to r^17
    T p = M_INV_FACT[17];
    [[unroll]] for (int k = 15; k >= 3; k -= 2) p = -p * z + M_INV_FACT[k];
    p = -p;
    return r + (r * z * p + rl * (T(1) - T(0.5) * z));
}

T m_cos_kernel(T r, T rl) {
    T z = r * r;
    // cos r = 1 - z/2 + z^2 (1/4! - z/6! + ...), to r^18
    T p = M_INV_FACT[18];
    [[unroll]] for (int k = 16; k >= 4; k -= 2) p = -p * z + M_INV_FACT[k];
    precise T hz = T(0.5) * z;
    precise T w = T(1) - hz;
    return w + (((T(1) - w) - hz) + (z * z * p - r * rl));
}

T m_sin(T x) {
    if (isnan(x) || isinf(x)) return m_nan();
    if (abs(x) < K(1e-9LF)) return x;
    T rh, rl;
    int n = m_rem_pio2(x, rh, rl);
    T s = (n & 1) == 0 ? m_sin_kernel(rh, rl) : m_cos_kernel(rh, rl);
    return n >= 2 ? -s : s;
}

T m_cos(T x) {
    if (isnan(x) || isinf(x)) return m_nan();
    if (abs(x) < K(1e-9LF)) return T(1);
    T rh, rl;
    int n = m_rem_pio2(x, rh, rl);
    T c = (n & 1) == 0 ? m_cos_kernel(rh, rl) : m_sin_kernel(rh, rl);
    return n == 1 || n == 2 ? -c : c;
}
