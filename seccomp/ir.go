package seccomp

import (
	"fmt"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// This file is the contract between the policy front end (lexer, parser,
// includes, dialects) and the BPF back end (code generation, optimizer): the
// front end lowers a policy file to a Policy, and the back end compiles any
// valid Policy to a Program.

// ActionKind is the kind of verdict a filter returns.
type ActionKind uint8

// The actions of the policy language.
const (
	ActKillProcess ActionKind = iota // SECCOMP_RET_KILL_PROCESS
	ActKillThread                    // SECCOMP_RET_KILL_THREAD
	ActTrap                          // SECCOMP_RET_TRAP
	ActErrno                         // SECCOMP_RET_ERRNO | Value
	ActTrace                         // SECCOMP_RET_TRACE | Value
	ActLog                           // SECCOMP_RET_LOG
	ActUserNotify                    // SECCOMP_RET_USER_NOTIF
	ActAllow                         // SECCOMP_RET_ALLOW
)

// Action is one verdict: a kind and, for errno and trace, its 16-bit data.
type Action struct {
	Kind  ActionKind
	Value uint16
}

// Seccomp return values (linux/seccomp.h).
const (
	RetKillProcess uint32 = 0x80000000
	RetKillThread  uint32 = 0x00000000
	RetTrap        uint32 = 0x00030000
	RetErrno       uint32 = 0x00050000
	RetUserNotif   uint32 = 0x7fc00000
	RetTrace       uint32 = 0x7ff00000
	RetLog         uint32 = 0x7ffc0000
	RetAllow       uint32 = 0x7fff0000
	RetActionFull  uint32 = 0xffff0000
	RetData        uint32 = 0x0000ffff
)

// Ret returns the SECCOMP_RET_* value of the action.
func (a Action) Ret() uint32 {
	switch a.Kind {
	case ActKillProcess:
		return RetKillProcess
	case ActKillThread:
		return RetKillThread
	case ActTrap:
		return RetTrap
	case ActErrno:
		return RetErrno | uint32(a.Value)
	case ActTrace:
		return RetTrace | uint32(a.Value)
	case ActLog:
		return RetLog
	case ActUserNotify:
		return RetUserNotif
	case ActAllow:
		return RetAllow
	}
	panic(fmt.Sprintf("seccomp: invalid action kind %d", a.Kind))
}

// ActionFromRet maps a SECCOMP_RET_* value back to an Action, the way the
// kernel reads it (an unknown action acts as kill-process).
func ActionFromRet(ret uint32) Action {
	data := uint16(ret & RetData)
	switch ret & RetActionFull {
	case RetKillProcess:
		return Action{Kind: ActKillProcess}
	case RetKillThread:
		return Action{Kind: ActKillThread}
	case RetTrap:
		return Action{Kind: ActTrap}
	case RetErrno:
		return Action{Kind: ActErrno, Value: data}
	case RetTrace:
		return Action{Kind: ActTrace, Value: data}
	case RetLog:
		return Action{Kind: ActLog}
	case RetUserNotif:
		return Action{Kind: ActUserNotify}
	case RetAllow:
		return Action{Kind: ActAllow}
	}
	return Action{Kind: ActKillProcess}
}

// Op is a comparison of one syscall argument with a constant. All
// comparisons are unsigned, at the target's argument width.
type Op uint8

// The argument comparisons of the policy language.
const (
	OpEq      Op = iota // arg == v
	OpNe                // arg != v
	OpLt                // arg < v
	OpLe                // arg <= v
	OpGt                // arg > v
	OpGe                // arg >= v
	OpMaskAny           // arg & v != 0       (policy syntax: "argN & v")
	OpMaskIn            // arg & ^v == 0      (policy syntax: "argN in v")
)

// Cond is one argument comparison.
type Cond struct {
	Arg   int // 0..5
	Op    Op
	Value uint64 // already truncated to the target's argument width
}

// Pos is a position in a policy file.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Rule is one alternative of a syscall's filter: when every condition holds
// (an empty All always holds), the syscall gets Action.
type Rule struct {
	All    []Cond
	Action Action
	Pos    Pos
}

// SyscallRules is the filter of one syscall: its rules are tried in order and
// the first that holds decides; when none holds the syscall gets Else.
type SyscallRules struct {
	Name      string
	Nr        uint32
	Rules     []Rule
	Else      Action
	Frequency uint32 // relative call frequency from @frequency (0 = unknown)
	Pos       Pos    // where the syscall was first named
}

// Policy is a whole lowered policy for one architecture.
type Policy struct {
	Arch     *arch.Arch
	Syscalls []SyscallRules // at most one entry per Nr, sorted by Nr
	Default  Action         // for syscalls not listed
	// BadArch is returned for any other architecture and, on x86_64, for
	// x32 syscall numbers (default kill-process).
	BadArch Action
}
