package minijail

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/seccomp"
	"github.com/minijail-go/minijail/seccomp/arch"
)

// seccompState is the filter part of a Jail.
type seccompState struct {
	use     bool            // UseSeccompFilter was called
	policy  *seccomp.Policy // parsed policy (compiled with the trampoline rules)
	program seccomp.Program // precompiled program (SetSeccompProgram / --seccomp-bpf-binary)
	log     bool            // LogSeccompFilterFailures
	notify  bool            // the parent answers user notifications (log mode)
	logf    func(string, ...any)
	// strict is the compiled strict-mode filter and its trampoline address.
	strict     []byte
	strictAddr uint64
	warn       func(seccomp.Pos, string)
}

// UseSeccompFilter turns on the seccomp filter given by ParseSeccompFilters,
// SetSeccompPolicy or SetSeccompProgram (minijail0 -S implies it).
func (j *Jail) UseSeccompFilter() { j.sc.use = true }

// LogSeccompFilterFailures makes a policy log the system calls it does not
// allow instead of killing the target (minijail0 -L): unknown syscall names
// in the policy become warnings, and the default action becomes a seccomp
// user notification that the caller answers, naming the call through Logf
// and letting it run; for a detached jail (Detach), or where the kernel
// lacks user notification, SECCOMP_RET_LOG (the kernel logs it), else
// SECCOMP_RET_TRAP. Call it (and Detach) before ParseSeccompFilters.
func (j *Jail) LogSeccompFilterFailures() { j.sc.log = true }

// SetSeccompFilterTSYNC asks for the filter on every thread of the target
// (minijail0 -Y). The filter is installed on the one thread that executes the
// target, so after execve every thread of the target has it: the request
// always holds.
func (j *Jail) SetSeccompFilterTSYNC() { j.cfg.SeccompTSYNC = true }

// SetSeccompFilterAllowSpeculation installs the filter with
// SECCOMP_FILTER_FLAG_SPEC_ALLOW, leaving speculative-execution mitigations
// as they are (minijail0 --allow-speculative-execution).
func (j *Jail) SetSeccompFilterAllowSpeculation() { j.cfg.SpecAllow = true }

// SetSeccompWarnings directs the policy parser's warnings to fn.
func (j *Jail) SetSeccompWarnings(fn func(pos seccomp.Pos, msg string)) { j.sc.warn = fn }

func (j *Jail) parseOptions() seccomp.ParseOptions {
	opts := seccomp.ParseOptions{Arch: arch.Host(), Warn: j.sc.warn}
	if j.sc.log {
		opts.UnknownSyscallsAreWarnings = true
		act := seccomp.Action{Kind: seccomp.ActTrap}
		switch avail := actionsAvailable(); {
		case avail["user_notif"] && !j.kernelLog:
			// The parent learns of each refused call, names it and lets it
			// through, as SECCOMP_RET_LOG would.
			act = seccomp.Action{Kind: seccomp.ActUserNotify}
		case avail["log"]:
			act = seccomp.Action{Kind: seccomp.ActLog}
		}
		opts.OverrideDefault = &act
	}
	return opts
}

// actionsAvailable returns the seccomp actions the kernel offers.
func actionsAvailable() map[string]bool {
	out := map[string]bool{}
	b, err := os.ReadFile("/proc/sys/kernel/seccomp/actions_avail")
	if err != nil {
		return out
	}
	for _, w := range strings.Fields(string(b)) {
		out[w] = true
	}
	return out
}

// ParseSeccompFilters reads a policy file in minijail's language for the
// host architecture and uses it as the jail's filter. Errors name
// file:line:column.
func (j *Jail) ParseSeccompFilters(path string) error {
	p, err := seccomp.ParseFile(path, j.parseOptions())
	if err != nil {
		return err
	}
	return j.SetSeccompPolicy(p, path)
}

// ParseSeccompFiltersFrom is ParseSeccompFilters reading the policy from r;
// name is used in messages and to resolve relative @include paths.
func (j *Jail) ParseSeccompFiltersFrom(name string, r io.Reader) error {
	p, err := seccomp.Parse(name, r, j.parseOptions())
	if err != nil {
		return err
	}
	return j.SetSeccompPolicy(p, name)
}

// SetSeccompPolicy uses an already parsed policy (for the host architecture)
// as the jail's filter. It is compiled now, so any error surfaces here.
func (j *Jail) SetSeccompPolicy(p *seccomp.Policy, name string) error {
	if p.Arch != arch.Host() {
		return fmt.Errorf("seccomp policy %s: written for %s, this is %s", name, p.Arch.Name, arch.Host().Name)
	}
	addr, err := randomTrampoline()
	if err != nil {
		return err
	}
	withExec := allowOwnExec(p, addr)
	prog, err := seccomp.Compile(withExec, seccomp.DefaultCompileOptions())
	if err != nil {
		return fmt.Errorf("compile seccomp policy %s: %w", name, err)
	}
	j.sc.use, j.sc.policy, j.sc.program, j.sc.strict = true, p, nil, nil
	j.sc.notify = usesUserNotify(p)
	j.cfg.SeccompFilter = prog.Bytes(binary.NativeEndian)
	j.cfg.SeccompPolicy = name
	j.cfg.SeccompLog = j.sc.log
	j.cfg.ExecveAddr = addr
	return nil
}

// SetSeccompProgram uses a compiled program as the jail's filter as it is.
// Since the jail is applied before execve, the program must allow execve
// (and rt_sigreturn, should a signal arrive in between) itself.
func (j *Jail) SetSeccompProgram(prog seccomp.Program, name string) error {
	if err := seccomp.Validate(prog); err != nil {
		return fmt.Errorf("seccomp program %s: %w", name, err)
	}
	j.sc.use, j.sc.policy, j.sc.program, j.sc.notify, j.sc.strict = true, nil, prog, false, nil
	j.cfg.SeccompFilter = prog.Bytes(binary.NativeEndian)
	j.cfg.SeccompPolicy = name
	j.cfg.ExecveAddr = 0
	return nil
}

// SetSeccompBPFBinary reads a compiled filter (an array of struct
// sock_filter in host byte order, as minijail's compilers write it) and uses
// it (minijail0 --seccomp-bpf-binary). It is validated as the kernel would.
func (j *Jail) SetSeccompBPFBinary(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("seccomp program: %w", err)
	}
	prog, err := seccomp.ParseProgram(b, binary.NativeEndian)
	if err != nil {
		return fmt.Errorf("seccomp program %s: %w", path, err)
	}
	return j.SetSeccompProgram(prog, path)
}

// SeccompProgram returns the program the jail installs (with the rules that
// let the jail's own execve through), or nil without a filter.
func (j *Jail) SeccompProgram() (seccomp.Program, error) {
	if len(j.cfg.SeccompFilter) == 0 {
		return nil, nil
	}
	return seccomp.ParseProgram(j.cfg.SeccompFilter, binary.NativeEndian)
}

// finishSeccomp checks the filter settings when a jail starts, and builds
// the strict-mode filter.
func (j *Jail) finishSeccomp(c *config.Config) error {
	if j.sc.use && len(c.SeccompFilter) == 0 {
		return errors.New("start jail: a seccomp filter was asked for but none was given")
	}
	if !j.sc.use {
		c.SeccompFilter, c.ExecveAddr = nil, 0
	}
	if !c.StrictSeccomp {
		return nil
	}
	if j.sc.use && j.sc.policy == nil {
		return errors.New("start jail: strict seccomp cannot be combined with a precompiled filter (give the policy file instead)")
	}
	if j.sc.strict == nil {
		addr := c.ExecveAddr
		if addr == 0 {
			var err error
			if addr, err = randomTrampoline(); err != nil {
				return err
			}
		}
		p := strictPolicy(j.sc.policy)
		prog, err := seccomp.Compile(allowOwnExec(p, addr), seccomp.DefaultCompileOptions())
		if err != nil {
			return fmt.Errorf("start jail: compile the strict-mode filter: %w", err)
		}
		j.sc.strict = prog.Bytes(binary.NativeEndian)
		j.sc.strictAddr = addr
	}
	c.SeccompFilter = j.sc.strict
	c.ExecveAddr = j.sc.strictAddr
	if c.SeccompPolicy == "" {
		c.SeccompPolicy = "strict mode"
	}
	return nil
}

// strictSyscalls are the calls strict seccomp mode allows.
var strictSyscalls = []string{"read", "write", "exit", "rt_sigreturn", "sigreturn"}

// strictPolicy is strict mode as a policy: the strict calls, decided by base
// where it is given (both must allow a call), everything else kills.
func strictPolicy(base *seccomp.Policy) *seccomp.Policy {
	host := arch.Host()
	kill := seccomp.Action{Kind: seccomp.ActKillProcess}
	p := &seccomp.Policy{Arch: host, Default: kill, BadArch: kill}
	for _, name := range strictSyscalls {
		nr, ok := host.Syscall(name)
		if !ok {
			continue
		}
		rules := seccomp.SyscallRules{Name: name, Nr: nr, Else: seccomp.Action{Kind: seccomp.ActAllow}}
		if base != nil {
			rules.Else = base.Default
			for _, s := range base.Syscalls {
				if s.Nr == nr {
					rules = s
				}
			}
		}
		p.Syscalls = append(p.Syscalls, rules)
	}
	sort.Slice(p.Syscalls, func(a, b int) bool { return p.Syscalls[a].Nr < p.Syscalls[b].Nr })
	return p
}

// randomTrampoline picks the address of the helper's execve trampoline: a
// page-aligned address in [2^40, 2^46), far from where Go, the kernel and
// the dynamic loader map anything, with 2^34 choices.
func randomTrampoline() (uint64, error) {
	var b [8]byte
	if _, err := unix.Getrandom(b[:], 0); err != nil {
		return 0, fmt.Errorf("seccomp: random trampoline address: %w", err)
	}
	page := binary.LittleEndian.Uint64(b[:]) % ((1<<46 - 1<<40 - config.TrampolineSize) / 4096)
	return 1<<40 + page*4096, nil
}

// allowOwnExec returns a copy of p whose first rules let exactly the
// helper's own last calls through (see internal/config/trampoline.go):
// execve of the path at addr, sendmsg of the seccomp listener with the
// message header at its place, and write of a failure report from its
// place. The address is random for each jail and never visible to the
// target, so a guess meets the policy's own rules.
func allowOwnExec(p *seccomp.Policy, addr uint64) *seccomp.Policy {
	q := *p
	q.Syscalls = append([]seccomp.SyscallRules(nil), p.Syscalls...)
	prepend := func(name string, arg int, value uint64) {
		nr, ok := p.Arch.Syscall(name)
		if !ok {
			return
		}
		rule := seccomp.Rule{All: []seccomp.Cond{{Arg: arg, Op: seccomp.OpEq, Value: value}}, Action: seccomp.Action{Kind: seccomp.ActAllow}}
		for i := range q.Syscalls {
			if q.Syscalls[i].Nr == nr {
				s := q.Syscalls[i]
				s.Rules = append([]seccomp.Rule{rule}, s.Rules...)
				q.Syscalls[i] = s
				return
			}
		}
		q.Syscalls = append(q.Syscalls, seccomp.SyscallRules{Name: name, Nr: nr, Rules: []seccomp.Rule{rule}, Else: p.Default})
	}
	prepend("execve", 0, addr+config.TrampolinePathOffset)
	prepend("sendmsg", 1, addr+config.TrampolineMsgOffset)
	prepend("write", 1, addr+config.TrampolineReportOffset)
	sort.Slice(q.Syscalls, func(a, b int) bool { return q.Syscalls[a].Nr < q.Syscalls[b].Nr })
	return &q
}

// usesUserNotify tells whether any verdict of p is a user notification,
// which the parent then has to answer.
func usesUserNotify(p *seccomp.Policy) bool {
	if p.Default.Kind == seccomp.ActUserNotify {
		return true
	}
	for _, sc := range p.Syscalls {
		if sc.Else.Kind == seccomp.ActUserNotify {
			return true
		}
		for _, r := range sc.Rules {
			if r.Action.Kind == seccomp.ActUserNotify {
				return true
			}
		}
	}
	return false
}

// SetLogger directs the jail's own messages (such as the system calls a
// policy refused in log mode) to fn instead of standard error or syslog.
func (j *Jail) SetLogger(fn func(format string, args ...any)) { j.sc.logf = fn }
