package seccomp

// This file holds the syntax tree of a policy file: what the parser
// produces before names are resolved against an architecture's tables. The
// tree keeps every position, so later stages report errors precisely.

// File is one parsed policy file.
type File struct {
	Name  string
	Stmts []Stmt
}

// Stmt is one statement of a policy file: *IncludeStmt, *FrequencyStmt,
// *DefaultStmt, *DenylistStmt or *FilterStmt.
type Stmt interface {
	// StmtPos returns the position of the statement's first token.
	StmtPos() Pos
}

// IncludeStmt is "@include PATH".
type IncludeStmt struct {
	Pos     Pos
	Path    string
	PathPos Pos
}

// FrequencyStmt is "@frequency PATH".
type FrequencyStmt struct {
	Pos     Pos
	Path    string
	PathPos Pos
}

// DefaultStmt is "@default ACTION".
type DefaultStmt struct {
	Pos    Pos
	Action ActionExpr
}

// DenylistStmt is "@denylist": the file is a denylist (see ParseOptions.Denylist).
type DenylistStmt struct {
	Pos Pos
}

// FilterStmt is "SYSCALLS: FILTERS": one syscall name or a "{a, b}" list,
// and one filter or a "{f1, f2}" list of filters tried in order.
type FilterStmt struct {
	Pos      Pos
	Syscalls []SyscallRef
	Colon    Pos
	Filters  []Filter
}

// StmtPos implements Stmt.
func (s *IncludeStmt) StmtPos() Pos { return s.Pos }

// StmtPos implements Stmt.
func (s *FrequencyStmt) StmtPos() Pos { return s.Pos }

// StmtPos implements Stmt.
func (s *DefaultStmt) StmtPos() Pos { return s.Pos }

// StmtPos implements Stmt.
func (s *DenylistStmt) StmtPos() Pos { return s.Pos }

// StmtPos implements Stmt.
func (s *FilterStmt) StmtPos() Pos { return s.Pos }

// SyscallRef names a syscall, optionally restricted to some architectures
// with python-style metadata: "name[arch=x86_64,aarch64]".
type SyscallRef struct {
	Name   string
	Pos    Pos
	Arches []string // nil: every architecture
}

// Filter is one alternative of a filter statement: an argument expression
// (nil for an unconditional filter) and an action (nil when the expression
// has no "; ACTION" part).
type Filter struct {
	Pos    Pos
	Expr   [][]Atom // disjunction of conjunctions
	Action *ActionExpr
}

// Atom is one comparison "argN OP VALUE".
type Atom struct {
	Pos   Pos
	Arg   int
	Op    Op
	OpPos Pos
	Value Value
}

// ActionExpr is an action as written: allow, 1, kill, kill-process,
// kill-thread, trap, trace, log, user-notify, or "return VALUE".
type ActionExpr struct {
	Pos   Pos
	Name  string // "allow", "kill", ..., "return"
	Errno Value  // for "return"; nil for a bare "return" (minijail0: the default action)
}

// Value is a constant expression: *NumberValue, *NameValue, *NotValue or *OrValue.
type Value interface {
	// ValuePos returns the position of the expression's first token.
	ValuePos() Pos
}

// NumberValue is a numeric literal as written (decimal, 0x hex, 0 octal,
// optionally negative).
type NumberValue struct {
	Pos  Pos
	Text string
}

// NameValue is a named constant (O_RDONLY, TCGETS, ...).
type NameValue struct {
	Pos  Pos
	Name string
}

// NotValue is "~X".
type NotValue struct {
	Pos Pos
	X   Value
}

// OrValue is "A | B | ...".
type OrValue struct {
	Terms []Value
}

// ValuePos implements Value.
func (v *NumberValue) ValuePos() Pos { return v.Pos }

// ValuePos implements Value.
func (v *NameValue) ValuePos() Pos { return v.Pos }

// ValuePos implements Value.
func (v *NotValue) ValuePos() Pos { return v.Pos }

// ValuePos implements Value.
func (v *OrValue) ValuePos() Pos { return v.Terms[0].ValuePos() }
