"""YAML: parsed once by ruamel.yaml, leaves located from its node marks."""

from typing import Any, NamedTuple

from flowgate_lint.documents.leaves import Leaf, ParseError
from flowgate_lint.plumbing.lazyre import lazy


# ----------------------------------------------------------------------- YAML


def _yaml_error(exc: BaseException) -> ParseError:
    """The ParseError for a document ruamel cannot compose."""
    from ruamel.yaml.error import MarkedYAMLError

    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return ParseError(f"invalid YAML: {problem}", mark.index if mark is not None else 0)
    if isinstance(exc, RecursionError):
        return ParseError("invalid YAML: nesting too deep", 0)
    first = str(exc).strip().splitlines()
    return ParseError(f"invalid YAML: {first[0] if first else type(exc).__name__}", 0)


_YAML_INT = lazy(r"[-+]?(0|[1-9][0-9_]*)$")


def _yaml_scalar(node: Any) -> Any:
    tag = node.tag or ""
    value = node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if tag.endswith(":int") and _YAML_INT.match(value):
        return int(value.replace("_", ""))
    if tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on")
    if tag.endswith(":null"):
        return None
    if tag.endswith(":float"):
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


def _yaml_walker(leaves: list[Leaf]) -> Any:
    """A function that appends the scalars of a composed document (nodes with marks) to ``leaves``."""
    seen: dict[int, Any] = {}  # id -> the node, held so that a later document's nodes cannot take its id

    def walk(node: Any, path: tuple, key: Any = None) -> None:
        if id(node) in seen:  # aliases point at nodes already visited
            return
        seen[id(node)] = node
        kind = type(node).__name__
        if kind == "ScalarNode":
            ks = key.start_mark.index if key is not None else -1
            ke = key.end_mark.index if key is not None else -1
            leaves.append(Leaf(path, _yaml_scalar(node), node.start_mark.index, node.end_mark.index, ks, ke))
        elif kind == "MappingNode":
            for k, v in node.value:
                name = _yaml_scalar(k) if type(k).__name__ == "ScalarNode" else "?"
                walk(v, path + (str(name) if not isinstance(name, str) else name,), k)
        elif kind == "SequenceNode":
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    return walk


class _Yaml(NamedTuple):
    leaves: list[Leaf] | ParseError  # the error: a document too deeply nested to walk
    data: Any  # the constructed value (one document) or list of them (any other number)
    constructed: bool  # False: a document composes but does not construct (duplicate keys, bad tags...)


def _yaml_parse(text: str) -> _Yaml:
    """The scalars with their spans and the data of a YAML stream: in one pass where this ruamel.yaml has the
    loader steps that pass is built from, else through its public API in two (``_yaml_parse_public``)."""
    try:
        from ruamel.yaml.docinfo import DocInfo, version
    except ImportError:  # ruamel.yaml before 0.18.7 (the dependency allows 0.18)
        return _yaml_parse_public(text)
    return _yaml_parse_one_pass(text, DocInfo, version)


def _yaml_parse_public(text: str) -> _Yaml:
    """``_yaml_parse`` with ruamel's public API: compose every document for the scalars, then load them."""
    from ruamel.yaml import YAML

    try:
        nodes = [n for n in YAML(typ="rt").compose_all(text) if n is not None]
    except Exception as exc:  # noqa: BLE001 - MarkedYAMLError, RecursionError and assorted others
        raise _yaml_error(exc) from None
    leaves: list[Leaf] = []
    walk = _yaml_walker(leaves)
    try:
        for node in nodes:
            walk(node, ())
        walked: list[Leaf] | ParseError = leaves
    except RecursionError:
        walked = ParseError("nesting too deep to parse", 0)
    try:
        docs, constructed = list(YAML(typ="rt").load_all(text)), True
    except Exception:  # noqa: BLE001 - it composes but does not construct (duplicate keys, bad tags...)
        docs, constructed = [], False
    return _Yaml(walked, docs[0] if len(docs) == 1 else docs, constructed)


def _yaml_parse_one_pass(text: str, DocInfo: Any, version: Any) -> _Yaml:  # noqa: N803 - ruamel's classes
    """One pass of ruamel's round-trip loader, in the order ``YAML.load_all`` runs it: each document is composed,
    its scalars are read off the nodes (before construction, which rewrites merge keys in place), then it is
    constructed. A stream that does not compose raises ParseError; one that does but does not construct only
    has no data. ``tests/test_yaml_parse.py`` holds it to ``_yaml_parse_public``."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    leaves: list[Leaf] = []
    walk = _yaml_walker(leaves)
    docs: list[Any] = []
    constructed = walked = True
    yaml.doc_infos.append(DocInfo(requested_version=version(yaml.version)))
    yaml.tags = {}
    try:
        constructor, parser = yaml.get_constructor_parser(text)
        try:
            while constructor.composer.check_node():
                node = constructor.composer.get_node()
                if node is not None and walked:
                    try:
                        walk(node, ())
                    except RecursionError:
                        walked = False
                if constructed:
                    try:
                        docs.append(constructor.construct_document(node))
                    except Exception:  # noqa: BLE001 - ruamel raises assorted errors on odd input
                        constructed = False
                yaml.doc_infos.append(DocInfo(requested_version=version(yaml.version)))
        finally:
            parser.dispose()
            for comp in ("reader", "scanner"):
                try:
                    getattr(getattr(yaml, "_" + comp), f"reset_{comp}")()
                except AttributeError:
                    pass
    except Exception as exc:  # noqa: BLE001 - MarkedYAMLError, RecursionError and assorted others
        raise _yaml_error(exc) from None
    return _Yaml(leaves if walked else ParseError("nesting too deep to parse", 0), docs[0] if len(docs) == 1 else docs,
                 constructed)


def _yaml_data(text: str, parsed: _Yaml) -> Any:
    if not parsed.constructed:
        raise ParseError("invalid YAML", 0)
    return parsed.data
