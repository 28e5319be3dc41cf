package minijail

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/child"
	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/seccomp"
)

// Enter jails the calling process itself, on every thread: securebits,
// supplementary groups, gid and uid, capabilities (with the bounding and
// ambient sets), no_new_privs, resource limits and the seccomp filter
// (installed with SECCOMP_FILTER_FLAG_TSYNC). Anything that needs a fresh
// process — namespaces, mounts, chroot or pivot_root, a new session keyring,
// strict seccomp — is refused: use Start or Command for those.
//
// Enter needs a binary built with CGO_ENABLED=0 (it uses
// syscall.AllThreadsSyscall). On failure part of the jail may already be
// applied; the process should exit.
func (j *Jail) Enter() error {
	c := &j.cfg
	switch {
	case c.Cloneflags != 0 || c.EnterMountNS != "" || c.EnterNetNS != "":
		return errors.New("enter jail: namespaces need a new process: use Start or Command")
	case len(c.Mounts) > 0 || c.Chroot != "" || c.PivotRoot != "" || c.MountTmp || c.RemountProcRO || c.MountDev:
		return errors.New("enter jail: mounts, chroot and pivot_root need a new process: use Start or Command")
	case c.NewKeyring:
		return errors.New("enter jail: a new session keyring needs a new process: use Start or Command")
	case c.StrictSeccomp:
		return errors.New("enter jail: strict seccomp would kill the Go runtime: use Start or Command")
	case len(j.preserved) > 0 || j.pidFile != "":
		return errors.New("enter jail: preserved fds and pid files apply to a started jail: use Start or Command")
	case j.sc.use && len(c.SeccompFilter) == 0:
		return errors.New("enter jail: a seccomp filter was asked for but none was given")
	}
	for _, r := range c.Rlimits {
		if err := syscall.Setrlimit(r.Resource, &syscall.Rlimit{Cur: r.Cur, Max: r.Max}); err != nil {
			return config.Errorf("setrlimit", fmt.Sprint(r.Resource), err)
		}
	}
	if c.NewSession {
		if _, err := syscall.Setsid(); err != nil {
			return config.Errorf("setsid", "", err)
		}
	}
	var filter []byte
	if j.sc.use {
		if j.sc.policy != nil {
			p := j.sc.policy
			if usesUserNotify(p) {
				// No parent to answer notifications here: log instead.
				q := *p
				q.Default = seccomp.Action{Kind: seccomp.ActLog}
				p = &q
			}
			prog, err := seccomp.Compile(p, seccomp.DefaultCompileOptions())
			if err != nil {
				return fmt.Errorf("enter jail: compile %s: %w", c.SeccompPolicy, err)
			}
			filter = prog.Bytes(binary.NativeEndian)
		} else {
			filter = c.SeccompFilter
		}
	}
	var bits uint64
	if c.UseCaps {
		b, err := caps.LockSecurebitsWith(c.SkipSecurebitsMask, func(bits uint64) error {
			return allThreadsPrctl(unix.PR_SET_SECUREBITS, uintptr(bits), 0)
		})
		if err != nil {
			return config.Errorf("lock securebits", "", err)
		}
		bits = b
	}
	if !c.NoNewPrivs {
		if err := installFilterAllThreads(filter, c); err != nil {
			return err
		}
	}
	for _, step := range child.PlanPrivileges(c, bits) {
		if se := step.RunAllThreads(); se != nil {
			return se
		}
	}
	if c.NoNewPrivs {
		if err := allThreadsPrctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0); err != nil {
			return config.Errorf("prctl(PR_SET_NO_NEW_PRIVS)", "", err)
		}
		return installFilterAllThreads(filter, c)
	}
	return nil
}

func allThreadsPrctl(op, a, b uintptr) error {
	if _, _, e := syscall.AllThreadsSyscall6(syscall.SYS_PRCTL, op, a, b, 0, 0, 0); e != 0 {
		return e
	}
	return nil
}
