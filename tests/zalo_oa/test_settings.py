"""The OA's settings: documented in `.env.example`, and given together or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings, env_names

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_every_oa_setting_is_in_env_example_with_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for name in (n for n in env_names() if n.startswith("ZALO_OA_")):
        key = name + "="
        index = next((i for i, line in enumerate(lines) if line.startswith(key)), None)
        assert index is not None, f"{key} is missing from .env.example"
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"


def test_the_oa_needs_its_three_keys_together() -> None:
    assert not Settings(_env_file=None).zalo_oa.enabled
    with pytest.raises(ValidationError, match="ZALO_OA_APP_ID, ZALO_OA_APP_SECRET"):
        Settings(_env_file=None, zalo_oa_app_id="123", zalo_oa_secret_key="k")
    enabled = Settings(_env_file=None, zalo_oa_app_id="123", zalo_oa_app_secret="s",
                       zalo_oa_secret_key="k")
    assert enabled.zalo_oa.enabled
    with pytest.raises(ValidationError):
        Settings(_env_file=None, zalo_oa_webhook_path="zalo")
