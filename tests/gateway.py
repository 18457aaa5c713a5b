"""A real LiteLLM proxy on 127.0.0.1 for the tests: offline, models answering canned text.

``mock_response`` alone does not stream on /v1/messages or /v1/responses, so the client-facing
models are relay deployments (``custom_openai/mock-chat``) that call a mock chat model on the
same proxy; the relay streams proper Anthropic and Responses events.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
CANNED = "PONG-FROM-GATEWAY"
MASTER_KEY = "sk-test"
LITELLM = Path(os.environ.get("FLOWGATE_LITELLM", ROOT / ".venv-litellm" / "bin" / "litellm"))

LITE_CONFIG = """model_list:
  - model_name: mock-chat
    litellm_params: {{model: openai/mock-chat, api_key: sk-dummy, mock_response: "{canned}"}}
  - model_name: router-default
    litellm_params: {{model: custom_openai/mock-chat, api_base: "http://127.0.0.1:{port}/v1", api_key: {key}}}
  - model_name: router-cheap
    litellm_params: {{model: custom_openai/mock-chat, api_base: "http://127.0.0.1:{port}/v1", api_key: {key}}}
general_settings: {{master_key: {key}}}
"""

SPEC = """config_version: 2
services:
  litellm:
    host: 127.0.0.1
    port: {port}
integration:
  default_model: {default}
  fast_model: router-cheap
  token_env: GW_TOKEN
litellm_base:
  model_list:
    - model_name: router-default
    - model_name: router-cheap
    - model_name: router-missing
"""


class Gateway(NamedTuple):
    url: str
    port: int
    log: Path
    spec: Path  # a FlowGate config describing this gateway

    def spec_with(self, tmp: Path, default: str = "router-default", port: int | None = None) -> Path:
        path = tmp / f"flowgate-{default}-{port or self.port}.yaml"
        path.write_text(SPEC.format(port=port or self.port, default=default))
        return path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def required(kind: str) -> bool:
    """CI (or FLOWGATE_REQUIRE_<KIND>=1) turns a missing tool into a failure instead of a skip."""
    return bool(os.environ.get("CI") or os.environ.get(f"FLOWGATE_REQUIRE_{kind.upper()}"))


def unavailable(kind: str, why: str):
    if required(kind):
        pytest.fail(why)
    pytest.skip(why)


def offline_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS="true",
               LITELLM_TELEMETRY="False", NO_PROXY="*", no_proxy="*", **extra)
    return env


@pytest.fixture(scope="session")
def gateway(tmp_path_factory):
    if not LITELLM.exists():
        unavailable("gateway", f"LiteLLM not installed at {LITELLM} (./scripts/test installs it)")
    tmp = tmp_path_factory.mktemp("litellm")
    port = free_port()
    config = tmp / "lite.yaml"
    config.write_text(LITE_CONFIG.format(port=port, canned=CANNED, key=MASTER_KEY))
    log = tmp / "litellm.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=offline_env(HOME=str(tmp)), cwd=tmp)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"LiteLLM exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with opener.open(url + "/health/liveliness", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"LiteLLM not ready after 120 s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        spec = tmp / "flowgate.yaml"
        spec.write_text(SPEC.format(port=port, default="router-default"))
        yield Gateway(url, port, log, spec)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
