"""The judgement: what a value in a doc, script or config refers to.

A careful maintainer does not read ``http://localhost:1455`` as "the gateway on the wrong port":
they look at the key it is assigned to, the path, the host and the section around it. Rules ask
this module instead of each deciding alone. Everything here is pure (text and spec in, immutable
values out); per-file results are cached on the run's ``lint.engine.Context`` (single entry, keyed by
the HostFile object, so a fixer's re-lint of edited text recomputes them).

API (stable; rules import these names):

``judge(src, ctx, start, end, key=None) -> Target``
    What the URL or ``host:port`` at ``src.text[start:end]`` targets. ``key`` names the variable or
    config key the value is assigned to when the caller knows it (``ANTHROPIC_BASE_URL``,
    ``base_url``, ``api_base``...); otherwise it is looked up (env-style assignments, structured
    leaves, ``codex -c`` flags). Four signals decide, in this order: the host (loopback aliases
    ``localhost``/``127.x``/``::1``/``[::1]``, ``0.0.0.0``, the spec's host, or a remote host), the
    enclosing section (its own gateway config, a provider guide, a section about another service,
    history), the service the line names right next to the value, and the client signals (a client
    base-URL key, a client API path).

``Target`` (NamedTuple)
    ``kind``: ``GATEWAY`` (this gateway), ``SERVICE`` (another declared service: ``service`` names
    it), ``UPSTREAM`` (a remote host: a provider or a remote gateway; ``service`` is the host),
    ``LOCAL`` (another local service: OAuth callback, MCP server, Ollama...; ``service`` labels it),
    ``UNKNOWN`` (a loopback URL with no signal: nobody can say). ``certainty``: ``CERTAIN`` or
    ``PROBABLE`` (meaningful for ``GATEWAY``: a fix is safe only when certain). ``reason``: one
    phrase, for messages and ``--verbose``. ``expected_port``: the port the target should use in
    this context (the section's own config, else the spec; None when unknown). ``local``: True when
    judged against a section's own config. ``host_class``: see ``host_class``. Properties
    ``is_gateway`` and ``certain``.

``parse_url(text) -> Url | None``, ``find_urls(text) -> list[Url]``
    URLs (``http(s)://host[:port][/path]``) and bare loopback ``host:port`` references, with spans.

``host_class(host, spec) -> str``
    ``"loopback"``, ``"any"`` (``0.0.0.0``/``::``, a bind address), ``"spec"`` (the spec's own
    non-loopback host), ``"remote"``; ``""`` for no host.

``CLIENT_KEYS``, ``client_key(name) -> str | None``
    Client base-URL keys: ``ANTHROPIC_BASE_URL`` -> "claude", ``OPENAI_BASE_URL`` /
    ``openai_base_url`` / Codex ``base_url`` -> "codex".

``CLIENT_PATHS``, ``is_client_path(path) -> bool``
    The client API paths (``/v1/models``, ``/v1/messages``, ``/v1/messages/count_tokens``,
    ``/v1/chat/completions``, ``/v1/responses``, and the same under a route prefix).

``section_at(src, ctx, offset) -> Section``, ``sections(src, ctx) -> tuple[Section, ...]``
    The innermost section around ``src.text[offset]`` (Markdown heading sections; a non-Markdown
    file is one section). ``Section`` fields: ``title``, ``level`` (0 = whole file), ``start_line``,
    ``end_line`` (host lines, inclusive), ``chain`` (titles outermost first), ``history`` (a history
    file, or under a Changelog/History heading), ``provider_guide`` (a provider-switching or "add a
    provider" guide), ``describes`` (name of another service the section is about, or None),
    ``local`` (``LocalConfig`` the section brings, or None).

``LocalConfig`` (NamedTuple)
    A gateway config a section brings itself (pattern "self-contained example"): ``kind``
    (``"litellm"``, ``"flowgate"``, ``"cliproxyapi"``, ``"command"``), ``port`` (None: not stated),
    ``models`` (``model_list`` names, None: not stated), ``line`` (host line of its fence).

``block_facts(fence_src, ctx) -> Block``
    For a fenced block's Source: ``names_file`` (the file the doc presents the block as, from the
    fence info, a first-line comment or the sentence before it; None), ``elided`` (holds ``...``
    or ``…`` lines), ``complete`` (presented as a whole file the user copies: names a file and is
    not elided), ``repo_config`` (presented as the repository's own gateway config: it names that
    file, or has the real config's top-level structure), ``local`` (the ``LocalConfig`` it is, if
    any).

``is_history(path, ctx) -> bool``
    Whether a root-relative path is a history file (settings ``history`` / ``extend-history``;
    defaults ``HISTORY_DEFAULT``). The engine skips rules with ``skip_history = True`` there.

``service_near(text, start, end, ctx) -> Mention | None``
    The service named right next to ``text[start:end]`` ("LiteLLM: http://...", "CLIProxyAPIPlus on
    port 5000", "port 8317 (CLIProxyAPIPlus)"): a declared service, the gateway's generic names
    ("gateway", "proxy", "网关"), or a well-known other local service (Ollama, MCP, OAuth callback).
    ``Mention``: ``name`` (declared service name, ``"gateway"`` or the other service's label),
    ``kind`` (``"declared"``, ``"gateway"``, ``"other"``), ``start``/``end`` in ``text``.

``declared(ctx) -> tuple[spec.Service, ...]``, ``service_by_port(ctx, port)``,
``service_by_name(ctx, name)``, ``upstream_ports(ctx)``
    The declared services, lookups, and the ports the gateway itself forwards to (``api_base``
    of its ``model_list``).

``prose_pieces(src) -> Iterator[(text, to_host | None)]``
    What to read as prose in a source: a Markdown file's prose segments plus its untagged,
    ``text``-like and client-code fences (``PROSE_FENCES``) and indented code blocks (diagrams,
    console transcripts; a unified diff's removed lines blanked); else the whole source.

``frame_at(src, ctx, offset) -> Frame``
    What the value at ``offset`` is about (``frames.TABLE``): ``LIVE`` (checked against the spec),
    ``EXAMPLE`` (its section's own config), ``CHOICE``, or quoted on purpose (``HISTORY``, ``COUNTER``,
    ``MIGRATION``, ``TROUBLESHOOTING``, ``CONTAINER``). ``Frame.kind``, ``.evidence``, ``.live``, ``.quoted``.

``counter_example(src, ctx, offset) -> bool``, ``PAST_OR_WRONG``, ``client_arrow(before)``,
``gateway_label(spec)``
    A fenced block the sentence before presents as what not to do; the regex of lines that quote
    a value as old or wrong; "<client> → [hop]" right before an address (the hop's name, "" or
    None); "the gateway (litellm)" naming the service only when a gateway config says which.

Modules: values (the values returned, and their caches), urls (URLs, hosts, client keys and paths),
services (declared services and the names next to a value), sections (history, headings, the section
around an offset), blocks (configs a block brings itself; what is prose), judge (the judgement),
clientmodels (the models a client names). This package re-exports their API.

May import: documents, spec, plumbing.
"""

from flowgate_lint.judgement.values import (  # noqa: F401
    GATEWAY,
    SERVICE,
    UPSTREAM,
    LOCAL,
    UNKNOWN,
    CERTAIN,
    PROBABLE,
    Target,
    Url,
    LocalConfig,
    Section,
    Block,
    Mention,
)
from flowgate_lint.judgement.urls import (  # noqa: F401
    find_urls,
    parse_url,
    is_loopback,
    host_class,
    CLIENT_KEYS,
    UPSTREAM_KEYS,
    OTHER_KEYS,
    client_key,
    CLIENT_PATHS,
    is_client_path,
    OTHER_SERVICES,
    API_SERVICES,
    OTHER_PORTS,
    GATEWAY_WORDS,
)
from flowgate_lint.judgement.services import (  # noqa: F401
    declared,
    service_by_port,
    service_by_name,
    _name_regex,
    client_arrow,
    mentions,
    service_near,
    upstream_ports,
    real_config,
)
from flowgate_lint.judgement.sections import (  # noqa: F401
    HISTORY_DEFAULT,
    HISTORY_HEADINGS,
    history_globs,
    is_history,
    sections,
    section_at,
)
from flowgate_lint.judgement.blocks import (  # noqa: F401
    FILE_NAME,
    ILLUSTRATIVE,
    model_names,
    names_spec,
    block_facts,
    PROSE_FENCES,
    prose_pieces,
    prose_urls,
)
from flowgate_lint.judgement.frames import (  # noqa: F401
    Frame,
    frame_at,
    PAST_OR_WRONG,
    block_intro,
    counter_example,
)
from flowgate_lint.judgement.judge import (  # noqa: F401
    key_at,
    similar_port,
    judge,
    gateway_label,
    _line_of,
)
from flowgate_lint.judgement.clientmodels import (  # noqa: F401
    NATIVE_MODEL_ID,
    client_models,
    own_example,
)
