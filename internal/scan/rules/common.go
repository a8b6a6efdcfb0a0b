package rules

import (
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

type pyExpr = python.Expr

// sameExpr reports whether two expressions are the same Name/Attribute/
// Subscript chain with constant or name subscripts ("self.n", "d[k]").
func sameExpr(a, b python.Expr) bool {
	switch a := a.(type) {
	case *python.Name:
		b, ok := b.(*python.Name)
		return ok && a.ID == b.ID
	case *python.Attribute:
		b, ok := b.(*python.Attribute)
		return ok && a.Attr == b.Attr && sameExpr(a.Value, b.Value)
	case *python.Subscript:
		b, ok := b.(*python.Subscript)
		return ok && sameExpr(a.Value, b.Value) && sameExpr(a.Slice, b.Slice)
	case *python.Constant:
		b, ok := b.(*python.Constant)
		return ok && a.Value == b.Value
	}
	return false
}

// mentions reports whether e contains an expression equal to target.
func mentions(e, target python.Expr) bool {
	found := false
	python.Inspect(e, func(n python.Node) bool {
		if found {
			return false
		}
		if x, ok := n.(python.Expr); ok && sameExpr(x, target) {
			found = true
			return false
		}
		return true
	})
	return found
}

// opSymbol is the operator as written: "+" for python.Add.
func opSymbol(op python.Operator) string {
	switch op {
	case python.Add:
		return "+"
	case python.Sub:
		return "-"
	case python.Mult:
		return "*"
	case python.MatMult:
		return "@"
	case python.Div:
		return "/"
	case python.Mod:
		return "%"
	case python.Pow:
		return "**"
	case python.LShift:
		return "<<"
	case python.RShift:
		return ">>"
	case python.BitOr:
		return "|"
	case python.BitXor:
		return "^"
	case python.BitAnd:
		return "&"
	case python.FloorDiv:
		return "//"
	}
	return op.String()
}

// readsTarget reports whether value reads what target names: the same
// expression, or for an item d[k], a d.get(k, ...) call.
func readsTarget(value, target python.Expr) bool {
	if mentions(value, target) {
		return true
	}
	sub, ok := target.(*python.Subscript)
	if !ok {
		return false
	}
	found := false
	python.Inspect(value, func(n python.Node) bool {
		call, ok := n.(*python.Call)
		if !ok || found {
			return !found
		}
		if a, ok := call.Func.(*python.Attribute); ok && a.Attr == "get" && len(call.Args) > 0 &&
			sameExpr(a.Value, sub.Value) && sameExpr(call.Args[0], sub.Slice) {
			found = true
		}
		return !found
	})
	return found
}

// containsLower reports whether strings.ToLower(s) contains sub, a
// lower-case ASCII string, without allocating when s is ASCII.
func containsLower(s, sub string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Contains(strings.ToLower(s), sub)
		}
	}
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// storeTargets returns the targets a statement stores to or deletes, and
// the verb for messages ("set" or "deleted"): the targets of an assignment,
// of an annotated assignment with a value, or of a del; nil for anything
// else.
func storeTargets(n python.Node) (targets []python.Expr, verb string) {
	switch s := n.(type) {
	case *python.Assign:
		return s.Targets, "set"
	case *python.AnnAssign:
		if s.Value != nil {
			return []python.Expr{s.Target}, "set"
		}
	case *python.Delete:
		return s.Targets, "deleted"
	}
	return nil, "set"
}
