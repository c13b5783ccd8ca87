from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.utterance import clean_text


def test_whitespace_is_squeezed() -> None:
    assert clean_text("  what   time\tis it \n\n in  Tokyo  ", max_chars=100) == (
        "what time is it in Tokyo"
    )


def test_control_characters_are_removed() -> None:
    raw = "\ufeffhello\x00 \x07world\x1b\x7f\u200b \r\nagain\u2028"

    cleaned = clean_text(raw, max_chars=100)

    assert cleaned == "hello world again"


def test_text_is_nfc_normalised() -> None:
    assert clean_text("cafe\u0301", max_chars=100) == "caf\u00e9"


def test_bytes_are_decoded_with_replacement_characters() -> None:
    cleaned = clean_text(b"caf\xc3\xa9 \xff\xfe ok", max_chars=100)

    assert cleaned == "café \ufffd\ufffd ok"


def test_valid_utf8_bytes_are_decoded() -> None:
    assert clean_text("東京の時間".encode(), max_chars=100) == "東京の時間"


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t \r\n", "\x00\x01", "\u200b\ufeff", b"", b"  \n"]
)
def test_empty_input_is_refused(text: str | bytes) -> None:
    with pytest.raises(InputError) as caught:
        clean_text(text, max_chars=100)

    assert caught.value.reason == "empty_input"


def test_too_long_input_is_refused_with_its_length() -> None:
    with pytest.raises(InputError) as caught:
        clean_text("x" * 101, max_chars=100)

    assert caught.value.reason == "too_long"
    assert caught.value.details["length"] == 101
    assert caught.value.details["limit"] == 100
    assert "101" in str(caught.value)


def test_too_long_bytes_are_measured_in_characters() -> None:
    with pytest.raises(InputError) as caught:
        clean_text(("é" * 11).encode(), max_chars=10)

    assert caught.value.reason == "too_long"
    assert caught.value.details["length"] == 11


def test_text_of_exactly_max_chars_passes() -> None:
    text = "y" * 100

    assert clean_text(text, max_chars=100) == text
