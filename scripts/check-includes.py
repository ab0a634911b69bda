#!/usr/bin/env python3
"""Checks every project #include in src/, include/, app/ and examples/ against the layering
table of ../shared/DESIGN.md: a lower layer never includes a higher one.

Usage: scripts/check-includes.py [REPO_ROOT]
Prints one line per violation (file:line: the include, and the rule it breaks) and exits 1 if
there is any, 0 otherwise.
"""
import os
import re
import sys

# Who may include whom. Keys and values are layer names: a src/ module, "handlers/<name>"
# (matched by the "handlers/*" row), "handlers/common", "public" (include/teapot/), "app",
# "examples". A layer may always include its own headers.
ALLOWED = {
    "base": set(),
    "http": {"base"},
    "h1": {"http", "base"},
    # TLS sits beside h1: a sans-IO transport layer under the server, over OpenSSL.
    "tls": {"http", "base"},
    "h2": {"http", "base"},
    # The WebSocket codec (RFC 6455, RFC 7692) is a transport like h1.
    "ws": {"http", "base"},
    "io": {"base"},
    "server": {"io", "h1", "h2", "ws", "tls", "http", "base", "public"},
    "handlers/*": {"public", "http", "base", "handlers/common"},
    "handlers/common": {"public", "http", "base"},
    # A handler's factory header is public (include/teapot/handlers/): config wires handlers
    # into the pipeline through it and sees nothing of their insides.
    "config": {"public", "base", "http"},
    # http for `teapot explain`, which prints the status table's descriptions; tls for
    # `teapot cert`, which makes a development certificate.
    "app": {"public", "config", "http", "tls"},
    "public": set(),
    "examples": {"public"},
}

# The public vocabulary types (status, method, headers) are declared in include/teapot/http/
# and implemented by src/http; the codecs below the server speak them too. The codec enforces
# the public limits, whose defaults are written once, in teapot/limits.h.
VOCABULARY = {
    "http": ("teapot/http/",),
    "h1": ("teapot/http/", "teapot/request.h", "teapot/limits.h"),
    "h2": ("teapot/http/", "teapot/request.h", "teapot/limits.h"),
    "ws": ("teapot/http/", "teapot/request.h", "teapot/limits.h"),
}

MODULES = ("base", "http", "h1", "h2", "ws", "tls", "io", "server", "handlers", "config")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXTS = (".h", ".hpp", ".cpp", ".cc", ".inc")


def layer_of_file(rel):
    """The layer a repository file belongs to, or None when no rule covers it."""
    parts = rel.split("/")
    if parts[0] == "include" and len(parts) > 1 and parts[1] == "teapot":
        return "public"
    if parts[0] in ("app", "examples"):
        return parts[0]
    if parts[0] == "src" and len(parts) > 2:
        if parts[1] == "handlers" and len(parts) > 3:
            return "handlers/" + parts[2]
        return parts[1]
    return None


def layer_of_include(path):
    """The layer an include path names ("io/event_loop.h" -> "io"), None for system headers."""
    parts = path.split("/")
    if len(parts) < 2:
        return None
    if parts[0] == "teapot":
        return "public"
    if parts[0] == "handlers":
        return "handlers/" + parts[1] if len(parts) > 2 else "handlers"
    if parts[0] in MODULES:
        return parts[0]
    return None


def rule_for(layer):
    if layer in ALLOWED:
        return ALLOWED[layer]
    if layer.startswith("handlers/"):
        return ALLOWED["handlers/*"]
    return None


def check_include(src_layer, path, target):
    """None when allowed, else the broken rule as a sentence."""
    if target == src_layer:
        return None
    allowed = rule_for(src_layer) if src_layer else None
    if allowed is None:
        return f"{src_layer or 'this file'} is not in the layering table (add it to ALLOWED)"
    if any(path.startswith(prefix) for prefix in VOCABULARY.get(src_layer, ())):
        return None
    if target in allowed:
        return None
    if not allowed:
        return f"{src_layer} may include no other layer; not {target}"
    return f"{src_layer} may include only {', '.join(sorted(allowed))}; not {target}"


def resolve_quoted(root, rel, path):
    """An include relative to the including file ("foo.h", "../x/y.h") as a repo path."""
    candidate = os.path.normpath(os.path.join(os.path.dirname(rel), path))
    if os.path.exists(os.path.join(root, candidate)):
        return candidate
    return None


def check_file(root, rel):
    src_layer = layer_of_file(rel)
    violations = []
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            quote, path = m.groups()
            target = layer_of_include(path)
            if target is None and quote == '"':
                local = resolve_quoted(root, rel, path)
                if local is None:
                    violations.append((rel, number, path, "cannot tell which layer this is"))
                    continue
                target = layer_of_file(local)
                if target is None:
                    violations.append((rel, number, path, "includes a file outside the layers"))
                    continue
            if target is None:
                continue  # a system or third-party header
            why = check_include(src_layer, path, target)
            if why:
                violations.append((rel, number, path, why))
    return violations


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    violations = []
    checked = 0
    for top in ("src", "include", "app", "examples"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(SOURCE_EXTS):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                checked += 1
                violations += check_file(root, rel)
    for rel, number, path, why in violations:
        print(f'{rel}:{number}: #include "{path}": {why}')
    print(f"check-includes: {checked} files, {len(violations)} violation(s)", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
