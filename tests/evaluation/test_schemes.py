"""The scoring schemes on hand-worked examples, and against pymcdm on strictly positive data."""
import math
import random

import pytest

from luoshi.evaluation import schemes

# units A, B, C × on-time rate (benefit, weight 50), notices (cost, 30), rating (benefit, 20)
MATRIX = [[90, 2, 80], [70, 0, 90], [80, 4, 70]]
DIRECTIONS = ["benefit", "cost", "benefit"]


def test_weighted_sum_minmax_by_hand():
    """Min-max: on-time 70..90 → A 1, B 0, C 0.5; notices 0..4 (cost) → A (4−2)/4 = 0.5, B 1, C 0;
    rating 70..90 → A 0.5, B 1, C 0.
    A = 50·1 + 30·0.5 + 20·0.5 = 75;  B = 0 + 30 + 20 = 50;  C = 50·0.5 + 0 + 0 = 25."""
    result = schemes.weighted_sum(MATRIX, [50, 30, 20], DIRECTIONS, "minmax")
    assert result.normalised == [[1, 0.5, 0.5], [0, 1, 1], [0.5, 0, 0]]
    assert result.scores == pytest.approx([75, 50, 25])
    assert [sum(row) for row in result.contributions] == pytest.approx(result.scores)


def test_weighted_sum_max_by_hand():
    """Max: on-time ÷ 90 → 1, 0.7778, 0.8889; notices 1 − x/4 → 0.5, 1, 0; rating ÷ 90 → 0.8889, 1, 0.7778.
    A = 50 + 15 + 17.778 = 82.778;  B = 38.889 + 30 + 20 = 88.889;  C = 44.444 + 0 + 15.556 = 60."""
    result = schemes.weighted_sum(MATRIX, [50, 30, 20], DIRECTIONS, "max")
    assert result.scores == pytest.approx([82.7778, 88.8889, 60.0], abs=1e-4)


def test_constant_column_is_full_marks():
    result = schemes.weighted_sum([[5, 1], [5, 2]], [10, 10], ["benefit", "benefit"])
    assert result.normalised == [[1, 0], [1, 1]]


def test_bonus_and_penalty_points_are_capped():
    assert schemes.adjustment(3, 2, 5) == 5  # 3 items × 2 points, at most 5
    assert schemes.adjustment(1, 2, 5) == 2
    assert schemes.adjustment(None, 2, 5) == 0


def test_topsis_by_hand():
    """Weights 0.5, 0.3, 0.2 on the min-max matrix above:
    v: A (0.5, 0.15, 0.1), B (0, 0.3, 0.2), C (0.25, 0, 0); ideal (0.5, 0.3, 0.2), anti-ideal (0, 0, 0).
    A: D+ = √(0.15² + 0.1²) = √0.0325 = 0.180278, D− = √(0.25 + 0.0225 + 0.01) = √0.2825 = 0.531507,
       C = 0.531507 / 0.711785 = 0.746725
    B: D+ = √0.25 = 0.5, D− = √(0.09 + 0.04) = 0.360555, C = 0.360555 / 0.860555 = 0.418979
    C: D+ = √(0.0625 + 0.09 + 0.04) = 0.438748, D− = 0.25, C = 0.25 / 0.688748 = 0.362977"""
    result = schemes.topsis(MATRIX, [0.5, 0.3, 0.2], DIRECTIONS)
    assert result.distance_best == pytest.approx([0.180278, 0.5, 0.438748], abs=1e-6)
    assert result.distance_worst == pytest.approx([0.531507, 0.360555, 0.25], abs=1e-6)
    assert result.scores == pytest.approx([74.6725, 41.8979, 36.2977], abs=1e-4)
    for squares, distance in zip(result.squares_best, result.distance_best):
        assert math.sqrt(sum(squares)) == pytest.approx(distance)


def test_entropy_by_hand():
    """Column (1, 1, 1) is uniform: E = 1, no weight. Column (1, 2, 1): p = ¼, ½, ¼,
    E = (2·¼·ln 4 + ½·ln 2) / ln 3 = 1.039721 / 1.098612 = 0.946395, so it takes the whole weight."""
    weights, shifts = schemes.entropy_weights([[1, 1], [1, 2], [1, 1]])
    assert weights == pytest.approx([0, 1])
    assert shifts == {}


def test_entropy_shifts_a_column_with_zeros():
    """(0, 1, 3) is shifted by δ = 1 % of 3 = 0.03 → (0.03, 1.03, 3.03); the positive column is untouched."""
    weights, shifts = schemes.entropy_weights([[0, 2], [1, 3], [3, 4]])
    assert shifts == {0: pytest.approx(0.03)}
    shifted, _ = schemes.entropy_weights([[0.03, 2], [1.03, 3], [3.03, 4]])
    assert weights == pytest.approx(shifted)
    assert schemes.entropy_weights([[0, 1], [0, 2]])[1] == {0: 1.0}  # all zeros: shift 1, uniform, no weight


def test_all_uniform_columns_get_equal_weights():
    assert schemes.entropy_weights([[1, 2], [1, 2]])[0] == [0.5, 0.5]


def _random_matrix(rng, rows, cols):
    return [[rng.uniform(0.5, 100) for _ in range(cols)] for _ in range(rows)]


def test_cross_check_with_pymcdm():
    """Entropy weights and TOPSIS agree with pymcdm on strictly positive data (skipped without pymcdm)."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("pymcdm")
    from pymcdm.methods import TOPSIS
    from pymcdm.weights import entropy_weights

    rng = random.Random(6)
    for rows, cols in [(3, 3), (12, 5), (40, 8)]:
        matrix = _random_matrix(rng, rows, cols)
        directions = [rng.choice(["benefit", "cost"]) for _ in range(cols)]
        weights, shifts = schemes.entropy_weights(matrix)
        assert shifts == {}
        expected_weights = entropy_weights(np.array(matrix))
        assert weights == pytest.approx(list(expected_weights), rel=1e-9)
        types = np.array([1 if d == "benefit" else -1 for d in directions])
        expected = TOPSIS()(np.array(matrix), expected_weights, types)
        result = schemes.entropy_topsis(matrix, directions)
        assert [s / 100 for s in result.scores] == pytest.approx(list(expected), rel=1e-9)
