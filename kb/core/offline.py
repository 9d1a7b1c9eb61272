"""Keep every code path off the network: hub offline, telemetry off."""

import os

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce() -> None:
    """Set the offline variables before any Hugging Face or Haystack module is imported."""
    for key, value in _OFFLINE_ENV.items():
        os.environ[key] = value
