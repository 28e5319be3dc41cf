package seccomp

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// Dialect selects what "expr; ACTION" means.
type Dialect uint8

const (
	// DialectMinijail0 is the meaning of upstream's C compiler (minijail0 and
	// libminijail): "allow the syscall when expr holds, otherwise ACTION".
	DialectMinijail0 Dialect = iota
	// DialectPython is the meaning of upstream's Python compiler
	// (compile_seccomp_policy.py): "ACTION when expr holds, otherwise go on
	// with the syscall's next rule, and finally the default action".
	DialectPython
)

// String returns the dialect's command-line name.
func (d Dialect) String() string {
	switch d {
	case DialectMinijail0:
		return "minijail0"
	case DialectPython:
		return "python"
	}
	return fmt.Sprintf("dialect(%d)", uint8(d))
}

// ParseDialect maps a command-line name ("minijail0" or "c", "python") to a Dialect.
func ParseDialect(s string) (Dialect, error) {
	switch s {
	case "minijail0", "c", "C":
		return DialectMinijail0, nil
	case "python", "py":
		return DialectPython, nil
	}
	return 0, fmt.Errorf("unknown policy dialect %q (expected minijail0 or python)", s)
}

// ParseOptions controls how a policy file is read and lowered.
type ParseOptions struct {
	// Arch is the target architecture; nil means the host's.
	Arch *arch.Arch
	// Dialect selects the meaning of "expr; ACTION" (default minijail0).
	Dialect Dialect
	// DefaultAction is the action for syscalls the policy does not list, and
	// for listed ones whose rules do not match, unless the policy sets one
	// with @default. The zero value is kill-process. The action keyword
	// "kill" means kill-thread when this is kill-thread (upstream's Python
	// compiler's default), and kill-process otherwise.
	DefaultAction Action
	// OverrideDefault, when set, replaces the default action even over a
	// policy's @default (like the Python compiler's --default-action); it
	// may be permissive (allow, log, ...), which @default may not.
	OverrideDefault *Action
	// Sysroot, when set, is the directory absolute @include and @frequency
	// paths are taken under.
	Sysroot string
	// AllowDuplicates turns a rule that follows an unconditional one for the
	// same syscall from an error into a warning; the earlier rule wins.
	AllowDuplicates bool
	// UnknownSyscallsAreWarnings turns a syscall name the architecture does
	// not have from an error into a warning; the name is then ignored
	// (minijail0 -L does the same).
	UnknownSyscallsAreWarnings bool
	// Denylist compiles a denylist policy (the Python compiler's
	// --denylist): syscalls not listed are allowed, every action written
	// must be "return ERRNO", "kill" means "return EPERM", and every file
	// must carry an @denylist line. A file with @denylist is rejected
	// without this option, so that a denylist is never read as an allowlist
	// or the other way round.
	Denylist bool
	// Warn receives warnings; nil discards them.
	Warn func(Pos, string)
	// MaxIncludeDepth limits @include nesting; 0 means DefaultMaxIncludeDepth.
	MaxIncludeDepth int
}

// ParseFile reads, parses and lowers the policy file at path (and the files
// it includes) for opts.Arch.
func ParseFile(path string, opts ParseOptions) (*Policy, error) {
	src := source{display: path, real: path}
	data, err := readTop(&src)
	if err != nil {
		return nil, err
	}
	return parse(src, data, opts)
}

// Parse reads a policy from r; name is used in positions and as the base
// for relative @include paths.
func Parse(name string, r io.Reader, opts ParseOptions) (*Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading policy %s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, errorf(Pos{name, 1, 1}, "policy larger than %d bytes", maxFileSize)
	}
	src := source{display: name, real: name}
	if fi, err := os.Stat(name); err == nil {
		src.info = fi
	}
	return parse(src, data, opts)
}

// hostArch returns the host's architecture, or an error where there is no
// table for it.
func hostArch() (*arch.Arch, error) {
	a, err := arch.Lookup(runtime.GOARCH)
	if err != nil {
		return nil, fmt.Errorf("no syscall table for the host (%s); set ParseOptions.Arch: %w", runtime.GOARCH, err)
	}
	return a, nil
}

func readTop(src *source) ([]byte, error) {
	f, err := os.Open(src.real)
	if err != nil {
		return nil, fmt.Errorf("reading policy: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading policy: %w", err)
	}
	src.info = fi
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading policy %s: %w", src.display, err)
	}
	if len(data) > maxFileSize {
		return nil, errorf(Pos{src.display, 1, 1}, "policy larger than %d bytes", maxFileSize)
	}
	return data, nil
}

// ParseAction parses an action as written in a policy or on a command line:
// allow (or 1), kill, kill-process, kill-thread, trap, trace, log,
// user-notify, or "return ERRNO" / "errno ERRNO" with a number or an errno
// name of the host architecture. "kill" means kill-process.
func ParseAction(s string) (Action, error) {
	return ParseActionArch(s, nil)
}

// ParseActionArch is ParseAction with errno names taken from a (nil: host).
func ParseActionArch(s string, a *arch.Arch) (Action, error) {
	if a == nil {
		var err error
		if a, err = hostArch(); err != nil {
			return Action{}, err
		}
	}
	text := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(text, "errno"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '=') {
		text = "return " + strings.TrimLeft(rest, " \t=")
	}
	lines, err := lexLines("<action>", []byte(text))
	if err != nil {
		return Action{}, fmt.Errorf("invalid action %q: %w", s, err)
	}
	if len(lines) != 1 {
		return Action{}, fmt.Errorf("invalid action %q: empty", s)
	}
	p := &parser{toks: lines[0]}
	ae, err := p.action()
	if err == nil {
		err = p.expectEOL()
	}
	if err != nil {
		return Action{}, fmt.Errorf("invalid action %q: %w", s, err)
	}
	l := &lowerer{arch: a}
	act, err := l.action(ae)
	if err != nil {
		return Action{}, fmt.Errorf("invalid action %q: %w", s, err)
	}
	return act, nil
}

// entry is the rules gathered so far for one syscall.
type entry struct {
	rules       SyscallRules
	terminated  bool // an unconditional action ends the rules
	elseDefault bool // Else is the policy's default action (a bare "return")
	termPos     Pos
}

type lowerer struct {
	opts       ParseOptions
	arch       *arch.Arch
	maxDepth   int
	includes   int // files read through @include so far
	stack      []source
	entries    map[uint32]*entry
	freq       map[uint32]uint64
	def        *Action // from @default
	defPos     Pos
	hasDefault bool
}

func parse(top source, data []byte, opts ParseOptions) (*Policy, error) {
	a := opts.Arch
	if a == nil {
		var err error
		if a, err = hostArch(); err != nil {
			return nil, err
		}
	}
	l := &lowerer{
		opts:     opts,
		arch:     a,
		maxDepth: opts.MaxIncludeDepth,
		entries:  map[uint32]*entry{},
		freq:     map[uint32]uint64{},
	}
	if l.maxDepth <= 0 {
		l.maxDepth = DefaultMaxIncludeDepth
	}
	if err := l.lowerSource(top, data); err != nil {
		return nil, err
	}
	return l.finish(), nil
}

// lowerSource parses one file's text and lowers its statements in order,
// descending into includes.
func (l *lowerer) lowerSource(src source, data []byte) error {
	return attachLine(l.lowerStatements(src, data), src.display, data)
}

func (l *lowerer) lowerStatements(src source, data []byte) error {
	f, err := ParseAST(src.display, data)
	if err != nil {
		return err
	}
	l.stack = append(l.stack, src)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	sawDenylist := false
	for _, st := range f.Stmts {
		switch st := st.(type) {
		case *IncludeStmt:
			if err := l.include(st); err != nil {
				return err
			}
		case *FrequencyStmt:
			if err := l.frequency(st); err != nil {
				return err
			}
		case *DefaultStmt:
			if err := l.defaultStmt(st); err != nil {
				return err
			}
		case *DenylistStmt:
			if !l.opts.Denylist {
				return errorf(st.Pos, "the policy is a denylist (@denylist) but is not being compiled as one (Denylist option, --denylist)")
			}
			sawDenylist = true
		case *FilterStmt:
			if err := l.filterStmt(st); err != nil {
				return err
			}
		}
	}
	if l.opts.Denylist && !sawDenylist {
		return errorf(Pos{src.display, 1, 1}, "compiling as a denylist, but the policy has no @denylist line")
	}
	return nil
}

func (l *lowerer) warn(pos Pos, format string, args ...any) {
	if l.opts.Warn != nil {
		l.opts.Warn(pos, fmt.Sprintf(format, args...))
	}
}

func (l *lowerer) defaultStmt(st *DefaultStmt) error {
	switch st.Action.Name {
	case "kill", "kill-process", "kill-thread", "trap", "user-notify":
	default:
		return errorf(st.Action.Pos, "invalid @default action %q (expected kill, kill-process, kill-thread, trap or user-notify; a permissive default can only be set by the caller)", st.Action.Name)
	}
	act, err := l.action(&st.Action)
	if err != nil {
		return err
	}
	if l.hasDefault && *l.def != act {
		return errorf(st.Pos, "@default conflicts with the @default at %s", l.defPos)
	}
	l.def, l.defPos, l.hasDefault = &act, st.Pos, true
	return nil
}

// archSelected reports whether a syscall reference applies to the target
// (its [arch=...] metadata, if any, names the target).
func (l *lowerer) archSelected(ref SyscallRef) bool {
	if ref.Arches == nil {
		return true
	}
	for _, name := range ref.Arches {
		if name == l.arch.Name {
			return true
		}
		if a, err := arch.Lookup(name); err == nil && a.Name == l.arch.Name {
			return true
		}
	}
	return false
}

func (l *lowerer) unknownSyscall(ref SyscallRef) error {
	if l.opts.UnknownSyscallsAreWarnings {
		l.warn(ref.Pos, "unknown syscall %q on %s (ignored)", ref.Name, l.arch.Name)
		return nil
	}
	return errorf(ref.Pos, "unknown syscall %q on %s", ref.Name, l.arch.Name)
}

// loweredFilter is one filter with values resolved.
type loweredFilter struct {
	pos    Pos
	expr   [][]Cond // nil: unconditional
	action Action
	// explicit reports an action was written ("; ACTION" or a bare action).
	explicit bool
	// isDefault reports the action is the policy's default (known only at
	// the end), written as a bare "return" in the minijail0 dialect.
	isDefault bool
}

func (l *lowerer) filterStmt(st *FilterStmt) error {
	// Resolve the filters first, so that a bad constant is reported even
	// when no syscall of the statement applies to the target.
	filters := make([]loweredFilter, 0, len(st.Filters))
	for i := range st.Filters {
		f, err := l.filter(&st.Filters[i])
		if err != nil {
			return err
		}
		filters = append(filters, f)
	}
	for _, ref := range st.Syscalls {
		if !l.archSelected(ref) {
			continue
		}
		nr, ok := l.arch.Syscall(ref.Name)
		if !ok {
			if err := l.unknownSyscall(ref); err != nil {
				return err
			}
			continue
		}
		e := l.entries[nr]
		if e == nil {
			e = &entry{rules: SyscallRules{Name: ref.Name, Nr: nr, Pos: ref.Pos}}
			l.entries[nr] = e
		}
		for _, f := range filters {
			if err := l.addFilter(e, ref, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *lowerer) addFilter(e *entry, ref SyscallRef, f loweredFilter) error {
	if e.terminated {
		msg := fmt.Sprintf("syscall %s (number %d) already has an unconditional action (at %s)", e.rules.Name, e.rules.Nr, e.termPos)
		if l.opts.AllowDuplicates {
			l.warn(f.pos, "%s; this rule is ignored", msg)
			return nil
		}
		return errorf(f.pos, "%s", msg)
	}
	if f.expr == nil {
		e.rules.Else, e.elseDefault = f.action, f.isDefault
		e.terminated, e.termPos = true, f.pos
		return nil
	}
	ruleAction := f.action
	if l.opts.Dialect == DialectMinijail0 && f.explicit {
		// "expr; ACTION": allow when expr holds, otherwise ACTION.
		ruleAction = Action{Kind: ActAllow}
	}
	for _, conj := range f.expr {
		e.rules.Rules = append(e.rules.Rules, Rule{All: conj, Action: ruleAction, Pos: f.pos})
	}
	if l.opts.Dialect == DialectMinijail0 && f.explicit {
		e.rules.Else, e.elseDefault = f.action, f.isDefault
		e.terminated, e.termPos = true, f.pos
	}
	return nil
}

func (l *lowerer) filter(f *Filter) (loweredFilter, error) {
	out := loweredFilter{pos: f.Pos, action: Action{Kind: ActAllow}}
	if f.Action != nil {
		if l.opts.Denylist && f.Action.Name != "return" {
			return out, errorf(f.Action.Pos, "invalid action %q in a denylist policy (every rule must be 'return ERRNO')", f.Action.Name)
		}
		if f.Action.Name == "return" && f.Action.Errno == nil {
			// Upstream's C compiler reads a bare "return" as its kill
			// action, which is also its default action.
			if l.opts.Dialect != DialectMinijail0 || l.opts.Denylist {
				return out, errorf(f.Action.Pos, "missing errno value after 'return'")
			}
			out.explicit, out.isDefault = true, true
		} else {
			act, err := l.action(f.Action)
			if err != nil {
				return out, err
			}
			out.action, out.explicit = act, true
		}
	}
	if f.Expr == nil {
		return out, nil
	}
	out.expr = make([][]Cond, 0, len(f.Expr))
	for _, clause := range f.Expr {
		conds := make([]Cond, 0, len(clause))
		for _, at := range clause {
			v, err := l.eval(at.Value)
			if err != nil {
				return out, err
			}
			conds = append(conds, Cond{Arg: at.Arg, Op: at.Op, Value: v})
		}
		out.expr = append(out.expr, conds)
	}
	return out, nil
}

// action resolves an action as written.
func (l *lowerer) action(ae *ActionExpr) (Action, error) {
	switch ae.Name {
	case "allow":
		return Action{Kind: ActAllow}, nil
	case "kill":
		if l.opts.Denylist {
			eperm, ok := l.arch.Constant("EPERM")
			if !ok {
				eperm = 1
			}
			return Action{Kind: ActErrno, Value: uint16(eperm)}, nil
		}
		// "kill" is the caller's kill: kill-thread when that is the
		// configured default (as upstream's Python compiler's default is),
		// otherwise kill-process.
		if l.opts.DefaultAction.Kind == ActKillThread {
			return Action{Kind: ActKillThread}, nil
		}
		return Action{Kind: ActKillProcess}, nil
	case "kill-process":
		return Action{Kind: ActKillProcess}, nil
	case "kill-thread":
		return Action{Kind: ActKillThread}, nil
	case "trap":
		return Action{Kind: ActTrap}, nil
	case "trace":
		return Action{Kind: ActTrace}, nil
	case "log":
		return Action{Kind: ActLog}, nil
	case "user-notify":
		return Action{Kind: ActUserNotify}, nil
	case "return":
		if ae.Errno == nil {
			return Action{}, errorf(ae.Pos, "missing errno value after 'return'")
		}
		v, err := l.eval(ae.Errno)
		if err != nil {
			return Action{}, err
		}
		if v > uint64(RetData) {
			return Action{}, errorf(ae.Errno.ValuePos(), "errno value %d out of range (at most %d)", v, RetData)
		}
		return Action{Kind: ActErrno, Value: uint16(v)}, nil
	}
	return Action{}, errorf(ae.Pos, "unknown action %q", ae.Name)
}

// eval computes a constant expression at the target's argument width.
func (l *lowerer) eval(v Value) (uint64, error) {
	bits := l.arch.Bits
	mask := ^uint64(0)
	if bits < 64 {
		mask = 1<<uint(bits) - 1
	}
	switch v := v.(type) {
	case *NumberValue:
		n, err := parseNumber(v.Text, bits)
		if err != nil {
			return 0, errorf(v.Pos, "%v (the argument width of %s is %d bits)", err, l.arch.Name, bits)
		}
		return n, nil
	case *NameValue:
		n, ok := l.arch.Constant(v.Name)
		if !ok {
			return 0, errorf(v.Pos, "unknown constant %q on %s", v.Name, l.arch.Name)
		}
		if n > mask {
			// A negative constant sign-extended to 64 bits is taken at the
			// target's width; anything else is too wide.
			if signBit := uint64(1) << uint(bits-1); n|mask == ^uint64(0) && n&signBit != 0 {
				return n & mask, nil
			}
			return 0, errorf(v.Pos, "constant %s = %#x does not fit in %d bits", v.Name, n, bits)
		}
		return n, nil
	case *NotValue:
		x, err := l.eval(v.X)
		if err != nil {
			return 0, err
		}
		return ^x & mask, nil
	case *OrValue:
		var out uint64
		for _, t := range v.Terms {
			x, err := l.eval(t)
			if err != nil {
				return 0, err
			}
			out |= x
		}
		return out, nil
	}
	return 0, fmt.Errorf("seccomp: unknown value node %T", v)
}

func (l *lowerer) finish() *Policy {
	def := l.opts.DefaultAction
	if l.opts.Denylist {
		def = Action{Kind: ActAllow}
	}
	if l.hasDefault {
		def = *l.def
	}
	if l.opts.OverrideDefault != nil {
		def = *l.opts.OverrideDefault
	}
	p := &Policy{
		Arch:     l.arch,
		Default:  def,
		BadArch:  Action{Kind: ActKillProcess},
		Syscalls: make([]SyscallRules, 0, len(l.entries)),
	}
	for nr, e := range l.entries {
		if !e.terminated || e.elseDefault {
			e.rules.Else = def
		}
		f := l.freq[nr]
		if f > 0xffffffff {
			f = 0xffffffff
		}
		e.rules.Frequency = uint32(f)
		p.Syscalls = append(p.Syscalls, e.rules)
	}
	sort.Slice(p.Syscalls, func(i, j int) bool { return p.Syscalls[i].Nr < p.Syscalls[j].Nr })
	return p
}

// ParseBytes is Parse for a policy held in memory.
func ParseBytes(name string, src []byte, opts ParseOptions) (*Policy, error) {
	return Parse(name, bytes.NewReader(src), opts)
}
