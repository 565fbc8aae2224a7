from pathlib import Path

import pytest

from copilot.config import DatabaseSource, Settings, WorkspaceConfig
from copilot.directory import UserDirectory
from copilot.errors import ConfigError, UnknownUserError
from copilot.types import Access

GOOD = """
name: t
users: users.yaml
sources:
  - {type: documents, name: docs, path: docs}
  - {type: database, name: db, url: "sqlite:///{workspace}/x.sqlite"}
"""


def _workspace(tmp_path: Path, text: str) -> Path:
    (tmp_path / "copilot.yaml").write_text(text)
    return tmp_path


def test_loads_sources_and_expands_workspace(tmp_path: Path) -> None:
    config = WorkspaceConfig.from_dir(_workspace(tmp_path, GOOD))
    assert [s.name for s in config.sources] == ["docs", "db"]
    database = config.sources[1]
    assert isinstance(database, DatabaseSource)
    assert database.url == f"sqlite:///{tmp_path.resolve()}/x.sqlite"
    assert config.resolve(Path("docs")) == tmp_path.resolve() / "docs"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a\n- b", "must be a mapping"),
        ("name: t\nsources: [{type: ftp, name: x}]", "invalid"),
        ("name: t\nsources: [{type: documents, name: a, path: p, color: red}]", "invalid"),
        (
            "name: t\nsources: [{type: documents, name: a, path: p}, "
            "{type: documents, name: a, path: q}]",
            "unique",
        ),
    ],
)
def test_bad_workspace_files_say_what_is_wrong(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        WorkspaceConfig.from_dir(_workspace(tmp_path, text))


def test_missing_workspace_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no copilot\.yaml"):
        Settings.load(tmp_path)


def test_environment_sets_values_and_data_dir_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_RETRIEVAL_K", "7")
    monkeypatch.setenv("COPILOT_LLM_API_KEY", "s3cret")
    settings = Settings.load(_workspace(tmp_path, GOOD))
    assert settings.retrieval_k == 7
    assert settings.resolved_data_dir == tmp_path.resolve() / ".copilot"
    assert "s3cret" not in repr(settings)


def test_bad_environment_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_RETRIEVAL_K", "many")
    with pytest.raises(ConfigError, match="COPILOT_"):
        Settings.load(None)


def test_directory_principals(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text("users:\n  - {email: Ann@X.example, slack_id: U1, groups: [eng]}\n")
    directory = UserDirectory.from_yaml(users)
    ann = directory.principal("ann@x.example")
    assert Access(groups=frozenset({"eng"})).allows(ann)
    assert directory.by_slack_id("U1") is not None
    assert directory.principal(None).members == ()
    with pytest.raises(UnknownUserError, match="not in the users directory"):
        directory.principal("mallory@x.example")


def test_malformed_directory(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text("people: []\n")
    with pytest.raises(ConfigError, match="malformed"):
        UserDirectory.from_yaml(users)


def test_database_url_takes_secrets_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "name: t\nsources: [{type: database, name: db, url: 'postgresql://u:${DB_PW}@h/d'}]"
    workspace = _workspace(tmp_path, text)
    with pytest.raises(ConfigError, match=r"\$\{DB_PW\}.*not set"):
        WorkspaceConfig.from_dir(workspace)
    monkeypatch.setenv("DB_PW", "s3cret")
    source = WorkspaceConfig.from_dir(workspace).sources[0]
    assert isinstance(source, DatabaseSource) and source.url == "postgresql://u:s3cret@h/d"


def test_env_example_lists_every_setting() -> None:
    """The guide's promise: `.env.example` names every variable (set, or commented out where
    an empty value would not parse)."""
    listed = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    missing = [
        name
        for name in Settings.model_fields
        if name != "workspace" and f"COPILOT_{name.upper()}=" not in listed
    ]
    assert missing == []
