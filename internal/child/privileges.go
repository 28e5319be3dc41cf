package child

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// The privilege steps act on the calling thread only (raw system calls,
// never Go's all-threads wrappers): the caller has locked its OS thread and
// either execs from it or forks the target from it, then lets it die.
//
// They are planned as a list of system calls (rawOp) before any is made,
// so that the same list can run either from Go (before a filter) or, when
// they must follow the filter, inside the raw sequence that ends in execve
// with no Go code in between (see rawexec_unsafe.go).

// PrepareThread applies, on the calling thread, the privilege steps of the
// jail that a forked child inherits: securebits, the uid/gid/groups change,
// the capability sets, the bounding and ambient sets and no_new_privs
// (DESIGN 3, without Landlock and seccomp, which only an exec-ing helper
// installs). It serves the direct path and the pid-1 init.
func PrepareThread(c *config.Config) *config.StepError {
	ops, se := privilegeOps(c)
	if se != nil {
		return se
	}
	if c.NoNewPrivs {
		ops = append(ops, noNewPrivsOp())
	}
	return runOps(ops)
}

// privilegeOps locks the securebits when capabilities are used (that must
// come first and needs no filter exemption) and plans the rest: groups,
// gid, uid, then the capability sets.
func privilegeOps(c *config.Config) ([]rawOp, *config.StepError) {
	var bits uint64
	if c.UseCaps {
		b, err := caps.LockSecurebits(c.SkipSecurebitsMask)
		if err != nil {
			return nil, config.Errorf("lock securebits", "", err)
		}
		bits = b
	}
	return planPrivileges(c, bits), nil
}

// Step is one planned privilege system call, for a caller that jails its
// own process (minijail.Enter).
type Step struct{ op rawOp }

// PlanPrivileges plans the groups, gid, uid and capability steps of c in
// the order the helper takes them; securebits are the ones already locked
// (with SECBIT_NOROOT locked the bounding set is dropped too).
func PlanPrivileges(c *config.Config, securebits uint64) []Step {
	ops := planPrivileges(c, securebits)
	steps := make([]Step, len(ops))
	for i, o := range ops {
		steps[i] = Step{o}
	}
	return steps
}

// planPrivileges plans the steps after the securebits.
func planPrivileges(c *config.Config, bits uint64) []rawOp {
	var ops []rawOp
	switch c.GroupsMode {
	case config.GroupsSet:
		ops = append(ops, setgroupsOp(c.Groups))
	case config.GroupsDefault:
		// In a user namespace whose setgroups is denied (an unprivileged
		// caller's), there are no groups to clear.
		if (c.HasUID || c.HasGID) && !(c.Cloneflags&unix.CLONE_NEWUSER != 0 && setgroupsDenied()) {
			ops = append(ops, setgroupsOp(nil))
		}
	}
	if c.HasGID {
		g := uintptr(c.GID)
		ops = append(ops, op("setresgid", strconv.FormatUint(uint64(c.GID), 10), unix.SYS_SETRESGID, g, g, g))
	}
	if c.HasUID {
		u := uintptr(c.UID)
		ops = append(ops, op("setresuid", strconv.FormatUint(uint64(c.UID), 10), unix.SYS_SETRESUID, u, u, u))
	}
	switch {
	case c.UseCaps:
		ops = append(ops, capOps(c.CapMask, bits)...)
	case c.Cloneflags&unix.CLONE_NEWUSER != 0:
		// The parent raised every capability as ambient (so inheritable
		// too) to carry them over the helper's own execve and the later
		// stages'; neither set may reach the target's, whose inheritable
		// set is the caller's (empty) as without a user namespace.
		ops = append(ops, op("clear the ambient set", "", unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL))
		if s, err := caps.Get(); err == nil {
			s.Inheritable = 0
			ops = append(ops, capsetSetsOp(s, "inheritable set"))
		}
	}
	return ops
}

// capOps reduces the capabilities to mask, as upstream does: the bounding
// set only when SECBIT_NOROOT is set and locked (else root would regain it
// at exec anyway), and the mask raised as ambient so that the target holds
// it after execve. CAP_SETPCAP stays until the bounding set is dropped.
func capOps(mask, securebits uint64) []rawOp {
	last := caps.LastCap()
	mask &= uint64(1)<<(uint(last)+1) - 1
	m := fmt.Sprintf("%#x", mask)
	ops := []rawOp{capsetOp(mask|1<<caps.SetPCap, m)}
	const noroot = caps.SecbitNoroot | caps.SecbitNorootLocked
	if securebits&noroot == noroot {
		for c := 0; c <= last; c++ {
			if mask&(1<<uint(c)) == 0 {
				ops = append(ops, op("drop from the bounding set", caps.Name(c), unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c)))
			}
		}
	}
	ops = append(ops, capsetOp(mask, m),
		op("clear the ambient set", "", unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL))
	for c := 0; c <= last; c++ {
		if mask&(1<<uint(c)) != 0 {
			ops = append(ops, op("raise in the ambient set", caps.Name(c), unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c)))
		}
	}
	return ops
}

func noNewPrivsOp() rawOp {
	return op("prctl(PR_SET_NO_NEW_PRIVS)", "", unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1)
}

// runOps makes the planned system calls from Go, stopping at the first
// failure.
func runOps(ops []rawOp) *config.StepError {
	for i := range ops {
		if errno := ops[i].call(); errno != 0 {
			return &config.StepError{Step: ops[i].step, Path: ops[i].object, Errno: errno}
		}
	}
	return nil
}

// setgroupsDenied reports whether /proc/self/setgroups says "deny".
func setgroupsDenied() bool {
	b, err := os.ReadFile("/proc/self/setgroups")
	return err == nil && strings.TrimSpace(string(b)) == "deny"
}

// rlimitOps plans the resource limits (prlimit64 on this process).
func rlimitOps(c *config.Config) []rawOp {
	var ops []rawOp
	for _, r := range c.Rlimits {
		ops = append(ops, rlimitOp(r.Resource, r.Cur, r.Max))
	}
	return ops
}
