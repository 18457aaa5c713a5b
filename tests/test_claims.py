"""FG101 judgement: claims read in context (subject in the previous sentence or line, inline-code names,
imperatives) in English and Chinese, and the true statements and mentions that must stay unflagged."""

from __future__ import annotations

import pytest

from rulekit import lint_text

STALE = [
 "`Claude Code` cannot connect to `the gateway` directly.",
 "Conclusion: Claude Code cannot point at it. An extra Anthropic-compatible adapter layer is required.",
 "The gateway exposes /v1/chat/completions.\n\nConclusion: Claude Code cannot point at it.",
 "First add an Anthropic-compatible adapter in front of the gateway.",
 "Claude Code cannot connect to the gateway directly, so use Codex.",
 "Claude Code needs a separate Anthropic-compatible adapter in front of LiteLLM.",
 "Only Codex clients are supported for now.",
 "| Claude Code | Claude Code is not supported by the gateway |",
 "| client | status |\n|---|---|\n| Claude Code | needs an adapter |",
 "If you use Claude Code, first add an Anthropic-compatible adapter in front of the gateway.",
 "You can't point Claude Code at LiteLLM directly.",
 "Claude Code cannot connect to LiteLLM directly because LiteLLM only speaks the OpenAI format.",
 "> [!NOTE]\n> Claude Code cannot connect to the gateway directly.",
 "LiteLLM does not support the Anthropic Messages API.",
 "Claude Code:\n\n- cannot talk to the gateway directly",
 "Claude Code 不能直接接入网关，需要额外的适配层。",
 "结论：Claude Code 不能直接指向它。需要额外的 Anthropic 兼容适配层。",
 "先在网关前面加一层 Anthropic 兼容适配器。",
 "`Claude Code` 不能直接连接 `网关`。",
 "目前仅支持 Codex 客户端。",
 "Claude Code cannot connect to http://127.0.0.1:4000 directly.",
 "Claude Code is not supported yet.",
 "Claude Code requires a translation layer.",
 "To use Claude Code, run a translation proxy in front of the gateway.",
 "Claude Code 2.x cannot use the gateway directly.",
 "网关暂不支持 Claude Code。",
 "Even so, Claude Code still needs a LiteLLM proxy in front of the gateway to translate the requests.",
]

TRUE_OR_MENTION = [
 "| `frequency_penalty` | - | Claude 暂不支持，需在适配器中丢弃或模拟。 |",
 "**重要**：Codex只支持Openai-Response标准",
 "- `/openai/` - 使用Codex账号（只支持Openai-Response格式）",
 "Claude 3 cannot use tools through this route.",
 "Older releases needed a LiteLLM proxy in front of the gateway to translate the requests.",
 "Claude Code cannot talk to a plain OpenAI /v1/chat/completions endpoint without a translating gateway.",
 "The old docs said Claude Code cannot connect to the gateway directly.",
 "Claude Code connects directly: set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`.",
 "Claude Code no longer needs a separate adapter: the gateway serves `/v1/messages`.",
 'Run `echo "Claude Code cannot connect directly"` to see the old message.',
 "> Old README: Claude Code cannot connect to the gateway directly.",
 "Docs used to say \"Claude Code cannot connect to the gateway directly\"; it can.",
 "If Claude Code cannot connect to the gateway, check the port.",
 "Claude Code cannot connect to the gateway when the gateway is down.",
 "Why does Claude Code need an adapter?",
 "Codex cannot connect to the gateway directly.",
 "Claude Code needs no adapter.",
 "Claude Code cannot use Opus directly; map it with ANTHROPIC_DEFAULT_OPUS_MODEL.",
 "Claude Code cannot connect to Ollama directly.",
 "Claude Code's image input is not supported.",
 "If the port is wrong, Claude Code cannot connect to the gateway.",
 "Claude Code connects to the gateway directly. Codex needs wire_api = responses.",
 "Claude Code does not work out of the box: set ANTHROPIC_BASE_URL first.",
 "Claude Code talks to the gateway directly; no adapter is needed.",
 "Without a gateway, Claude Code cannot use an OpenAI-compatible backend.",
 "Claude Code 现在可以直接接入网关，不再需要适配层。",
 "Claude Code 无法直接使用只提供 OpenAI 兼容接口的服务，需要网关转换。",
 "如果 Claude Code 无法连接网关，请检查端口。",
 "Claude Code cannot connect through a corporate proxy unless HTTPS_PROXY is set.",
 "Use the bridge network to reach the gateway from Docker.",
 "Put nginx in front of the gateway for TLS.",
 "Streaming is not supported yet.",
 "The gateway does not support Claude models.",
 "Claude Code does not use /v1/chat/completions.",
 "Aider needs an adapter for the gateway.",
 "Claude Code cannot connect before the gateway is started.",
]


@pytest.mark.parametrize("text", STALE)
def test_stale_claim_is_reported(text):
    assert [f for f in lint_text(text + "\n", "doc.md", ["FG101"]) if f.code == "FG101"], text


@pytest.mark.parametrize("text", TRUE_OR_MENTION)
def test_true_statement_or_mention_is_not_reported(text):
    assert [f for f in lint_text(text + "\n", "doc.md", ["FG101"]) if f.code == "FG101"] == [], text


def test_subject_from_the_previous_sentence_only_when_the_claim_has_none():
    text = "Codex speaks the Responses API. An extra adapter layer is required.\n"
    assert lint_text(text, "doc.md", ["FG101"]) == []
    text = "Claude Code speaks the Messages API. An extra adapter layer is required.\n"
    assert len(lint_text(text, "doc.md", ["FG101"])) == 1


def test_history_file_and_quote_are_mentions():
    claim = "Claude Code cannot connect to the gateway directly.\n"
    assert lint_text(claim, "CHANGELOG.md", ["FG101"]) == []
    assert lint_text("> " + claim, "doc.md", ["FG101"]) == []
    assert len(lint_text("> **Note:** " + claim, "doc.md", ["FG101"])) == 1  # a callout is not a quotation
