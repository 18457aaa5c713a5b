"""FG601 never writes a credential into a doc: placeholders in an excerpt are not compared with the real keys,
and a credential that differs is reported with neither value and no fix."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowgate_lint.spec.load import load_spec
from flowgate_lint.spec.settings import Settings
from rulekit import lint_text

MASTER = "sk-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc"
UPSTREAM = "sk-Zq8Lm2Xv7Pk4Rt9Wb3Nc6Hd1Yf5Gj0Aa"
PLAIN = "plainupstreampass"  # no key shape: a credential by its key's name alone

CONFIG = f"""config_version: 2
services:
  litellm:
    host: 127.0.0.1
    port: 4000
  cliproxyapi_plus:
    host: 127.0.0.1
    port: 8317
integration:
  default_model: router-default
  fast_model: router-cheap
litellm_base:
  model_list:
    - model_name: router-default
      litellm_params:
        model: custom_openai/upstream-default
        api_base: http://127.0.0.1:8317/v1
        api_key: {UPSTREAM}
    - model_name: router-cheap
      litellm_params:
        model: custom_openai/upstream-cheap
        api_base: http://127.0.0.1:8317/v1
        api_key: {PLAIN}
  general_settings:
    master_key: {MASTER}
"""


def excerpt(default_key: str, cheap_key: str, master: str, port: int = 4000) -> str:
    return f"""# Gateway

The gateway config (`config/flowgate.yaml`):

```yaml
services:
  litellm:
    port: {port}
litellm_base:
  model_list:
    - model_name: router-default
      litellm_params:
        api_key: {default_key}
    - model_name: router-cheap
      litellm_params:
        api_key: {cheap_key}
  general_settings:
    master_key: {master}
```
"""


@pytest.fixture()
def spec(tmp_path):
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "flowgate.yaml"
    path.write_text(CONFIG)
    return load_spec(Settings({}, None, tmp_path), str(path))


PLACEHOLDERS = [
    ("sk-1234", "sk-xxxx", "changeme"),
    ('"sk-1234567890abcdef"', "your-key-here", "sk-1234"),
    ("'<your-upstream-key>'", "sk-XXXXXXXXXXXXXXXX", '"sk-1234567890abcdef"'),
]


@pytest.mark.parametrize("default_key,cheap_key,master", PLACEHOLDERS)
def test_placeholders_in_an_excerpt_are_not_compared_with_the_real_keys(spec, default_key, cheap_key, master):
    findings = [f for f in lint_text(excerpt(default_key, cheap_key, master, port=4001), "docs/gateway.md", ["FG601"], spec)
                if f.code == "FG601"]
    assert [f.message for f in findings] == ["excerpt shows services.litellm.port = 4001; the gateway config has 4000"]


def test_a_different_credential_is_reported_without_values_and_without_a_fix(spec):
    findings = lint_text(excerpt("sk-Old0Key1Was2Here3Abc4Def5Ghi6Jkl", "formerplainpass", "Tr0ub4dor-3"),
                         "docs/gateway.md", ["FG601"], spec)
    assert len(findings) == 3
    for f in findings:
        assert f.fix is None and "neither value is shown" in f.message, f
        for secret in (MASTER, UPSTREAM, PLAIN, "sk-Old0Key1", "formerplainpass", "Tr0ub4dor-3"):
            assert secret not in f.message


def test_fix_never_writes_the_real_keys_into_the_doc(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(CONFIG)
    (tmp_path / "docs").mkdir()
    doc = tmp_path / "docs" / "gateway.md"
    doc.write_text(excerpt("sk-xxxx", '"sk-1234567890abcdef"', "sk-1234", port=4001))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for flags in (["--fix"], ["--fix", "--unsafe-fixes"]):
        res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--preview", "--select", "FG601", *flags,
                              "docs/gateway.md"], cwd=tmp_path, capture_output=True, text=True)
        assert res.returncode in (0, 1), res.stderr
    text = doc.read_text()
    assert "port: 4000" in text  # the safe fix still applies where no credential is involved
    assert MASTER not in text and UPSTREAM not in text and PLAIN not in text
    assert "master_key: sk-1234" in text and "api_key: sk-xxxx" in text
