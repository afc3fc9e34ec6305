"""All of Segue's settings in one class, read from SEGUE_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
LOCAL_LLM_TIMEOUT_S = 90.0
LOCAL_DEADLINE_S = 120.0


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as an environment variable `SEGUE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SEGUE_", env_file=".env", extra="ignore")

    home: Path = Field(REPO_ROOT / ".segue", description="Where stores (catalog, profiles, playlists) live.")
    raw_data_dir: Path = Field(DATA_DIR / "raw", description="Raw source files the catalog is built from.")
    chroma_url: str | None = Field(None, description="Chroma server URL (e.g. http://127.0.0.1:8001); embedded when unset.")
    snapshot_dir: Path | None = Field(
        None, description="With chroma_url: a directory every replica reads (a shared volume). An ingest publishes "
        "the search snapshot there; a replica without a local build copies it instead of ingesting."
    )
    database_url: SecretStr | None = Field(
        None, description="PostgreSQL URL (postgresql://user:pass@host/db) for playlists, prompted playlists and "
        "listener state; SQLite files under `home` when unset."
    )
    refresh_interval_s: float = Field(
        300.0, ge=0, description="How often `segue serve` looks for prompted playlists due a refresh (0 = never)."
    )
    embeddings: Literal["local", "openai"] = Field("local", description="Embedding provider for queries and rebuilds.")
    embedding_model: str = Field("text-embedding-3-small", description="Model name for the OpenAI embeddings provider.")
    kid_unsafe_words: Path | None = Field(
        None, description="A word list replacing tools/lexicon/kid_unsafe.txt (same format): what kids and family "
        "playlists keep out beyond the clean policy."
    )
    projected_search_min_tracks: int = Field(
        200_000, ge=0, description="Catalogs this big or bigger search a PCA projection, then rerank the shortlist "
        "exactly (tools/ann.py; recall@50 0.999 at 1M tracks); 0 = always scan every vector exactly."
    )

    provider: Literal["offline", "openai"] | None = Field(
        None, description="Planner: offline (deterministic) or openai (any OpenAI-compatible endpoint). Default: openai when a key is set."
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL (vLLM, Ollama, llama.cpp server).")
    llm_model: str = Field("gpt-4o-mini", description="Chat model name.")
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    llm_timeout_s: float = Field(20.0, gt=0, description="Per-call timeout for the chat model "
                                 f"(default {LOCAL_LLM_TIMEOUT_S:g} s for a loopback base URL: a CPU model is slow).")
    llm_max_retries: int = Field(2, ge=0, le=5, description="Retries for transient errors (the only retry layer).")
    llm_max_steps: int = Field(4, ge=1, le=20, description="Most model calls one request may make.")
    request_deadline_s: float = Field(45.0, gt=0, description="Whole-request deadline for the LLM path "
                                      f"(default {LOCAL_DEADLINE_S:g} s for a loopback base URL).")
    llm_tool_rounds: int = Field(1, ge=1, le=5, description="Model turns that may call tools before the final plan "
                                 "(each turn's tool calls run in parallel).")
    llm_json_schema: bool = Field(True, description="Ask for the final plan with the server's JSON-schema output "
                                  "(response_format json_schema); off: plain JSON in the reply, parsed.")
    llm_narration: Literal["all", "ends", "intro", "off"] = Field(
        "all", description="Which narration segments the model writes (the others are grounded templates): all, "
        "ends (intro and outro), intro, or off (the default for a loopback base URL: a CPU model spends 6-8 s on "
        "an intro, as long as the plan itself).")
    llm_fallback: bool = Field(True, description="Fall back to the offline planner when the LLM fails.")
    prompt_version: str = Field("v3", description="Which prompts/<version>/ to use.")

    api_keys: str = Field("", description="Comma-separated API keys; empty disables auth.")
    cors_origins: str = Field("", description="Comma-separated allowed CORS origins; empty closes CORS.")
    max_body_bytes: int = Field(64 * 1024, description="Largest accepted request body.")

    subsonic_password: SecretStr | None = Field(None, description="Password for Subsonic libraries (never on the command line).")
    subsonic_api_key: SecretStr | None = Field(None, description="OpenSubsonic API key (apiKey extension); used instead of the password.")
    library_timeout_s: float = Field(15.0, gt=0, description="Per-request timeout for a library server.")
    library_page_size: int = Field(500, ge=1, le=5000, description="Songs per search3 page when syncing a Subsonic library.")
    library_match_min_score: float = Field(90.0, ge=50, le=100, description="Least rapidfuzz score (0-100) for a fuzzy catalog match.")
    library_analysis: bool = Field(True, description="Estimate tempo, key and energy from the audio of owned tracks the "
                                   "catalog does not hold, during `library sync` (needs the audio extra).")
    library_analysis_seconds: float = Field(75.0, ge=15, le=600, description="How much of each file is analysed (from the start).")
    library_download_max_mb: float = Field(200.0, gt=0, description="Largest download read from a Subsonic server for analysis.")

    @model_validator(mode="after")
    def _local_model_defaults(self) -> Settings:
        """A model server on this machine (loopback base URL) gets CPU-friendly time limits, no SDK retries and
        narration by the grounded templates, unless set."""
        if self.llm_is_local:
            if "llm_timeout_s" not in self.model_fields_set:
                self.llm_timeout_s = LOCAL_LLM_TIMEOUT_S
            if "request_deadline_s" not in self.model_fields_set:
                self.request_deadline_s = LOCAL_DEADLINE_S
            if "llm_narration" not in self.model_fields_set:
                self.llm_narration = "off"
            if "llm_max_retries" not in self.model_fields_set:
                self.llm_max_retries = 0  # a retried timeout only queues the same work again on a busy local server
        return self

    def pointed_at(self, base_url: str, model: str = "local", **changes: object) -> Settings:
        """These settings on another OpenAI-compatible server, with the defaults that server gets (a loopback
        URL: CPU-friendly time limits, no SDK retries, template narration) unless set here or
        before; `model_copy` alone would keep the defaults of the old URL."""
        values = self.model_dump(exclude_unset=True) | {"provider": "openai", "llm_base_url": base_url,
                                                         "llm_model": model, **changes}
        return type(self).model_validate(values)

    @property
    def llm_is_local(self) -> bool:
        host = urlparse(self.llm_base_url or "").hostname or ""
        return host == "localhost" or host.startswith("127.") or host == "::1"

    @property
    def store_root(self) -> Path:
        return self.home / "catalog"

    @property
    def library_root(self) -> Path:
        return self.home / "libraries"

    def resolved_provider(self) -> Literal["offline", "openai"]:
        if self.provider:
            return self.provider
        return "openai" if self.openai_api_key or self.llm_base_url else "offline"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
