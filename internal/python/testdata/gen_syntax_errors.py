"""Regenerates syntax_errors.jsonl from syntax_errors.txt.

Each case of syntax_errors.txt (cases are separated by lines holding only
"====") is given to this interpreter's ast.parse; the output line is the JSON
list [source, verdict], where verdict is null when the interpreter accepts
the source, else [message, line, 1-based column] of the SyntaxError.

Run it with a CPython 3.14 (the grammar pyrace implements), for example the
Pyodide build the tests use:

    PYRACE_PYODIDE=... node pyodide/python.mjs gen_syntax_errors.py \
        < syntax_errors.txt > syntax_errors.jsonl
"""
import ast
import json
import sys
import warnings

warnings.simplefilter("ignore")
for case in sys.stdin.read().split("\n====\n"):
    try:
        ast.parse(case)
        verdict = None
    except SyntaxError as e:
        verdict = [e.msg, e.lineno, e.offset]
    print(json.dumps([case, verdict]))
