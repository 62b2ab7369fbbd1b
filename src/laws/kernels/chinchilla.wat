;; Chinchilla's fitting objective in WebAssembly SIMD (two runs per f64x2 vector).
;;
;;   ln L̂_i = LSE(e, a − α·ln N_i, b − β·ln D_i),   r_i = ln L̂_i − ln L_i,
;;   f = Σ_i w_i·ρ(r_i),   ρ least squares or Huber(δ) (least squares is Huber with δ = +∞),
;;   or in linear space r_i = L̂_i − L_i (Gadre et al.'s recipe: least squares on L),
;;
;; and f's gradient in (e, a, b, α, β): the same sums as src/fit/objective.ts over the Jacobian of
;; src/laws/chinchilla.ts, fused, with the same operations in the same order (each sum is added up
;; row by row), so the same bits. Two forms, as in chinchilla.ts:
;;   mode 0 (logPredict): each run's log-sum-exp shifted by its own largest term;
;;   mode 1 (gridLogPredict): one shift c for all runs, so A/N^α and B/D^β take one exp per distinct
;;     ln N and ln D; a run whose three terms are all below 1e-200 is recomputed with its own shift.
;; exp and log are fdlibm's algorithms (e_exp.c, e_log.c, the ones V8's Math.exp and Math.log use),
;; written for two lanes, with V8's special cases (exp(1) = e, exp(x) = 1 + x for |x| < 2^-28): < 1 ulp,
;; and the same bits as Math.exp and Math.log on every value tested (src/laws/kernels/kernels.test.ts).
;;
;; The rows go in blocks of 128 (a block's scratch stays in L1 whatever the data set's size), each in
;; passes: the arguments of the exps, the exps, the sums s, their logs, then the loss and gradient
;; sums. exp and log run as loops over arrays with their constants in locals: in V8, a v128.const
;; inside a loop, or a call, would cost more than the arithmetic (constants are rebuilt, and every
;; live vector is spilled around a call).
;;
;; Memory: bytes 0–39 receive the gradient, 64–7295 are the scratch below, and from 8192 the data
;; (laid out by src/laws/kernels/chinchilla.ts; 16-byte aligned, padded to a multiple of 4 with rows of
;; weight 0) at the offsets given to `setup`. Built into chinchilla.wasm.ts by
;; scripts/build-kernels.mjs.
(module
  (memory (export "memory") 1)

  (global $pN (mut i32) (i32.const 0))   ;; ln N, f64 × n2
  (global $pD (mut i32) (i32.const 0))   ;; ln D, f64 × n2
  (global $pY (mut i32) (i32.const 0))   ;; ln L observed, f64 × n2
  (global $pW (mut i32) (i32.const 0))   ;; weights, f64 × n2 (0 on the padding row)
  (global $pNi (mut i32) (i32.const 0))  ;; mode 1: each run's index among the distinct ln N, i32 × n2
  (global $pDi (mut i32) (i32.const 0))
  (global $pNv (mut i32) (i32.const 0))  ;; mode 1: the distinct ln N, f64 × nN2
  (global $pDv (mut i32) (i32.const 0))
  (global $pNt (mut i32) (i32.const 0))  ;; mode 1: room for their terms, f64 × nN2
  (global $pDt (mut i32) (i32.const 0))
  (global $nN (mut i32) (i32.const 0))   ;; count of distinct ln N, rounded up to even
  (global $nD (mut i32) (i32.const 0))

  (func (export "setup")
    (param $n i32) (param $d i32) (param $y i32) (param $w i32)
    (param $ni i32) (param $di i32) (param $nv i32) (param $dv i32) (param $nt i32) (param $dt i32)
    (param $nn i32) (param $nd i32)
    (global.set $pN (local.get $n)) (global.set $pD (local.get $d))
    (global.set $pY (local.get $y)) (global.set $pW (local.get $w))
    (global.set $pNi (local.get $ni)) (global.set $pDi (local.get $di))
    (global.set $pNv (local.get $nv)) (global.set $pDv (local.get $dv))
    (global.set $pNt (local.get $nt)) (global.set $pDt (local.get $dt))
    (global.set $nN (local.get $nn)) (global.set $nD (local.get $nd)))

  ;; Scratch, one block of 128 rows (bytes): $X the exps' arguments (two × 128), $S the sums s and
  ;; then ln s, $W1..$W3 the three terms, $M each row's shift, $T a rare row pair's six exps.
  ;; X = 64, S = 2112, W1 = 3136, W2 = 4160, W3 = 5184, M = 6208, T = 7232 (.. 7296).

  ;; exp of the n (a multiple of 4) doubles at $p, in place. fdlibm's e_exp.c: x = k·ln2 + r (Cody–Waite,
  ;; k = round(x/ln2)), exp(r) = 1 − ((lo − r·c/(2 − c)) − hi), times 2^k put into the exponent
  ;; bits. Arguments are clamped to ±1000 (exp is 0 or +∞ there); for |k| > 1000 the scale is split
  ;; as fdlibm does (2^(k±1000)·2^∓1000), so results down to the subnormals are rounded once. NaN
  ;; stays NaN.
  (func $exp (export "expArray") (param $p i32) (param $n i32)
    (local $x_ v128) (local $k_ v128) (local $hi_ v128) (local $lo_ v128) (local $r_ v128) (local $t_ v128) (local $c_ v128) (local $y_ v128) (local $low_ v128) (local $high_ v128)
    (local $end i32) (local $x v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128)
    (local $t v128) (local $c v128) (local $y v128) (local $low v128) (local $high v128)
    (local $MIN v128) (local $MAX v128) (local $INVLN2 v128) (local $LN2HI v128) (local $LN2LO v128)
    (local $P1 v128) (local $P2 v128) (local $P3 v128) (local $P4 v128) (local $P5 v128)
    (local $ONE v128) (local $TWO v128) (local $K1000 v128) (local $TINY v128) (local $HUGE v128)
    (local $EPS v128) (local $E1 v128)
    (local.set $MIN (v128.const f64x2 -1000 -1000))
    (local.set $MAX (v128.const f64x2 1000 1000))
    (local.set $K1000 (v128.const f64x2 1000 1000))
    (local.set $INVLN2 (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
    (local.set $LN2HI (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $LN2LO (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $P1 (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))
    (local.set $P2 (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))
    (local.set $P3 (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))
    (local.set $P4 (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))
    (local.set $P5 (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))
    (local.set $ONE (v128.const f64x2 1 1))
    (local.set $TWO (v128.const f64x2 2 2))
    (local.set $TINY (v128.const f64x2 0x1p-1000 0x1p-1000))
    (local.set $HUGE (v128.const f64x2 0x1p1000 0x1p1000))
    (local.set $EPS (v128.const f64x2 0x1p-28 0x1p-28))
    (local.set $E1 (v128.const f64x2 2.718281828459045 2.718281828459045))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $x (f64x2.min (f64x2.max (v128.load (local.get $p)) (local.get $MIN)) (local.get $MAX)))
      (local.set $x_ (f64x2.min (f64x2.max (v128.load offset=16 (local.get $p)) (local.get $MIN)) (local.get $MAX)))
      (local.set $k (f64x2.nearest (f64x2.mul (local.get $x) (local.get $INVLN2))))
      (local.set $k_ (f64x2.nearest (f64x2.mul (local.get $x_) (local.get $INVLN2))))
      (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (local.get $LN2HI))))
      (local.set $hi_ (f64x2.sub (local.get $x_) (f64x2.mul (local.get $k_) (local.get $LN2HI))))
      (local.set $lo (f64x2.mul (local.get $k) (local.get $LN2LO)))
      (local.set $lo_ (f64x2.mul (local.get $k_) (local.get $LN2LO)))
      (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
      (local.set $r_ (f64x2.sub (local.get $hi_) (local.get $lo_)))
      (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
      (local.set $t_ (f64x2.mul (local.get $r_) (local.get $r_)))
      ;; c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
      (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $t)
        (f64x2.add (local.get $P1) (f64x2.mul (local.get $t)
          (f64x2.add (local.get $P2) (f64x2.mul (local.get $t)
            (f64x2.add (local.get $P3) (f64x2.mul (local.get $t)
              (f64x2.add (local.get $P4) (f64x2.mul (local.get $t) (local.get $P5))))))))))))
      (local.set $c_ (f64x2.sub (local.get $r_) (f64x2.mul (local.get $t_)
        (f64x2.add (local.get $P1) (f64x2.mul (local.get $t_)
          (f64x2.add (local.get $P2) (f64x2.mul (local.get $t_)
            (f64x2.add (local.get $P3) (f64x2.mul (local.get $t_)
              (f64x2.add (local.get $P4) (f64x2.mul (local.get $t_) (local.get $P5))))))))))))
      ;; y = 1 − ((lo − (r·c)/(2 − c)) − hi)
      (local.set $y (f64x2.sub (local.get $ONE)
        (f64x2.sub
          (f64x2.sub (local.get $lo)
            (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $TWO) (local.get $c))))
          (local.get $hi))))
      (local.set $y_ (f64x2.sub (local.get $ONE)
        (f64x2.sub
          (f64x2.sub (local.get $lo_)
            (f64x2.div (f64x2.mul (local.get $r_) (local.get $c_)) (f64x2.sub (local.get $TWO) (local.get $c_))))
          (local.get $hi_))))
      (local.set $low (f64x2.lt (local.get $k) (f64x2.neg (local.get $K1000))))
      (local.set $low_ (f64x2.lt (local.get $k_) (f64x2.neg (local.get $K1000))))
      (local.set $high (f64x2.gt (local.get $k) (local.get $K1000)))
      (local.set $high_ (f64x2.gt (local.get $k_) (local.get $K1000)))
      (local.set $k (f64x2.sub
        (f64x2.add (local.get $k) (v128.and (local.get $low) (local.get $K1000)))
        (v128.and (local.get $high) (local.get $K1000))))
      (local.set $k_ (f64x2.sub
        (f64x2.add (local.get $k_) (v128.and (local.get $low_) (local.get $K1000)))
        (v128.and (local.get $high_) (local.get $K1000))))
      (local.set $y (i64x2.add (local.get $y)
        (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (i32.const 52))))
      (local.set $y_ (i64x2.add (local.get $y_)
        (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k_))) (i32.const 52))))
      (local.set $y (f64x2.mul (local.get $y)
        (v128.bitselect (local.get $TINY)
          (v128.bitselect (local.get $HUGE) (local.get $ONE) (local.get $high))
          (local.get $low))))
      ;; V8's two special cases: 1 + x for |x| < 2^-28, and e itself at 1
      (local.set $y (v128.bitselect (f64x2.add (local.get $ONE) (local.get $x)) (local.get $y)
        (f64x2.lt (f64x2.abs (local.get $x)) (local.get $EPS))))
      (v128.store (local.get $p)
        (v128.bitselect (local.get $E1) (local.get $y) (f64x2.eq (local.get $x) (local.get $ONE))))
      (local.set $y_ (f64x2.mul (local.get $y_)
        (v128.bitselect (local.get $TINY)
          (v128.bitselect (local.get $HUGE) (local.get $ONE) (local.get $high_))
          (local.get $low_))))
      (local.set $y_ (v128.bitselect (f64x2.add (local.get $ONE) (local.get $x_)) (local.get $y_)
        (f64x2.lt (f64x2.abs (local.get $x_)) (local.get $EPS))))
      (v128.store offset=16 (local.get $p)
        (v128.bitselect (local.get $E1) (local.get $y_) (f64x2.eq (local.get $x_) (local.get $ONE))))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $next))))

  ;; log of the n (a multiple of 4) doubles at $p, in place: fdlibm's e_log.c, for positive normal arguments
  ;; (NaN stays NaN). x = 2^k·(1 + f) with 1 + f in [√2/2, √2), s = f/(2 + f), and log(1 + f) =
  ;; f − (f²/2 − s·(f²/2 + R(s²))), or f − s·(f − R) near 1 + f = 1.4, or f − f²·(1/2 − f/3) for
  ;; |f| < 2^-20: all three computed, one chosen per lane, as fdlibm's branches choose.
  (func $log (export "logArray") (param $p i32) (param $n i32)
    (local $x_ v128) (local $hx_ v128) (local $k_ v128) (local $i_ v128) (local $f_ v128) (local $s_ v128) (local $z_ v128) (local $w_ v128) (local $R_ v128) (local $hfsq_ v128) (local $dk_ v128) (local $a_ v128) (local $b_ v128) (local $hi_ v128) (local $lo_ v128)
    (local $end i32)
    (local $x v128) (local $hx v128) (local $k v128) (local $i v128) (local $f v128) (local $s v128)
    (local $z v128) (local $w v128) (local $R v128) (local $hfsq v128) (local $dk v128) (local $a v128)
    (local $b v128) (local $hi v128) (local $lo v128)
    (local $HXMASK v128) (local $MMASK v128) (local $BIAS v128) (local $C95 v128) (local $C100 v128)
    (local $C3FF v128) (local $ONE v128) (local $TWO v128) (local $HALF v128) (local $THIRD v128)
    (local $LN2HI v128) (local $LN2LO v128) (local $C614 v128) (local $C6B8 v128) (local $ZERO v128)
    (local $THREE v128) (local $TWOI v128) (local $FFFFF v128)
    (local $LG1 v128) (local $LG2 v128) (local $LG3 v128) (local $LG4 v128) (local $LG5 v128)
    (local $LG6 v128) (local $LG7 v128)
    (local.set $HXMASK (v128.const i64x2 0x000fffff00000000 0x000fffff00000000))
    (local.set $MMASK (v128.const i64x2 0x000fffffffffffff 0x000fffffffffffff))
    (local.set $BIAS (v128.const i64x2 1023 1023))
    (local.set $C95 (v128.const i64x2 0x95f64 0x95f64))
    (local.set $C100 (v128.const i64x2 0x100000 0x100000))
    (local.set $C3FF (v128.const i64x2 0x3ff00000 0x3ff00000))
    (local.set $C614 (v128.const i64x2 0x6147a 0x6147a))
    (local.set $C6B8 (v128.const i64x2 0x6b851 0x6b851))
    (local.set $THREE (v128.const i64x2 3 3))
    (local.set $TWOI (v128.const i64x2 2 2))
    (local.set $FFFFF (v128.const i64x2 0xfffff 0xfffff))
    (local.set $ONE (v128.const f64x2 1 1))
    (local.set $TWO (v128.const f64x2 2 2))
    (local.set $HALF (v128.const f64x2 0.5 0.5))
    (local.set $THIRD (v128.const f64x2 0.33333333333333333 0.33333333333333333))
    (local.set $LN2HI (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $LN2LO (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $LG1 (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01))
    (local.set $LG2 (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01))
    (local.set $LG3 (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01))
    (local.set $LG4 (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01))
    (local.set $LG5 (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01))
    (local.set $LG6 (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))
    (local.set $LG7 (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $x (v128.load (local.get $p)))
      (local.set $x_ (v128.load offset=16 (local.get $p)))
      ;; hx: the top 20 bits of the significand; k: the unbiased exponent
      (local.set $hx (i64x2.shr_u (v128.and (local.get $x) (local.get $HXMASK)) (i32.const 32)))
      (local.set $hx_ (i64x2.shr_u (v128.and (local.get $x_) (local.get $HXMASK)) (i32.const 32)))
      (local.set $k (i64x2.sub (i64x2.shr_u (local.get $x) (i32.const 52)) (local.get $BIAS)))
      (local.set $k_ (i64x2.sub (i64x2.shr_u (local.get $x_) (i32.const 52)) (local.get $BIAS)))
      ;; i = (hx + 0x95f64) & 0x100000: set when the significand is ≥ √2, which is then halved (k + 1)
      (local.set $i (v128.and (i64x2.add (local.get $hx) (local.get $C95)) (local.get $C100)))
      (local.set $i_ (v128.and (i64x2.add (local.get $hx_) (local.get $C95)) (local.get $C100)))
      (local.set $f (f64x2.sub
        (v128.or (v128.and (local.get $x) (local.get $MMASK))
                 (i64x2.shl (v128.xor (local.get $i) (local.get $C3FF)) (i32.const 32)))
        (local.get $ONE)))
      (local.set $f_ (f64x2.sub
        (v128.or (v128.and (local.get $x_) (local.get $MMASK))
                 (i64x2.shl (v128.xor (local.get $i_) (local.get $C3FF)) (i32.const 32)))
        (local.get $ONE)))
      (local.set $k (i64x2.add (local.get $k) (i64x2.shr_u (local.get $i) (i32.const 20))))
      (local.set $k_ (i64x2.add (local.get $k_) (i64x2.shr_u (local.get $i_) (i32.const 20))))
      ;; k as a double: lanes 0 and 2 of the i32x4 view hold the two (small) k
      (local.set $dk (f64x2.convert_low_i32x4_s
        (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k) (local.get $k))))
      (local.set $dk_ (f64x2.convert_low_i32x4_s
        (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k_) (local.get $k_))))
      (local.set $hi (f64x2.mul (local.get $dk) (local.get $LN2HI)))
      (local.set $hi_ (f64x2.mul (local.get $dk_) (local.get $LN2HI)))
      (local.set $lo (f64x2.mul (local.get $dk) (local.get $LN2LO)))
      (local.set $lo_ (f64x2.mul (local.get $dk_) (local.get $LN2LO)))
      (local.set $s (f64x2.div (local.get $f) (f64x2.add (local.get $TWO) (local.get $f))))
      (local.set $s_ (f64x2.div (local.get $f_) (f64x2.add (local.get $TWO) (local.get $f_))))
      (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
      (local.set $z_ (f64x2.mul (local.get $s_) (local.get $s_)))
      (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
      (local.set $w_ (f64x2.mul (local.get $z_) (local.get $z_)))
      ;; R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6))
      (local.set $R (f64x2.add
        (f64x2.mul (local.get $z)
          (f64x2.add (local.get $LG1) (f64x2.mul (local.get $w)
            (f64x2.add (local.get $LG3) (f64x2.mul (local.get $w)
              (f64x2.add (local.get $LG5) (f64x2.mul (local.get $w) (local.get $LG7))))))))
        (f64x2.mul (local.get $w)
          (f64x2.add (local.get $LG2) (f64x2.mul (local.get $w)
            (f64x2.add (local.get $LG4) (f64x2.mul (local.get $w) (local.get $LG6))))))))
      (local.set $R_ (f64x2.add
        (f64x2.mul (local.get $z_)
          (f64x2.add (local.get $LG1) (f64x2.mul (local.get $w_)
            (f64x2.add (local.get $LG3) (f64x2.mul (local.get $w_)
              (f64x2.add (local.get $LG5) (f64x2.mul (local.get $w_) (local.get $LG7))))))))
        (f64x2.mul (local.get $w_)
          (f64x2.add (local.get $LG2) (f64x2.mul (local.get $w_)
            (f64x2.add (local.get $LG4) (f64x2.mul (local.get $w_) (local.get $LG6))))))))
      (local.set $hfsq (f64x2.mul (local.get $HALF) (f64x2.mul (local.get $f) (local.get $f))))
      (local.set $hfsq_ (f64x2.mul (local.get $HALF) (f64x2.mul (local.get $f_) (local.get $f_))))
      ;; a = dk·ln2_hi − ((hfsq − (s·(hfsq + R) + dk·ln2_lo)) − f)
      (local.set $a (f64x2.sub (local.get $hi)
        (f64x2.sub
          (f64x2.sub (local.get $hfsq)
            (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R))) (local.get $lo)))
          (local.get $f))))
      (local.set $a_ (f64x2.sub (local.get $hi_)
        (f64x2.sub
          (f64x2.sub (local.get $hfsq_)
            (f64x2.add (f64x2.mul (local.get $s_) (f64x2.add (local.get $hfsq_) (local.get $R_))) (local.get $lo_)))
          (local.get $f_))))
      ;; b = dk·ln2_hi − ((s·(f − R) − dk·ln2_lo) − f)
      (local.set $b (f64x2.sub (local.get $hi)
        (f64x2.sub
          (f64x2.sub (f64x2.mul (local.get $s) (f64x2.sub (local.get $f) (local.get $R))) (local.get $lo))
          (local.get $f))))
      (local.set $b_ (f64x2.sub (local.get $hi_)
        (f64x2.sub
          (f64x2.sub (f64x2.mul (local.get $s_) (f64x2.sub (local.get $f_) (local.get $R_))) (local.get $lo_))
          (local.get $f_))))
      ;; fdlibm takes a when (hx − 0x6147a) | (0x6b851 − hx) > 0
      (local.set $a (v128.bitselect (local.get $a) (local.get $b)
        (i64x2.gt_s
          (v128.or (i64x2.sub (local.get $hx) (local.get $C614)) (i64x2.sub (local.get $C6B8) (local.get $hx)))
          (local.get $ZERO))))
      (local.set $a_ (v128.bitselect (local.get $a_) (local.get $b_)
        (i64x2.gt_s
          (v128.or (i64x2.sub (local.get $hx_) (local.get $C614)) (i64x2.sub (local.get $C6B8) (local.get $hx_)))
          (local.get $ZERO))))
      ;; |f| < 2^-20, i.e. (2 + hx) & 0xfffff < 3: R = f²·(1/2 − f/3), dk·ln2_hi − ((R − dk·ln2_lo) − f)
      (local.set $R (f64x2.mul (f64x2.mul (local.get $f) (local.get $f))
        (f64x2.sub (local.get $HALF) (f64x2.mul (local.get $THIRD) (local.get $f)))))
      (local.set $R_ (f64x2.mul (f64x2.mul (local.get $f_) (local.get $f_))
        (f64x2.sub (local.get $HALF) (f64x2.mul (local.get $THIRD) (local.get $f_)))))
      (local.set $b (f64x2.sub (local.get $hi)
        (f64x2.sub (f64x2.sub (local.get $R) (local.get $lo)) (local.get $f))))
      (local.set $b_ (f64x2.sub (local.get $hi_)
        (f64x2.sub (f64x2.sub (local.get $R_) (local.get $lo_)) (local.get $f_))))
      (local.set $a (v128.bitselect (local.get $b) (local.get $a)
        (i64x2.gt_s (local.get $THREE)
          (v128.and (i64x2.add (local.get $hx) (local.get $TWOI)) (local.get $FFFFF)))))
      (local.set $a_ (v128.bitselect (local.get $b_) (local.get $a_)
        (i64x2.gt_s (local.get $THREE)
          (v128.and (i64x2.add (local.get $hx_) (local.get $TWOI)) (local.get $FFFFF)))))
      ;; NaN in, NaN out
      (v128.store (local.get $p)
        (v128.bitselect (local.get $a) (local.get $x) (f64x2.eq (local.get $x) (local.get $x))))
      (v128.store offset=16 (local.get $p)
        (v128.bitselect (local.get $a_) (local.get $x_) (f64x2.eq (local.get $x_) (local.get $x_))))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $next))))

  ;; Both loops take two vectors per step, interleaved: each exp or log is one long chain of dependent
  ;; operations (about 100 cycles), and two independent chains keep the FPU busy (1.5× faster here).

  ;; Σ w·ρ(r) over the n2 (a multiple of 4) rows and, when $grad is nonzero, its gradient in (e, a, b, α, β)
  ;; into bytes 0–39. $delta: Huber's δ, +∞ for least squares. Mode 1 reads c, the common shift.
  ;; $linear: r = L̂ − L, the data (at $pY) holding L rather than ln L.
  (func (export "objective")
    (param $n2 i32) (param $mode i32) (param $grad i32) (param $linear i32) (param $delta f64)
    (param $e f64) (param $a f64) (param $b f64) (param $alpha f64) (param $beta f64) (param $c f64)
    (result f64)
    (local $blk i32) (local $cnt i32) (local $o i32) (local $j i32) (local $q i32) (local $bend i32)
    (local $E v128) (local $A v128) (local $B v128) (local $AL v128) (local $BE v128) (local $C v128)
    (local $DL v128) (local $ET v128) (local $HALF v128) (local $ONEV v128) (local $SIGN v128)
    (local $ZERO v128) (local $FLOOR v128)
    (local $lnN v128) (local $lnD v128) (local $t1 v128) (local $t2 v128) (local $m v128)
    (local $lo v128) (local $mid v128) (local $elo v128) (local $emid v128)
    (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $s v128) (local $r v128) (local $ar v128)
    (local $quad v128) (local $val v128) (local $slope v128) (local $wt v128) (local $live v128)
    (local $ws v128) (local $inv v128) (local $bad v128) (local $mx v128) (local $lhat v128)
    (local $f f64) (local $g0 f64) (local $g1 f64) (local $g2 f64) (local $g3 f64) (local $g4 f64)
    (local.set $E (f64x2.splat (local.get $e)))
    (local.set $A (f64x2.splat (local.get $a)))
    (local.set $B (f64x2.splat (local.get $b)))
    (local.set $AL (f64x2.splat (local.get $alpha)))
    (local.set $BE (f64x2.splat (local.get $beta)))
    (local.set $C (f64x2.splat (local.get $c)))
    (local.set $DL (f64x2.splat (local.get $delta)))
    (local.set $HALF (v128.const f64x2 0.5 0.5))
    (local.set $ONEV (v128.const f64x2 1 1))
    (local.set $SIGN (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (local.set $FLOOR (v128.const f64x2 1e-200 1e-200))
    (if (local.get $mode)
      (then
        ;; the terms exp(a − α·ln N − c) per distinct ln N, exp(b − β·ln D − c) per distinct ln D
        (local.set $bend (i32.shl (global.get $nN) (i32.const 3)))
        (local.set $j (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
          (v128.store (i32.add (global.get $pNt) (local.get $j))
            (f64x2.sub (f64x2.sub (local.get $A)
              (f64x2.mul (local.get $AL) (v128.load (i32.add (global.get $pNv) (local.get $j)))))
              (local.get $C)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $next)))
        (call $exp (global.get $pNt) (global.get $nN))
        (local.set $bend (i32.shl (global.get $nD) (i32.const 3)))
        (local.set $j (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
          (v128.store (i32.add (global.get $pDt) (local.get $j))
            (f64x2.sub (f64x2.sub (local.get $B)
              (f64x2.mul (local.get $BE) (v128.load (i32.add (global.get $pDv) (local.get $j)))))
              (local.get $C)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $next)))
        (call $exp (global.get $pDt) (global.get $nD))
        (v128.store (i32.const 7232) (f64x2.sub (local.get $E) (local.get $C)))
        (call $exp (i32.const 7232) (i32.const 4))
        (local.set $ET (v128.load (i32.const 7232)))))
    (local.set $blk (i32.const 0))
    (block $blocks (loop $block
      (br_if $blocks (i32.ge_u (local.get $blk) (local.get $n2)))
      (local.set $cnt (i32.sub (local.get $n2) (local.get $blk)))
      (if (i32.gt_u (local.get $cnt) (i32.const 128)) (then (local.set $cnt (i32.const 128))))
      ;; o: the block's first row, in bytes; j runs over the block's rows in bytes
      (local.set $o (i32.shl (local.get $blk) (i32.const 3)))
      (local.set $bend (i32.shl (local.get $cnt) (i32.const 3)))
      (if (i32.eqz (local.get $mode))
        (then
          ;; Each run shifted by its own largest term m, whose exp is exactly 1: the exps of the
          ;; other two (the smallest and the middle one) go to X[0..128) and X[128..256).
          (local.set $j (i32.const 0))
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
            (local.set $t1 (f64x2.sub (local.get $A)
              (f64x2.mul (local.get $AL) (v128.load (i32.add (global.get $pN) (i32.add (local.get $o) (local.get $j)))))))
            (local.set $t2 (f64x2.sub (local.get $B)
              (f64x2.mul (local.get $BE) (v128.load (i32.add (global.get $pD) (i32.add (local.get $o) (local.get $j)))))))
            (local.set $m (f64x2.max (f64x2.max (local.get $t1) (local.get $t2)) (local.get $E)))
            (local.set $lo (f64x2.min (f64x2.min (local.get $t1) (local.get $t2)) (local.get $E)))
            (local.set $mid (f64x2.max (f64x2.min (local.get $t1) (local.get $t2))
              (f64x2.min (f64x2.max (local.get $t1) (local.get $t2)) (local.get $E))))
            (v128.store offset=64 (local.get $j) (f64x2.sub (local.get $lo) (local.get $m)))
            (v128.store offset=1088 (local.get $j) (f64x2.sub (local.get $mid) (local.get $m)))
            (v128.store offset=6208 (local.get $j) (local.get $m))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $next)))
          (call $exp (i32.const 64) (local.get $cnt))
          (call $exp (i32.const 1088) (local.get $cnt))
          ;; each term: 1 if it is the largest, else the exp of the middle or of the smallest
          (local.set $j (i32.const 0))
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
            (local.set $t1 (f64x2.sub (local.get $A)
              (f64x2.mul (local.get $AL) (v128.load (i32.add (global.get $pN) (i32.add (local.get $o) (local.get $j)))))))
            (local.set $t2 (f64x2.sub (local.get $B)
              (f64x2.mul (local.get $BE) (v128.load (i32.add (global.get $pD) (i32.add (local.get $o) (local.get $j)))))))
            (local.set $m (v128.load offset=6208 (local.get $j)))
            (local.set $mid (f64x2.max (f64x2.min (local.get $t1) (local.get $t2))
              (f64x2.min (f64x2.max (local.get $t1) (local.get $t2)) (local.get $E))))
            (local.set $elo (v128.load offset=64 (local.get $j)))
            (local.set $emid (v128.load offset=1088 (local.get $j)))
            (local.set $w1 (v128.bitselect (local.get $ONEV)
              (v128.bitselect (local.get $emid) (local.get $elo) (f64x2.eq (local.get $t1) (local.get $mid)))
              (f64x2.eq (local.get $t1) (local.get $m))))
            (local.set $w2 (v128.bitselect (local.get $ONEV)
              (v128.bitselect (local.get $emid) (local.get $elo) (f64x2.eq (local.get $t2) (local.get $mid)))
              (f64x2.eq (local.get $t2) (local.get $m))))
            (local.set $w3 (v128.bitselect (local.get $ONEV)
              (v128.bitselect (local.get $emid) (local.get $elo) (f64x2.eq (local.get $E) (local.get $mid)))
              (f64x2.eq (local.get $E) (local.get $m))))
            (v128.store offset=3136 (local.get $j) (local.get $w1))
            (v128.store offset=4160 (local.get $j) (local.get $w2))
            (v128.store offset=5184 (local.get $j) (local.get $w3))
            (v128.store offset=2112 (local.get $j)
              (f64x2.add (f64x2.add (local.get $w1) (local.get $w2)) (local.get $w3)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $next))))
        (else
          ;; the common shift c: each run's terms looked up by its index among the distinct values
          (local.set $j (i32.const 0))
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
            ;; q: the row pair's byte offset in the i32 index arrays
            (local.set $q (i32.shr_u (i32.add (local.get $o) (local.get $j)) (i32.const 1)))
            (local.set $w1 (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $pNt)
                (i32.shl (i32.load (i32.add (global.get $pNi) (local.get $q))) (i32.const 3)))))
              (f64.load (i32.add (global.get $pNt)
                (i32.shl (i32.load offset=4 (i32.add (global.get $pNi) (local.get $q))) (i32.const 3))))))
            (local.set $w2 (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $pDt)
                (i32.shl (i32.load (i32.add (global.get $pDi) (local.get $q))) (i32.const 3)))))
              (f64.load (i32.add (global.get $pDt)
                (i32.shl (i32.load offset=4 (i32.add (global.get $pDi) (local.get $q))) (i32.const 3))))))
            (local.set $w3 (local.get $ET))
            (local.set $m (local.get $C))
            (local.set $s (f64x2.add (f64x2.add (local.get $w1) (local.get $w2)) (local.get $w3)))
            ;; !(s ≥ 1e-200): every term of the run far below another run's largest: its own shift
            (local.set $bad (v128.not (f64x2.ge (local.get $s) (local.get $FLOOR))))
            (if (v128.any_true (local.get $bad))
              (then
                (local.set $t1 (f64x2.sub (local.get $A)
                  (f64x2.mul (local.get $AL) (v128.load (i32.add (global.get $pN) (i32.add (local.get $o) (local.get $j)))))))
                (local.set $t2 (f64x2.sub (local.get $B)
                  (f64x2.mul (local.get $BE) (v128.load (i32.add (global.get $pD) (i32.add (local.get $o) (local.get $j)))))))
                (local.set $mx (f64x2.max (f64x2.max (local.get $t1) (local.get $t2)) (local.get $E)))
                (v128.store (i32.const 7232) (f64x2.sub (local.get $t1) (local.get $mx)))
                (v128.store (i32.const 7248) (f64x2.sub (local.get $t2) (local.get $mx)))
                (v128.store (i32.const 7264) (f64x2.sub (local.get $E) (local.get $mx)))
                (call $exp (i32.const 7232) (i32.const 8))
                (local.set $w1 (v128.bitselect (v128.load (i32.const 7232)) (local.get $w1) (local.get $bad)))
                (local.set $w2 (v128.bitselect (v128.load (i32.const 7248)) (local.get $w2) (local.get $bad)))
                (local.set $w3 (v128.bitselect (v128.load (i32.const 7264)) (local.get $w3) (local.get $bad)))
                (local.set $m (v128.bitselect (local.get $mx) (local.get $m) (local.get $bad)))
                (local.set $s (f64x2.add (f64x2.add (local.get $w1) (local.get $w2)) (local.get $w3)))))
            (v128.store offset=3136 (local.get $j) (local.get $w1))
            (v128.store offset=4160 (local.get $j) (local.get $w2))
            (v128.store offset=5184 (local.get $j) (local.get $w3))
            (v128.store offset=6208 (local.get $j) (local.get $m))
            (v128.store offset=2112 (local.get $j) (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $next)))))
      (call $log (i32.const 2112) (local.get $cnt))
      (if (local.get $linear)
        (then
          ;; in linear space, L̂ = exp(m + ln s) into X
          (local.set $j (i32.const 0))
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
            (v128.store offset=64 (local.get $j)
              (f64x2.add (v128.load offset=6208 (local.get $j)) (v128.load offset=2112 (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $next)))
          (call $exp (i32.const 64) (local.get $cnt))))
      ;; r = m + ln s − ln L (in linear space L̂ − L, the data holding L); Huber: ½r² within δ,
      ;; δ·(|r| − δ/2) beyond, slope r or ±δ (least squares: δ = +∞)
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
        (if (local.get $linear)
          (then
            (local.set $lhat (v128.load offset=64 (local.get $j)))
            (local.set $r (f64x2.sub (local.get $lhat)
              (v128.load (i32.add (global.get $pY) (i32.add (local.get $o) (local.get $j)))))))
          (else
            (local.set $r (f64x2.sub
              (f64x2.add (v128.load offset=6208 (local.get $j)) (v128.load offset=2112 (local.get $j)))
              (v128.load (i32.add (global.get $pY) (i32.add (local.get $o) (local.get $j))))))))
        (local.set $ar (f64x2.abs (local.get $r)))
        (local.set $quad (f64x2.le (local.get $ar) (local.get $DL)))
        (local.set $val (v128.bitselect
          (f64x2.mul (f64x2.mul (local.get $HALF) (local.get $r)) (local.get $r))
          (f64x2.mul (local.get $DL) (f64x2.sub (local.get $ar) (f64x2.mul (local.get $HALF) (local.get $DL))))
          (local.get $quad)))
        ;; Each row's terms of the sums, stored in the slots just read (S: the loss; W3, W1, W2, X, X':
        ;; the gradient's), then added up in row order below, as objective.ts adds them: the same
        ;; sums to the bit, so a fit takes the same path with or without the kernel. Rows of weight
        ;; 0 (left out of a resample, or padding) add +0.
        (local.set $wt (v128.load (i32.add (global.get $pW) (i32.add (local.get $o) (local.get $j)))))
        (local.set $live (f64x2.ne (local.get $wt) (local.get $ZERO)))
        (v128.store offset=2112 (local.get $j)
          (v128.and (f64x2.mul (local.get $wt) (local.get $val)) (local.get $live)))
        (if (local.get $grad)
          (then
            (local.set $w1 (v128.load offset=3136 (local.get $j)))
            (local.set $w2 (v128.load offset=4160 (local.get $j)))
            (local.set $w3 (v128.load offset=5184 (local.get $j)))
            (local.set $slope (v128.bitselect (local.get $r)
              (v128.or (local.get $DL) (v128.and (local.get $r) (local.get $SIGN)))
              (local.get $quad)))
            (local.set $ws (f64x2.mul (local.get $wt) (local.get $slope)))
            ;; in linear space ∂r/∂θ = L̂·∂ln L̂/∂θ: the factor goes into the slope, as in objective.ts
            (if (local.get $linear) (then (local.set $ws (f64x2.mul (local.get $ws) (local.get $lhat)))))
            (local.set $inv (f64x2.div (local.get $ONEV)
              (f64x2.add (f64x2.add (local.get $w1) (local.get $w2)) (local.get $w3))))
            (v128.store offset=5184 (local.get $j) (v128.and (local.get $live)
              (f64x2.mul (local.get $ws) (f64x2.mul (local.get $w3) (local.get $inv)))))
            (v128.store offset=3136 (local.get $j) (v128.and (local.get $live)
              (f64x2.mul (local.get $ws) (f64x2.mul (local.get $w1) (local.get $inv)))))
            (v128.store offset=4160 (local.get $j) (v128.and (local.get $live)
              (f64x2.mul (local.get $ws) (f64x2.mul (local.get $w2) (local.get $inv)))))
            (v128.store offset=64 (local.get $j) (v128.and (local.get $live)
              (f64x2.mul (local.get $ws)
                (f64x2.mul (f64x2.mul (f64x2.neg (local.get $w1)) (local.get $inv))
                  (v128.load (i32.add (global.get $pN) (i32.add (local.get $o) (local.get $j))))))))
            (v128.store offset=1088 (local.get $j) (v128.and (local.get $live)
              (f64x2.mul (local.get $ws)
                (f64x2.mul (f64x2.mul (f64x2.neg (local.get $w2)) (local.get $inv))
                  (v128.load (i32.add (global.get $pD) (i32.add (local.get $o) (local.get $j))))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $next)))
      ;; the block's terms, in row order (six independent chains)
      (local.set $j (i32.const 0))
      (if (local.get $grad)
        (then
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
            (local.set $f (f64.add (local.get $f) (f64.load offset=2112 (local.get $j))))
            (local.set $g0 (f64.add (local.get $g0) (f64.load offset=5184 (local.get $j))))
            (local.set $g1 (f64.add (local.get $g1) (f64.load offset=3136 (local.get $j))))
            (local.set $g2 (f64.add (local.get $g2) (f64.load offset=4160 (local.get $j))))
            (local.set $g3 (f64.add (local.get $g3) (f64.load offset=64 (local.get $j))))
            (local.set $g4 (f64.add (local.get $g4) (f64.load offset=1088 (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $next))))
        (else
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
            (local.set $f (f64.add (local.get $f) (f64.load offset=2112 (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $next)))))
      (local.set $blk (i32.add (local.get $blk) (local.get $cnt)))
      (br $block)))
    (if (local.get $grad)
      (then
        (f64.store (i32.const 0) (local.get $g0))
        (f64.store (i32.const 8) (local.get $g1))
        (f64.store (i32.const 16) (local.get $g2))
        (f64.store (i32.const 24) (local.get $g3))
        (f64.store (i32.const 32) (local.get $g4))))
    (local.get $f))

  ;; A start grid's scoring, as objective.ts's `values` does it with chinchilla.ts's gridPredictor:
  ;; dst[i] = exp(scale − exponent·x[i]) for the n (a multiple of 4) values at $x, one term of a grid
  ;; point (A/N^α or B/D^β, kept by the caller for every point sharing its scale and exponent) ...
  (func (export "terms") (param $dst i32) (param $x i32) (param $n i32) (param $scale f64) (param $exponent f64)
    (local $j i32) (local $end i32) (local $S v128) (local $X v128)
    (local.set $S (f64x2.splat (local.get $scale)))
    (local.set $X (f64x2.splat (local.get $exponent)))
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
      (v128.store (i32.add (local.get $dst) (local.get $j))
        (f64x2.sub (local.get $S) (f64x2.mul (local.get $X) (v128.load (i32.add (local.get $x) (local.get $j))))))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $next)))
    (call $exp (local.get $dst) (local.get $n)))

  ;; ... and Σ w·ρ(r) with ln L̂ = ln(E + tn + td) over the n4 (a multiple of 4) rows in blocks of 16,
  ;; stopping once the sum passes $bound (every term is ≥ 0), summed in row order. $linear, $delta as
  ;; in `objective`.
  (func (export "score") (param $tn i32) (param $td i32) (param $E f64) (param $n4 i32) (param $linear i32)
    (param $delta f64) (param $bound f64) (result f64)
    (local $blk i32) (local $cnt i32) (local $o i32) (local $j i32) (local $bend i32) (local $f f64)
    (local $EV v128) (local $DL v128) (local $HALF v128) (local $ZERO v128) (local $r v128) (local $ar v128)
    (local $quad v128) (local $val v128) (local $wt v128)
    (local.set $EV (f64x2.splat (local.get $E)))
    (local.set $DL (f64x2.splat (local.get $delta)))
    (local.set $HALF (v128.const f64x2 0.5 0.5))
    (block $blocks (loop $block
      (br_if $blocks (i32.ge_u (local.get $blk) (local.get $n4)))
      (br_if $blocks (i32.eqz (f64.le (local.get $f) (local.get $bound))))
      (local.set $cnt (i32.sub (local.get $n4) (local.get $blk)))
      (if (i32.gt_u (local.get $cnt) (i32.const 16)) (then (local.set $cnt (i32.const 16))))
      (local.set $o (i32.shl (local.get $blk) (i32.const 3)))
      (local.set $bend (i32.shl (local.get $cnt) (i32.const 3)))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
        (v128.store offset=2112 (local.get $j)
          (f64x2.add (f64x2.add (local.get $EV) (v128.load (i32.add (local.get $tn) (i32.add (local.get $o) (local.get $j)))))
                     (v128.load (i32.add (local.get $td) (i32.add (local.get $o) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $next)))
      (call $log (i32.const 2112) (local.get $cnt))
      (if (local.get $linear) (then (call $exp (i32.const 2112) (local.get $cnt))))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
        (local.set $r (f64x2.sub (v128.load offset=2112 (local.get $j))
          (v128.load (i32.add (global.get $pY) (i32.add (local.get $o) (local.get $j))))))
        (local.set $ar (f64x2.abs (local.get $r)))
        (local.set $quad (f64x2.le (local.get $ar) (local.get $DL)))
        (local.set $val (v128.bitselect
          (f64x2.mul (f64x2.mul (local.get $HALF) (local.get $r)) (local.get $r))
          (f64x2.mul (local.get $DL) (f64x2.sub (local.get $ar) (f64x2.mul (local.get $HALF) (local.get $DL))))
          (local.get $quad)))
        (local.set $wt (v128.load (i32.add (global.get $pW) (i32.add (local.get $o) (local.get $j)))))
        (v128.store offset=2112 (local.get $j)
          (v128.and (f64x2.mul (local.get $wt) (local.get $val)) (f64x2.ne (local.get $wt) (local.get $ZERO))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $next)))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $bend)))
        (local.set $f (f64.add (local.get $f) (f64.load offset=2112 (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $next)))
      (local.set $blk (i32.add (local.get $blk) (local.get $cnt)))
      (br $block)))
    (local.get $f))
)
