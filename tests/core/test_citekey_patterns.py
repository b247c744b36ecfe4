"""JabRef-style key patterns: markers, modifiers, fallbacks, and explicit regeneration."""

from __future__ import annotations

import pytest

from readinglist.citekey_patterns import (
    DEFAULT_PATTERN,
    PatternError,
    check_pattern,
    make_key,
    regenerate,
)

ATTENTION = dict(title="Attention Is All You Need", authors=["Vaswani, Ashish"], year=2017)
FLASH = dict(title="FlashAttention-2: Faster Attention with Better Parallelism")


def test_default_pattern_gives_readable_keys():
    assert make_key(**ATTENTION) == "vaswani2017attention"
    assert make_key(**FLASH) == "flashattention2"
    assert DEFAULT_PATTERN == "[auth:lower][year][veryshorttitle:lower]"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[auth][year]", "Vaswani2017"),
        ("[auth:upper]", "VASWANI"),
        ("[shorttitle]", "AttentionAllYou"),
        ("[title:abbr]", "AAYN"),
        ("[title:abbr:lower]", "aayn"),
        ("[veryshorttitle]", "Attention"),
        ("[auth]_[year]", "Vaswani_2017"),
        ("[authors:lower]", "vaswani"),
    ],
)
def test_markers_and_modifiers(pattern, expected):
    assert make_key(pattern, **ATTENTION) == expected


def test_empty_markers_fall_back():
    # The seeds have no authors and no years: markers come out empty, alternatives step in.
    assert make_key("[auth|veryshorttitle:lower][year]", **FLASH) == "flashattention2"
    assert make_key("[auth][year]", title="") == "paper"
    assert make_key("[year]", year=2020) == "paper2020"


def test_keys_are_ascii():
    key = make_key(title="DεpS: Delayed", authors=["Müller, Jürgen"], year=2024)
    assert key == "muller2024depsilonps"
    assert make_key("[auth]", authors=["van der Berg, Anna"]) == "vanderBerg"
    # Chinese by its pinyin: the first four syllables of a run of characters.
    assert make_key(title="多语言预训练") == "duoyuyanyu"
    assert make_key("[auth]", authors=["Иванов, Иван"]) == "Ivanov"


@pytest.mark.parametrize("pattern", ["[nope]", "[auth:shout]", "[auth", "auth]"])
def test_bad_patterns_are_refused(pattern):
    with pytest.raises(PatternError):
        check_pattern(pattern)


def test_regenerate_shows_old_and_new_and_avoids_other_keys():
    others = {"vaswani2017attention"}
    papers = [
        (1, "old1", "Attention Is All You Need", ["Vaswani, A."], 2017),
        (2, "old2", "Attention Again", ["Vaswani, A."], 2017),
        (3, "flashattention2", FLASH["title"], [], None),
    ]
    result = regenerate(papers, DEFAULT_PATTERN, lambda key: key in others)
    assert result == [
        (1, "old1", "vaswani2017attentiona"),
        (2, "old2", "vaswani2017attentionb"),
        (3, "flashattention2", "flashattention2"),  # its own key is not a collision
    ]
