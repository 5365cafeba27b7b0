"""Scoring schemes on a plain matrix (rows: units, columns: scored indicators). Pure Python, no Django.

Weighted sum
    score = Σ weightⱼ · nᵢⱼ + bonus − penalty, where nᵢⱼ is the normalised value:
    - "minmax": benefit (x − min)/(max − min), cost (max − x)/(max − min);
    - "max":    benefit x / max, cost 1 − x / max.
    A column where every unit has the same value normalises to 1 for all (nobody is behind anybody), and a
    raw value above the indicator's cap counts as the cap. Each term weightⱼ · nᵢⱼ is the indicator's
    contribution, so the contributions add up to the score.

Entropy weight + TOPSIS
    Entropy weights (as pymcdm.weights.entropy_weights): pᵢⱼ = xᵢⱼ / Σᵢ xᵢⱼ, Eⱼ = −Σᵢ pᵢⱼ ln pᵢⱼ / ln m,
    wⱼ = (1 − Eⱼ) / Σ (1 − E). Direction does not matter here: entropy measures how spread a column is.
    Zeros: a column that contains a zero is shifted by δ = 1 % of its largest value (δ = 1 if the column is all
    zeros) before pᵢⱼ is taken. Without the shift a zero drops out of the sum (0 · ln 0 → 0) and pymcdm goes
    further and sets such a column's entropy to 0, giving it the largest weight of all just because one unit
    scored zero. Strictly positive columns are not shifted, so they match pymcdm exactly. If every column is
    uniform (all Eⱼ = 1) the weights are equal.
    TOPSIS (as pymcdm.methods.TOPSIS with min-max normalisation): vᵢⱼ = wⱼ · nᵢⱼ with cost columns reversed by
    the normalisation, ideal vⱼ⁺ = maxᵢ vᵢⱼ, anti-ideal vⱼ⁻ = minᵢ vᵢⱼ, Dᵢ± = √Σⱼ (vᵢⱼ − vⱼ±)²,
    closeness Cᵢ = Dᵢ⁻ / (Dᵢ⁺ + Dᵢ⁻) (1 when every unit is identical), score = 100 · Cᵢ + bonus − penalty.
    The breakdown lists each indicator's (vᵢⱼ − vⱼ±)²; they add up to Dᵢ±².
"""
import math
from dataclasses import dataclass, field

BENEFIT, COST = "benefit", "cost"


def normalise(column, direction, how="minmax"):
    """One column of values → values in [0, 1] where 1 is best."""
    low, high = min(column), max(column)
    if how == "minmax":
        if high == low:
            return [1.0] * len(column)
        span = high - low
        return [(x - low) / span if direction == BENEFIT else (high - x) / span for x in column]
    if how == "max":
        if high <= 0:
            return [1.0] * len(column)
        return [x / high if direction == BENEFIT else 1 - x / high for x in column]
    raise ValueError(f"unknown normalisation {how}")


def columns(matrix):
    return [list(col) for col in zip(*matrix)] if matrix else []


@dataclass
class Result:
    scores: list  # per row, before bonus/penalty
    normalised: list  # rows × columns
    weights: list  # per column, as used
    contributions: list = None  # weighted sum: rows × columns, adding up to scores
    distance_best: list = None  # TOPSIS
    distance_worst: list = None
    squares_best: list = None  # TOPSIS: rows × columns of (v − v⁺)²
    squares_worst: list = None
    shifts: dict = field(default_factory=dict)  # entropy: column → δ added


def weighted_sum(matrix, weights, directions, how="minmax"):
    norm_cols = [normalise(col, d, how) for col, d in zip(columns(matrix), directions)]
    normalised = [list(row) for row in zip(*norm_cols)] if norm_cols else [[] for _ in matrix]
    contributions = [[w * n for w, n in zip(weights, row)] for row in normalised]
    return Result(scores=[sum(row) for row in contributions], normalised=normalised, weights=list(weights),
                  contributions=contributions)


def entropy_weights(matrix):
    """(weights, shifts): entropy weights of the columns; shifts says which columns were shifted and by how much."""
    cols = columns(matrix)
    m = len(matrix)
    if m < 2 or not cols:
        return [1 / len(cols)] * len(cols) if cols else [], {}
    divergence, shifts = [], {}
    for j, col in enumerate(cols):
        if min(col) < 0:
            raise ValueError("entropy weights need non-negative values")
        if min(col) == 0:
            delta = 0.01 * max(col) if max(col) > 0 else 1.0
            shifts[j] = delta
            col = [x + delta for x in col]
        total = sum(col)
        entropy = -sum((x / total) * math.log(x / total) for x in col) / math.log(m)
        divergence.append(1 - entropy)
    total = sum(divergence)
    if total <= 1e-12:
        return [1 / len(cols)] * len(cols), shifts
    return [d / total for d in divergence], shifts


def topsis(matrix, weights, directions):
    norm_cols = [normalise(col, d, "minmax") for col, d in zip(columns(matrix), directions)]
    normalised = [list(row) for row in zip(*norm_cols)]
    weighted = [[w * n for w, n in zip(weights, row)] for row in normalised]
    best = [max(col) for col in zip(*weighted)]
    worst = [min(col) for col in zip(*weighted)]
    squares_best = [[(v - b) ** 2 for v, b in zip(row, best)] for row in weighted]
    squares_worst = [[(v - w) ** 2 for v, w in zip(row, worst)] for row in weighted]
    d_best = [math.sqrt(sum(row)) for row in squares_best]
    d_worst = [math.sqrt(sum(row)) for row in squares_worst]
    closeness = [dw / (db + dw) if db + dw > 0 else 1.0 for db, dw in zip(d_best, d_worst)]
    return Result(scores=[100 * c for c in closeness], normalised=normalised, weights=list(weights),
                  distance_best=d_best, distance_worst=d_worst, squares_best=squares_best,
                  squares_worst=squares_worst)


def entropy_topsis(matrix, directions):
    weights, shifts = entropy_weights(matrix)
    result = topsis(matrix, weights, directions)
    result.shifts = shifts
    return result


def adjustment(raw, points, cap):
    """Points for a bonus or penalty item: points per unit of the raw value, at most `cap`."""
    if raw is None or not points:
        return 0.0
    value = max(0.0, raw) * points
    return min(value, cap) if cap is not None else value
