"""Writes numpy_cases.json: float32 tensors and their text as NumPy prints them (`str`), the
oracle printing.test.ts checks Kiln's tensor strings against. Run with NumPy 2.3 or newer
(float32 arrays switch to scientific notation at 1e6 there): python3 numpy_cases.py"""
import json
import numpy as np

rs = np.random.RandomState(2026)
cases = []

def add(a):
    a = np.asarray(a)
    values = [v if np.isfinite(v) else str(v) for v in (float(x) for x in a.ravel())]
    cases.append({"shape": list(a.shape), "dtype": str(a.dtype), "values": values, "text": str(a)})

for _ in range(120):
    rank = rs.randint(0, 4)
    shape = [int(rs.randint(1, 7)) for _ in range(rank)]
    n = int(np.prod(shape))
    a = (rs.randn(n) * 10.0 ** rs.randint(-9, 12)).astype(np.float32)
    if rs.rand() < 0.3: a = (np.round(a * 100) / 100).astype(np.float32)
    if rs.rand() < 0.1: a[rs.randint(n)] = np.nan
    if rs.rand() < 0.1: a[rs.randint(n)] = -np.inf
    if rs.rand() < 0.1: a[rs.randint(n)] = 0
    add(a.reshape(shape))
# Long rows wrap at 75 columns; large tensors are summarised.
add((rs.randn(40) * 1e3).astype(np.float32))
add((rs.randn(3, 30)).astype(np.float32))
add(np.arange(1010, dtype=np.float32).reshape(2, 505) * np.float32(1e-6))
add(np.arange(1001, dtype=np.int32).reshape(7, 143))
json.dump(cases, open("numpy_cases.json", "w"), separators=(",", ":"))
