package seccomp

import (
	"strconv"
	"strings"
)

// The grammar, one logical line (physical lines joined by a trailing
// backslash; '#' starts a comment) at a time:
//
//	line        = directive | statement
//	directive   = "@include" path | "@frequency" path | "@default" action | "@denylist"
//	path        = "/..." | "./..." | "../..."      (no white space)
//	statement   = syscalls ":" filters
//	syscalls    = syscall | "{" syscall { "," syscall } "}"
//	syscall     = name [ "[" "arch" "=" name { "," name } "]" ]
//	filters     = filter | "{" filter { "," filter } "}"
//	filter      = action | expr [ ";" action ]
//	expr        = clause { "||" clause }
//	clause      = atom { "&&" atom }
//	atom        = "arg0".."arg5" op value
//	op          = "==" | "!=" | "<" | "<=" | ">" | ">=" | "&" | "in"
//	value       = constant { "|" constant }
//	constant    = [ "~" ] ( "(" value ")" | name | number )
//	action      = "1" | "allow" | "kill" | "kill-process" | "kill-thread" | "trap"
//	            | "trace" | "log" | "user-notify" | "return" [ value ]
//
// Numbers are C literals (decimal, 0x hex, 0 octal) with an optional '-'.

// ParseAST parses the text of one policy file into its syntax tree, without
// resolving names, includes or frequencies. name is used in positions.
func ParseAST(name string, src []byte) (*File, error) {
	lines, err := lexLines(name, src)
	if err != nil {
		return nil, err
	}
	f := &File{Name: name}
	for _, line := range lines {
		p := &parser{toks: line}
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		f.Stmts = append(f.Stmts, st)
	}
	return f, nil
}

// parser parses one logical line.
type parser struct {
	toks  []token
	i     int
	depth int // nesting of parentheses and '~' in the current value
}

// maxValueDepth bounds the nesting of constant expressions.
const maxValueDepth = 64

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.Kind != tEOL {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token, expected string) *PolicyError {
	return errorf(t.Pos, "unexpected %s, expected %s", t.describe(), expected)
}

func (p *parser) expect(k tokenKind, expected string) (token, error) {
	t := p.next()
	if t.Kind != k {
		return t, p.unexpected(t, expected)
	}
	return t, nil
}

func (p *parser) expectEOL() error {
	if t := p.peek(); t.Kind != tEOL {
		return p.unexpected(t, "end of line")
	}
	return nil
}

func (p *parser) statement() (Stmt, error) {
	t := p.peek()
	if t.Kind == tDirective {
		return p.directive()
	}
	return p.filterStatement()
}

func (p *parser) directive() (Stmt, error) {
	d := p.next()
	switch d.Text {
	case "@include", "@frequency":
		pt := p.next()
		if pt.Kind != tPath {
			return nil, p.unexpected(pt, "a path after "+d.Text)
		}
		if !strings.HasPrefix(pt.Text, "/") && !strings.HasPrefix(pt.Text, "./") && !strings.HasPrefix(pt.Text, "../") {
			return nil, errorf(pt.Pos, "%s path %q must be absolute or start with './' or '../'", d.Text, pt.Text)
		}
		if err := p.expectEOL(); err != nil {
			return nil, err
		}
		if d.Text == "@include" {
			return &IncludeStmt{Pos: d.Pos, Path: pt.Text, PathPos: pt.Pos}, nil
		}
		return &FrequencyStmt{Pos: d.Pos, Path: pt.Text, PathPos: pt.Pos}, nil
	case "@default":
		if p.peek().Kind == tEOL {
			return nil, p.unexpected(p.peek(), "an action after @default")
		}
		a, err := p.action()
		if err != nil {
			return nil, err
		}
		if err := p.expectEOL(); err != nil {
			return nil, err
		}
		return &DefaultStmt{Pos: d.Pos, Action: *a}, nil
	case "@denylist":
		if err := p.expectEOL(); err != nil {
			return nil, err
		}
		return &DenylistStmt{Pos: d.Pos}, nil
	}
	return nil, errorf(d.Pos, "unknown directive %q (expected @include, @frequency, @default or @denylist)", d.Text)
}

// oneOrList parses one item, or a python-style list of them in braces
// ("{a, b}"), calling item for each.
func (p *parser) oneOrList(item func() error) error {
	if p.peek().Kind != tLBrace {
		return item()
	}
	open := p.next()
	for {
		if err := item(); err != nil {
			return err
		}
		t := p.next()
		if t.Kind == tRBrace {
			return nil
		}
		if t.Kind != tComma {
			if t.Kind == tEOL {
				return errorf(t.Pos, "unclosed '{' opened at %d:%d", open.Pos.Line, open.Pos.Col)
			}
			return p.unexpected(t, "',' or '}'")
		}
	}
}

func (p *parser) filterStatement() (Stmt, error) {
	st := &FilterStmt{Pos: p.peek().Pos}
	err := p.oneOrList(func() error {
		ref, err := p.syscallRef()
		if err == nil {
			st.Syscalls = append(st.Syscalls, ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	colon, err := p.expect(tColon, "':' after the syscall name")
	if err != nil {
		return nil, err
	}
	st.Colon = colon.Pos
	err = p.oneOrList(func() error {
		f, err := p.singleFilter()
		if err == nil {
			st.Filters = append(st.Filters, f)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := p.expectEOL(); err != nil {
		return nil, err
	}
	return st, nil
}

func (p *parser) syscallRef() (SyscallRef, error) {
	t := p.next()
	if t.Kind != tIdent {
		return SyscallRef{}, p.unexpected(t, "a syscall name")
	}
	if strings.Contains(t.Text, "@") {
		return SyscallRef{}, errorf(t.Pos, "syscall groups (%q) are not supported", t.Text)
	}
	ref := SyscallRef{Name: t.Text, Pos: t.Pos}
	if p.peek().Kind == tLBracket {
		open := p.next()
		seen := map[string]bool{}
		for {
			key, err := p.expect(tIdent, "a metadata key")
			if err != nil {
				return ref, err
			}
			if seen[key.Text] {
				return ref, errorf(key.Pos, "duplicate metadata key %q", key.Text)
			}
			seen[key.Text] = true
			if key.Text != "arch" {
				return ref, errorf(key.Pos, "unknown metadata key %q (expected arch)", key.Text)
			}
			if _, err := p.expect(tEqual, "'=' after the metadata key"); err != nil {
				return ref, err
			}
			ref.Arches = []string{}
			for {
				v, err := p.expect(tIdent, "an architecture name")
				if err != nil {
					return ref, err
				}
				ref.Arches = append(ref.Arches, v.Text)
				if p.peek().Kind != tComma {
					break
				}
				p.next()
			}
			t := p.next()
			if t.Kind == tRBracket {
				break
			}
			if t.Kind != tSemicolon {
				if t.Kind == tEOL {
					return ref, errorf(t.Pos, "unclosed '[' opened at %d:%d", open.Pos.Line, open.Pos.Col)
				}
				return ref, p.unexpected(t, "';' or ']'")
			}
		}
	}
	return ref, nil
}

// argIndex reports whether s is "argN" and returns N.
func argIndex(s string) (int, bool) {
	if !strings.HasPrefix(s, "arg") || len(s) == 3 {
		return 0, false
	}
	n := 0
	for _, c := range s[3:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > 1000 {
			return n, true
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (p *parser) singleFilter() (Filter, error) {
	t := p.peek()
	f := Filter{Pos: t.Pos}
	if _, ok := argIndex(t.Text); t.Kind == tIdent && ok {
		expr, err := p.expression()
		if err != nil {
			return f, err
		}
		f.Expr = expr
		if p.peek().Kind == tSemicolon {
			p.next()
			a, err := p.action()
			if err != nil {
				return f, err
			}
			f.Action = a
		}
		return f, nil
	}
	a, err := p.action()
	if err != nil {
		return f, err
	}
	f.Action = a
	return f, nil
}

func (p *parser) expression() ([][]Atom, error) {
	var out [][]Atom
	for {
		var clause []Atom
		for {
			a, err := p.atom()
			if err != nil {
				return nil, err
			}
			clause = append(clause, a)
			if p.peek().Kind != tAndAnd {
				break
			}
			p.next()
		}
		out = append(out, clause)
		if p.peek().Kind != tOrOr {
			break
		}
		p.next()
	}
	return out, nil
}

var opsByText = map[string]Op{
	"==": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe,
	"&": OpMaskAny, "in": OpMaskIn,
}

func (p *parser) atom() (Atom, error) {
	t := p.next()
	n, ok := argIndex(t.Text)
	if t.Kind != tIdent || !ok {
		return Atom{}, p.unexpected(t, "an argument (arg0 to arg5)")
	}
	if n > 5 {
		return Atom{}, errorf(t.Pos, "invalid argument %q (syscalls have arguments arg0 to arg5)", t.Text)
	}
	a := Atom{Pos: t.Pos, Arg: n}
	o := p.next()
	op, ok := opsByText[o.Text]
	if !ok || (o.Kind != tOp && o.Kind != tIdent) {
		return a, p.unexpected(o, "a comparison (==, !=, <, <=, >, >=, &, in)")
	}
	a.Op, a.OpPos = op, o.Pos
	v, err := p.value()
	if err != nil {
		return a, err
	}
	a.Value = v
	return a, nil
}

// value = constant { '|' constant }
func (p *parser) value() (Value, error) {
	var terms []Value
	for {
		c, err := p.constant()
		if err != nil {
			return nil, err
		}
		terms = append(terms, c)
		if p.peek().Kind != tPipe {
			break
		}
		p.next()
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &OrValue{Terms: terms}, nil
}

// constant = [ '~' ] ( '(' value ')' | name | number )
func (p *parser) constant() (Value, error) {
	t := p.next()
	if t.Kind == tTilde || t.Kind == tLParen {
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxValueDepth {
			return nil, errorf(t.Pos, "constant expression nested too deeply (more than %d levels)", maxValueDepth)
		}
	}
	if t.Kind == tTilde {
		if p.peek().Kind == tTilde {
			return nil, errorf(p.peek().Pos, "invalid double complement '~~'")
		}
		x, err := p.constant()
		if err != nil {
			return nil, err
		}
		return &NotValue{Pos: t.Pos, X: x}, nil
	}
	switch t.Kind {
	case tLParen:
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		c := p.next()
		if c.Kind != tRParen {
			if c.Kind == tEOL {
				return nil, errorf(c.Pos, "unclosed '(' opened at %d:%d", t.Pos.Line, t.Pos.Col)
			}
			return nil, p.unexpected(c, "'|' or ')'")
		}
		return v, nil
	case tIdent:
		if _, isArg := argIndex(t.Text); isArg || t.Text == "in" || t.Text == "return" {
			return nil, p.unexpected(t, "a constant")
		}
		return &NameValue{Pos: t.Pos, Name: t.Text}, nil
	case tNumber:
		if _, err := parseNumber(t.Text, 64); err != nil {
			return nil, errorf(t.Pos, "%v", err)
		}
		return &NumberValue{Pos: t.Pos, Text: t.Text}, nil
	}
	return nil, p.unexpected(t, "a constant (a number or a name)")
}

// actionNames are the action keywords (besides "return" and "1").
var actionNames = map[string]bool{
	"allow": true, "kill": true, "kill-process": true, "kill-thread": true,
	"trap": true, "trace": true, "log": true, "user-notify": true,
}

func (p *parser) action() (*ActionExpr, error) {
	t := p.next()
	switch {
	case t.Kind == tIdent && actionNames[t.Text]:
		return &ActionExpr{Pos: t.Pos, Name: t.Text}, nil
	case t.Kind == tIdent && t.Text == "return":
		if k := p.peek().Kind; k == tEOL || k == tComma || k == tRBrace {
			// A bare "return": the minijail0 dialect reads it as the
			// default action; lowering decides.
			return &ActionExpr{Pos: t.Pos, Name: "return"}, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		return &ActionExpr{Pos: t.Pos, Name: "return", Errno: v}, nil
	case t.Kind == tNumber:
		n, err := parseNumber(t.Text, 64)
		if err != nil {
			return nil, errorf(t.Pos, "%v", err)
		}
		if n != 1 {
			return nil, errorf(t.Pos, "invalid action %q (a number action must be 1, meaning allow; use 'return %s' for an errno)", t.Text, t.Text)
		}
		return &ActionExpr{Pos: t.Pos, Name: "allow"}, nil
	}
	return nil, p.unexpected(t, "an action (1, allow, return ERRNO, kill, kill-process, kill-thread, trap, trace, log, user-notify) or an argument expression")
}

// parseNumber parses a C integer literal (decimal, 0x hex, 0 octal, with an
// optional leading '-') at the given width: negative values become their
// two's complement; values that do not fit are rejected.
func parseNumber(text string, bits int) (uint64, error) {
	s := text
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	base := 10
	digits := s
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" {
		return 0, &numError{text, "invalid number"}
	}
	u, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if neg {
				return 0, &numError{text, "signed underflow"}
			}
			return 0, &numError{text, "unsigned overflow"}
		}
		kind := map[int]string{8: "octal", 10: "decimal", 16: "hexadecimal"}[base]
		return 0, &numError{text, "invalid " + kind + " number"}
	}
	mask := ^uint64(0)
	if bits < 64 {
		mask = 1<<uint(bits) - 1
	}
	if neg {
		// The smallest value is -2^(bits-1).
		if u > 1<<uint(bits-1) {
			return 0, &numError{text, "signed underflow"}
		}
		return -u & mask, nil
	}
	if u > mask {
		return 0, &numError{text, "unsigned overflow"}
	}
	return u, nil
}

type numError struct {
	text, msg string
}

// Error implements error.
func (e *numError) Error() string { return e.msg + ": " + strconv.Quote(e.text) }
