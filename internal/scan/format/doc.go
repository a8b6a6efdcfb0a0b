// Package format renders the results of a pyrace scan: the findings, the
// diagnostics and the rules that produced them. Every renderer takes the
// same [Report] and writes to an io.Writer; none of them reads the file
// system except through [Report.Source] (code frames) and, for SARIF, to
// make [Report.Root] absolute when it is relative.
//
// # Formats
//
//   - [Text]: for people, ruff-like. One header line per finding,
//     "path:line:col: FT001 [high] message", then (with
//     [Options.ShowSource]) a code frame with the span underlined, then
//     "  fix: ..." and one "  note: path:line:col: message" per related
//     location. Diagnostics follow as "path:line:col: parse-error: message",
//     then a summary line.
//   - [JSON]: a stable document for scripts, described below.
//   - [SARIF]: SARIF 2.1.0 as GitHub code scanning accepts it.
//   - [GitHub]: GitHub Actions workflow commands (annotations).
//   - [JUnit]: JUnit XML for CI systems that display test reports (GitLab,
//     Jenkins, Azure Pipelines...).
//
// # Positions
//
// Lines and columns are 1-based and columns count characters (Unicode code
// points), as in [scan.Position]. The end of a span is read as exclusive:
// EndCol is the column of the first character after the span, as SARIF's
// endColumn and Python's end_col_offset (plus one) are. EndLine 0 means the
// span ends on its first line; EndCol 0 means the end is unknown (text
// frames then underline one character). Line 0 means the item has no
// position in its file (an unreadable file, say).
//
// # Confidence and severity levels
//
// One mapping is used by every format that has levels, so a finding looks
// equally serious everywhere:
//
//	confidence  SARIF level  problem.severity  precision  GitHub command
//	high        error        error             high       ::error
//	medium      warning      warning           medium     ::warning
//	low         note         recommendation    low        ::notice
//
// High confidence means the code shows it expects threads, so a finding is
// very likely a real race and is worth failing a check run for: GitHub code
// scanning fails pull-request checks on "error" alerts by default, and only
// those. Rules' defaultConfiguration.level follows their default
// confidence the same way. Diagnostics: parse-error and io-error are
// errors, unused-ignore and unknown-rule are warnings.
//
// # JSON document
//
// [JSON] writes one object, indented by two spaces, followed by a newline.
// Keys are never omitted and lists are never null; new keys may be added in
// later versions, existing ones keep their meaning while schema_version is
// 1:
//
//	{
//	  "schema_version": 1,
//	  "version": "0.1.0",              // pyrace version, "" when unknown
//	  "root": "/abs/or/rel/root",      // what paths are relative to
//	  "files": 12,                     // files scanned
//	  "findings": [{
//	    "rule_id": "FT001", "rule_name": "rmw-counter",
//	    "file": "pkg/mod.py",
//	    "line": 3, "column": 5, "end_line": 3, "end_column": 20,
//	    "symbol": "Counter.incr",
//	    "message": "...", "confidence": "high", "fix": "...",
//	    "related": [{"file": "...", "line": 9, "column": 9,
//	                 "end_line": 9, "end_column": 30, "message": "..."}],
//	    "fingerprint": "..."
//	  }],
//	  "diagnostics": [{
//	    "kind": "parse-error", "file": "bad.py",
//	    "line": 1, "column": 7, "end_line": 0, "end_column": 0,
//	    "message": "..."
//	  }],
//	  "summary": {
//	    "findings": 1, "diagnostics": 1,
//	    "by_confidence": {"high": 1, "medium": 0, "low": 0},
//	    "by_rule": {"FT001": 1}         // only rules with findings
//	  }
//	}
package format
