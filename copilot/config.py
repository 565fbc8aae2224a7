"""Configuration: one ``Settings`` object, built once per process and passed down.

Environment variables (prefix ``COPILOT_``, see ``.env.example``) set how the copilot runs;
the workspace's ``copilot.yaml`` says what it reads (sources, access rules, users directory).
``Settings.load`` joins both, so no part reads the environment or a file on its own.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from copilot.errors import ConfigError

WORKSPACE_FILE = "copilot.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccessSpec(_Strict):
    """An access grant in ``copilot.yaml``; an empty spec means nobody."""

    public: bool = False
    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class PathRule(AccessSpec):
    """Access for documents whose relative path matches ``pattern`` (glob, ``**`` allowed)."""

    pattern: str


class DocumentAccess(_Strict):
    default: AccessSpec = AccessSpec()
    rules: list[PathRule] = Field(default_factory=list)


class TableAccess(_Strict):
    default: AccessSpec = AccessSpec()
    tables: dict[str, AccessSpec] = Field(default_factory=dict)


class NameFilter(_Strict):
    """Names (channels, tables) by exact name or glob; an empty ``include`` means all."""

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    def allows(self, name: str) -> bool:
        import fnmatch

        if any(fnmatch.fnmatch(name, p) for p in self.exclude):
            return False
        return not self.include or any(fnmatch.fnmatch(name, p) for p in self.include)


class SlackExportSource(_Strict):
    type: Literal["slack_export"]
    name: str
    path: Path
    workspace_url: str = "https://slack.com"
    include_dms: bool = False
    channels: NameFilter = NameFilter()


class SlackApiSource(_Strict):
    """The live Slack Web API; the bot token comes from the environment, never the file."""

    type: Literal["slack_api"]
    name: str
    token_env: str = "SLACK_BOT_TOKEN"
    api_url: str = "https://slack.com/api/"
    workspace_url: str = "https://slack.com"
    include_private: bool = True
    include_dms: bool = False
    channels: NameFilter = NameFilter()
    page_size: int = 200
    max_retries: int = 5


class DocumentsSource(_Strict):
    type: Literal["documents"]
    name: str
    path: Path
    base_url: str | None = None
    access: DocumentAccess = DocumentAccess()


class DatabaseSource(_Strict):
    type: Literal["database"]
    name: str
    url: str
    descriptions: Path | None = None
    access: TableAccess = TableAccess()
    sample_values: int = 5
    tables: NameFilter = NameFilter()


class RouterConfig(_Strict):
    """Example questions per route (added to the built-in ones) and the fast path's limits."""

    examples: dict[Literal["retrieval", "sql", "tool"], list[str]] = Field(default_factory=dict)
    fast_threshold: float = 0.55
    fast_margin: float = 0.08
    # The model may send a question to sql or tool only if that route's closest example
    # scores at least this much: a small model's guess alone is not enough to leave retrieval.
    llm_floor: float = 0.45
    # Retrieval's fast-path score is also the cosine of the closest document chunk the asker
    # may see, minus this discount: chunks and example questions sit on different cosine
    # scales (a question is closer to another question than to the passage answering it).
    document_discount: float = 0.10


class ToolArg(_Strict):
    type: Literal["string", "integer", "number", "boolean"] = "string"
    description: str = ""
    required: bool = True


class HttpToolConfig(_Strict):
    """A tool that calls an internal HTTP API; ``url`` is a template over the arguments."""

    name: str
    description: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str
    args: dict[str, ToolArg] = Field(default_factory=dict)
    access_groups: list[str] = Field(default_factory=list)
    writes: bool = False
    timeout_s: float = 5.0


class ToolsConfig(_Strict):
    """Tools and who may use them. Empty ``access_groups`` means nobody; ``"*"`` means any
    user in the directory (never an anonymous one)."""

    enabled: list[str] = Field(default_factory=list)
    access_groups: dict[str, list[str]] = Field(default_factory=dict)
    oncall_schedule: Path | None = None
    services: dict[str, str] = Field(default_factory=dict)  # service name -> health URL
    http: list[HttpToolConfig] = Field(default_factory=list)
    # Tools that write (HTTP tools with another method than GET) run only when this is true
    # AND the user confirmed the exact call; a proposal left unconfirmed this long expires.
    allow_writes: bool = False
    confirm_ttl_minutes: float = Field(default=15.0, gt=0, le=7 * 24 * 60)
    max_steps: int = 3


class SqlConfig(_Strict):
    """The SQL chain: verified question-to-SQL examples, and the limits enforced in code."""

    examples: Path | None = None
    row_limit: int = 100
    timeout_s: float = 5.0
    max_repairs: int = 2


SourceConfig = Annotated[
    SlackExportSource | SlackApiSource | DocumentsSource | DatabaseSource,
    Field(discriminator="type"),
]


class WorkspaceConfig(_Strict):
    """The parsed ``copilot.yaml``; relative paths are resolved against the workspace folder."""

    name: str
    root: Path
    users: Path | None = None
    sources: list[SourceConfig] = Field(default_factory=list)
    router: RouterConfig = RouterConfig()
    tools: ToolsConfig = ToolsConfig()
    sql: SqlConfig = SqlConfig()

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicated)}")
        return sources

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.root / path

    @classmethod
    def from_dir(cls, workspace: Path) -> WorkspaceConfig:
        config_file = workspace / WORKSPACE_FILE
        if not config_file.is_file():
            raise ConfigError(
                f"no {WORKSPACE_FILE} in {workspace}: pass --workspace a folder that has one "
                "(see examples/acme/copilot.yaml)"
            )
        try:
            raw = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_file} is not valid YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{config_file} must be a mapping with 'name' and 'sources'")
        raw = {**raw, "root": workspace.resolve()}
        raw["sources"] = [_expand_workspace(s, workspace.resolve()) for s in raw.get("sources", [])]
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"{config_file} is invalid:\n{exc}") from exc


def _expand_workspace(source: object, root: Path) -> object:
    """Database URLs may say ``{workspace}`` (a sample database travels with its folder) and
    ``${VAR}`` (a password from the environment, so it never sits in ``copilot.yaml``)."""
    if not (isinstance(source, dict) and isinstance(source.get("url"), str)):
        return source

    def from_env(match: re.Match[str]) -> str:
        value = os.environ.get(match.group(1))
        if value is None:
            raise ConfigError(
                f"source {source.get('name')!r}: its url uses ${{{match.group(1)}}}, "
                "which is not set in the environment"
            )
        return value

    url = source["url"].replace("{workspace}", str(root))
    return {**source, "url": re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", from_env, url)}


def _env(name: str) -> AliasChoices:
    """``COPILOT_NAME`` or the bare ``NAME`` (Slack's own docs use ``SLACK_BOT_TOKEN`` ...)."""
    return AliasChoices(f"COPILOT_{name.upper()}", name.upper(), name)


class Settings(BaseSettings):
    """Every runtime setting; ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_", env_file=".env", extra="ignore")

    # The chat model: an OpenAI-compatible server (vLLM in production) or the embedded one.
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5-coder-0.5b-instruct"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout_s: float = 120.0
    llm_max_retries: int = 1
    llm_max_tokens: int = 320
    llm_temperature: float = 0.0
    # How the server takes a JSON schema: json_schema (vLLM, OpenAI) or json_object (llama.cpp).
    llm_json_mode: Literal["json_schema", "json_object"] = "json_schema"
    # The model name to use when tools are offered, if the server serves them under another.
    llm_tools_model: str | None = None
    # The model name for writing SQL on the same server; unset = llm_model, except on the
    # embedded server, which uses qwen2.5-coder-1.5b-instruct when it is installed.
    llm_sql_model: str | None = None
    # The embedded llama.cpp server, used only when llm_base_url is unset.
    model_dir: Path = Path.home() / ".cache" / "copilot" / "models"
    embedded_n_ctx: int = 4096
    embedded_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    embedded_startup_timeout_s: float = 180.0
    # The SQL chain: queries per question (more are sampled at sql_temperature and the result
    # most agree on wins), value linking, and the table count up to which all tables are shown.
    sql_candidates: int = 1
    sql_temperature: float = 0.7
    sql_value_linking: bool = True
    sql_all_tables_max: int = 8
    # Embeddings and chunking.
    embedding_model: str | None = None
    embedding_batch_size: int = 64
    embedding_device: str = "cpu"
    # CPU threads for embedding one question (0: torch's default). One thread answers a short
    # question faster and far more steadily than two that must be woken (p90 12 ms vs 21 ms).
    embedding_query_threads: int = 1
    # What embeds a question: onnxruntime (the model exported once to COPILOT_MODEL_DIR/onnx and
    # checked against torch: 7.7 ms vs 17 ms on one thread, same vectors), torch, or auto
    # (onnx when onnxruntime is installed and the model is mean-pooled, else torch).
    embedding_query_runtime: Literal["auto", "onnx", "torch"] = "auto"
    # Where a refresh embeds its chunks: in this process (local), or as a Ray Data job over a
    # pool of model copies (ray; needs the `ray` extra). Questions are always embedded here:
    # a dozen tokens must not wait on a cluster. Worth it with many GPUs or nodes; on one
    # machine it only adds Ray's start-up (docs/deployment.md, bench/embedding.py).
    embedding_backend: Literal["local", "ray"] = "local"
    # A running Ray cluster to join ("auto", "host:6379"); unset: start a local Ray for the
    # refresh, with ray_num_cpus CPUs (unset: all), and shut it down after.
    ray_address: str | None = None
    ray_num_cpus: int | None = Field(default=None, ge=1)
    # Model copies (Ray actors) embedding at once, one CPU each; capped at what the cluster has.
    ray_actors: int = Field(default=2, ge=1)
    # Texts per Ray batch sent to one actor (the model still encodes embedding_batch_size at a
    # time). Fewer texts than this are embedded locally: one batch cannot be spread out.
    ray_batch_size: int = Field(default=256, ge=1)
    # GPUs per actor: 0 = CPU actors; auto = one GPU each when the cluster has GPUs (and no
    # more actors than GPUs); a number (0.5 shares a GPU between two actors) as given.
    ray_gpus_per_actor: Literal["auto"] | float = Field(default=0.0)
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 30
    # Retrieval.
    retrieval_k: int = 5
    retrieval_candidates: int = 50
    rrf_k: int = 60
    min_relevance: float = 0.40
    relevance_window: float = 0.15
    # The FAISS index type: auto = exact flat up to vector_flat_max vectors, HNSW above
    # (flat's single-query latency grows with the corpus; bench/index_types.py measures it).
    vector_index: Literal["auto", "flat", "hnsw", "ivfpq"] = "auto"
    vector_flat_max: int = Field(default=20_000, ge=1)
    # Search effort: HNSW candidate list (recall vs latency) and IVF lists probed per query.
    # 128: recall@10 0.97 at 1M clustered vectors for 0.26 ms (64: 0.91, 0.19 ms; 256: 0.99,
    # 0.36 ms), python -m bench.index_types --sizes 1m --types hnsw --ef-search 64,128,256.
    vector_hnsw_ef_search: int = Field(default=128, ge=1)
    vector_ivf_nprobe: int = Field(default=32, ge=1)
    # OpenMP threads for one vector search (0: faiss's default, all cores). One is steadier and
    # faster on busy cores (flat, 50k vectors, 2 busy cores: p50 31 ms vs 104 ms on two).
    vector_search_threads: int = Field(default=1, ge=0)
    # The verifier: off; lenient (drops contradicted sentences and those failing a cheap
    # check, keeps what the judge merely finds not mentioned); strict (keeps only supported).
    verifier: Literal["off", "lenient", "strict"] = "strict"
    # Below this cosine with every cited item a sentence is not_mentioned without the judge.
    verifier_min_similarity: float = 0.15
    # Also ask the judge whether the kept sentences answer the question at all (a refusal
    # when it says no). Off by default: the embedded 1.5B judge said "no" to a correct,
    # fully supported VPN answer, so with small judges it refuses good answers.
    verifier_asks_if_answered: bool = False
    # Model name for the judge's calls on the same server; unset = llm_model, except on the
    # embedded server, which uses qwen2.5-coder-1.5b-instruct when it is installed.
    llm_judge_model: str | None = None
    # The answer in a few words above the verified sentences (``short_answer`` in the JSON),
    # copied from them, so it claims nothing new: one short model call on a retrieval answer.
    # Unset: on with a served model (llm_base_url, e.g. vLLM, where it is one short request),
    # off on the embedded CPU server, where the 1.5B call took 6-10 s an answer on 2 cores.
    short_answer: bool | None = None
    # Model name for that call on the same server; unset = the judge's (llm_judge_model).
    llm_short_answer_model: str | None = None
    # Storage.
    data_dir: Path | None = None
    catalog_url: str | None = None
    log_level: str = "WARNING"
    # text (readable) or json (one object a line, for a log store); both carry request_id.
    log_format: Literal["text", "json"] = "text"
    # Prometheus /metrics of `copilot slack` and `copilot ui` (docs/deployment.md): 0 = off.
    # Loopback by default; each process needs its own port.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # `copilot refresh` writes its figures here for node_exporter's textfile collector.
    metrics_textfile: Path | None = None
    # The Slack bot (`copilot slack`). Tokens take Slack's usual names too; never logged.
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("slack_bot_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("slack_signing_secret")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=_env("slack_app_token")
    )
    slack_api_url: str = "https://slack.com/api/"
    slack_port: int = 3000  # HTTP mode (no app token): where Slack's Events API posts
    slack_rate_per_minute: float = 6.0  # questions per user per minute, after the burst
    slack_rate_burst: int = 3
    slack_workers: int = 4  # questions answered at once; more wait their turn
    # The Streamlit page (`copilot ui`). Deployed behind an authenticating proxy, the header
    # the proxy sets to the signed-in user's email (e.g. X-Forwarded-Email): a request without
    # it is refused. Unset: a user picker from the users directory, for local use only.
    ui_trusted_user_header: str | None = None
    ui_admin_group: str = "admins"  # directory group that sees the admin view; none: nobody
    # Where the page listens; anything but loopback needs the trusted header (a picker open to
    # the network would let anyone pick anyone).
    ui_address: str = "127.0.0.1"
    ui_port: int = 8501
    ui_stream_delay_s: float = 0.02  # pause between streamed words of a verified answer

    workspace: WorkspaceConfig | None = None

    @classmethod
    def load(cls, workspace: Path | None = None) -> Settings:
        """Build the one settings object: environment, then the workspace's ``copilot.yaml``."""
        try:
            base = cls()
        except ValidationError as exc:
            raise ConfigError(f"invalid COPILOT_* environment variable:\n{exc}") from exc
        if workspace is None:
            return base
        return base.model_copy(update={"workspace": WorkspaceConfig.from_dir(workspace)})

    @property
    def ws(self) -> WorkspaceConfig:
        if self.workspace is None:
            raise ConfigError("this command needs --workspace")
        return self.workspace

    @property
    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir
        return self.ws.root / ".copilot"

    @property
    def resolved_catalog_url(self) -> str:
        return self.catalog_url or f"sqlite:///{self.resolved_data_dir / 'catalog.sqlite'}"
