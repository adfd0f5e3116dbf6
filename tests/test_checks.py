"""The one range check of the gallery (core.checks): what passes, what is refused, what the message says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.checks import choice, number, shown, whole_number

BAD_NUMBERS = [math.nan, math.inf, -math.inf, "nan", "inf", "-inf", True, False, "abc", "", None, [1.0],
               {"x": 1}, b"1", 10**400]


@pytest.mark.parametrize("value, expected", [
    (0.5, 0.5), (0, 0.0), (1, 1.0), ("0.25", 0.25), (" 1e-3 ", 0.001), (np.float32(0.5), 0.5),
    (np.int64(1), 1.0),
])
def test_number_accepts_finite_numbers_in_range(value: object, expected: float) -> None:
    got = number(value, "dropout", 0, 1)
    assert got == pytest.approx(expected) and type(got) is float


def test_number_bounds_are_inclusive_and_the_message_names_the_range_and_the_value() -> None:
    assert number(1e-5, "learning rate", 1e-5, 0.03) == 1e-5
    assert number(0.03, "learning rate", 1e-5, 0.03) == 0.03
    with pytest.raises(ValueError) as err:
        number(0.031, "learning rate", 1e-5, 0.03)
    assert str(err.value) == "learning rate must be a number from 1e-05 to 0.03, not 0.031"
    with pytest.raises(ValueError, match=r"^noise must be a number from 0 to 1, not -1e-09$"):
        number(-1e-9, "noise", 0, 1)


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_number_refuses_nan_infinities_bools_and_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match=r"^noise must be a number from -10 to 10, not "):
        number(value, "noise", -10, 10)


def test_a_wide_range_still_refuses_infinity() -> None:
    with pytest.raises(ValueError, match="from -inf to inf, not inf"):
        number(math.inf, "anything", -math.inf, math.inf)


@pytest.mark.parametrize("value, expected", [
    (5, 5), (5.0, 5), ("5", 5), ("5.0", 5), (np.int64(7), 7), (np.float64(1.0), 1), (0, 0), (10, 10),
])
def test_whole_number_accepts_whole_values_in_range(value: object, expected: int) -> None:
    got = whole_number(value, "epochs", 0, 10)
    assert got == expected and type(got) is int


@pytest.mark.parametrize("value", [*BAD_NUMBERS, 2.5, "2.5", -1, 11, 1e12, "1e12", 1.0000001])
def test_whole_number_refuses_fractions_out_of_range_and_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match=r"^epochs must be a whole number from 0 to 10, not "):
        whole_number(value, "epochs", 0, 10)


def test_whole_number_message_shows_what_arrived() -> None:
    for value, seen in [(2.5, "2.5"), (10000, "10000"), ("lots", "'lots'"), (True, "True"), (None, "None"),
                        ({"a": 1}, "a dict value"), ("x" * 100, repr("x" * 40 + "…")), (math.nan, "nan")]:
        with pytest.raises(ValueError) as err:
            whole_number(value, "seed", 0, 9999)
        assert str(err.value) == f"seed must be a whole number from 0 to 9999, not {seen}"


LRS = (1e-4, 3e-4, 0.001, 0.01, 1.0)


@pytest.mark.parametrize("value, expected", [
    (0.01, 0.01), ("0.01", 0.01), ("1e-2", 0.01), (1, 1.0), ("1", 1.0), (np.float64(3e-4), 3e-4),
    (1e-4, 1e-4),
])
def test_choice_matches_numbers_sent_as_numbers_or_text(value: object, expected: float) -> None:
    assert choice(value, "learning rate", LRS) == expected


def test_choice_returns_the_entry_itself() -> None:
    assert type(choice(64.0, "width", (8, 64))) is int and choice("64", "width", (8, 64)) == 64
    assert choice(3, "kernel", ("1", "3")) == "3" and choice(3.0, "kernel", ("1", "3")) == "3"
    assert choice("relu", "activation", {"relu": 1, "tanh": 2}) == "relu"  # a mapping's keys are its choices
    assert choice(None, "batch", (None, 8)) is None


@pytest.mark.parametrize("value", [math.nan, "nan", math.inf, "inf", True, False, "abc", 0.02, "0.011", None,
                                   [0.01], {"x": 0.01}, 10**400])
def test_choice_refuses_everything_else(value: object) -> None:
    listed = r"^learning rate must be one of 0\.0001, 0\.0003, 0\.001, 0\.01, 1; got "
    with pytest.raises(ValueError, match=listed):
        choice(value, "learning rate", LRS)


def test_choice_message_lists_the_choices_and_shows_what_arrived() -> None:
    with pytest.raises(ValueError) as err:
        choice("sigmoidal", "activation", ("relu", "tanh"))
    assert str(err.value) == "activation must be one of relu, tanh; got 'sigmoidal'"
    with pytest.raises(ValueError, match=r"; got a dict value$"):
        choice({"max": 1}, "pooling", ("none", "max"))
    with pytest.raises(ValueError, match=r"; got True$"):
        choice(True, "width", (1, 2))  # a boolean is not the number 1
    assert choice(True, "flag", (False, True)) is True


def test_shown() -> None:
    values = (3, 2.5, 1e-5, True, None, "ab")
    assert [shown(v) for v in values] == ["3", "2.5", "1e-05", "True", "None", "'ab'"]


def test_above_leaves_the_lower_bound_out() -> None:
    assert number(1e-9, "time budget (s)", 0, 120, above=True) == 1e-9
    assert number(120, "time budget (s)", 0, 120, above=True) == 120.0
    for bad in (0, 0.0, "0", -1, 121, True, math.nan, math.inf, "abc"):
        with pytest.raises(ValueError, match=r"^time budget \(s\) must be a number above 0 and at most 120"):
            number(bad, "time budget (s)", 0, 120, above=True)


@pytest.mark.parametrize("make", ["memory", "style", "fewshot"])
@pytest.mark.parametrize("bad", [0, True, math.nan, math.inf, "abc"])
def test_budgets_and_learning_rates_that_mean_nothing_are_refused(make: str, bad: object) -> None:
    """A time budget or a learning rate of 0 (or True as 1 second, or text) is refused with the setting's
    name, where these three used to write the rule themselves (True passed; text raised a TypeError)."""
    from dataclasses import replace

    from core.text import memory
    from core.transfer import fewshot, style

    with pytest.raises(ValueError, match=r"(time budget \(s\)|learning rate) must be a number above 0"):
        if make == "memory":
            memory.validate(replace(memory.MemoryConfig(), time_budget_s=bad))
        elif make == "style":
            style.StyleConfig(time_budget_s=bad).checked()  # type: ignore[arg-type]
        else:
            fewshot.TransferConfig(lr=bad)  # type: ignore[arg-type]


# Every subject that checks its settings uses the rule above: bools, NaN, infinities and text that is not a
# number are refused with the setting's name, and a whole number sent as 5.0 (JSON, a URL) passes as 5.
def _memory(v: object) -> object:
    from core.text import memory

    return memory.validate(memory.MemoryConfig(length=v)).length  # type: ignore[arg-type]


def _vpg(v: object) -> object:
    from core.rl import vpg

    return vpg.validate(vpg.VPGConfig(episodes_per_batch=v)).episodes_per_batch  # type: ignore[arg-type]


def _agents(v: object) -> object:
    from core.rl import agents

    return agents.make_config("ppo", "CartPole-v1", timesteps=1000, seed=v).seed  # type: ignore[arg-type]


def _next_check(call: object, next_name: str) -> int:
    """Run ``call``; its first setting passed when the refusal names the next one (set out of range)."""
    try:
        call()  # type: ignore[operator]
    except ValueError as exc:
        if str(exc).startswith(next_name):
            return 1
        raise
    raise AssertionError(f"{next_name} was not checked")


def _online(v: object) -> object:
    from core.text import online

    return _next_check(lambda: online.probe("minilm", "sst2", n_labels=v, n_test=-1),  # type: ignore
                       "held-out texts")


def _alphazero(v: object) -> object:
    from core.rl import alphazero

    return _next_check(lambda: alphazero.analyse("tictactoe", [0] * 9, simulations=v, seed=-1),  # type: ignore
                       "seed")


# name -> (a call checking it, a whole number sent as a float, what the call returns for it)
SUBJECTS = {"sequence length": (_memory, 5.0, 5), "Episodes per batch": (_vpg, 5.0, 5),
            "Seed": (_agents, 5.0, 5), "labelled texts": (_online, 300.0, 1),
            "simulations": (_alphazero, 5.0, 1)}


@pytest.mark.parametrize("name", SUBJECTS)
@pytest.mark.parametrize("bad", [True, math.nan, math.inf, "abc", 5.5])
def test_every_subject_refuses_what_the_rule_refuses(name: str, bad: object) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be a whole number from "):
        SUBJECTS[name][0](bad)


@pytest.mark.parametrize("name", SUBJECTS)
def test_every_subject_takes_a_whole_number_sent_as_a_float(name: str) -> None:
    check, value, expected = SUBJECTS[name]
    got = check(value)
    assert got == expected and type(got) is int
