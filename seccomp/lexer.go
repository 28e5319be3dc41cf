package seccomp

import (
	"fmt"
	"strings"
)

// tokenKind is the kind of a lexical token of the policy language.
type tokenKind uint8

const (
	tEOL       tokenKind = iota // end of a logical line
	tIdent                      // names: syscalls, constants, actions, argN, return, in
	tNumber                     // -?(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)
	tPath                       // /..., ./..., ../...
	tDirective                  // @include, @frequency, @default, @denylist, ...
	tColon                      // :
	tSemicolon                  // ;
	tComma                      // ,
	tTilde                      // ~
	tLParen                     // (
	tRParen                     // )
	tLBrace                     // {
	tRBrace                     // }
	tLBracket                   // [
	tRBracket                   // ]
	tOrOr                       // ||
	tAndAnd                     // &&
	tPipe                       // |
	tOp                         // == != < <= > >= &
	tEqual                      // =
)

var tokenNames = [...]string{
	tEOL:       "end of line",
	tIdent:     "name",
	tNumber:    "number",
	tPath:      "path",
	tDirective: "directive",
	tColon:     "':'",
	tSemicolon: "';'",
	tComma:     "','",
	tTilde:     "'~'",
	tLParen:    "'('",
	tRParen:    "')'",
	tLBrace:    "'{'",
	tRBrace:    "'}'",
	tLBracket:  "'['",
	tRBracket:  "']'",
	tOrOr:      "'||'",
	tAndAnd:    "'&&'",
	tPipe:      "'|'",
	tOp:        "operator",
	tEqual:     "'='",
}

// String names the token kind for error messages.
func (k tokenKind) String() string {
	if int(k) < len(tokenNames) {
		return tokenNames[k]
	}
	return fmt.Sprintf("token(%d)", k)
}

// token is one lexical token with the position of its first byte.
type token struct {
	Kind tokenKind
	Text string
	Pos  Pos
}

// describe renders the token for an error message.
func (t token) describe() string {
	switch t.Kind {
	case tEOL:
		return "end of line"
	case tIdent, tNumber, tPath, tDirective, tOp:
		return fmt.Sprintf("%s %q", t.Kind, t.Text)
	}
	return t.Kind.String()
}

// maxLineLength bounds one physical line, so a hostile file cannot make the
// lexer build huge tokens.
const maxLineLength = 1 << 20

// lexLines splits src into logical lines (physical lines joined by a
// trailing backslash) and tokenizes them. Comments ('#' to the end of the
// physical line) and blank lines produce nothing. Every returned line ends
// with a tEOL token whose position is just past its last character.
func lexLines(file string, src []byte) ([][]token, error) {
	var (
		out  [][]token
		cur  []token
		text = string(src)
	)
	lineNo := 0
	for len(text) > 0 {
		lineNo++
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		line = strings.TrimSuffix(line, "\r")
		if len(line) > maxLineLength {
			return nil, errorf(Pos{file, lineNo, 1}, "line longer than %d bytes", maxLineLength)
		}
		toks, cont, err := lexLine(file, lineNo, line)
		if err != nil {
			return nil, err
		}
		cur = append(cur, toks...)
		if cont {
			if len(text) > 0 {
				continue
			}
		}
		if len(cur) > 0 {
			cur = append(cur, token{Kind: tEOL, Pos: Pos{file, lineNo, len(line) + 1}})
			out = append(out, cur)
			cur = nil
		}
	}
	return out, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '@'
}

func isAlnum(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'
}

// lexLine tokenizes one physical line. cont reports a trailing backslash
// (outside a comment), which continues the logical line on the next one.
func lexLine(file string, lineNo int, line string) (toks []token, cont bool, err error) {
	pos := func(i int) Pos { return Pos{file, lineNo, i + 1} }
	i := 0
	for i < len(line) {
		c := line[i]
		start := i
		switch {
		case isSpace(c):
			i++
			continue
		case c == '#':
			return toks, false, nil
		case c == '\\':
			rest := strings.TrimRight(line[i+1:], " \t")
			if rest != "" {
				return nil, false, errorf(pos(i), "unexpected '\\' (a line continuation must end the line)")
			}
			return toks, true, nil
		case c == '/' || (c == '.' && (strings.HasPrefix(line[i:], "./") || strings.HasPrefix(line[i:], "../"))) ||
			(len(toks) > 0 && toks[len(toks)-1].Kind == tDirective && (toks[len(toks)-1].Text == "@include" || toks[len(toks)-1].Text == "@frequency")):
			// A path: anything up to white space. After @include and
			// @frequency every word is taken as a path, so that the parser
			// can explain what is wrong with it.
			for i < len(line) && !isSpace(line[i]) {
				i++
			}
			toks = append(toks, token{tPath, line[start:i], pos(start)})
			continue
		case c == '@':
			i++
			for i < len(line) && isIdentChar(line[i]) {
				i++
			}
			if i == start+1 {
				return nil, false, errorf(pos(start), "expected a directive name after '@'")
			}
			toks = append(toks, token{tDirective, line[start:i], pos(start)})
			continue
		case isIdentStart(c):
			for i < len(line) && isIdentChar(line[i]) {
				i++
			}
			toks = append(toks, token{tIdent, line[start:i], pos(start)})
			continue
		case c >= '0' && c <= '9' || (c == '-' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9'):
			if c == '-' {
				i++
			}
			if strings.HasPrefix(line[i:], "0x") || strings.HasPrefix(line[i:], "0X") {
				i += 2
			}
			for i < len(line) && isAlnum(line[i]) {
				i++
			}
			toks = append(toks, token{tNumber, line[start:i], pos(start)})
			continue
		}
		// Punctuation.
		two := ""
		if i+1 < len(line) {
			two = line[i : i+2]
		}
		switch two {
		case "||":
			toks = append(toks, token{tOrOr, two, pos(i)})
			i += 2
			continue
		case "&&":
			toks = append(toks, token{tAndAnd, two, pos(i)})
			i += 2
			continue
		case "==", "!=", "<=", ">=":
			toks = append(toks, token{tOp, two, pos(i)})
			i += 2
			continue
		}
		var k tokenKind
		switch c {
		case ':':
			k = tColon
		case ';':
			k = tSemicolon
		case ',':
			k = tComma
		case '~':
			k = tTilde
		case '(':
			k = tLParen
		case ')':
			k = tRParen
		case '{':
			k = tLBrace
		case '}':
			k = tRBrace
		case '[':
			k = tLBracket
		case ']':
			k = tRBracket
		case '|':
			k = tPipe
		case '&', '<', '>':
			k = tOp
		case '=':
			k = tEqual
		default:
			if c < 0x20 || c >= 0x7f {
				return nil, false, errorf(pos(i), "invalid character %q", rune(c))
			}
			return nil, false, errorf(pos(i), "invalid character '%c'", c)
		}
		toks = append(toks, token{k, line[i : i+1], pos(i)})
		i++
	}
	return toks, false, nil
}
