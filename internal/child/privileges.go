package child

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// The steps in this file act on the calling thread only (raw system calls,
// never Go's all-threads wrappers): the caller has locked its OS thread and
// either execs from it or forks the target from it, then lets it die.

// PrepareThread applies, on the calling thread, the privilege steps of the
// jail that a forked child inherits: securebits, the uid/gid/groups change,
// the capability sets, the bounding and ambient sets and no_new_privs
// (DESIGN 3, without Landlock and seccomp, which only an exec-ing helper
// installs). It serves the direct path and the pid-1 init.
func PrepareThread(c *config.Config) *config.StepError {
	return applyPrivileges(c, nil)
}

// applyPrivileges runs the privilege steps of DESIGN 3: securebits when
// capabilities are used, then with no_new_privs: the uid/gid change, the
// capabilities, no_new_privs and last the filter; without no_new_privs the
// filter comes first (installing it needs CAP_SYS_ADMIN, which the drop
// takes away), so the policy must allow the drop's own system calls.
func applyPrivileges(c *config.Config, filter func(*config.Config) *config.StepError) *config.StepError {
	if filter == nil {
		filter = func(*config.Config) *config.StepError { return nil }
	}
	if c.UseCaps {
		if _, err := caps.LockSecurebits(c.SkipSecurebitsMask); err != nil {
			return config.Errorf("lock securebits", "", err)
		}
	}
	if !c.NoNewPrivs {
		if se := filter(c); se != nil {
			return se
		}
	}
	if se := dropUGID(c); se != nil {
		return se
	}
	if se := dropCaps(c); se != nil {
		return se
	}
	if c.NoNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return config.Errorf("prctl(PR_SET_NO_NEW_PRIVS)", "", err)
		}
		return filter(c)
	}
	return nil
}

// dropUGID changes the supplementary groups, gid and uid of this thread.
func dropUGID(c *config.Config) *config.StepError {
	switch c.GroupsMode {
	case config.GroupsSet:
		if err := setgroups(c.Groups); err != nil {
			return config.Errorf("setgroups", fmt.Sprint(c.Groups), err)
		}
	case config.GroupsDefault:
		// In a user namespace whose setgroups is denied (an unprivileged
		// caller's), there are no groups to clear.
		if (c.HasUID || c.HasGID) && !(c.Cloneflags&unix.CLONE_NEWUSER != 0 && setgroupsDenied()) {
			if err := setgroups(nil); err != nil {
				return config.Errorf("setgroups", "[]", err)
			}
		}
	}
	if c.HasGID {
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(c.GID), uintptr(c.GID), uintptr(c.GID)); e != 0 {
			return config.Errorf("setresgid", fmt.Sprint(c.GID), e)
		}
	}
	if c.HasUID {
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(c.UID), uintptr(c.UID), uintptr(c.UID)); e != 0 {
			return config.Errorf("setresuid", fmt.Sprint(c.UID), e)
		}
	}
	return nil
}

// dropCaps reduces the capabilities to the mask, as upstream does: the
// bounding set only when SECBIT_NOROOT is set and locked (else root would
// regain it at exec anyway), and the mask raised as ambient so that the
// target holds it after execve.
func dropCaps(c *config.Config) *config.StepError {
	if !c.UseCaps {
		return nil
	}
	bits, err := caps.Securebits()
	if err != nil {
		return config.Errorf("prctl(PR_GET_SECUREBITS)", "", err)
	}
	noroot := bits&(caps.SecbitNoroot|caps.SecbitNorootLocked) == caps.SecbitNoroot|caps.SecbitNorootLocked
	if err := caps.Reduce(c.CapMask, noroot, true); err != nil {
		return config.Errorf("drop capabilities", fmt.Sprintf("%#x", c.CapMask), err)
	}
	return nil
}

// setgroupsDenied reports whether /proc/self/setgroups says "deny".
func setgroupsDenied() bool {
	b, err := os.ReadFile("/proc/self/setgroups")
	return err == nil && strings.TrimSpace(string(b)) == "deny"
}
