"""The frame of a value, cause by cause: each shape of the accuracy issue's causes as a bad text (a finding is
right) and a good one (nothing to report), written from general shapes, linted with every rule."""

from __future__ import annotations

import pytest

from flowgate_lint import judgement as cm
from flowgate_lint.judgement import frames
from flowgate_lint.lint.engine import decode_host, sources_of
from rulekit import context, lint_text

# (cause, shape, file name, text, the codes the text must get: empty for a good text)
CASES = [
    # 1. frames: a migration's halves, a troubleshooting change, a container's own view, an example's own config
    (1, "live excerpt that drifted", "docs/config.md",
     "# Config\n\nThe gateway config (`config/flowgate.yaml`):\n\n```yaml\nservices:\n  litellm:\n    port: 4001\n```\n",
     {"FG601"}),
    (1, "both halves of a before/after", "docs/migrate.md",
     "# Upgrading the config\n\n**Before (version 1):**\n\n```yaml\nconfig_version: 1\nservices:\n  litellm:\n    port: 9000\n```\n\n"
     "**After (version 2):**\n\n```yaml\nconfig_version: 2\nservices:\n  litellm:\n    port: 9000\n```\n", set()),
    (1, "a troubleshooting block that shows a changed value", "docs/troubleshooting.md",
     "# Troubleshooting\n\n## Port conflict\n\nChange the port in the services configuration:\n\n```yaml\nservices:\n"
     "  litellm:\n    port: 4001  # Changed from 4000\n```\n\nCheck with `lsof -i :4000`.\n", set()),
    (1, "a client check on the host, wrong port", "docs/check.md",
     "# Check\n\n```sh\ncurl -fsS http://127.0.0.1:4001/v1/models\n```\n", {"FG301"}),
    (1, "the same check run inside the container", "docs/check.md",
     "# Check\n\n```sh\ndocker compose exec gateway curl -fsS http://127.0.0.1:4001/v1/models\n```\n", set()),
    (1, "client slots naming a model the gateway does not serve", "docs/claude.md",
     "# Claude Code\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\nexport ANTHROPIC_MODEL=router-large\n```\n", {"FG402"}),
    (1, "an example that brings its own model list (only litellm_base) and uses it", "docs/claude.md",
     "# Appendix: a two-upstream example\n\n`config/flowgate.yaml` excerpt (example):\n\n```json\n{\"litellm_base\": "
     "{\"model_list\": [{\"model_name\": \"team-large\"}]}, \"integration\": {\"default_model\": \"team-large\"}}\n```\n\n"
     "```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\nexport ANTHROPIC_MODEL=team-large\n```\n", set()),
    # 2. client targets named in prose: the sentence says the URL is Claude Code's base URL
    (2, "the variable's example value ends in /v1", "docs/claude.md",
     "# Claude Code\n\n`ANTHROPIC_BASE_URL` must point at the gateway root (e.g. `http://127.0.0.1:4000/v1`).\n", {"FG302"}),
    (2, "the variable's example value is another declared service's port (Chinese)", "docs/claude.md",
     "# Claude Code\n\n- `ANTHROPIC_BASE_URL` 必须指向网关根地址（例如 `http://127.0.0.1:8317`），不要带 `/v1`。\n", {"FG302"}),
    (2, "a Base URL table row in a Claude Code section", "docs/claude.md",
     "# Claude Code\n\n| setting | value |\n|---|---|\n| Base URL | `http://127.0.0.1:4000/v1/messages` |\n", {"FG302"}),
    (2, "point Claude Code at another service's port", "docs/claude.md",
     "# Agents\n\nPoint Claude Code at http://127.0.0.1:8317.\n", {"FG302"}),
    (2, "the variable's example value is the gateway root", "docs/claude.md",
     "# Claude Code\n\n`ANTHROPIC_BASE_URL` must point at the gateway root (e.g. `http://127.0.0.1:4000`).\n", set()),
    (2, "the sentence says what the value is not", "docs/claude.md",
     "# Claude Code\n\n`ANTHROPIC_BASE_URL` is not `http://127.0.0.1:4000/v1`: Claude Code adds /v1 itself.\n", set()),
    # 3. direction words: the value before them is the old one, the value after them the recommended one
    (3, "the recommended value after 'change it to' is wrong", "docs/fix.md",
     "# Fix\n\nIf `ANTHROPIC_BASE_URL` is http://127.0.0.1:4000/v1/messages, change it to `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n",
     {"FG302"}),
    (3, "the old value before 'change it to'", "docs/fix.md",
     "# Fix\n\nIf `ANTHROPIC_BASE_URL` is http://127.0.0.1:4000/v1, change it to `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`.\n",
     set()),
    (3, "改成 in Chinese: the old value before it", "docs/fix.md",
     "# 修复\n\n把 `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1` 改成 `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`。\n", set()),
    # 4. stale claims with the qualifiers real docs put between their words
    (4, "a claim with a bold qualified object (Chinese)", "docs/claude.md",
     "# 说明\n\nClaude Code 不能直接连接网关，需要额外提供 **Anthropic-compatible 适配层**。\n", {"FG101"}),
    (4, "an adapter in front of the gateway with a long qualifier (Chinese)", "docs/claude.md",
     "# 说明\n\n要使用 Claude Code，需要在 FlowGate 前增加 Anthropic-compatible 适配层。\n", {"FG101"}),
    (4, "the claim said as no longer true", "docs/claude.md",
     "# 说明\n\nClaude Code 不再需要在 FlowGate 前增加 Anthropic-compatible 适配层。\n", set()),
    (4, "the current truth", "docs/claude.md",
     "# Notes\n\nClaude Code talks to the gateway directly: it serves /v1/messages.\n", set()),
    # 5. right file, right message: a probe through a route variable is a probe
    (5, "a smoke script that probes count_tokens only, through a variable, and cannot fail", "scripts/smoke.sh",
     "#!/usr/bin/env bash\nset -euo pipefail\nbase=http://127.0.0.1:4000\nprobe_url=\"$base/v1/messages/count_tokens\"\n"
     "curl -sS -H 'anthropic-version: 2023-06-01' -X POST \"$probe_url\" -d '{}' || true\n", {"FG202", "FG204"}),
    (5, "a smoke script that probes both routes through variables", "scripts/smoke.sh",
     "#!/usr/bin/env bash\nset -euo pipefail\nbase=http://127.0.0.1:4000\ncount_url=\"$base/v1/messages/count_tokens\"\n"
     "messages_url=\"$base/v1/messages\"\ncurl -fsS -H 'anthropic-version: 2023-06-01' -X POST \"$count_url\" -d '{}'\n"
     "curl -fsS -H 'anthropic-version: 2023-06-01' -X POST \"$messages_url\" -d '{}'\n", set()),
    # 7. near-miss ports and port lists in other shapes
    (7, "a port list in parentheses with a port no declared service uses", "docs/start.md",
     "# Start\n\n- Ports available (4000, 5000)\n", {"FG301"}),
    (7, "one port check per line, one on a port no declared service uses", "docs/start.md",
     "# Services won't start\n\n```sh\n# Check for port conflicts\nlsof -i :4000\nlsof -i :5000\n```\n", {"FG301"}),
    (7, "the port checks name the declared ports", "docs/start.md",
     "# Services won't start\n\n```sh\nlsof -i :4000\nlsof -i :8317\n```\n", set()),
    (7, "a second upstream on a port one digit longer than a declared service's", "docs/backup.md",
     "# A second upstream\n\nAdd a second CLIProxyAPI instance on 18317 as a backup upstream:\n\n```yaml\nmodel_list:\n"
     "  - model_name: backup\n    litellm_params:\n      api_base: http://127.0.0.1:18317/v1\n```\n", set()),
]


@pytest.mark.parametrize("cause,shape,name,text,codes", CASES, ids=[f"cause{c[0]}-{c[1]}" for c in CASES])
def test_each_cause_shape(cause, shape, name, text, codes):
    found = {f.code for f in lint_text(text, name)}
    assert found == codes, f"{shape}: got {sorted(found)}"


def test_the_smoke_finding_stands_on_the_route_it_probes():
    text = next(c[3] for c in CASES if c[1].startswith("a smoke script that probes count_tokens only"))
    f = next(f for f in lint_text(text, "scripts/smoke.sh") if f.code == "FG202")
    assert f.line == 4  # probe_url="$base/v1/messages/count_tokens"


@pytest.mark.parametrize("text,needle,kind", [
    ("# A\n\n**Before (v1):**\n\n```yaml\nport: 9000\n```\n", "9000", frames.MIGRATION),
    ("# A\n\nBefore starting, free the port:\n\n```yaml\nport: 9000\n```\n", "9000", frames.LIVE),
    ("# A\n\n```yaml\nport: 4001  # Changed from 4000\n```\n", "4001", frames.TROUBLESHOOTING),
    ("# A\n\n```yaml\nhealthcheck:\n  test: curl -f http://localhost:4000/health\n```\n", "4000", frames.CONTAINER),
    ("# Changelog\n\nPort 4001 was the default.\n", "4001", frames.HISTORY),
    ("# A\n\nOn a different port: http://127.0.0.1:4100\n", "4100", frames.CHOICE),
    ("# A\n\nThe gateway: http://127.0.0.1:4000\n", "4000", frames.LIVE),
])
def test_frame_at_reads_the_evidence_of_the_table(text, needle, kind):
    host = decode_host(text.encode(), "docs/a.md", "markdown")
    ctx = context()
    src = next(s for s in sources_of(host) if needle in s.text)
    frame = cm.frame_at(src, ctx, src.text.index(needle))
    assert frame.kind == kind, frame
    assert frame.quoted == (kind in frames.QUOTED) and frame.live == (kind == frames.LIVE)
