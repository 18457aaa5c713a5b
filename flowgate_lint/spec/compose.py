"""docker compose files: the host port a gateway's container is published on.

A service running a known gateway image (LiteLLM, CLIProxyAPI, claude-code-router, Arch/Plano) with ``ports:
["24040:4000"]`` is reached by clients on the host port (24040); inside the container (a healthcheck, ``docker
exec``) it listens on the container port (4000). Compose is a modifier: with a gateway config whose port is the
mapping's container port, the spec's port becomes the host port and the container port is kept as
``Gateway.container_port``; a compose file alone gives a spec of its own (kind ``compose``).

Port syntax (compose specification): ``"HOST:CONTAINER"``, ``"IP:HOST:CONTAINER"``, ``"CONTAINER"`` (published on a
random host port: no client port), ``/tcp`` suffixes, ``${VAR:-default}`` interpolation (the default is used), and
the long form ``{target, published, host_ip}``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from flowgate_lint.spec.model import BIND_ALL, DEFAULT_HOST, Located
from flowgate_lint.spec.settings import display
from flowgate_lint.spec.yamlnodes import _expect_mapping, _item_line, _key_line, _plain

KIND = "compose"
MARKERS = (b"services",)

# gateway config kind -> (what its image or service is called, the port its image listens on, the spec's service name)
GATEWAY_IMAGES: dict[str, tuple[re.Pattern[str], int, str]] = {
    "litellm": (re.compile(r"litellm", re.I), 4000, "litellm"),
    "cliproxyapi": (re.compile(r"cli-?proxy-?api", re.I), 8317, "cli-proxy-api"),
    "claude-code-router": (re.compile(r"claude-code-router|(?:^|/)ccr(?:[:@]|$)", re.I), 3456, "claude-code-router"),
    "arch": (re.compile(r"archgw|(?:^|/)plano(?:[:@]|$)", re.I), 12000, "archgw"),
}
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


class Mapping(NamedTuple):
    kind: str  # the gateway kind the service runs
    service: str  # the compose service's name
    host: str  # the address clients use (the published IP, else the loopback)
    host_port: int
    container_port: int
    line: int | None
    note: str = ""  # how the host port was read (an interpolation default)


def is_compose(data: Any) -> bool:
    if not isinstance(data, dict) or any(k in data for k in ("integration", "config_version", "litellm_base")):
        return False
    services = data.get("services")
    return isinstance(services, dict) and any(isinstance(s, dict) and ("image" in s or "build" in s)
                                              for s in services.values())


def gateway_mappings(data: Any) -> list[Mapping]:
    """Every published port of every service that runs a known gateway (in file order)."""
    out: list[Mapping] = []
    services = data.get("services") if isinstance(data, dict) else None
    for name, svc in (services.items() if isinstance(services, dict) else ()):
        if not isinstance(svc, dict):
            continue
        kind = _kind_of(str(name), svc)
        ports = svc.get("ports")
        if kind is None or not isinstance(ports, list):
            continue
        for i, entry in enumerate(ports):
            parsed = _parse(entry)
            if parsed is not None:
                host, host_port, container_port, note = parsed
                out.append(Mapping(kind, str(name), host, host_port, container_port, _item_line(ports, i), note))
    return out


def pick(mappings: list[Mapping], kind: str, container_port: int) -> Mapping | None:
    """The mapping that publishes the ``kind`` gateway's ``container_port``."""
    return next((m for m in mappings if m.kind == kind and m.container_port == container_port), None)


def read_compose(path: Path, data: Any, notes: list[str]) -> tuple[dict[str, Located], dict, Located | None, str]:
    """A spec from a compose file alone: the first gateway service's published port."""
    from flowgate_lint.plumbing.errors import SpecError

    shown = display(path)
    data = _expect_mapping(data, "the compose file", shown, 1)
    mappings = gateway_mappings(data)
    chosen = None
    for m in mappings:
        same = [n for n in mappings if n.service == m.service]
        default = GATEWAY_IMAGES[m.kind][1]
        chosen = next((n for n in same if n.container_port == default), same[0] if len(same) == 1 else None)
        if chosen is not None:
            break
    if chosen is None:
        raise SpecError("no service of a known gateway image (litellm, cli-proxy-api, claude-code-router, "
                        "archgw/plano) publishes its port", shown, _key_line(data, "services"))
    service = GATEWAY_IMAGES[chosen.kind][2]
    fields = {"gateway-service": Located(service, shown, chosen.line),
              "container-port": Located(chosen.container_port, shown, chosen.line)}
    services = {service: (Located(service, shown, chosen.line), Located(chosen.host, shown, chosen.line),
                          Located(chosen.host_port, shown, chosen.line))}
    notes.append(describe(chosen, shown))
    return fields, services, None, KIND


def describe(m: Mapping, shown: str) -> str:
    return (f"gateway port: {m.host_port}, the host port {shown}:{m.line} publishes service '{m.service}' on"
            f"{m.note} (inside the container it listens on {m.container_port})")


def _kind_of(name: str, svc: dict) -> str | None:
    image = _plain(svc.get("image"))
    texts = [image] if isinstance(image, str) and image.strip() else []
    texts += [name, str(_plain(svc.get("container_name")) or "")]
    for text in texts:
        for kind, (pattern, _, _) in GATEWAY_IMAGES.items():
            if pattern.search(_interpolate(text)[0]):
                return kind
    return None


def _interpolate(text: str) -> tuple[str, bool]:
    """``${VAR:-default}`` -> default; whether a variable without a default was left (then the value is unknown)."""
    unknown = False

    def sub(m: re.Match[str]) -> str:
        nonlocal unknown
        if m.group(2) is None:
            unknown = True
            return ""
        return m.group(2)

    return _VAR.sub(sub, text), unknown


def _parse(entry: Any) -> tuple[str, int, int, str] | None:
    """(client host, host port, container port, note) of one ``ports`` entry; None when no fixed host port."""
    entry = _plain(entry)
    host = ""
    note = ""
    if isinstance(entry, dict):
        target, published = _plain(entry.get("target")), _plain(entry.get("published"))
        host = str(_plain(entry.get("host_ip")) or "")
        if _plain(entry.get("protocol")) == "udp":
            return None
        parts = [str(published) if published is not None else "", str(target) if target is not None else ""]
    elif isinstance(entry, str):
        text = entry.strip()
        if "${" in text:
            text, unknown = _interpolate(text)
            if unknown:
                return None
            note = " (the default of its ${...} variable)"
        if text.endswith("/udp"):
            return None
        text = text.removesuffix("/tcp")
        parts = text.rsplit(":", 2)
        if len(parts) == 3:
            host, parts = parts[0], parts[1:]
        if len(parts) != 2:
            return None  # "4000": published on a random host port
    else:
        return None  # an integer: the container port only
    if not all(p.strip().isdigit() for p in parts):
        return None  # a range or an unset variable
    host_port, container_port = int(parts[0]), int(parts[1])
    if not (1 <= host_port <= 65535 and 1 <= container_port <= 65535):
        return None
    host = host.strip().strip("[]") if host.strip() not in ("[::]",) else ""
    return (DEFAULT_HOST if host in BIND_ALL else host), host_port, container_port, note
