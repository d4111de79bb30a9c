#!/usr/bin/env python3
"""chart-readme.py -- helm/mxgate/README.md from README.md.in and the `# --` comments of values.yaml.

    k8s/chart-readme.py           write helm/mxgate/README.md
    k8s/chart-readme.py --check   fail if README.md is stale, a value has no `# --` comment, or a value is
                                  missing from values.schema.json

What helm-docs does, for the subset of YAML that values.yaml uses (block maps and lists, plain, quoted and empty
flow scalars), with the standard library only: helm-docs cannot be installed where this project is built.

Conventions (helm-docs'):
  # -- Description        documents the key on the next non-comment line; following `#` lines continue it.
  ## Text                 a section comment, not documentation.
A documented key is one row of the table, its default the whole value (a map or list shown as JSON). A key without
a `# --` comment must be a map whose values are documented one by one; anything else is an error.
README.md.in holds the prose; the line `@@VALUES@@` is replaced by the table.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHART = os.path.join(ROOT, "helm", "mxgate")
VALUES = os.path.join(CHART, "values.yaml")
SCHEMA = os.path.join(CHART, "values.schema.json")
TEMPLATE = os.path.join(CHART, "README.md.in")
README = os.path.join(CHART, "README.md")
MARKER = "@@VALUES@@"


class ValuesError(Exception):
    pass


# --- a block-YAML subset -------------------------------------------------------------------------------------

def strip_comment(text):
    """The text without a trailing ` # comment` (outside quotes)."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def scalar(text, where):
    text = strip_comment(text).strip()
    if text in ("", "~", "null"):
        return None
    if text == "{}":
        return {}
    if text == "[]":
        return []
    if text[0] == '"':
        return json.loads(text)
    if text[0] == "'":
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
        return float(text)
    if text[0] in "[{&*!|>":
        raise ValuesError(f"{where}: unsupported YAML '{text}' (flow collections, anchors, tags, block scalars)")
    return text


def content_lines(lines):
    """(line number, indent, text) of every line that is not blank or a whole-line comment."""
    out = []
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise ValuesError(f"values.yaml:{n}: tab in indentation")
            out.append((n, len(line) - len(line.lstrip()), stripped))
    return out


KEY = re.compile(r"^([A-Za-z0-9_.\-/]+|\"[^\"]+\"):(?:\s+(.*))?$")


def parse(lines, i, indent):
    """The node at lines[i:] with this indentation: (value, next index)."""
    n, ind, text = lines[i]
    if text == "-" or text.startswith("- "):
        items = []
        while i < len(lines) and lines[i][1] == indent and (lines[i][2] == "-" or lines[i][2].startswith("- ")):
            n, ind, text = lines[i]
            rest = text[1:].strip()
            if not rest:
                value, i = parse(lines, i + 1, lines[i + 1][1])
            elif KEY.match(rest):
                # "- key: value" opens a map whose keys line up with "key"
                sub = [(n, indent + 2, rest)]
                j = i + 1
                while j < len(lines) and lines[j][1] > indent:
                    sub.append(lines[j])
                    j += 1
                value, _ = parse(sub, 0, indent + 2)
                i = j
            else:
                value, i = scalar(rest, f"values.yaml:{n}"), i + 1
            items.append(value)
        return items, i
    result = {}
    while i < len(lines) and lines[i][1] == indent:
        n, ind, text = lines[i]
        m = KEY.match(text)
        if not m:
            raise ValuesError(f"values.yaml:{n}: expected 'key: value', got '{text}'")
        key, rest = m.group(1).strip('"'), m.group(2)
        if rest is not None and strip_comment(rest):
            result[key], i = scalar(rest, f"values.yaml:{n}"), i + 1
        elif i + 1 < len(lines) and (lines[i + 1][1] > indent or (
                lines[i + 1][1] == indent and lines[i + 1][2].startswith("- "))):
            result[key], i = parse(lines, i + 1, lines[i + 1][1])
        else:
            result[key], i = None, i + 1
    if i < len(lines) and lines[i][1] > indent:
        raise ValuesError(f"values.yaml:{lines[i][0]}: unexpected indentation")
    return result, i


# --- documentation ---------------------------------------------------------------------------------------------

def documented_keys(lines):
    """{path: (description, line number)} of every `# --` comment, the path of the key it documents."""
    docs = {}
    stack = []  # (indent, key)
    pending = None
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            pending = None
            continue
        if stripped.startswith("# --"):
            pending = [stripped[4:].strip(), n]
            continue
        if stripped.startswith("##"):
            pending = None
            continue
        if stripped.startswith("#"):
            if pending is not None:
                pending[0] += " " + stripped[1:].strip()
            continue
        if stripped.startswith("- "):
            pending = None
            continue
        m = KEY.match(stripped)
        if not m:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k in stack] + [m.group(1).strip('"')])
        stack.append((indent, m.group(1).strip('"')))
        if pending is not None:
            docs[path] = (pending[0], pending[1])
            pending = None
    return docs


def walk(values, docs, prefix="", rows=None, errors=None):
    """Rows (path, value, description) in file order; errors for values nobody documented."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        if path in docs:
            rows.append((path, value, docs[path][0]))
            if isinstance(value, dict):
                walk_documented_children(value, docs, path + ".", rows)
        elif isinstance(value, dict) and value:
            walk(value, docs, path + ".", rows, errors)
        else:
            errors.append(f"values.yaml: {path} has no '# --' comment")
    return rows, errors


def walk_documented_children(values, docs, prefix, rows):
    for key, value in values.items():
        path = f"{prefix}{key}"
        if path in docs:
            rows.append((path, value, docs[path][0]))
        if isinstance(value, dict):
            walk_documented_children(value, docs, path + ".", rows)


# --- schema ----------------------------------------------------------------------------------------------------

def schema_has(schema, path):
    node = schema
    for part in path.split("."):
        node = resolve(schema, node)
        props = node.get("properties", {})
        if part in props:
            node = props[part]
        elif node.get("additionalProperties") not in (None, False) or (
                "properties" not in node and node.get("type") == "object"):
            return True  # a free-form map: anything below is allowed
        else:
            return False
    return True


def resolve(schema, node):
    while "$ref" in node:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


# --- the table -------------------------------------------------------------------------------------------------

def type_of(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return "string"


def cell(text):
    return text.replace("|", "\\|")


def prose(text):
    """A description as Markdown: <placeholders> shown, not taken for HTML; no stray emphasis."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")
    return cell(text)


def table(rows):
    out = ["| Key | Type | Default | Description |", "|-----|------|---------|-------------|"]
    for path, value, desc in rows:
        default = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        out.append(f"| {cell(path)} | {type_of(value)} | `{cell(default)}` | {prose(desc)} |")
    return "\n".join(out) + "\n"


def render():
    with open(VALUES, encoding="utf-8") as f:
        lines = f.read().split("\n")
    values, end = parse(content_lines(lines), 0, 0)
    if end != len(content_lines(lines)):
        raise ValuesError("values.yaml: could not read to the end")
    docs = documented_keys(lines)
    rows, errors = walk(values, docs, rows=[], errors=[])
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    for path, _, _ in rows:
        if not schema_has(schema, path):
            errors.append(f"values.schema.json: no {path}")
    known = {path for path, _, _ in rows}
    for path, (_, n) in docs.items():
        if path not in known:
            errors.append(f"values.yaml:{n}: '# --' comment of {path}, which is inside a documented value")
    with open(TEMPLATE, encoding="utf-8") as f:
        template = f.read()
    if template.count(MARKER) != 1:
        errors.append(f"README.md.in: needs the line {MARKER} once")
    readme = ("<!-- Generated by k8s/chart-readme.py from README.md.in and values.yaml: do not edit. -->\n"
              + template.replace(MARKER + "\n", table(rows)))
    return readme, rows, errors


def main(argv):
    if argv not in ([], ["--check"]):
        print(__doc__.split("\n\n")[0].split("\n", 1)[1], file=sys.stderr)
        return 2
    try:
        readme, rows, errors = render()
    except ValuesError as e:
        print(f"chart-readme.py: {e}", file=sys.stderr)
        return 1
    for e in errors:
        print(f"chart-readme.py: {e}", file=sys.stderr)
    if errors:
        return 1
    if argv == ["--check"]:
        with open(README, encoding="utf-8") as f:
            if f.read() != readme:
                print("chart-readme.py: helm/mxgate/README.md is stale: run k8s/chart-readme.py", file=sys.stderr)
                return 1
        print(f"chart-readme.py: helm/mxgate/README.md is up to date ({len(rows)} values)")
    else:
        with open(README, "w", encoding="utf-8") as f:
            f.write(readme)
        print(f"chart-readme.py: wrote helm/mxgate/README.md ({len(rows)} values)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
