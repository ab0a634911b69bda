"""The man pages are written by hand and checked against what they describe, so that neither
drifts from its source: man/teapot.1 against the --help of every command (each option an entry
under its command, with the argument and the default that --help prints), man/teapot.toml.5
against docs/config.md (each key an entry under its table, with the values its type and default
name, and no key that the docs do not have). Both pages must render with man(1) without a
warning."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO, run_cli

MAN_DIR = REPO / "man"
COMMAND_PAGE = MAN_DIR / "teapot.1"
CONFIG_PAGE = MAN_DIR / "teapot.toml.5"
CONFIG_DOC = REPO / "docs" / "config.md"

# -- reading roff ---------------------------------------------------------------------------

ROFF_ESCAPES = {
    r"\-": "-", r"\(dq": '"', r"\(aq": "'", r"\(em": "\u2014", r"\(en": "\u2013",
    r"\(->": "\u2192", r"\(bu": "\u2022", r"\(sc": "\u00a7", r"\e": "\\", r"\&": "", r"\|": "",
    r"\^": "", r"\~": " ", r"\ ": " ", r"\c": "",
}
FONT_ESCAPE = re.compile(r"\\f(?:\[[^\]]*\]|\([A-Z]{2}|[A-Z1-4P])")
# Macros whose arguments alternate between two fonts; the index of the bold ones.
ALTERNATING = {".BR": 0, ".BI": 0, ".RB": 1, ".IB": 1, ".IR": None, ".RI": None}
IGNORED_REQUESTS = {".PP", ".LP", ".P", ".RS", ".RE", ".PD", ".br", ".nf", ".fi", ".nh", ".hy",
                    ".ad", ".na", ".sp", ".in", ".TH"}


def unescape(text: str) -> str:
    text = FONT_ESCAPE.sub("", text)
    for escape, plain in ROFF_ESCAPES.items():
        text = text.replace(escape, plain)
    return text


def macro_arguments(rest: str) -> list[str]:
    """A macro's arguments: words, or "quoted strings" in which "" is one quote."""
    args, i = [], 0
    while i < len(rest):
        if rest[i] == " ":
            i += 1
        elif rest[i] == '"':
            j, arg = i + 1, ""
            while j < len(rest):
                if rest.startswith('""', j):
                    arg, j = arg + '"', j + 2
                elif rest[j] == '"':
                    break
                else:
                    arg, j = arg + rest[j], j + 1
            args.append(arg)
            i = j + 1
        else:
            j = rest.find(" ", i)
            j = len(rest) if j < 0 else j
            args.append(rest[i:j])
            i = j
    return args


def line_text(line: str) -> tuple[str, list[str]]:
    """The text a line of roff shows, and the words it sets in bold."""
    if not line.startswith((".", "'")):
        return unescape(line), []
    name, _, rest = line.partition(" ")
    args = macro_arguments(rest)
    if name == ".IP":  # an indented paragraph inside an entry: its tag is part of the body
        return unescape(args[0]) if args else "", []
    if name in (".B", ".I", ".SM", ".SB"):
        return unescape(" ".join(args)), [unescape(a) for a in args] if name == ".B" else []
    if name in ALTERNATING:
        first = ALTERNATING[name]
        bold = [] if first is None else [unescape(a) for a in args[first::2]]
        return unescape("".join(args)), bold
    return "", []


@dataclass
class Entry:
    """A tagged paragraph (.TP): its tag, the words of the tag in bold, its body."""

    tag: str
    bold: list[str]
    body: str = ""


@dataclass
class Subsection:
    title: str
    entries: list[Entry] = field(default_factory=list)
    text: str = ""


@dataclass
class Section:
    title: str
    subsections: list[Subsection] = field(default_factory=list)


def read_page(path: Path) -> list[Section]:
    """A man page as its sections (.SH), each with its subsections (.SS; the text before the
    first one is an untitled subsection) and their tagged paragraphs."""
    sections: list[Section] = []
    entry: Entry | None = None
    tag_next = False
    for line in path.read_text().splitlines():
        if line.startswith(('.\\"', "'\\\"")) or line.strip() == ".":
            continue
        name = line.split(" ", 1)[0]
        if name in (".SH", ".SS"):
            title = unescape(" ".join(macro_arguments(line[4:])))
            if name == ".SH":
                sections.append(Section(title, [Subsection("")]))
            else:
                assert sections, f"{path.name}: .SS {title} before any .SH"
                sections[-1].subsections.append(Subsection(title))
            entry = None
            continue
        if not sections:
            assert name in IGNORED_REQUESTS, f"{path.name}: {line!r} before any .SH"
            continue
        if name == ".TP":
            tag_next = True
            continue
        if name in (".PP", ".LP", ".P"):
            entry = None
        text, bold = line_text(line)
        if name == ".br":
            text = "\n"  # the SYNOPSIS's lines
        if tag_next:
            entry = Entry(text, bold)
            sections[-1].subsections[-1].entries.append(entry)
            tag_next = False
        elif entry is not None:
            entry.body += " " + text
        else:
            sections[-1].subsections[-1].text += " " + text
        assert name in IGNORED_REQUESTS or not line.startswith(".") or text or line == ".", (
            f"{path.name}: a request this test does not read: {line!r}"
        )
    return sections


def section(page: list[Section], title: str) -> Section:
    found = [s for s in page if s.title == title]
    assert len(found) == 1, f"expected one section {title}, found {[s.title for s in page]}"
    return found[0]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- reading --help -------------------------------------------------------------------------


@dataclass
class HelpOption:
    names: list[str]  # the long ones: ["--help"]
    argument: str  # "SIZE", "common|combined|json", "" for a flag
    default: str | None  # what "(default X)" or "(default: X)" says


def help_text(*command: str) -> str:
    p = run_cli(*command, "--help")
    assert p.returncode == 0, p.stderr
    return p.stdout.decode()


def help_block(text: str, heading: str) -> list[str]:
    """The lines under "Heading:" up to the next blank line."""
    lines = text.splitlines()
    if f"{heading}:" not in lines:
        return []
    start = lines.index(f"{heading}:") + 1
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return block


def help_options(text: str) -> list[HelpOption]:
    """The options of a help. CLI11 starts descriptions at one column (where that of --help
    starts), or on the next line after a tag that reaches it."""
    block = help_block(text, "Options")
    column = next(line.index("Print this help") for line in block if "--help" in line)
    options: list[HelpOption] = []
    for line in block:
        if line.strip().startswith("-"):  # a new option: "NAMES [ARG]", then its description
            same_line = line[column - 1] == " " if len(line) > column else False
            tag = line[:column].strip() if same_line else line.strip()
            description = line[column:] if same_line else ""
            names, _, argument = tag.partition(" ")
            options.append(HelpOption(
                [n for n in names.split(",") if n.startswith("--")],
                argument.removesuffix(" ...").strip(), None,
            ))
        else:  # the description of an option whose tag reached the column
            description = line
        m = re.search(r"\(default:? ([^)]*)\)$", description.strip())
        if m and options:
            options[-1].default = m.group(1)
    return options


def subcommands() -> list[str]:
    return [line.split()[0] for line in help_block(help_text(), "Subcommands")]


# -- reading docs/config.md -----------------------------------------------------------------


@dataclass
class DocKey:
    details: str  # the markdown of its type and default
    kinds: list[str] = field(default_factory=list)  # for `kind`: the kinds the docs list


def markdown_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def keys_with_details(cell: str) -> list[tuple[str, str]]:
    """`key` (details), `other` (details): the backticked names outside parentheses, each with
    the text of the parentheses that follow it."""
    out: list[tuple[str, str]] = []
    depth, i = 0, 0
    while i < len(cell):
        c = cell[i]
        if c == "`":
            j = cell.index("`", i + 1)
            if depth == 0:
                out.append((cell[i + 1 : j], ""))
            elif out:
                out[-1] = (out[-1][0], out[-1][1] + cell[i : j + 1])
            i = j + 1
            continue
        depth += c == "("
        depth -= c == ")"
        if depth > 0 and out and not (depth == 1 and c == "("):
            out[-1] = (out[-1][0], out[-1][1] + c)
        i += 1
    return out


def documented_keys() -> dict[str, dict[str, DocKey]]:
    """Table ("[server.limits]", "[[sites]]") -> key -> what the docs say of it. A heading names
    the tables its key tables describe; a key written `table.key` belongs to that one of them."""
    lines = CONFIG_DOC.read_text().splitlines()
    tables: dict[str, dict[str, DocKey]] = {}
    in_force: list[str] = []
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line
            in_force = re.findall(r"`(\[\[?[a-z_.]+\]\]?)`", line)
            for t in in_force:
                tables.setdefault(t, {})
            i += 1
            continue
        if not (line.startswith("|") and i + 1 < len(lines) and set(lines[i + 1]) <= set("|- ")):
            i += 1
            continue
        header = markdown_cells(line)
        rows = []
        i += 2
        while i < len(lines) and lines[i].startswith("|"):
            rows.append(markdown_cells(lines[i]))
            i += 1
        if header[0] == "key":
            assert in_force, f"docs/config.md: a key table under {heading!r}, which names no table"
            details = [header.index(h) for h in ("type", "default") if h in header]
            for row in rows:
                text = " ".join(row[d] for d in details)
                for key in re.findall(r"`([^`]+)`", row[0]):
                    table, name = owner(in_force, key, heading)
                    tables[table][name] = DocKey(text)
        elif header[:2] == ["kind", "keys"]:
            assert len(in_force) == 1, f"docs/config.md: a kind table under {heading!r}"
            found = tables[in_force[0]]
            kinds = [re.findall(r"`([^`]+)`", row[0])[0] for row in rows]
            found.setdefault("kind", DocKey("")).kinds.extend(kinds)
            for row in rows:
                for key, text in keys_with_details(row[1]):
                    found.setdefault(key, DocKey(""))
                    found[key].details += " " + text
    return tables


def owner(in_force: list[str], key: str, heading: str) -> tuple[str, str]:
    prefix, dot, rest = key.partition(".")
    for t in in_force:
        if dot and t.strip("[]") == prefix:
            return t, rest
    assert len(in_force) == 1, f"docs/config.md: {key!r} under {heading!r}: which table?"
    return in_force[0], key


def backticked(markdown: str) -> list[str]:
    return re.findall(r"`([^`]+)`", markdown)


# -- the man pages' structure ---------------------------------------------------------------

TABLE_TITLE = re.compile(r"^\[\[?[a-z_.]+\]\]?$")


def man_keys() -> dict[str, dict[str, Entry]]:
    """Table -> key -> its entry: the bold words of each tag under a subsection titled as a
    table ("[server.limits]")."""
    out: dict[str, dict[str, Entry]] = {}
    for sec in read_page(CONFIG_PAGE):
        for sub in sec.subsections:
            if not TABLE_TITLE.match(sub.title):
                continue
            assert sub.title not in out, f"teapot.toml.5: {sub.title} twice"
            keys = out.setdefault(sub.title, {})
            for entry in sub.entries:
                assert entry.bold, f"teapot.toml.5 {sub.title}: a tag without a key: {entry.tag}"
                for key in entry.bold:
                    assert key not in keys, f"teapot.toml.5 {sub.title}: {key} twice"
                    keys[key] = entry
    return out


def man_options() -> dict[str, dict[str, Entry]]:
    """Command ("" for the general options) -> long option -> its entry, from the OPTIONS
    subsections "General options" and "CMD options"."""
    out: dict[str, dict[str, Entry]] = {}
    for sub in section(read_page(COMMAND_PAGE), "OPTIONS").subsections:
        if not sub.title:
            assert not sub.entries, "teapot.1: options before OPTIONS' first subsection"
            continue
        m = re.fullmatch(r"(General|[a-z]+) options", sub.title)
        assert m, f"teapot.1: OPTIONS subsection {sub.title!r} is not 'General/CMD options'"
        command = "" if m.group(1) == "General" else m.group(1)
        for entry in sub.entries:
            names = re.findall(r"--[a-z][a-z0-9-]*", entry.tag)
            assert names, f"teapot.1 {sub.title}: an entry without a long option: {entry.tag}"
            for name in names:
                out.setdefault(command, {})[name] = entry
    return out


# -- teapot(1) ------------------------------------------------------------------------------


def test_teapot_1_has_an_entry_under_commands_for_each_subcommand_and_no_other():
    documented = [w for e in section(read_page(COMMAND_PAGE), "COMMANDS").subsections[0].entries
                  for w in e.bold]
    assert sorted(documented) == sorted(subcommands())


def test_every_option_a_help_prints_is_an_entry_of_teapot_1_with_its_argument_and_default():
    documented = man_options()
    general = {n for o in help_options(help_text()) for n in o.names}
    problems = []
    for command in ["", *subcommands()]:
        where = f"teapot {command} --help".replace("  ", " ")
        for option in help_options(help_text(*command.split())):
            for name in option.names:
                # An option every command has (--help) is documented once, as a general one.
                home = "" if name in general else command
                entry = documented.get(home, {}).get(name)
                if entry is None:
                    problems.append(f"{where} prints {name}, not an entry of "
                                    f"'{home or 'General'} options'")
                    continue
                if option.argument and option.argument not in entry.tag:
                    problems.append(f"{name}: the entry's tag {entry.tag!r} lacks "
                                    f"{option.argument!r} ({where})")
                wanted = rf"\(default:? {re.escape(option.default or '')}\)"
                if option.default and not re.search(wanted, squeeze(entry.body)):
                    problems.append(f"{name}: the entry does not say '(default "
                                    f"{option.default})': {squeeze(entry.body)}")
    assert not problems, "\n".join(problems)


def test_teapot_1_documents_no_option_that_the_help_does_not_print():
    printed = {"": {n for o in help_options(help_text()) for n in o.names}}
    for command in subcommands():
        printed[command] = {n for o in help_options(help_text(command)) for n in o.names}
    extra = [f"{c or 'General'}: {name}" for c, names in man_options().items() for name in names
             if name not in printed.get(c, set())]
    assert not extra, f"teapot.1 documents options that --help does not print: {extra}"


def test_teapot_1_synopsis_names_each_command_with_its_positionals():
    synopsis = section(read_page(COMMAND_PAGE), "SYNOPSIS").subsections[0].text
    for command in subcommands():
        usage = next(line for line in help_text(command).splitlines() if line.startswith("Usage:"))
        positionals = re.findall(r"\b[A-Z]{3,}\b", usage.split(" [OPTIONS]")[-1])
        assert positionals, usage
        for p in positionals:
            assert re.search(rf"teapot {command}\b[^\n]*?\b{p}\b", synopsis), (
                f"SYNOPSIS does not show 'teapot {command} ... {p}': {synopsis}"
            )


# -- teapot.toml(5) -------------------------------------------------------------------------


def test_teapot_toml_5_has_every_key_docs_config_md_documents_under_its_table_and_no_other():
    docs = {t: set(keys) for t, keys in documented_keys().items()}
    man = {t: set(keys) for t, keys in man_keys().items()}
    assert docs, "docs/config.md: no table found"
    problems = [f"{t}: a table of docs/config.md that teapot.toml.5 lacks"
                for t in docs.keys() - man.keys()]
    problems += [f"{t}: a table of teapot.toml.5 that docs/config.md lacks"
                 for t in man.keys() - docs.keys()]
    for t in docs.keys() & man.keys():
        problems += [f"{t} {k}: documented, not in teapot.toml.5" for k in docs[t] - man[t]]
        problems += [f"{t} {k}: in teapot.toml.5, not in docs/config.md" for k in man[t] - docs[t]]
    assert not problems, "\n".join(sorted(problems))


def test_each_key_of_teapot_toml_5_names_the_values_of_its_type_and_default():
    """What docs/config.md writes as code in a key's type and default (`"8KiB"`, `"auto"`,
    `["zstd", "br", "gzip"]`) is written the same in the man page's entry; `kind` names every
    kind."""
    man = man_keys()
    problems = []
    for table, keys in documented_keys().items():
        for key, doc in keys.items():
            entry = man.get(table, {}).get(key)
            if entry is None:
                continue  # reported by the test above
            body = squeeze(entry.body)
            problems += [f"{table} {key}: the entry lacks {v!r}" for v in backticked(doc.details)
                         if squeeze(v) not in body]
            problems += [f"{table} kind: the entry lacks the kind {k!r}" for k in doc.kinds
                         if not re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", body)]
    assert not problems, "\n".join(problems)


# -- rendering -------------------------------------------------------------------------------


# `man --warnings` alone adds undefined macros to groff's defaults, and lets an unknown escape
# (\q) through; these add it, a missing glyph, a bad number or font, an unclosed string.
GROFF_WARNINGS = ("mac,escape,char,font,input,missing,number,range,reg,right-brace,scale,syntax,"
                  "tab,delim,el,ig,di,space,file")


@pytest.mark.parametrize("page", [COMMAND_PAGE, CONFIG_PAGE], ids=lambda p: p.name)
def test_the_page_renders_with_man_without_a_warning(page):
    if shutil.which("man") is None:
        pytest.skip("man is not installed (Debian's man-db, listed in deps/debian-packages.txt): "
                    "the pages' rendering is not checked")
    # At a terminal's width, as a reader sees it: how lines break depends on the width, so
    # groff's warnings about lines it cannot fill are decided at a fixed one.
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
    p = subprocess.run(["man", f"--warnings={GROFF_WARNINGS}", "-l", str(page)],
                       capture_output=True, text=True, env=env, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"man exited with {p.returncode}:\n{p.stderr}"
    assert not p.stderr.strip(), f"man printed warnings:\n{p.stderr}"
    assert "NAME" in p.stdout and "SEE ALSO" in p.stdout, p.stdout[:2000]


@pytest.mark.parametrize("page", [COMMAND_PAGE, CONFIG_PAGE], ids=lambda p: p.name)
def test_the_page_passes_mandoc_lint_where_mandoc_is_installed(page):
    if shutil.which("mandoc") is None:
        pytest.skip("mandoc is not installed (listed in deps/debian-packages.txt): the pages "
                    "are checked by man (groff) only")
    p = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", str(page)], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0 and not p.stdout.strip(), f"exit {p.returncode}:\n{p.stdout}{p.stderr}"
