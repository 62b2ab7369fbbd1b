"""Baseline for bench/fit-vs-scipy.ts: scipy's L-BFGS-B with exact gradients on the Chinchilla
Approach-3 objective (summed Huber, delta=1e-3, LSE parameterisation), over Hoffmann et al.'s
4,500-point start grid or an evenly spaced subset of it. Prints one JSON line."""
import json, sys, time
import numpy as np
from scipy.optimize import minimize

path = sys.argv[1]
every = int(sys.argv[2]) if len(sys.argv) > 2 else 1
# "default": scipy's own tolerances, the call users make; "strict": ftol 1e-15, gtol 1e-12.
tolerances = sys.argv[3] if len(sys.argv) > 3 else "default"
data = np.genfromtxt(path, delimiter=",", names=True)
logN, logD, logL = np.log(data["N"]), np.log(data["D"]), np.log(data["loss"])
delta = 1e-3

def objective(p):
    e, a, b, alpha, beta = p
    t = np.stack([a - alpha * logN, b - beta * logD, np.full_like(logN, e)])
    m = t.max(axis=0)
    w = np.exp(t - m)
    s = w.sum(axis=0)
    pred = m + np.log(s)
    r = pred - logL
    ar = np.abs(r)
    quad = ar <= delta
    f = np.where(quad, 0.5 * r * r, delta * (ar - 0.5 * delta)).sum()
    dr = np.where(quad, r, delta * np.sign(r))
    w = w / s
    g = np.array([
        (dr * w[2]).sum(), (dr * w[0]).sum(), (dr * w[1]).sum(),
        -(dr * w[0] * logN).sum(), -(dr * w[1] * logD).sum(),
    ])
    return f, g

grid = [np.array([e, a, b, al, be])
        for e in np.arange(-1, 1.01, 0.5) for a in np.arange(0, 25.1, 5) for b in np.arange(0, 25.1, 5)
        for al in np.arange(0, 2.01, 0.5) for be in np.arange(0, 2.01, 0.5)]
starts = grid[::every]
t0 = time.perf_counter()
best = None
evaluations = 0
for x0 in starts:
    options = {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 1000, "maxcor": 10} if tolerances == "strict" else {}
    r = minimize(objective, x0, jac=True, method="L-BFGS-B", options=options)
    evaluations += r.nfev
    if best is None or r.fun < best.fun:
        best = r
elapsed = time.perf_counter() - t0
e, a, b, alpha, beta = best.x
print(json.dumps({
    "tolerances": tolerances, "starts": len(starts), "grid": len(grid), "seconds": elapsed,
    "secondsPerStart": elapsed / len(starts), "evaluationsPerStart": evaluations / len(starts), "objective": best.fun,
    "params": {"E": float(np.exp(e)), "A": float(np.exp(a)), "B": float(np.exp(b)), "alpha": float(alpha), "beta": float(beta)},
}))
