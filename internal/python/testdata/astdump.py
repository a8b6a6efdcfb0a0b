#!/usr/bin/env python3
"""Print CPython's AST of Python files in pyrace's canonical dump format.

The format is described in docs/ast-dump.md; internal/python/dump.go writes
the same format from pyrace's own syntax tree, and the differential test
compares the two over each interpreter's standard library.

Usage:
    astdump.py FILE      print the dump of FILE
    astdump.py --batch   read file paths, one per line, on stdin and write,
                         for each, "=== PATH", then the dump or a single line
                         "!!! ExcType: message (line N)" when ast.parse
                         rejects the file, then "=== end"

Files are read as bytes and passed to ast.parse as bytes, so source decoding
(PEP 263 coding cookies, BOMs) is CPython's own. Runs on Python 3.8 to 3.14.
"""

import ast
import os
import sys
import warnings
from json.encoder import encode_basestring_ascii as _jstr

# Field kinds.
NODE = 0  # optional child node: "f: Type ..." or "f: None"
LIST = 1  # list of child nodes (elements may be None): "f[i]: ..." or "f: []"
IDENT = 2  # optional identifier or plain string: JSON string or None
IDENTS = 3  # list of identifiers: "f[i]: \"x\"" or "f: []"
CONST = 4  # constant value, type-tagged
INT = 5  # plain int: decimal
ENUM = 6  # enum singleton (ctx, op): its class name
ENUMS = 7  # list of enum singletons (Compare.ops)

# Every node type in CPython 3.14's field order (its `_fields`). Fields that
# an older CPython lacks are printed with their default (None or []).
FIELDS = {
    "Module": (("body", LIST), ("type_ignores", LIST)),
    # Statements.
    "FunctionDef": (
        ("name", IDENT), ("args", NODE), ("body", LIST),
        ("decorator_list", LIST), ("returns", NODE), ("type_comment", IDENT),
        ("type_params", LIST),
    ),
    "AsyncFunctionDef": (
        ("name", IDENT), ("args", NODE), ("body", LIST),
        ("decorator_list", LIST), ("returns", NODE), ("type_comment", IDENT),
        ("type_params", LIST),
    ),
    "ClassDef": (
        ("name", IDENT), ("bases", LIST), ("keywords", LIST), ("body", LIST),
        ("decorator_list", LIST), ("type_params", LIST),
    ),
    "Return": (("value", NODE),),
    "Delete": (("targets", LIST),),
    "Assign": (("targets", LIST), ("value", NODE), ("type_comment", IDENT)),
    "TypeAlias": (("name", NODE), ("type_params", LIST), ("value", NODE)),
    "AugAssign": (("target", NODE), ("op", ENUM), ("value", NODE)),
    "AnnAssign": (
        ("target", NODE), ("annotation", NODE), ("value", NODE),
        ("simple", INT),
    ),
    "For": (
        ("target", NODE), ("iter", NODE), ("body", LIST), ("orelse", LIST),
        ("type_comment", IDENT),
    ),
    "AsyncFor": (
        ("target", NODE), ("iter", NODE), ("body", LIST), ("orelse", LIST),
        ("type_comment", IDENT),
    ),
    "While": (("test", NODE), ("body", LIST), ("orelse", LIST)),
    "If": (("test", NODE), ("body", LIST), ("orelse", LIST)),
    "With": (("items", LIST), ("body", LIST), ("type_comment", IDENT)),
    "AsyncWith": (("items", LIST), ("body", LIST), ("type_comment", IDENT)),
    "Match": (("subject", NODE), ("cases", LIST)),
    "Raise": (("exc", NODE), ("cause", NODE)),
    "Try": (
        ("body", LIST), ("handlers", LIST), ("orelse", LIST),
        ("finalbody", LIST),
    ),
    "TryStar": (
        ("body", LIST), ("handlers", LIST), ("orelse", LIST),
        ("finalbody", LIST),
    ),
    "Assert": (("test", NODE), ("msg", NODE)),
    "Import": (("names", LIST),),
    "ImportFrom": (("module", IDENT), ("names", LIST), ("level", INT)),
    "Global": (("names", IDENTS),),
    "Nonlocal": (("names", IDENTS),),
    "Expr": (("value", NODE),),
    "Pass": (),
    "Break": (),
    "Continue": (),
    # Expressions.
    "BoolOp": (("op", ENUM), ("values", LIST)),
    "NamedExpr": (("target", NODE), ("value", NODE)),
    "BinOp": (("left", NODE), ("op", ENUM), ("right", NODE)),
    "UnaryOp": (("op", ENUM), ("operand", NODE)),
    "Lambda": (("args", NODE), ("body", NODE)),
    "IfExp": (("test", NODE), ("body", NODE), ("orelse", NODE)),
    "Dict": (("keys", LIST), ("values", LIST)),
    "Set": (("elts", LIST),),
    "ListComp": (("elt", NODE), ("generators", LIST)),
    "SetComp": (("elt", NODE), ("generators", LIST)),
    "DictComp": (("key", NODE), ("value", NODE), ("generators", LIST)),
    "GeneratorExp": (("elt", NODE), ("generators", LIST)),
    "Await": (("value", NODE),),
    "Yield": (("value", NODE),),
    "YieldFrom": (("value", NODE),),
    "Compare": (("left", NODE), ("ops", ENUMS), ("comparators", LIST)),
    "Call": (("func", NODE), ("args", LIST), ("keywords", LIST)),
    "FormattedValue": (
        ("value", NODE), ("conversion", INT), ("format_spec", NODE),
    ),
    "Interpolation": (
        ("value", NODE), ("str", IDENT), ("conversion", INT),
        ("format_spec", NODE),
    ),
    "JoinedStr": (("values", LIST),),
    "TemplateStr": (("values", LIST),),
    "Constant": (("value", CONST), ("kind", IDENT)),
    "Attribute": (("value", NODE), ("attr", IDENT), ("ctx", ENUM)),
    "Subscript": (("value", NODE), ("slice", NODE), ("ctx", ENUM)),
    "Starred": (("value", NODE), ("ctx", ENUM)),
    "Name": (("id", IDENT), ("ctx", ENUM)),
    "List": (("elts", LIST), ("ctx", ENUM)),
    "Tuple": (("elts", LIST), ("ctx", ENUM)),
    "Slice": (("lower", NODE), ("upper", NODE), ("step", NODE)),
    # Other nodes.
    "comprehension": (
        ("target", NODE), ("iter", NODE), ("ifs", LIST), ("is_async", INT),
    ),
    "ExceptHandler": (("type", NODE), ("name", IDENT), ("body", LIST)),
    "arguments": (
        ("posonlyargs", LIST), ("args", LIST), ("vararg", NODE),
        ("kwonlyargs", LIST), ("kw_defaults", LIST), ("kwarg", NODE),
        ("defaults", LIST),
    ),
    "arg": (("arg", IDENT), ("annotation", NODE), ("type_comment", IDENT)),
    "keyword": (("arg", IDENT), ("value", NODE)),
    "alias": (("name", IDENT), ("asname", IDENT)),
    "withitem": (("context_expr", NODE), ("optional_vars", NODE)),
    "match_case": (("pattern", NODE), ("guard", NODE), ("body", LIST)),
    "TypeIgnore": (("lineno", INT), ("tag", IDENT)),
    # Patterns.
    "MatchValue": (("value", NODE),),
    "MatchSingleton": (("value", CONST),),
    "MatchSequence": (("patterns", LIST),),
    "MatchMapping": (("keys", LIST), ("patterns", LIST), ("rest", IDENT)),
    "MatchClass": (
        ("cls", NODE), ("patterns", LIST), ("kwd_attrs", IDENTS),
        ("kwd_patterns", LIST),
    ),
    "MatchStar": (("name", IDENT),),
    "MatchAs": (("pattern", NODE), ("name", IDENT)),
    "MatchOr": (("patterns", LIST),),
    # Type parameters.
    "TypeVar": (("name", IDENT), ("bound", NODE), ("default_value", NODE)),
    "ParamSpec": (("name", IDENT), ("default_value", NODE)),
    "TypeVarTuple": (("name", IDENT), ("default_value", NODE)),
}


def _const(v):
    """Return the type-tagged text of a constant value."""
    t = type(v)  # exact type: bool must not be taken for int
    if t is str:
        return "str:" + _jstr(v)
    if t is int:
        return "int:%d" % v
    if t is float:
        return "float:" + repr(v)
    if t is bytes:
        return "bytes:" + v.hex()
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if v is Ellipsis:
        return "Ellipsis"
    if t is complex:
        return "complex:%r,%r" % (v.real, v.imag)
    raise TypeError("unexpected constant %r" % (v,))


class Dumper:
    """Renders syntax trees as lists of lines.

    Dumping runs over millions of nodes per standard library, so instead of
    interpreting FIELDS for every node, the constructor generates one
    straight-line function per node class from it: a node costs one dict
    lookup plus the appends for its fields.
    """

    def __init__(self):
        env = {"_jstr": _jstr, "_const": _const}
        funcs = {}
        for name, fields in FIELDS.items():
            cls = getattr(ast, name, None)
            if cls is not None:
                funcs[cls] = self._compile(name, fields, bool(cls._attributes),
                                           env)
        if sys.version_info < (3, 9):
            # Python 3.8 wraps a subscript in Index(value) (print the value)
            # or ExtSlice(dims) (print the Tuple that 3.9+ produces, without
            # position since 3.8 gives ExtSlice none).
            funcs[ast.Index] = self._compile_index(env)
            funcs[ast.ExtSlice] = self._compile(
                "Tuple", (("dims", LIST),), False, env,
                rename={"dims": "elts"}, extra=("ctx: Load",))
        env["D"] = funcs
        self.funcs = funcs

    @staticmethod
    def _compile_index(env):
        code = ("def d_Index(n, ind, label, out):\n"
                "    v = n.value\n"
                "    D[v.__class__](v, ind, label, out)\n")
        exec(code, env)
        return env["d_Index"]

    @staticmethod
    def _compile(name, fields, has_pos, env, rename=None, extra=()):
        """Generate the dump function of one node class."""
        fn = "d_" + name + ("_ext" if rename else "")
        src = ["def %s(n, ind, label, out):" % fn]
        if has_pos:
            src.append("    out.append('%%s%%s: %s @%%s:%%s-%%s:%%s' %% (ind, "
                       "label, n.lineno, n.col_offset, n.end_lineno, "
                       "n.end_col_offset))" % name)
        else:
            src.append("    out.append('%%s%%s: %s' %% (ind, label))" % name)
        if fields or extra:
            src.append("    ind += '  '")
        for f, kind in fields:
            shown = (rename or {}).get(f, f)
            get = "getattr(n, %r, None)" % f
            if kind == NODE:
                src += [
                    "    v = %s" % get,
                    "    if v is None:",
                    "        out.append(ind + %r)" % (shown + ": None"),
                    "    else:",
                    "        D[v.__class__](v, ind, %r, out)" % shown,
                ]
            elif kind == LIST:
                src += [
                    "    v = %s" % get,
                    "    if not v:",
                    "        out.append(ind + %r)" % (shown + ": []"),
                    "    else:",
                    "        for i, x in enumerate(v):",
                    "            if x is None:",
                    "                out.append('%%s%s[%%d]: None' %% (ind, i))"
                    % shown,
                    "            else:",
                    "                D[x.__class__](x, ind, '%s[%%d]' %% i, out)"
                    % shown,
                ]
            elif kind == IDENT:
                src += [
                    "    v = %s" % get,
                    "    out.append(ind + %r + ('None' if v is None else "
                    "_jstr(v)))" % (shown + ": "),
                ]
            elif kind == ENUM:
                src.append("    out.append(ind + %r + n.%s.__class__.__name__)"
                           % (shown + ": ", f))
            elif kind == CONST:
                src.append("    out.append(ind + %r + _const(n.%s))"
                           % (shown + ": ", f))
            elif kind == INT:
                src.append("    out.append(ind + %r + str(%s))"
                           % (shown + ": ", get))
            elif kind in (IDENTS, ENUMS):
                conv = "_jstr(x)" if kind == IDENTS else "x.__class__.__name__"
                src += [
                    "    v = %s" % get,
                    "    if not v:",
                    "        out.append(ind + %r)" % (shown + ": []"),
                    "    for i, x in enumerate(v or ()):",
                    "        out.append('%%s%s[%%d]: %%s' %% (ind, i, %s))"
                    % (shown, conv),
                ]
            else:
                raise ValueError("bad field kind %r" % kind)
        for line in extra:
            src.append("    out.append(ind + %r)" % line)
        exec("\n".join(src) + "\n", env)
        return env[fn]

    def dump(self, tree):
        """Return the dump of a Module as a list of lines."""
        out = []
        self.funcs[tree.__class__](tree, "", "", out)
        out[0] = "Module"
        return out


# Under Pyodide the host file system is mounted below PYRACE_HOST_ROOT.
HOST_ROOT = os.environ.get("PYRACE_HOST_ROOT", "")


def parse(path):
    """Parse the file at path; return (tree, None) or (None, error line)."""
    try:
        with open(HOST_ROOT + path, "rb") as fp:
            src = fp.read()
        return ast.parse(src, path), None
    except Exception as e:  # SyntaxError, ValueError, OSError, MemoryError...
        if isinstance(e, SyntaxError):
            msg = e.msg
        else:
            msg = str(e)
        line = "!!! %s: %s" % (type(e).__name__, msg)
        lineno = getattr(e, "lineno", None)
        if lineno is not None:
            line += " (line %s)" % lineno
        return None, line.replace("\r", "\\r").replace("\n", "\\n")


def main(argv):
    warnings.simplefilter("ignore")
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    sys.setrecursionlimit(100000)
    out = open(sys.stdout.fileno(), "w", encoding="utf-8",
               errors="backslashreplace", buffering=1 << 20, closefd=False,
               newline="\n")
    dumper = Dumper()
    if argv == ["--batch"]:
        for raw in sys.stdin.buffer:
            path = raw.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
            if not path:
                continue
            tree, err = parse(path)
            out.write("=== %s\n" % path)
            if err is not None:
                out.write(err)
                out.write("\n")
            else:
                lines = dumper.dump(tree)
                lines.append("")
                out.write("\n".join(lines))
            out.write("=== end\n")
        out.flush()
        return 0
    if len(argv) != 1 or argv[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    tree, err = parse(argv[0])
    if err is not None:
        out.write(err + "\n")
        out.flush()
        return 1
    lines = dumper.dump(tree)
    lines.append("")
    out.write("\n".join(lines))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
