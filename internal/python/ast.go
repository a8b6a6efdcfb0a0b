package python

// This file defines the typed syntax tree. It mirrors CPython's `ast` module
// (Python 3.14 grammar): one Go type per node kind, with the same field
// names in Go spelling and the same position conventions.

// Span is a node's source range with CPython's conventions: lines are
// 1-based, columns are 0-based offsets in UTF-8 bytes from the start of the
// line, and the end is exclusive.
type Span struct {
	Line, Col, EndLine, EndCol int
}

// Pos returns the node's source range.
func (s Span) Pos() Span { return s }

func (s *Span) spanPtr() *Span { return s }

// spanned is implemented by every node that embeds a Span.
type spanned interface{ spanPtr() *Span }

// Node is any syntax tree node that carries a position.
type Node interface {
	Pos() Span
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Pattern is a pattern node of a match statement's case clause.
type Pattern interface {
	Node
	patternNode()
}

// TypeParam is a type parameter (PEP 695): TypeVar, ParamSpec or TypeVarTuple.
type TypeParam interface {
	Node
	typeParamNode()
}

// Module is the root of a parsed file.
type Module struct {
	Body []Stmt
}

// ----------------------------------------------------------------------------
// Statements

// FunctionDef is `def name(args) -> returns: body`.
type FunctionDef struct {
	Span
	Name          string
	Args          *Arguments
	Body          []Stmt
	DecoratorList []Expr
	Returns       Expr // nil when absent
	TypeParams    []TypeParam
}

// AsyncFunctionDef is `async def ...`.
type AsyncFunctionDef struct {
	Span
	Name          string
	Args          *Arguments
	Body          []Stmt
	DecoratorList []Expr
	Returns       Expr
	TypeParams    []TypeParam
}

// ClassDef is `class name(bases, keywords): body`.
type ClassDef struct {
	Span
	Name          string
	Bases         []Expr
	Keywords      []*Keyword
	Body          []Stmt
	DecoratorList []Expr
	TypeParams    []TypeParam
}

// Return is `return value`.
type Return struct {
	Span
	Value Expr
}

// Delete is `del targets`.
type Delete struct {
	Span
	Targets []Expr
}

// Assign is `targets[0] = targets[1] = ... = value`.
type Assign struct {
	Span
	Targets []Expr
	Value   Expr
}

// TypeAlias is `type name[type_params] = value` (PEP 695).
type TypeAlias struct {
	Span
	Name       Expr
	TypeParams []TypeParam
	Value      Expr
}

// AugAssign is `target op= value`.
type AugAssign struct {
	Span
	Target Expr
	Op     Operator
	Value  Expr
}

// AnnAssign is `target: annotation = value`. Simple is true when the target
// is a plain name that was not parenthesized.
type AnnAssign struct {
	Span
	Target     Expr
	Annotation Expr
	Value      Expr
	Simple     bool
}

// For is `for target in iter: body else: orelse`.
type For struct {
	Span
	Target Expr
	Iter   Expr
	Body   []Stmt
	Orelse []Stmt
}

// AsyncFor is `async for ...`.
type AsyncFor struct {
	Span
	Target Expr
	Iter   Expr
	Body   []Stmt
	Orelse []Stmt
}

// While is `while test: body else: orelse`.
type While struct {
	Span
	Test   Expr
	Body   []Stmt
	Orelse []Stmt
}

// If is `if test: body` with `elif`/`else` in Orelse (an elif is a nested If).
type If struct {
	Span
	Test   Expr
	Body   []Stmt
	Orelse []Stmt
}

// With is `with items: body`.
type With struct {
	Span
	Items []*WithItem
	Body  []Stmt
}

// AsyncWith is `async with ...`.
type AsyncWith struct {
	Span
	Items []*WithItem
	Body  []Stmt
}

// Match is `match subject:` with its case clauses (PEP 634).
type Match struct {
	Span
	Subject Expr
	Cases   []*MatchCase
}

// Raise is `raise exc from cause`.
type Raise struct {
	Span
	Exc   Expr
	Cause Expr
}

// Try is `try/except/else/finally`.
type Try struct {
	Span
	Body      []Stmt
	Handlers  []*ExceptHandler
	Orelse    []Stmt
	Finalbody []Stmt
}

// TryStar is `try/except*` (PEP 654).
type TryStar struct {
	Span
	Body      []Stmt
	Handlers  []*ExceptHandler
	Orelse    []Stmt
	Finalbody []Stmt
}

// Assert is `assert test, msg`.
type Assert struct {
	Span
	Test Expr
	Msg  Expr
}

// Import is `import names`.
type Import struct {
	Span
	Names []*Alias
}

// ImportFrom is `from module import names`; Level counts leading dots.
// Module is empty for `from . import x`.
type ImportFrom struct {
	Span
	Module string
	Names  []*Alias
	Level  int
}

// Global is `global names`.
type Global struct {
	Span
	Names []string
}

// Nonlocal is `nonlocal names`.
type Nonlocal struct {
	Span
	Names []string
}

// ExprStmt is an expression used as a statement (CPython's `Expr`).
type ExprStmt struct {
	Span
	Value Expr
}

// Pass is `pass`.
type Pass struct{ Span }

// Break is `break`.
type Break struct{ Span }

// Continue is `continue`.
type Continue struct{ Span }

// ----------------------------------------------------------------------------
// Expressions

// BoolOp is `a and b and c` or `a or b`.
type BoolOp struct {
	Span
	Op     BoolOperator
	Values []Expr
}

// NamedExpr is `target := value`.
type NamedExpr struct {
	Span
	Target Expr
	Value  Expr
}

// BinOp is `left op right`.
type BinOp struct {
	Span
	Left  Expr
	Op    Operator
	Right Expr
}

// UnaryOp is `op operand`.
type UnaryOp struct {
	Span
	Op      UnaryOperator
	Operand Expr
}

// Lambda is `lambda args: body`.
type Lambda struct {
	Span
	Args *Arguments
	Body Expr
}

// IfExp is `body if test else orelse`.
type IfExp struct {
	Span
	Test   Expr
	Body   Expr
	Orelse Expr
}

// Dict is a dict display. A nil key means `**value`.
type Dict struct {
	Span
	Keys   []Expr
	Values []Expr
}

// Set is a set display.
type Set struct {
	Span
	Elts []Expr
}

// ListComp is `[elt for ...]`.
type ListComp struct {
	Span
	Elt        Expr
	Generators []*Comprehension
}

// SetComp is `{elt for ...}`.
type SetComp struct {
	Span
	Elt        Expr
	Generators []*Comprehension
}

// DictComp is `{key: value for ...}`.
type DictComp struct {
	Span
	Key        Expr
	Value      Expr
	Generators []*Comprehension
}

// GeneratorExp is `(elt for ...)`.
type GeneratorExp struct {
	Span
	Elt        Expr
	Generators []*Comprehension
}

// Await is `await value`.
type Await struct {
	Span
	Value Expr
}

// Yield is `yield value`.
type Yield struct {
	Span
	Value Expr
}

// YieldFrom is `yield from value`.
type YieldFrom struct {
	Span
	Value Expr
}

// Compare is `left ops[0] comparators[0] ops[1] comparators[1] ...`.
type Compare struct {
	Span
	Left        Expr
	Ops         []CmpOperator
	Comparators []Expr
}

// Call is `func(args, keywords)`.
type Call struct {
	Span
	Func     Expr
	Args     []Expr
	Keywords []*Keyword
}

// FormattedValue is a replacement field `{value!conversion:format_spec}` of
// an f-string. Conversion is -1 (none), 's', 'r' or 'a'.
type FormattedValue struct {
	Span
	Value      Expr
	Conversion int
	FormatSpec Expr // *JoinedStr or nil
}

// Interpolation is a replacement field of a t-string (PEP 750); Str is the
// expression's source text.
type Interpolation struct {
	Span
	Value      Expr
	Str        string
	Conversion int
	FormatSpec Expr // *JoinedStr or nil
}

// JoinedStr is an f-string.
type JoinedStr struct {
	Span
	Values []Expr
}

// TemplateStr is a t-string (PEP 750).
type TemplateStr struct {
	Span
	Values []Expr
}

// Constant is a literal. Kind is "u" for strings written with a u prefix.
type Constant struct {
	Span
	Value Value
	Kind  string
}

// Attribute is `value.attr`.
type Attribute struct {
	Span
	Value Expr
	Attr  string
	Ctx   ExprContext
}

// Subscript is `value[slice]`.
type Subscript struct {
	Span
	Value Expr
	Slice Expr
	Ctx   ExprContext
}

// Starred is `*value`.
type Starred struct {
	Span
	Value Expr
	Ctx   ExprContext
}

// Name is an identifier, NFKC-normalised as CPython does.
type Name struct {
	Span
	ID  string
	Ctx ExprContext
}

// List is a list display.
type List struct {
	Span
	Elts []Expr
	Ctx  ExprContext
}

// Tuple is a tuple display, parenthesised or not.
type Tuple struct {
	Span
	Elts []Expr
	Ctx  ExprContext
}

// Slice is `lower:upper:step` inside a subscript.
type Slice struct {
	Span
	Lower Expr
	Upper Expr
	Step  Expr
}

// ----------------------------------------------------------------------------
// Other nodes

// Comprehension is one `for target in iter if ifs...` clause.
type Comprehension struct {
	Target  Expr
	Iter    Expr
	Ifs     []Expr
	IsAsync bool
}

// ExceptHandler is one `except type as name: body` clause.
type ExceptHandler struct {
	Span
	Type Expr
	Name string // empty when absent
	Body []Stmt
}

// Arguments is a parameter list of a def or lambda.
type Arguments struct {
	PosOnlyArgs []*Arg
	Args        []*Arg
	Vararg      *Arg
	KwOnlyArgs  []*Arg
	KwDefaults  []Expr // parallel to KwOnlyArgs; nil where there is no default
	Kwarg       *Arg
	Defaults    []Expr // defaults of the last len(Defaults) positional parameters
}

// Arg is one parameter.
type Arg struct {
	Span
	Arg        string
	Annotation Expr
}

// Keyword is a keyword argument `arg=value`, or `**value` when Arg is empty.
type Keyword struct {
	Span
	Arg   string
	Value Expr
}

// Alias is one `name as asname` of an import.
type Alias struct {
	Span
	Name   string
	AsName string
}

// WithItem is one `context_expr as optional_vars` of a with statement.
type WithItem struct {
	ContextExpr  Expr
	OptionalVars Expr
}

// MatchCase is one `case pattern if guard: body` clause.
type MatchCase struct {
	Pattern Pattern
	Guard   Expr
	Body    []Stmt
}

// ----------------------------------------------------------------------------
// Patterns

// MatchValue matches a value pattern (a literal or dotted name).
type MatchValue struct {
	Span
	Value Expr
}

// MatchSingleton matches None, True or False.
type MatchSingleton struct {
	Span
	Value Value
}

// MatchSequence is `[p, q, *rest]` or `(p, q)`.
type MatchSequence struct {
	Span
	Patterns []Pattern
}

// MatchMapping is `{key: p, **rest}`; Rest is empty when absent.
type MatchMapping struct {
	Span
	Keys     []Expr
	Patterns []Pattern
	Rest     string
}

// MatchClass is `Cls(p, attr=q)`.
type MatchClass struct {
	Span
	Cls         Expr
	Patterns    []Pattern
	KwdAttrs    []string
	KwdPatterns []Pattern
}

// MatchStar is `*name` (Name empty for `*_`) inside a sequence pattern.
type MatchStar struct {
	Span
	Name string
}

// MatchAs is `pattern as name`, a capture `name`, or the wildcard `_`
// (both nil/empty).
type MatchAs struct {
	Span
	Pattern Pattern
	Name    string
}

// MatchOr is `p | q`.
type MatchOr struct {
	Span
	Patterns []Pattern
}

// ----------------------------------------------------------------------------
// Type parameters (PEP 695, defaults from PEP 696)

// TypeVar is `T`, `T: bound` or `T = default`.
type TypeVar struct {
	Span
	Name         string
	Bound        Expr
	DefaultValue Expr
}

// ParamSpec is `**P`.
type ParamSpec struct {
	Span
	Name         string
	DefaultValue Expr
}

// TypeVarTuple is `*Ts`.
type TypeVarTuple struct {
	Span
	Name         string
	DefaultValue Expr
}

// ----------------------------------------------------------------------------
// Enumerations

// ExprContext says whether an expression is read, assigned or deleted.
type ExprContext uint8

// Expression contexts.
const (
	Load ExprContext = iota
	Store
	Del
)

func (c ExprContext) String() string {
	switch c {
	case Store:
		return "Store"
	case Del:
		return "Del"
	}
	return "Load"
}

// BoolOperator is `and` or `or`.
type BoolOperator uint8

// Boolean operators.
const (
	And BoolOperator = iota
	Or
)

func (o BoolOperator) String() string {
	if o == Or {
		return "Or"
	}
	return "And"
}

// Operator is a binary arithmetic or bitwise operator.
type Operator uint8

// Binary operators, in CPython's order.
const (
	Add Operator = iota
	Sub
	Mult
	MatMult
	Div
	Mod
	Pow
	LShift
	RShift
	BitOr
	BitXor
	BitAnd
	FloorDiv
)

var operatorNames = [...]string{"Add", "Sub", "Mult", "MatMult", "Div", "Mod", "Pow", "LShift", "RShift", "BitOr", "BitXor", "BitAnd", "FloorDiv"}

func (o Operator) String() string {
	if int(o) < len(operatorNames) {
		return operatorNames[o]
	}
	return "Operator(?)"
}

// UnaryOperator is `~`, `not`, unary `+` or unary `-`.
type UnaryOperator uint8

// Unary operators.
const (
	Invert UnaryOperator = iota
	Not
	UAdd
	USub
)

var unaryNames = [...]string{"Invert", "Not", "UAdd", "USub"}

func (o UnaryOperator) String() string {
	if int(o) < len(unaryNames) {
		return unaryNames[o]
	}
	return "UnaryOperator(?)"
}

// CmpOperator is a comparison operator.
type CmpOperator uint8

// Comparison operators.
const (
	Eq CmpOperator = iota
	NotEq
	Lt
	LtE
	Gt
	GtE
	Is
	IsNot
	In
	NotIn
)

var cmpNames = [...]string{"Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn"}

func (o CmpOperator) String() string {
	if int(o) < len(cmpNames) {
		return cmpNames[o]
	}
	return "CmpOperator(?)"
}

// ----------------------------------------------------------------------------
// Constant values

// ValueKind says which Python type a constant Value has.
type ValueKind uint8

// Constant value kinds.
const (
	NoneValue ValueKind = iota
	BoolValue
	IntValue
	FloatValue
	ComplexValue
	StrValue
	BytesValue
	EllipsisValue
)

// Value is a Python constant.
//
//   - BoolValue: Bool.
//   - IntValue: Str holds the decimal digits (arbitrary size, no sign).
//   - FloatValue: Float.
//   - ComplexValue: Float is the imaginary part (literals have a zero real part).
//   - StrValue: Str holds the text as UTF-8; code points that UTF-8 cannot
//     carry (lone surrogates from escapes such as "\udc80") are encoded the
//     WTF-8 way, as three bytes each.
//   - BytesValue: Str holds the raw bytes.
type Value struct {
	Kind  ValueKind
	Bool  bool
	Str   string
	Float float64
}

// ----------------------------------------------------------------------------
// Marker methods

func (*FunctionDef) stmtNode()      {}
func (*AsyncFunctionDef) stmtNode() {}
func (*ClassDef) stmtNode()         {}
func (*Return) stmtNode()           {}
func (*Delete) stmtNode()           {}
func (*Assign) stmtNode()           {}
func (*TypeAlias) stmtNode()        {}
func (*AugAssign) stmtNode()        {}
func (*AnnAssign) stmtNode()        {}
func (*For) stmtNode()              {}
func (*AsyncFor) stmtNode()         {}
func (*While) stmtNode()            {}
func (*If) stmtNode()               {}
func (*With) stmtNode()             {}
func (*AsyncWith) stmtNode()        {}
func (*Match) stmtNode()            {}
func (*Raise) stmtNode()            {}
func (*Try) stmtNode()              {}
func (*TryStar) stmtNode()          {}
func (*Assert) stmtNode()           {}
func (*Import) stmtNode()           {}
func (*ImportFrom) stmtNode()       {}
func (*Global) stmtNode()           {}
func (*Nonlocal) stmtNode()         {}
func (*ExprStmt) stmtNode()         {}
func (*Pass) stmtNode()             {}
func (*Break) stmtNode()            {}
func (*Continue) stmtNode()         {}

func (*BoolOp) exprNode()         {}
func (*NamedExpr) exprNode()      {}
func (*BinOp) exprNode()          {}
func (*UnaryOp) exprNode()        {}
func (*Lambda) exprNode()         {}
func (*IfExp) exprNode()          {}
func (*Dict) exprNode()           {}
func (*Set) exprNode()            {}
func (*ListComp) exprNode()       {}
func (*SetComp) exprNode()        {}
func (*DictComp) exprNode()       {}
func (*GeneratorExp) exprNode()   {}
func (*Await) exprNode()          {}
func (*Yield) exprNode()          {}
func (*YieldFrom) exprNode()      {}
func (*Compare) exprNode()        {}
func (*Call) exprNode()           {}
func (*FormattedValue) exprNode() {}
func (*Interpolation) exprNode()  {}
func (*JoinedStr) exprNode()      {}
func (*TemplateStr) exprNode()    {}
func (*Constant) exprNode()       {}
func (*Attribute) exprNode()      {}
func (*Subscript) exprNode()      {}
func (*Starred) exprNode()        {}
func (*Name) exprNode()           {}
func (*List) exprNode()           {}
func (*Tuple) exprNode()          {}
func (*Slice) exprNode()          {}

func (*MatchValue) patternNode()     {}
func (*MatchSingleton) patternNode() {}
func (*MatchSequence) patternNode()  {}
func (*MatchMapping) patternNode()   {}
func (*MatchClass) patternNode()     {}
func (*MatchStar) patternNode()      {}
func (*MatchAs) patternNode()        {}
func (*MatchOr) patternNode()        {}

func (*TypeVar) typeParamNode()      {}
func (*ParamSpec) typeParamNode()    {}
func (*TypeVarTuple) typeParamNode() {}
