// Package getopt parses command lines the way glibc's getopt_long(3) does
// when its option string starts with '+' (stop at the first non-option):
// grouped short flags, required arguments attached or separate, optional
// arguments attached only, long options as --name=value or --name value,
// unique-prefix abbreviation of long names, and glibc's error messages.
package getopt

import (
	"errors"
	"fmt"
	"strings"
)

// ArgKind says whether an option takes an argument.
type ArgKind int

// Argument kinds, as in struct option's has_arg.
const (
	NoArgument       ArgKind = iota // the option never takes an argument
	RequiredArgument                // attached (-ufoo, --user=foo) or the next element
	OptionalArgument                // attached only (-t64M, --uts=name)
)

// Option describes one option. Short is 0 for a long-only option and Long is
// "" for a short-only one.
type Option struct {
	Short byte
	Long  string
	Arg   ArgKind
}

// Name returns how the option is usually written: "--long" if it has a long
// name, else "-x".
func (o *Option) Name() string {
	if o.Long != "" {
		return "--" + o.Long
	}
	return "-" + string(o.Short)
}

// Result is one parsed option.
type Result struct {
	Index  int     // index of the option in the table
	Option *Option // the option itself
	Arg    string  // its argument, when HasArg
	HasArg bool    // an argument was given (possibly empty: --uts=)
	Long   bool    // it was written in long form
}

// ErrDone is returned by Next when no options are left; Args then returns
// the operands.
var ErrDone = errors.New("no more options")

// Error is a parse error. Its message is glibc's, without the program-name
// prefix (for example "invalid option -- 'x'").
type Error struct {
	Msg string
	Arg string // the offending command-line element
}

// Error returns glibc's message.
func (e *Error) Error() string { return e.Msg }

// Parser walks an argument vector. The zero value is not usable; use New.
type Parser struct {
	opts []Option
	args []string
	ind  int    // index of the next element to look at
	next string // the rest of a group of short options
}

// New returns a parser for argv, whose first element is the program name.
// The option table must not contain two options with the same short letter
// or long name.
func New(opts []Option, argv []string) *Parser {
	return &Parser{opts: opts, args: argv, ind: 1}
}

// Args returns the elements not consumed as options or their arguments:
// after ErrDone, the operands (the program to run and its arguments).
func (p *Parser) Args() []string {
	if p.ind >= len(p.args) {
		return nil
	}
	return p.args[p.ind:]
}

// Optind returns the index in argv of the next element to be processed.
func (p *Parser) Optind() int { return p.ind }

// Next returns the next option, ErrDone at the first operand or after "--",
// or an *Error. After an error, parsing may continue as glibc's does.
func (p *Parser) Next() (Result, error) {
	if p.next == "" {
		if p.ind >= len(p.args) {
			return Result{}, ErrDone
		}
		a := p.args[p.ind]
		if a == "--" {
			p.ind++
			return Result{}, ErrDone
		}
		if len(a) < 2 || a[0] != '-' {
			return Result{}, ErrDone
		}
		if a[1] == '-' {
			p.ind++
			return p.long(a)
		}
		p.next = a[1:]
		p.ind++
	}
	return p.short()
}

func (p *Parser) short() (Result, error) {
	c := p.next[0]
	p.next = p.next[1:]
	idx := -1
	if c != 0 {
		for i := range p.opts {
			if p.opts[i].Short == c {
				idx = i
				break
			}
		}
	}
	if idx < 0 {
		return Result{}, &Error{Msg: fmt.Sprintf("invalid option -- '%c'", c), Arg: "-" + string(c)}
	}
	o := &p.opts[idx]
	r := Result{Index: idx, Option: o}
	switch o.Arg {
	case OptionalArgument:
		if p.next != "" {
			r.Arg, r.HasArg, p.next = p.next, true, ""
		}
	case RequiredArgument:
		switch {
		case p.next != "":
			r.Arg, r.HasArg, p.next = p.next, true, ""
		case p.ind < len(p.args):
			r.Arg, r.HasArg = p.args[p.ind], true
			p.ind++
		default:
			return Result{}, &Error{Msg: fmt.Sprintf("option requires an argument -- '%c'", c), Arg: "-" + string(c)}
		}
	}
	return r, nil
}

func (p *Parser) long(a string) (Result, error) {
	body := a[2:]
	name, value, hasValue := strings.Cut(body, "=")
	idx := -1
	for i := range p.opts {
		if p.opts[i].Long != "" && p.opts[i].Long == name {
			idx = i
			break
		}
	}
	if idx < 0 {
		var matches []int
		for i := range p.opts {
			if p.opts[i].Long != "" && strings.HasPrefix(p.opts[i].Long, name) {
				matches = append(matches, i)
			}
		}
		switch len(matches) {
		case 0:
			return Result{}, &Error{Msg: fmt.Sprintf("unrecognized option '%s'", a), Arg: a}
		case 1:
			idx = matches[0]
		default:
			var b strings.Builder
			fmt.Fprintf(&b, "option '%s' is ambiguous; possibilities:", a)
			for _, m := range matches {
				fmt.Fprintf(&b, " '--%s'", p.opts[m].Long)
			}
			return Result{}, &Error{Msg: b.String(), Arg: a}
		}
	}
	o := &p.opts[idx]
	r := Result{Index: idx, Option: o, Long: true}
	switch o.Arg {
	case NoArgument:
		if hasValue {
			return Result{}, &Error{Msg: fmt.Sprintf("option '--%s' doesn't allow an argument", o.Long), Arg: a}
		}
	case OptionalArgument:
		if hasValue {
			r.Arg, r.HasArg = value, true
		}
	case RequiredArgument:
		switch {
		case hasValue:
			r.Arg, r.HasArg = value, true
		case p.ind < len(p.args):
			r.Arg, r.HasArg = p.args[p.ind], true
			p.ind++
		default:
			return Result{}, &Error{Msg: fmt.Sprintf("option '--%s' requires an argument", o.Long), Arg: a}
		}
	}
	return r, nil
}
