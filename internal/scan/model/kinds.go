package model

import "github.com/pyrace/pyrace/internal/python"

// Kind classifies the nodes of the walk, so that a rule can visit only
// the kinds it looks at (WalkKinds).
type Kind uint8

// The kinds of node. KOtherStmt, KOtherExpr and KOther gather the node
// types no rule singles out.
const (
	KOther Kind = iota // arguments, keywords, aliases, patterns...
	KFunctionDef
	KAsyncFunctionDef
	KClassDef
	KReturn
	KDelete
	KAssign
	KAugAssign
	KAnnAssign
	KFor
	KAsyncFor
	KWhile
	KIf
	KWith
	KAsyncWith
	KMatch
	KRaise
	KTry
	KTryStar
	KAssert
	KImport
	KImportFrom
	KGlobal
	KNonlocal
	KExprStmt
	KOtherStmt // pass, break, continue, type aliases
	KBoolOp
	KNamedExpr
	KBinOp
	KUnaryOp
	KLambda
	KIfExp
	KDict
	KSet
	KListComp
	KSetComp
	KDictComp
	KGeneratorExp
	KAwait
	KYield
	KYieldFrom
	KCompare
	KCall
	KConstant
	KAttribute
	KSubscript
	KStarred
	KName
	KList
	KTuple
	KSlice
	KOtherExpr // f-strings and template strings
	numKinds
)

// KindSet is a set of kinds.
type KindSet uint64

// Kinds returns the set of the given kinds.
func Kinds(ks ...Kind) KindSet {
	var s KindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

// Has reports whether k is in the set.
func (s KindSet) Has(k Kind) bool { return s&(1<<k) != 0 }

// StmtKinds are the kinds of statement.
const StmtKinds KindSet = 1<<KBoolOp - 1 - 1<<KOther

// Features are syntactic facts about a module the walk notes, so that a
// rule can tell at once that its shape cannot occur.
type Features uint32

const (
	// HasAcquireCall: a call `X.acquire(...)` somewhere in the walk.
	HasAcquireCall Features = 1 << iota
	// HasSetattrCall: a call `setattr(...)` or `delattr(...)`.
	HasSetattrCall
)

// Has reports whether the walk has one of the features in f.
func (m *Module) Has(f Features) bool { return m.features&f != 0 }

// KindOf returns the kind of a node.
func KindOf(n python.Node) Kind {
	switch n.(type) {
	case *python.Name:
		return KName
	case *python.Attribute:
		return KAttribute
	case *python.Call:
		return KCall
	case *python.Constant:
		return KConstant
	case *python.Subscript:
		return KSubscript
	case *python.Assign:
		return KAssign
	case *python.ExprStmt:
		return KExprStmt
	case *python.Tuple:
		return KTuple
	case *python.BinOp:
		return KBinOp
	case *python.Compare:
		return KCompare
	case *python.If:
		return KIf
	case *python.Return:
		return KReturn
	case *python.FunctionDef:
		return KFunctionDef
	case *python.AsyncFunctionDef:
		return KAsyncFunctionDef
	case *python.ClassDef:
		return KClassDef
	case *python.Delete:
		return KDelete
	case *python.AugAssign:
		return KAugAssign
	case *python.AnnAssign:
		return KAnnAssign
	case *python.For:
		return KFor
	case *python.AsyncFor:
		return KAsyncFor
	case *python.While:
		return KWhile
	case *python.With:
		return KWith
	case *python.AsyncWith:
		return KAsyncWith
	case *python.Match:
		return KMatch
	case *python.Raise:
		return KRaise
	case *python.Try:
		return KTry
	case *python.TryStar:
		return KTryStar
	case *python.Assert:
		return KAssert
	case *python.Import:
		return KImport
	case *python.ImportFrom:
		return KImportFrom
	case *python.Global:
		return KGlobal
	case *python.Nonlocal:
		return KNonlocal
	case *python.Pass, *python.Break, *python.Continue, *python.TypeAlias:
		return KOtherStmt
	case *python.BoolOp:
		return KBoolOp
	case *python.NamedExpr:
		return KNamedExpr
	case *python.UnaryOp:
		return KUnaryOp
	case *python.Lambda:
		return KLambda
	case *python.IfExp:
		return KIfExp
	case *python.Dict:
		return KDict
	case *python.Set:
		return KSet
	case *python.ListComp:
		return KListComp
	case *python.SetComp:
		return KSetComp
	case *python.DictComp:
		return KDictComp
	case *python.GeneratorExp:
		return KGeneratorExp
	case *python.Await:
		return KAwait
	case *python.Yield:
		return KYield
	case *python.YieldFrom:
		return KYieldFrom
	case *python.Starred:
		return KStarred
	case *python.List:
		return KList
	case *python.Slice:
		return KSlice
	case *python.FormattedValue, *python.Interpolation, *python.JoinedStr, *python.TemplateStr:
		return KOtherExpr
	}
	return KOther
}
