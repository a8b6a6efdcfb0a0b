package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// checkThenAct is FT005: a test of shared state, then an action that is
// only valid while the test still holds, with no lock around both.
func checkThenAct() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT005",
			Name:  "check-then-act",
			Shape: "check-then-act (TOCTOU)",
			Summary: "A test of shared state followed by an action that relies on it, outside a lock: " +
				"`if k in d: d[k]` / `del d[k]` / `d.pop(k)`, `if k not in d: d[k] = v`, " +
				"`if x not in lst: lst.append(x)`, `if lst: lst.pop()`, `if os.path.exists(p): " +
				"os.remove(p)`, `if not hasattr(obj, \"x\"): obj.x = ...`, and, where the code expects " +
				"threads, `if self.x is not None: self.x.close()` while another method sets it to None.",
			Rationale: "Each operation is atomic on its own, but the pair is not: between the test and " +
				"the action another thread can insert, delete or empty the container (or another " +
				"process can create or delete the file). The result is a KeyError, IndexError or " +
				"AttributeError on a path that \"cannot\" fail, or, for insert-if-absent, two threads " +
				"that both insert and one value silently lost (two locks for one key, duplicate list " +
				"entries). The free-threaded build runs the other thread truly in parallel, so the " +
				"window is no longer a rare switch interval.",
			Fix: "use the single atomic operation instead: `d.setdefault(k, v)` for insert-if-absent, " +
				"`d.pop(k, None)` to remove, `d.get(k)` to read, `try: x = lst.pop() except IndexError`, " +
				"`try: ... except KeyError`; for files, act and handle the error (`os.makedirs(p, " +
				"exist_ok=True)`, `try: os.remove(p) except FileNotFoundError`, `open(p, \"x\")`); " +
				"otherwise hold one lock around both the check and the action.",
			Confidence: scan.Medium,
			Example: "class Registry:\n    def __init__(self):\n        self._locks = {}\n\n" +
				"    def lock_for(self, key):\n        if key not in self._locks:\n" +
				"            self._locks[key] = threading.Lock()\n        return self._locks[key]\n",
			FixedExample: "class Registry:\n    def __init__(self):\n        self._locks = {}\n\n" +
				"    def lock_for(self, key):\n        return self._locks.setdefault(key, threading.Lock())\n",
			Seed: "seed 000 shape 5, seed 004 #1",
		},
		check: checkCheckThenAct,
	}
}

// factKind is what a check established.
type factKind int

const (
	factMember   factKind = iota // k in d / k not in d
	factNonEmpty                 // d / not d / len(d)
	factPath                     // os.path.exists(p) / p.exists()
	factHasattr                  // hasattr(obj, "x")
	factNotNone                  // x is not None / x is None
)

// fact is something a check says holds in a region of code: `k in d`
// (Holds) or `k not in d` (!Holds).
type fact struct {
	kind  factKind
	cont  python.Expr // the container, path, object or attribute
	key   python.Expr // the key for factMember
	attr  string      // the attribute name for factHasattr
	holds bool        // present / non-empty / exists / has / not None
	check python.Expr // the test, for messages
	// pathlib is set when the check was a Path method (p.exists()).
	pathlib bool
}

// actKind classifies an action.
type actKind int

const (
	actRead   actKind = iota // relies on the element still being there
	actRemove                // removes it: two threads both remove
	actInsert                // inserts it: two threads both insert
	actUse                   // uses an attribute that may become None
)

type act struct {
	kind actKind
	node python.Node
	ctx  *model.Ctx
	what string
}

// region is code that runs while a check's facts should hold.
type region struct {
	facts []fact
	stmts []python.Stmt
	exprs []python.Expr
	ctx   *model.Ctx // the check's context
	// exit is set for an else branch ("else") and for the statements
	// after an `if` whose branch exits ("return", "raise"...).
	exit string
}

func checkCheckThenAct(m *model.Module, report func(scan.Report)) {
	fl := flowOf(m)
	c := &ctaChecker{m: m, fl: fl, report: report, done: map[python.Node]bool{}}
	// The statements of the module's and the functions' own code (class
	// bodies run once, at definition).
	m.WalkKinds(model.Kinds(model.KAssign, model.KIf, model.KWhile), func(ctx *model.Ctx, n python.Node) {
		if ctx.InClassBody() {
			return
		}
		stmts, i := ctx.Block()
		switch s := n.(type) {
		case *python.Assign:
			if ctx.Func != nil && staleCandidate(s) {
				c.staleRead(stmts, i, ctx)
			}
		case *python.If:
			if !testMayMatter(ctx, s.Test) {
				return
			}
			body, orelse := parseFacts(s.Test)
			if len(body) == 0 && len(orelse) == 0 {
				return
			}
			c.region(region{facts: body, stmts: s.Body, ctx: ctx})
			c.region(region{facts: orelse, stmts: s.Orelse, ctx: ctx, exit: "else"})
			if model.Exits(s.Body) {
				c.region(region{facts: orelse, stmts: stmts[i+1:], ctx: ctx, exit: exitWord(s.Body)})
			} else if len(s.Orelse) > 0 && model.Exits(s.Orelse) {
				c.region(region{facts: body, stmts: stmts[i+1:], ctx: ctx, exit: "else: " + exitWord(s.Orelse)})
			}
		case *python.While:
			if !testMayMatter(ctx, s.Test) {
				return
			}
			if body, _ := parseFacts(s.Test); len(body) > 0 {
				c.region(region{facts: body, stmts: s.Body, ctx: ctx})
			}
		}
	})
	for _, r := range fl.exprRegions {
		c.region(r)
	}
}

// testMayMatter reports whether a test can establish a fact a region is
// scanned for: one on shared state (an attribute, a name that is not a
// local of the function) or a call (a path check, len(), d.get()). A test
// of the function's own locals, or any test at module level (which owns
// its state) without a call, cannot.
func testMayMatter(ctx *model.Ctx, test python.Expr) bool {
	found := false
	inspectExpr(test, func(n python.Node) bool {
		switch n := n.(type) {
		case *python.Call, *python.Attribute:
			found = true
		case *python.Name:
			if ctx.Func != nil && !ctx.Func.Locals.Has(n.ID) {
				found = true
			}
		}
		return !found
	})
	return found
}

// staleCandidate reports whether an assignment can start staleRead's
// shape: `v = S`, S a read of state.
func staleCandidate(as *python.Assign) bool {
	if len(as.Targets) != 1 {
		return false
	}
	if _, ok := as.Targets[0].(*python.Name); !ok {
		return false
	}
	return readState(as.Value) != nil
}

// staleRead finds `v = S` (S shared: `d[k]`, `d.get(k)`, `self.x`), then a
// test of v, then `S = f(v)`: the write is based on a value another thread
// may have changed since the read and the check.
func (c *ctaChecker) staleRead(stmts []python.Stmt, i int, readCtx *model.Ctx) {
	as, ok := stmts[i].(*python.Assign)
	if !ok || len(as.Targets) != 1 {
		return
	}
	v, ok := as.Targets[0].(*python.Name)
	if !ok {
		return
	}
	state := readState(as.Value)
	if state == nil {
		return
	}
	ref, ok := c.fl.sharedRef(readCtx, state)
	if !ok {
		return
	}
	local := &python.Name{ID: v.ID}
	for j := i + 1; j < len(stmts); j++ {
		ifs, ok := stmts[j].(*python.If)
		if !ok {
			if assignsName(stmts[j], v.ID) {
				return // v rebound
			}
			continue
		}
		if !mentions(ifs.Test, local) {
			continue
		}
		region := ifs.Body
		if model.Exits(ifs.Body) {
			region = stmts[j+1:]
		}
		var write python.Stmt
		var wctx *model.Ctx
		rebound := false // v holds a fresh value at the write
		c.fl.scanStmts(region, c.fl.m.StmtCtx(ifs), func(ctx *model.Ctx, n python.Node) bool {
			if write != nil {
				return false
			}
			if st, ok := n.(python.Stmt); ok && assignsName(st, v.ID) {
				rebound = true
				return true
			}
			w, ok := n.(*python.Assign)
			if !ok || !mentions(w.Value, local) {
				return true
			}
			for _, t := range w.Targets {
				if exprEqual(t, state) {
					write, wctx = w, ctx
				}
			}
			return true
		})
		if write == nil || c.done[write] || sharesLock(c.fl.held(readCtx), c.fl.held(wctx)) {
			return
		}
		if _, ok := c.fl.sharedRef(wctx, state); !ok {
			return
		}
		name := ref.Display()
		msg := fmt.Sprintf("check-then-act on %s with a stale read: `%s`, then `if %s`, then `%s` without a lock; another thread can change %s between the read and the write, and its update is overwritten with a value computed from the old one",
			name, codeAt(c.m, as), c.text(ifs.Test), codeAt(c.m, write), name)
		fix := fmt.Sprintf("hold one lock around the read, the check and the write of %s", name)
		if rebound {
			// `e = d.get(k); if e is None: e = make(); d[k] = e`: an
			// insert-if-absent through a local. For an attribute this is
			// lazy initialisation, FT010's business.
			if _, isItem := state.(*python.Subscript); !isItem {
				return
			}
			msg = fmt.Sprintf("check-then-act on %s: `%s`, then `if %s`, then `%s` without a lock; another thread can insert between them, and one of the two values is lost",
				name, codeAt(c.m, as), c.text(ifs.Test), codeAt(c.m, write))
			fix = fmt.Sprintf("use `%s.setdefault(key, value)` and keep the value it returns, or hold one lock around the lookup and the insert", exprTextOr(c.m, ref2expr(state), name))
		}
		c.done[write] = true
		c.report(scan.Report{
			Node:       write,
			Ctx:        wctx,
			Message:    msg,
			Fix:        fix,
			Confidence: kindConfidence(ref),
			Related: []scan.RelatedNode{
				{Node: as, Message: "the read: `" + codeAt(c.m, as) + "`"},
				{Node: ifs.Test, Message: "the check: `" + c.text(ifs.Test) + "`"},
			},
		})
		return
	}
}

// ref2expr is the container of an item location.
func ref2expr(e python.Expr) python.Expr {
	if sub, ok := e.(*python.Subscript); ok {
		return sub.Value
	}
	return e
}

// readState is the shared location a value reads: `d[k]` for `d[k]` and
// `d.get(k, ...)`, the attribute or name itself; nil for other values.
func readState(e python.Expr) python.Expr {
	switch e := e.(type) {
	case *python.Subscript:
		if isRefExpr(e.Value) {
			return e
		}
	case *python.Attribute:
		if isRefExpr(e) {
			return e
		}
	case *python.Call:
		if a, ok := e.Func.(*python.Attribute); ok && a.Attr == "get" && len(e.Args) >= 1 && isRefExpr(a.Value) {
			return &python.Subscript{Span: e.Span, Value: a.Value, Slice: e.Args[0], Ctx: python.Load}
		}
	}
	return nil
}

// assignsName reports whether a simple statement binds name.
func assignsName(s python.Stmt, name string) bool {
	var targets []python.Expr
	switch s := s.(type) {
	case *python.Assign:
		targets = s.Targets
	case *python.AugAssign:
		targets = []python.Expr{s.Target}
	case *python.AnnAssign:
		targets = []python.Expr{s.Target}
	}
	for _, t := range flatTargets(targets) {
		if n, ok := t.(*python.Name); ok && n.ID == name {
			return true
		}
	}
	return false
}

// exitWord names how an exiting block leaves.
func exitWord(stmts []python.Stmt) string {
	switch stmts[len(stmts)-1].(type) {
	case *python.Return:
		return "return"
	case *python.Raise:
		return "raise"
	case *python.Continue:
		return "continue"
	case *python.Break:
		return "break"
	}
	return "exit"
}

// collectExprRegions records the regions of conditional expressions and
// of `and`/`or` chains (FT005).
func (fl *flow) collectExprRegions(ctx *model.Ctx, n python.Node) {
	switch n := n.(type) {
	case *python.IfExp:
		body, orelse := parseFacts(n.Test)
		if len(body) > 0 || len(orelse) > 0 {
			fl.exprRegions = append(fl.exprRegions,
				region{facts: body, exprs: []python.Expr{n.Body}, ctx: ctx},
				region{facts: orelse, exprs: []python.Expr{n.Orelse}, ctx: ctx, exit: "else"})
		}
	case *python.BoolOp:
		for i := 1; i < len(n.Values); i++ {
			var facts []fact
			for _, prev := range n.Values[:i] {
				body, orelse := parseFacts(prev)
				if n.Op == python.And {
					facts = append(facts, body...)
				} else {
					facts = append(facts, orelse...)
				}
			}
			if len(facts) > 0 {
				fl.exprRegions = append(fl.exprRegions, region{facts: facts, exprs: n.Values[i : i+1], ctx: ctx})
			}
		}
	}
}

// parseFacts returns what a test establishes when it is true (in the
// body) and when it is false (in the else branch).
func parseFacts(test python.Expr) (body, orelse []fact) {
	switch t := test.(type) {
	case *python.UnaryOp:
		if t.Op == python.Not {
			b, o := parseFacts(t.Operand)
			for i := range b {
				b[i].check = t
			}
			for i := range o {
				o[i].check = t
			}
			return o, b
		}
	case *python.BoolOp:
		for _, v := range t.Values {
			b, o := parseFacts(v)
			if t.Op == python.And {
				body = append(body, b...)
			} else {
				orelse = append(orelse, o...)
			}
		}
		if len(t.Values) == 1 {
			return parseFacts(t.Values[0])
		}
		return body, orelse
	case *python.Compare:
		if len(t.Ops) != 1 {
			return nil, nil
		}
		left, right, op := t.Left, t.Comparators[0], t.Ops[0]
		switch op {
		case python.In, python.NotIn:
			cont := unwrapKeys(right)
			if !isRefExpr(cont) {
				return nil, nil
			}
			f := fact{kind: factMember, cont: cont, key: left, holds: true, check: test}
			return flip(f, op == python.NotIn)
		case python.Is, python.IsNot, python.Eq, python.NotEq:
			if isNone(left) {
				left, right = right, left
			}
			if !isNone(right) {
				if n, ok := lenOf(left); ok && isZero(right) {
					// len(d) == 0 / len(d) != 0
					f := fact{kind: factNonEmpty, cont: n, holds: true, check: test}
					return flip(f, op == python.Is || op == python.Eq)
				}
				return nil, nil
			}
			notNone := op == python.IsNot || op == python.NotEq
			if call, ok := left.(*python.Call); ok {
				// d.get(k) is None
				if a, ok := call.Func.(*python.Attribute); ok && a.Attr == "get" && len(call.Args) == 1 && isRefExpr(a.Value) {
					f := fact{kind: factMember, cont: a.Value, key: call.Args[0], holds: true, check: test}
					return flip(f, !notNone)
				}
				return nil, nil
			}
			if isRefExpr(left) {
				f := fact{kind: factNotNone, cont: left, holds: true, check: test}
				return flip(f, !notNone)
			}
		case python.Gt, python.GtE, python.Lt, python.LtE:
			if n, ok := lenOf(left); ok {
				if (op == python.Gt && isZero(right)) || (op == python.GtE && isOne(right)) {
					return []fact{{kind: factNonEmpty, cont: n, holds: true, check: test}},
						[]fact{{kind: factNonEmpty, cont: n, holds: false, check: test}}
				}
				if (op == python.Lt && isOne(right)) || (op == python.LtE && isZero(right)) {
					return []fact{{kind: factNonEmpty, cont: n, holds: false, check: test}},
						[]fact{{kind: factNonEmpty, cont: n, holds: true, check: test}}
				}
			}
		}
	case *python.Name, *python.Attribute:
		// `if x:` says x is non-empty, and not None.
		return []fact{{kind: factNonEmpty, cont: t, holds: true, check: test}, {kind: factNotNone, cont: t, holds: true, check: test}},
			[]fact{{kind: factNonEmpty, cont: t, holds: false, check: test}}
	case *python.Call:
		if n, ok := lenOf(t); ok {
			return []fact{{kind: factNonEmpty, cont: n, holds: true, check: test}},
				[]fact{{kind: factNonEmpty, cont: n, holds: false, check: test}}
		}
		if p, ok := pathCheck(t); ok {
			return flip(fact{kind: factPath, cont: p, holds: true, check: test}, false)
		}
		if a, ok := t.Func.(*python.Attribute); ok && len(t.Args) == 0 && len(t.Keywords) == 0 {
			switch a.Attr {
			case "exists", "is_file", "is_dir":
				return flip(fact{kind: factPath, cont: a.Value, holds: true, check: test, pathlib: true}, false)
			}
		}
		if n, ok := t.Func.(*python.Name); ok && n.ID == "hasattr" && len(t.Args) == 2 {
			if c, ok := t.Args[1].(*python.Constant); ok && c.Value.Kind == python.StrValue {
				return flip(fact{kind: factHasattr, cont: t.Args[0], attr: c.Value.Str, holds: true, check: test}, false)
			}
		}
	}
	return nil, nil
}

// flip returns f for the body and its negation for the else branch, or
// the other way round when negate is set.
func flip(f fact, negate bool) (body, orelse []fact) {
	g := f
	g.holds = !f.holds
	if negate {
		return []fact{g}, []fact{f}
	}
	return []fact{f}, []fact{g}
}

// unwrapKeys turns `d.keys()` into d.
func unwrapKeys(e python.Expr) python.Expr {
	if call, ok := e.(*python.Call); ok && len(call.Args) == 0 {
		if a, ok := call.Func.(*python.Attribute); ok && a.Attr == "keys" {
			return a.Value
		}
	}
	return e
}

// isRefExpr reports whether e is a name or attribute chain.
func isRefExpr(e python.Expr) bool {
	switch e := e.(type) {
	case *python.Name:
		return true
	case *python.Attribute:
		return isRefExpr(e.Value)
	}
	return false
}

// lenOf matches `len(x)` with x a name or attribute chain.
func lenOf(e python.Expr) (python.Expr, bool) {
	call, ok := e.(*python.Call)
	if !ok || len(call.Args) != 1 {
		return nil, false
	}
	if n, ok := call.Func.(*python.Name); ok && n.ID == "len" && isRefExpr(call.Args[0]) {
		return call.Args[0], true
	}
	return nil, false
}

func isZero(e python.Expr) bool { return isIntConst(e, "0") }
func isOne(e python.Expr) bool  { return isIntConst(e, "1") }

func isIntConst(e python.Expr, v string) bool {
	c, ok := e.(*python.Constant)
	return ok && c.Value.Kind == python.IntValue && c.Value.Str == v
}

// pathCheck matches os.path.exists(p) and its kin.
func pathCheck(call *python.Call) (python.Expr, bool) {
	name := model.DottedName(call.Func)
	switch name {
	case "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.lexists", "os.path.islink",
		"path.exists", "path.isfile", "path.isdir", "path.lexists", "os.access":
		if len(call.Args) >= 1 {
			return call.Args[0], true
		}
	}
	return nil, false
}

// fsUse are the calls that need an existing path as first argument.
var fsUse = map[string]bool{
	"open": true, "io.open": true, "codecs.open": true, "os.open": true,
	"os.remove": true, "os.unlink": true, "os.rmdir": true, "os.removedirs": true,
	"os.rename": true, "os.replace": true, "os.stat": true, "os.lstat": true,
	"os.listdir": true, "os.scandir": true, "os.chmod": true, "os.chown": true,
	"os.utime": true, "os.readlink": true, "os.path.getsize": true, "os.path.getmtime": true,
	"shutil.rmtree": true, "shutil.copy": true, "shutil.copy2": true, "shutil.copyfile": true,
	"shutil.copytree": true, "shutil.move": true,
}

// fsCreate are the calls that fail or clobber when the path appeared.
var fsCreate = map[string]bool{"os.mkdir": true, "os.makedirs": true, "os.mkfifo": true}

// pathUse are pathlib methods that need the path to exist, pathCreate
// those that create it.
var (
	pathUse = map[string]bool{"unlink": true, "rmdir": true, "open": true, "read_text": true, "read_bytes": true,
		"rename": true, "replace": true, "stat": true, "iterdir": true, "chmod": true, "readlink": true}
	pathCreate = map[string]bool{"mkdir": true, "symlink_to": true, "hardlink_to": true}
)

type ctaChecker struct {
	m      *model.Module
	fl     *flow
	report func(scan.Report)
	done   map[python.Node]bool
}

// region reports the first action of the region that one of its facts
// makes racy.
func (c *ctaChecker) region(r region) {
	if len(r.facts) == 0 || (len(r.stmts) == 0 && len(r.exprs) == 0) {
		return
	}
	for _, f := range r.facts {
		if f.kind != factPath {
			// Only shared state can race: skip the scan for locals.
			target := f.cont
			if f.kind == factHasattr {
				target = &python.Attribute{Span: f.check.Pos(), Value: f.cont, Attr: f.attr, Ctx: python.Load}
			}
			if _, ok := c.fl.sharedRef(r.ctx, target); !ok {
				continue
			}
		}
		if !c.mayMention(r, f.cont) {
			continue // no action on the state can be in code that never names it
		}
		var best *act
		visit := func(ctx *model.Ctx, n python.Node) bool {
			if a := c.match(f, ctx, n); a != nil && (best == nil || (best.kind == actRead && a.kind != actRead)) {
				best = a
			}
			return true
		}
		if len(r.stmts) > 0 {
			c.fl.scanStmts(r.stmts, r.ctx, visit)
		}
		for _, e := range r.exprs {
			c.fl.scanExpr(e, r.ctx, visit)
		}
		if best != nil && !c.done[best.node] {
			c.done[best.node] = true
			c.emit(f, r, best)
		}
	}
}

// match returns the action n takes on the fact's state, nil if none.
func (c *ctaChecker) match(f fact, ctx *model.Ctx, n python.Node) *act {
	switch f.kind {
	case factMember:
		return c.matchMember(f, ctx, n)
	case factNonEmpty:
		if !f.holds {
			return nil
		}
		return c.matchNonEmpty(f, ctx, n)
	case factPath:
		return c.matchPath(f, ctx, n)
	case factHasattr:
		return c.matchHasattr(f, ctx, n)
	case factNotNone:
		if !f.holds {
			return nil
		}
		return c.matchNotNone(f, ctx, n)
	}
	return nil
}

func (c *ctaChecker) matchMember(f fact, ctx *model.Ctx, n python.Node) *act {
	sameItem := func(e python.Expr) bool {
		s, ok := e.(*python.Subscript)
		return ok && exprEqual(s.Value, f.cont) && exprEqual(s.Slice, f.key)
	}
	if f.holds {
		switch n := n.(type) {
		case *python.Subscript:
			if n.Ctx == python.Load && sameItem(n) {
				return &act{kind: actRead, node: n, ctx: ctx, what: "reads `" + c.text(n) + "`"}
			}
		case *python.Delete:
			for _, t := range n.Targets {
				if sameItem(t) {
					return &act{kind: actRemove, node: n, ctx: ctx, what: "`del " + c.text(t) + "`"}
				}
			}
		case *python.Call:
			if a, ok := n.Func.(*python.Attribute); ok && exprEqual(a.Value, f.cont) && len(n.Args) == 1 && len(n.Keywords) == 0 &&
				exprEqual(n.Args[0], f.key) && (a.Attr == "pop" || a.Attr == "remove") {
				return &act{kind: actRemove, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
			}
		}
		return nil
	}
	switch n := n.(type) {
	case *python.Assign:
		for _, t := range n.Targets {
			if sameItem(t) {
				return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(t) + " = …`"}
			}
		}
	case *python.Call:
		if a, ok := n.Func.(*python.Attribute); ok && exprEqual(a.Value, f.cont) && len(n.Args) >= 1 {
			if (a.Attr == "append" && len(n.Args) == 1 && exprEqual(n.Args[0], f.key)) ||
				(a.Attr == "insert" && len(n.Args) == 2 && exprEqual(n.Args[1], f.key)) {
				return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
			}
		}
	}
	return nil
}

func (c *ctaChecker) matchNonEmpty(f fact, ctx *model.Ctx, n python.Node) *act {
	switch n := n.(type) {
	case *python.Call:
		if a, ok := n.Func.(*python.Attribute); ok && exprEqual(a.Value, f.cont) && len(n.Keywords) == 0 {
			switch a.Attr {
			case "pop":
				if len(n.Args) == 0 || (len(n.Args) == 1 && isIntIndex(n.Args[0])) {
					return &act{kind: actRemove, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
				}
			case "popleft", "popitem":
				if len(n.Args) == 0 {
					return &act{kind: actRemove, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
				}
			}
		}
		if name, ok := n.Func.(*python.Name); ok && name.ID == "next" && len(n.Args) == 1 {
			if inner, ok := n.Args[0].(*python.Call); ok {
				if it, ok := inner.Func.(*python.Name); ok && it.ID == "iter" && len(inner.Args) == 1 && exprEqual(inner.Args[0], f.cont) {
					return &act{kind: actRead, node: n, ctx: ctx, what: "reads `" + c.text(n) + "`"}
				}
			}
		}
	case *python.Subscript:
		if n.Ctx == python.Load && exprEqual(n.Value, f.cont) && isIntIndex(n.Slice) {
			return &act{kind: actRead, node: n, ctx: ctx, what: "reads `" + c.text(n) + "`"}
		}
	}
	return nil
}

func (c *ctaChecker) matchPath(f fact, ctx *model.Ctx, n python.Node) *act {
	call, ok := n.(*python.Call)
	if !ok {
		return nil
	}
	if f.pathlib {
		a, ok := call.Func.(*python.Attribute)
		if !ok || !exprEqual(a.Value, f.cont) {
			return nil
		}
		if f.holds && pathUse[a.Attr] {
			return &act{kind: actRead, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
		}
		if !f.holds && pathCreate[a.Attr] && !hasTrueKeyword(call, "exist_ok") {
			return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
		}
		return nil
	}
	if len(call.Args) == 0 || !exprEqual(call.Args[0], f.cont) {
		return nil
	}
	name := model.DottedName(call.Func)
	if f.holds && fsUse[name] {
		return &act{kind: actRead, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
	}
	if !f.holds {
		if fsCreate[name] && !hasTrueKeyword(call, "exist_ok") {
			return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
		}
		if (name == "open" || name == "io.open") && writeMode(call) {
			return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
		}
	}
	return nil
}

// hasTrueKeyword reports whether a call passes name=True.
func hasTrueKeyword(call *python.Call, name string) bool {
	for _, k := range call.Keywords {
		if k.Arg == name {
			if c, ok := k.Value.(*python.Constant); ok && c.Value.Kind == python.BoolValue && !c.Value.Bool {
				return false
			}
			return true
		}
	}
	return false
}

// writeMode reports whether an open() call truncates: mode "w...".
func writeMode(call *python.Call) bool {
	var mode python.Expr
	if len(call.Args) >= 2 {
		mode = call.Args[1]
	}
	for _, k := range call.Keywords {
		if k.Arg == "mode" {
			mode = k.Value
		}
	}
	c, ok := mode.(*python.Constant)
	return ok && c.Value.Kind == python.StrValue && strings.Contains(c.Value.Str, "w")
}

func (c *ctaChecker) matchHasattr(f fact, ctx *model.Ctx, n python.Node) *act {
	isAttr := func(e python.Expr) bool {
		a, ok := e.(*python.Attribute)
		return ok && a.Attr == f.attr && exprEqual(a.Value, f.cont)
	}
	isNamed := func(call *python.Call, fn string) bool {
		name, ok := call.Func.(*python.Name)
		if !ok || name.ID != fn || len(call.Args) < 2 || !exprEqual(call.Args[0], f.cont) {
			return false
		}
		s, ok := call.Args[1].(*python.Constant)
		return ok && s.Value.Kind == python.StrValue && s.Value.Str == f.attr
	}
	if f.holds {
		switch n := n.(type) {
		case *python.Delete:
			for _, t := range n.Targets {
				if isAttr(t) {
					return &act{kind: actRemove, node: n, ctx: ctx, what: "`del " + c.text(t) + "`"}
				}
			}
		case *python.Call:
			if isNamed(n, "delattr") {
				return &act{kind: actRemove, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
			}
		}
		return nil
	}
	switch n := n.(type) {
	case *python.Assign:
		for _, t := range n.Targets {
			if isAttr(t) {
				return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(t) + " = …`"}
			}
		}
	case *python.Call:
		if isNamed(n, "setattr") {
			return &act{kind: actInsert, node: n, ctx: ctx, what: "`" + c.text(n) + "`"}
		}
	}
	return nil
}

func (c *ctaChecker) matchNotNone(f fact, ctx *model.Ctx, n python.Node) *act {
	a, ok := n.(*python.Attribute)
	if !ok || a.Ctx != python.Load || !exprEqual(a.Value, f.cont) {
		return nil
	}
	return &act{kind: actUse, node: n, ctx: ctx, what: "uses `" + c.text(n) + "`"}
}

func (c *ctaChecker) text(n python.Node) string {
	if t := exprText(c.m, n); t != "" {
		return t
	}
	return codeAt(c.m, n)
}

// emit reports an action if the state is shared, the check and the action
// share no lock, and (for reads) other code can take the element away.
func (c *ctaChecker) emit(f fact, r region, a *act) {
	fl := c.fl
	checkCtx := r.ctx
	if sharesLock(fl.held(checkCtx), fl.held(a.ctx)) {
		return
	}
	checkText := "`if " + c.text(f.check) + "`"
	switch r.exit {
	case "":
	case "else":
		checkText = "the else branch of " + checkText
	default:
		checkText = "`if " + c.text(f.check) + ": " + r.exit + "`"
	}
	if f.kind == factPath {
		c.emitPath(f, checkText, a)
		return
	}
	target := f.cont
	if f.kind == factHasattr {
		target = &python.Attribute{Span: f.check.Pos(), Value: f.cont, Attr: f.attr, Ctx: python.Load}
	}
	ref, ok := fl.sharedRef(a.ctx, target)
	if !ok {
		return
	}
	if _, ok := fl.sharedRef(checkCtx, target); !ok {
		return
	}
	key := fl.key(ref)
	var partner *mutation
	switch a.kind {
	case actRead:
		// Only a race if other code can take the element away.
		partner = c.remover(key, a.ctx, func(mu *mutation) bool { return mu.Removes })
		if partner == nil {
			return
		}
	case actUse:
		if !concurrencyIntent(c.m, a.ctx) {
			return
		}
		partner = c.remover(key, a.ctx, func(mu *mutation) bool {
			// initialize_options(), init(): set-up by convention, not a
			// concurrent reset.
			return mu.Rebind && mu.ToNone && !strings.HasPrefix(strings.TrimLeft(strings.ToLower(funcName(mu.Ctx)), "_"), "init")
		})
		if partner == nil || partner.Ctx.Func == a.ctx.Func {
			return
		}
	}
	name := ref.Display()
	lock := c.lockText(checkCtx, a.ctx)
	var msg, fix string
	switch a.kind {
	case actInsert:
		lost := "one of the two values is lost"
		if call, ok := a.node.(*python.Call); ok && model.CalleeName(call) != "setattr" {
			lost = "the item is added twice"
		}
		msg = fmt.Sprintf("check-then-act on %s: %s then %s %s; another thread can insert between them, and %s", name, checkText, a.what, lock, lost)
		switch f.kind {
		case factHasattr:
			fix = "set the attribute at construction time, or hold one lock around the hasattr() check and the assignment"
		default:
			if _, isAppend := a.node.(*python.Call); isAppend {
				fix = "hold one lock around the membership test and the append (or keep a set beside the list); the pair is not atomic"
			} else {
				fix = fmt.Sprintf("use `%s.setdefault(key, value)`, which inserts only if absent and returns the value that won, or hold one lock around the check and the insert", exprTextOr(c.m, f.cont, name))
			}
		}
	case actRemove:
		msg = fmt.Sprintf("check-then-act on %s: %s then %s %s; another thread can remove it between them (%s)", name, checkText, a.what, lock, actError(a))
		switch f.kind {
		case factMember:
			fix = fmt.Sprintf("use `%s.pop(key, None)`, which removes atomically and tolerates a missing key, or try/except KeyError, or hold one lock around both", exprTextOr(c.m, f.cont, name))
		case factNonEmpty:
			fix = "pop and handle the empty case: `try: item = lst.pop() except IndexError: ...` (or use queue.Queue), or hold one lock around the test and the pop"
		default:
			fix = "do it and handle the error (try/except AttributeError), or hold one lock around the check and the deletion"
		}
	case actRead:
		msg = fmt.Sprintf("check-then-act on %s: %s then %s %s, while %s removes elements (`%s`, line %d); it can vanish between them (%s)",
			name, checkText, a.what, lock, "`"+funcLabel(partner.Ctx)+"`", codeAt(c.m, partner.Node), partner.Node.Pos().Line, actError(a))
		if f.kind == factMember {
			fix = fmt.Sprintf("read once with `value = %s.get(key)` and test the value, or try/except KeyError, or hold one lock around both", exprTextOr(c.m, f.cont, name))
		} else {
			fix = "read and handle the empty case (try/except IndexError), or hold one lock around the test and the read"
		}
	case actUse:
		msg = fmt.Sprintf("check-then-act on %s: %s then %s %s, while %s sets it to None (`%s`, line %d); another thread can clear it between them (AttributeError on None)",
			name, checkText, a.what, lock, "`"+funcLabel(partner.Ctx)+"`", codeAt(c.m, partner.Node), partner.Node.Pos().Line)
		fix = fmt.Sprintf("read the attribute once into a local (`x = %s`, then `if x is not None: x...`), or hold one lock around the check, the use and the assignment to None", exprTextOr(c.m, f.cont, name))
	}
	rel := []scan.RelatedNode{{Node: f.check, Message: "the check: `" + c.text(f.check) + "`"}}
	if partner != nil {
		rel = append(rel, scan.RelatedNode{Node: partner.Node, Message: fmt.Sprintf("%s changed here (%s) in %s", name, partner.Op, funcLabel(partner.Ctx))})
	}
	c.report(scan.Report{Node: a.node, Ctx: a.ctx, Message: msg, Fix: fix, Confidence: kindConfidence(ref), Related: rel})
}

// remover finds run-time code that takes the element away, preferring
// another function.
func (c *ctaChecker) remover(key string, ctx *model.Ctx, ok func(*mutation) bool) *mutation {
	var same *mutation
	for _, mu := range c.fl.runtimeMutations(key) {
		if !ok(mu) {
			continue
		}
		if mu.Ctx.Func != ctx.Func {
			return mu
		}
		if same == nil {
			same = mu
		}
	}
	return same
}

func (c *ctaChecker) emitPath(f fact, checkText string, a *act) {
	var msg, fix string
	p := c.text(f.cont)
	if a.kind == actInsert {
		msg = fmt.Sprintf("filesystem check-then-act on %s: %s then %s; another thread or process can create it between them (FileExistsError, or a clobbered file)", p, checkText, a.what)
		fix = "act and handle the outcome: `os.makedirs(p, exist_ok=True)`, `try: os.mkdir(p) except FileExistsError`, `open(p, \"x\")` for exclusive creation"
	} else {
		msg = fmt.Sprintf("filesystem check-then-act on %s: %s then %s; another thread or process can remove or replace it between them (FileNotFoundError)", p, checkText, a.what)
		fix = "act and handle the error instead of checking first: `try: ... except FileNotFoundError:` (or `contextlib.suppress(FileNotFoundError)`)"
	}
	c.report(scan.Report{Node: a.node, Ctx: a.ctx, Message: msg, Fix: fix, Confidence: scan.Medium,
		Related: []scan.RelatedNode{{Node: f.check, Message: "the check: `" + c.text(f.check) + "`"}}})
}

// funcName is the name of the function of ctx, "" at module level.
func funcName(ctx *model.Ctx) string {
	if ctx == nil || ctx.Func == nil {
		return ""
	}
	return ctx.Func.Name
}

// lockText says where the locks are: none at all, or only around the
// action.
func (c *ctaChecker) lockText(checkCtx, actCtx *model.Ctx) string {
	if h := c.fl.held(actCtx); len(h) > 0 {
		return "under " + c.fl.heldDesc(actCtx) + ", but the check is outside that lock"
	}
	return "without a lock"
}

// actError is the exception the action raises when the check no longer
// holds.
func actError(a *act) string {
	switch n := a.node.(type) {
	case *python.Delete:
		if _, ok := n.Targets[0].(*python.Attribute); ok {
			return "AttributeError"
		}
		return "KeyError"
	case *python.Subscript:
		if isIntIndex(n.Slice) {
			return "IndexError"
		}
		return "KeyError"
	case *python.Call:
		switch model.CalleeName(n) {
		case "pop":
			if len(n.Args) == 1 && !isIntIndex(n.Args[0]) {
				return "KeyError"
			}
			return "IndexError"
		case "popleft":
			return "IndexError"
		case "popitem":
			return "KeyError"
		case "remove":
			return "ValueError for a list, KeyError for a set"
		case "next":
			return "StopIteration"
		case "delattr":
			return "AttributeError"
		}
	}
	return "an exception"
}

func exprTextOr(m *model.Module, e python.Expr, def string) string {
	if t := exprText(m, e); t != "" {
		return t
	}
	return def
}

// mayMention reports whether the code of r may hold an expression equal to
// cont: false when cont ends in a name (x, self.x) that the source lines
// of r do not contain. Every action a fact matches names its state, so a
// region that never does is not scanned.
func (c *ctaChecker) mayMention(r region, cont python.Expr) bool {
	return mayMention(c.m, r.stmts, r.exprs, cont)
}

// mentionMinLines is the size of region below which mayMention does not
// look at the source (building the module's line index costs more).
const mentionMinLines = 40

// mayMention reports whether stmts and exprs may hold an expression equal
// to cont (exprEqual): false when cont ends in a name (x, self.x) that
// their source lines do not contain.
func mayMention(m *model.Module, stmts []python.Stmt, exprs []python.Expr, cont python.Expr) bool {
	var ident string
	switch e := cont.(type) {
	case *python.Name:
		ident = e.ID
	case *python.Attribute:
		ident = e.Attr
	default:
		return true
	}
	for i := 0; i < len(ident); i++ {
		if ident[i] >= utf8.RuneSelf {
			return true // the source may spell it unnormalized (NFKC)
		}
	}
	first, last := 0, 0
	span := func(n python.Node) {
		p := n.Pos()
		if first == 0 || p.Line < first {
			first = p.Line
		}
		last = max(last, p.EndLine, p.Line)
	}
	for _, s := range stmts {
		span(s)
	}
	for _, e := range exprs {
		span(e)
	}
	if first == 0 {
		return false
	}
	if last-first < mentionMinLines {
		return true // scanning a few lines costs less than looking
	}
	lines := m.Lines()
	text := lines.Through(last)
	text = text[len(lines.Through(first-1)):]
	return strings.Contains(text, ident)
}
