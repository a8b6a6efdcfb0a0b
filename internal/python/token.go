package python

// tokKind is the kind of a token.
type tokKind uint8

const (
	tkEOF tokKind = iota
	tkNewline
	tkIndent
	tkDedent
	tkName
	tkNumber
	tkString
	tkFStringStart  // f" or t" opener, with its prefix
	tkFStringMiddle // literal text of an f-string (escapes unprocessed)
	tkFStringEnd    // closing quote(s)
	tkError         // stands where the tokenizer reported an error

	// Operators and delimiters.
	tkLpar
	tkRpar
	tkLsqb
	tkRsqb
	tkLbrace
	tkRbrace
	tkColon
	tkComma
	tkSemi
	tkPlus
	tkMinus
	tkStar
	tkSlash
	tkVbar
	tkAmper
	tkLess
	tkGreater
	tkEqual
	tkDot
	tkPercent
	tkEqEqual
	tkNotEqual
	tkLessEqual
	tkGreaterEqual
	tkTilde
	tkCircumflex
	tkLeftShift
	tkRightShift
	tkDoubleStar
	tkPlusEqual
	tkMinEqual
	tkStarEqual
	tkSlashEqual
	tkPercentEqual
	tkAmperEqual
	tkVbarEqual
	tkCircumflexEqual
	tkLeftShiftEqual
	tkRightShiftEqual
	tkDoubleStarEqual
	tkDoubleSlash
	tkDoubleSlashEqual
	tkAt
	tkAtEqual
	tkRarrow
	tkEllipsis
	tkColonEqual
	tkExclamation
)

var tokNames = [...]string{
	tkEOF: "end of file", tkNewline: "newline", tkIndent: "indent", tkDedent: "dedent",
	tkName: "name", tkNumber: "number", tkString: "string",
	tkFStringStart: "f-string start", tkFStringMiddle: "f-string middle", tkFStringEnd: "f-string end",
	tkError: "error",
	tkLpar:  "'('", tkRpar: "')'", tkLsqb: "'['", tkRsqb: "']'", tkLbrace: "'{'", tkRbrace: "'}'",
	tkColon: "':'", tkComma: "','", tkSemi: "';'", tkPlus: "'+'", tkMinus: "'-'", tkStar: "'*'",
	tkSlash: "'/'", tkVbar: "'|'", tkAmper: "'&'", tkLess: "'<'", tkGreater: "'>'", tkEqual: "'='",
	tkDot: "'.'", tkPercent: "'%'", tkEqEqual: "'=='", tkNotEqual: "'!='", tkLessEqual: "'<='",
	tkGreaterEqual: "'>='", tkTilde: "'~'", tkCircumflex: "'^'", tkLeftShift: "'<<'", tkRightShift: "'>>'",
	tkDoubleStar: "'**'", tkPlusEqual: "'+='", tkMinEqual: "'-='", tkStarEqual: "'*='", tkSlashEqual: "'/='",
	tkPercentEqual: "'%='", tkAmperEqual: "'&='", tkVbarEqual: "'|='", tkCircumflexEqual: "'^='",
	tkLeftShiftEqual: "'<<='", tkRightShiftEqual: "'>>='", tkDoubleStarEqual: "'**='", tkDoubleSlash: "'//'",
	tkDoubleSlashEqual: "'//='", tkAt: "'@'", tkAtEqual: "'@='", tkRarrow: "'->'", tkEllipsis: "'...'",
	tkColonEqual: "':='", tkExclamation: "'!'",
}

func (k tokKind) String() string {
	if int(k) < len(tokNames) && tokNames[k] != "" {
		return tokNames[k]
	}
	return "token"
}

// keyword identifies hard and soft keywords among NAME tokens.
type keyword uint8

const (
	kwNone keyword = iota // not a keyword
	kwFalse
	kwNoneLit
	kwTrue
	kwAnd
	kwAs
	kwAssert
	kwAsync
	kwAwait
	kwBreak
	kwClass
	kwContinue
	kwDef
	kwDel
	kwElif
	kwElse
	kwExcept
	kwFinally
	kwFor
	kwFrom
	kwGlobal
	kwIf
	kwImport
	kwIn
	kwIs
	kwLambda
	kwNonlocal
	kwNot
	kwOr
	kwPass
	kwRaise
	kwReturn
	kwTry
	kwWhile
	kwWith
	kwYield

	// Soft keywords: ordinary identifiers except in a few positions.
	kwMatch
	kwCase
	kwType
	kwUnderscore
)

// kwLastHard is the last hard keyword; soft keywords follow it.
const kwLastHard = kwYield

// lookupKeyword classifies an ASCII identifier.
func lookupKeyword(s []byte) keyword {
	switch len(s) {
	case 1:
		if s[0] == '_' {
			return kwUnderscore
		}
	case 2:
		switch string(s) {
		case "as":
			return kwAs
		case "if":
			return kwIf
		case "in":
			return kwIn
		case "is":
			return kwIs
		case "or":
			return kwOr
		}
	case 3:
		switch string(s) {
		case "and":
			return kwAnd
		case "def":
			return kwDef
		case "del":
			return kwDel
		case "for":
			return kwFor
		case "not":
			return kwNot
		case "try":
			return kwTry
		}
	case 4:
		switch string(s) {
		case "None":
			return kwNoneLit
		case "True":
			return kwTrue
		case "elif":
			return kwElif
		case "else":
			return kwElse
		case "from":
			return kwFrom
		case "pass":
			return kwPass
		case "with":
			return kwWith
		case "case":
			return kwCase
		case "type":
			return kwType
		}
	case 5:
		switch string(s) {
		case "False":
			return kwFalse
		case "async":
			return kwAsync
		case "await":
			return kwAwait
		case "break":
			return kwBreak
		case "class":
			return kwClass
		case "raise":
			return kwRaise
		case "while":
			return kwWhile
		case "yield":
			return kwYield
		case "match":
			return kwMatch
		}
	case 6:
		switch string(s) {
		case "assert":
			return kwAssert
		case "except":
			return kwExcept
		case "global":
			return kwGlobal
		case "import":
			return kwImport
		case "lambda":
			return kwLambda
		case "return":
			return kwReturn
		}
	case 7:
		if string(s) == "finally" {
			return kwFinally
		}
	case 8:
		switch string(s) {
		case "continue":
			return kwContinue
		case "nonlocal":
			return kwNonlocal
		}
	}
	return kwNone
}

// token is one lexical token. Offsets index the decoded source text.
type token struct {
	kind    tokKind
	kw      keyword
	start   int32
	end     int32
	line    int32
	col     int32
	endLine int32
	endCol  int32
}
