"""The values the judgement returns (targets, URLs, sections, local configs, blocks, mentions), and the
run's and a file's caches of them (kept on the run's context, keyed by the HostFile object)."""

from typing import Any, NamedTuple


# ---------------------------------------------------------------------------- values

GATEWAY = "gateway"
SERVICE = "service"
UPSTREAM = "upstream"
LOCAL = "local"
UNKNOWN = "unknown"
CERTAIN = "certain"
PROBABLE = "probable"


class Target(NamedTuple):
    kind: str
    certainty: str
    service: str | None
    reason: str
    expected_port: int | None = None
    local: bool = False
    host_class: str = ""
    quoted: bool = False  # history, or presented as old or wrong: report nothing about it

    @property
    def is_gateway(self) -> bool:
        return self.kind == GATEWAY

    @property
    def certain(self) -> bool:
        return self.kind == GATEWAY and self.certainty == CERTAIN


class Url(NamedTuple):
    scheme: str  # "http", "https", "" for a bare host:port
    host: str  # as written ("[::1]" keeps its brackets)
    port: int | None
    path: str  # "" when none
    start: int  # span of the whole reference in the scanned text
    end: int
    host_start: int
    host_end: int
    port_start: int  # -1 when there is no port
    port_end: int


class LocalConfig(NamedTuple):
    kind: str
    port: int | None
    models: tuple[str, ...] | None
    line: int


class Section(NamedTuple):
    title: str
    level: int
    start_line: int
    end_line: int
    chain: tuple[str, ...]
    history: bool
    provider_guide: bool
    describes: str | None
    local: LocalConfig | None


class Block(NamedTuple):
    names_file: str | None
    elided: bool
    complete: bool
    repo_config: bool
    local: LocalConfig | None


class Mention(NamedTuple):
    name: str
    kind: str  # "declared", "gateway", "other"
    start: int
    end: int



def _run_cache(ctx: Any) -> dict:
    return ctx.__dict__.setdefault("_flowgate_context_model", {})


def _main_markdown(src: Any) -> Any:
    if src.kind == "markdown" and not src.embedded:
        return src
    if src.host.kind == "markdown":
        return src.host.whole()
    from flowgate_lint.documents.source import Source

    return Source(src.host, "markdown", src.host.text)


def _file_cache(src: Any, ctx: Any) -> dict:
    entry = ctx.__dict__.get("_flowgate_context_file")  # asked for on every judgement: no detour via _run_cache
    if entry is None or entry[0] is not src.host:
        entry = ctx.__dict__["_flowgate_context_file"] = (src.host, {})
    return entry[1]
