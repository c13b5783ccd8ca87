from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from assistant.config import default_home, load_settings
from assistant.errors import ConfigError
from assistant.timezones import user_zone


def write_config(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)

    assert settings.home == tmp_path
    assert settings.intents.method == "finetune"
    assert settings.intents.threshold == 0.5
    assert settings.intents.clarify_margin == 0.2
    assert settings.intents.epochs == 6
    assert settings.intents.encoder_path is None
    assert settings.conversation.max_chars == 2000
    assert settings.conversation.context_turns == 10
    assert settings.conversation.timezone is None


def test_assistant_home_sets_the_default_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "elsewhere"))

    assert default_home() == tmp_path / "elsewhere"
    assert load_settings().home == tmp_path / "elsewhere"


def test_config_file_in_the_default_home_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "elsewhere"
    write_config(home, "[intents]\nthreshold = 0.3\n")
    monkeypatch.setenv("ASSISTANT_HOME", str(home))

    assert load_settings().intents.threshold == 0.3


def test_config_file_values_are_read(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        "[intents]\nthreshold = 0.3\nepochs = 3\n\n"
        '[conversation]\nmax_chars = 500\ntimezone = "Europe/Paris"\n',
    )

    settings = load_settings(tmp_path)

    assert settings.intents.threshold == 0.3
    assert settings.intents.epochs == 3
    assert settings.intents.clarify_margin == 0.2  # untouched default
    assert settings.conversation.max_chars == 500
    assert settings.conversation.timezone == "Europe/Paris"


def test_environment_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "[intents]\nthreshold = 0.3\nepochs = 3\n")
    monkeypatch.setenv("ASSISTANT_INTENTS__THRESHOLD", "0.7")

    settings = load_settings(tmp_path)

    assert settings.intents.threshold == 0.7
    assert settings.intents.epochs == 3  # the rest of the file still applies


def test_keyword_overrides_win_over_environment_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "[intents]\nthreshold = 0.3\nepochs = 3\n")
    monkeypatch.setenv("ASSISTANT_INTENTS__THRESHOLD", "0.7")
    monkeypatch.setenv("ASSISTANT_CONVERSATION__TIMEZONE", "Asia/Tokyo")

    settings = load_settings(
        tmp_path,
        intents={"threshold": 0.9},
        conversation={"timezone": "Europe/London"},
    )

    assert settings.intents.threshold == 0.9
    assert settings.conversation.timezone == "Europe/London"
    assert settings.intents.epochs == 3  # overrides merge, they do not replace


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[intents\nthreshold = 0.3\n")

    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_settings(tmp_path)

    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[intents]\nthreshold = 1.5\n", "intents.threshold"),
        ("[intents]\nclarify_margin = -0.1\n", "intents.clarify_margin"),
        ("[intents]\nepochs = 0\n", "intents.epochs"),
        ('[intents]\nmethod = "magic"\n', "intents.method"),
        ("[conversation]\nmax_chars = 0\n", "conversation.max_chars"),
    ],
)
def test_out_of_range_file_value_names_the_field(
    tmp_path: Path, text: str, field: str
) -> None:
    path = write_config(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)

    assert field in str(caught.value)
    assert str(path) in str(caught.value)


def test_out_of_range_environment_value_names_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_INTENTS__THRESHOLD", "2")

    with pytest.raises(ConfigError, match=r"intents\.threshold"):
        load_settings(tmp_path)


def test_out_of_range_keyword_value_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"intents\.threshold"):
        load_settings(tmp_path, intents={"threshold": -0.5})


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[intents]\nthreshhold = 0.3\n", "intents.threshhold"),
        ("[chat]\nmax_chars = 10\n", "chat"),
        ("verbose = true\n", "verbose"),
    ],
)
def test_unknown_keys_in_the_file_are_rejected(
    tmp_path: Path, text: str, field: str
) -> None:
    write_config(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)

    assert field in str(caught.value)


def test_unknown_keyword_override_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="turbo"):
        load_settings(tmp_path, intents={"turbo": True})


def test_data_paths_live_under_home(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "home")

    assert settings.database_path == tmp_path / "home" / "assistant.db"
    assert settings.cache_dir == tmp_path / "home" / "cache"
    assert settings.user_intents_dir == tmp_path / "home" / "intents"


def test_user_zone_by_name() -> None:
    zone = user_zone("Europe/Paris")

    assert zone == zoneinfo.ZoneInfo("Europe/Paris")
    assert datetime(2026, 7, 1, 12, tzinfo=zone).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../../etc/passwd"])
def test_user_zone_unknown_name_raises_config_error(name: str) -> None:
    with pytest.raises(ConfigError, match="Unknown time zone") as caught:
        user_zone(name)

    assert name in str(caught.value)


def test_user_zone_none_gives_the_system_zone() -> None:
    zone = user_zone(None)

    assert isinstance(zone, tzinfo)
    assert datetime(2026, 1, 1, tzinfo=zone).utcoffset() is not None


def test_not_a_number_is_refused_as_a_setting(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[knowledge]\nanswer_threshold = nan\n")
    with pytest.raises(ConfigError, match="answer_threshold"):
        load_settings(tmp_path)


def test_an_empty_home_is_refused_not_the_current_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="empty path"):
        load_settings("")
    with pytest.raises(ConfigError, match="empty path"):
        load_settings("  ")
