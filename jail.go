// Package minijail runs programs in a jail: with fewer privileges
// (users, groups, capabilities, no_new_privs), with a seccomp filter, with
// resource limits, and in new namespaces with their own view of the
// filesystem. It is a Go re-implementation of Google's libminijail.
//
// A Jail is configured with its methods, then started with Run (or
// Command for an os/exec-style interface). Everything is applied before the
// target program's execve: nothing is injected into the target.
//
// Programs that use this package re-execute their own binary as the jail's
// helper process. The package recognises that re-execution in an init
// function, before main runs, so no code is needed for it; see Init.
package minijail

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// Jail is the configuration of a jail. The zero value is not usable; create
// one with New. A Jail may be started any number of times; it must not be
// modified while another goroutine starts it.
type Jail struct {
	cfg config.Config

	user    string // user name given to ChangeUser (for InheritUsergroups)
	userGID uint32 // that user's primary group
	// groupsWay is how supplementary groups are chosen: "" (default),
	// "keep", "inherit" or "set"; two different ways conflict.
	groupsWay string

	pidFile   string
	preserved map[int]int // child fd -> parent fd
	envSet    bool        // cfg.Env holds the environment (else inherit ours)
	sc        seccompState
	logOnce   sync.Once
	detached  bool // Detach: pid 1 may outlive the caller
	kernelLog bool // log mode through SECCOMP_RET_LOG even with a caller to answer
}

// New returns an empty jail: running a program in it changes nothing.
func New() *Jail {
	return &Jail{
		cfg: config.Config{
			RemountMode:    config.RemountPrivate,
			SeccompNotifFD: -1,
			LastPidFD:      -1,
			EnterMountNSFD: -1,
			EnterNetNSFD:   -1,
			Logging:        config.LogAuto,
		},
		preserved: map[int]int{},
	}
}

// ErrUselessID is returned when asked to change to uid or gid 0, which
// minijail refuses as a change that drops nothing.
var ErrUselessID = errors.New("useless change to id 0")

// ChangeUID makes the target run with the given user id (real, effective and
// saved).
func (j *Jail) ChangeUID(uid int) error {
	if uid == 0 {
		return fmt.Errorf("change uid: %w", ErrUselessID)
	}
	if uid < 0 || int64(uid) > 0xfffffffe {
		return fmt.Errorf("change uid: %d is out of range", uid)
	}
	j.cfg.HasUID, j.cfg.UID = true, uint32(uid)
	return nil
}

// ChangeGID makes the target run with the given group id.
func (j *Jail) ChangeGID(gid int) error {
	if gid == 0 {
		return fmt.Errorf("change gid: %w", ErrUselessID)
	}
	if gid < 0 || int64(gid) > 0xfffffffe {
		return fmt.Errorf("change gid: %d is out of range", gid)
	}
	j.cfg.HasGID, j.cfg.GID = true, uint32(gid)
	return nil
}

// ChangeUser makes the target run as the named user (a name, or a number).
// A name is remembered for InheritUsergroups.
func (j *Jail) ChangeUser(name string) error {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return j.ChangeUID(int(n))
	}
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("look up user %q: %w", name, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return fmt.Errorf("user %q has a non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return fmt.Errorf("user %q has a non-numeric gid %q", name, u.Gid)
	}
	if err := j.ChangeUID(uid); err != nil {
		return fmt.Errorf("user %q: %w", name, err)
	}
	j.user, j.userGID = name, uint32(gid)
	return nil
}

// ChangeGroup makes the target run with the named group (a name or a number).
func (j *Jail) ChangeGroup(name string) error {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return j.ChangeGID(int(n))
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return fmt.Errorf("look up group %q: %w", name, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return fmt.Errorf("group %q has a non-numeric gid %q", name, g.Gid)
	}
	if err := j.ChangeGID(gid); err != nil {
		return fmt.Errorf("group %q: %w", name, err)
	}
	return nil
}

// InheritUsergroups gives the target the supplementary groups of the user
// named with ChangeUser (minijail0 -G).
func (j *Jail) InheritUsergroups() error {
	if j.user == "" {
		return errors.New("inherit user groups: needs a user name (ChangeUser with a name)")
	}
	u, err := user.Lookup(j.user)
	if err != nil {
		return fmt.Errorf("inherit user groups: look up user %q: %w", j.user, err)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return fmt.Errorf("inherit user groups of %q: %w", j.user, err)
	}
	gids := []uint32{j.userGID}
	for _, s := range ids {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return fmt.Errorf("inherit user groups of %q: bad gid %q", j.user, s)
		}
		if uint32(n) != j.userGID {
			gids = append(gids, uint32(n))
		}
	}
	if err := j.groupsChoice("inherit"); err != nil {
		return err
	}
	j.cfg.GroupsMode, j.cfg.Groups = config.GroupsSet, gids
	return nil
}

// KeepSupplementaryGIDs keeps the caller's supplementary groups (minijail0 -y).
func (j *Jail) KeepSupplementaryGIDs() error {
	if err := j.groupsChoice("keep"); err != nil {
		return err
	}
	j.cfg.GroupsMode = config.GroupsKeep
	return nil
}

// SetSupplementaryGIDs sets the target's supplementary groups exactly.
func (j *Jail) SetSupplementaryGIDs(gids []uint32) error {
	if len(gids) > 65536 {
		return fmt.Errorf("set supplementary groups: %d groups is more than the kernel allows", len(gids))
	}
	if err := j.groupsChoice("set"); err != nil {
		return err
	}
	j.cfg.GroupsMode, j.cfg.Groups = config.GroupsSet, append([]uint32(nil), gids...)
	return nil
}

// AddSupplementaryGroup adds a named (or numeric) group to the target's
// supplementary groups (minijail0 --add-suppl-group, repeatable).
func (j *Jail) AddSupplementaryGroup(name string) error {
	gid, err := lookupGID(name)
	if err != nil {
		return fmt.Errorf("add supplementary group: %w", err)
	}
	if err := j.groupsChoice("set"); err != nil {
		return err
	}
	j.cfg.GroupsMode, j.cfg.Groups = config.GroupsSet, append(j.cfg.Groups, gid)
	return nil
}

func lookupGID(name string) (uint32, error) {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return uint32(n), nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("look up group %q: %w", name, err)
	}
	n, err := strconv.ParseUint(g.Gid, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("group %q has a non-numeric gid %q", name, g.Gid)
	}
	return uint32(n), nil
}

// groupsChoice records one way of choosing supplementary groups; two
// different ways conflict, as in minijail.
func (j *Jail) groupsChoice(way string) error {
	if j.groupsWay != "" && j.groupsWay != way {
		return fmt.Errorf("supplementary groups: cannot both %s and %s them", j.groupsWay, way)
	}
	j.groupsWay = way
	return nil
}

// UseCaps reduces the target's capabilities to mask (bit n is capability
// n): the bounding set is reduced to it and, since the jail is applied before
// execve, the capabilities in mask are raised as ambient so the target holds
// exactly them after exec.
func (j *Jail) UseCaps(mask uint64) {
	// Bits above the kernel's last capability name nothing.
	mask &= uint64(1)<<(uint(caps.LastCap())+1) - 1
	j.cfg.UseCaps, j.cfg.CapMask = true, mask
}

// SetAmbientCaps asks for the capabilities of UseCaps to be raised in the
// ambient set (minijail0 --ambient). The pre-exec model raises them anyway;
// the call is kept for API compatibility.
func (j *Jail) SetAmbientCaps() { j.cfg.AmbientCaps = true }

// SkipSettingSecurebits leaves the securebits in mask unset (minijail0 -B).
func (j *Jail) SkipSettingSecurebits(mask uint64) { j.cfg.SkipSecurebitsMask = mask }

// NoNewPrivs sets no_new_privs for the target (minijail0 -n).
func (j *Jail) NoNewPrivs() { j.cfg.NoNewPrivs = true }

// UseSeccomp puts the target in strict seccomp mode (minijail0 -s): only
// read, write, _exit and sigreturn. Strict mode proper would refuse the
// target's own execve and kill just one thread of the helper, so the jail
// installs the equivalent filter instead (merged with a policy given too);
// a violation kills the target with SIGSYS (status 253).
func (j *Jail) UseSeccomp() { j.cfg.StrictSeccomp = true }

// Detach lets a jail outlive the process that started it (minijail0 -i):
// with a pid namespace, its pid 1 otherwise gets SIGKILL when its caller
// dies, and the whole namespace goes with it; and log mode (see
// LogSeccompFilterFailures) then needs no answer from the caller.
func (j *Jail) Detach() { j.detached, j.kernelLog = true, true }

// LogThroughKernel makes log mode (LogSeccompFilterFailures) use
// SECCOMP_RET_LOG — the kernel logs each refused call by number — instead
// of user notifications answered by the caller, for a caller that may go
// away before the jail (minijail0 -z, where a signal ends minijail0 and not
// the jail). Call it before ParseSeccompFilters.
func (j *Jail) LogThroughKernel() { j.kernelLog = true }

// NewSessionKeyring gives the target a new session keyring (minijail0 -w).
func (j *Jail) NewSessionKeyring() { j.cfg.NewKeyring = true }

// NewSession makes the target the leader of a new session (setsid), so it has
// no controlling terminal it could inject input into.
func (j *Jail) NewSession() { j.cfg.NewSession = true }

// WritePIDFile writes the target's pid (as seen by the caller) to path once it
// is started.
func (j *Jail) WritePIDFile(path string) { j.pidFile = path }

// Rlimit sets a resource limit (an RLIMIT_* number) for the target.
func (j *Jail) Rlimit(resource int, cur, max uint64) error {
	if resource < 0 || resource >= 16 {
		return fmt.Errorf("rlimit: unknown resource %d", resource)
	}
	if cur > max {
		return fmt.Errorf("rlimit %d: soft limit %d is above hard limit %d", resource, cur, max)
	}
	for _, r := range j.cfg.Rlimits {
		if r.Resource == resource {
			return fmt.Errorf("rlimit %d: set twice", resource)
		}
	}
	j.cfg.Rlimits = append(j.cfg.Rlimits, config.Rlimit{Resource: resource, Cur: cur, Max: max})
	return nil
}

// PreserveFD keeps the caller's fd parentFD open in the target as childFD.
// Every other fd above 2 is closed in the jail.
func (j *Jail) PreserveFD(parentFD, childFD int) error {
	if parentFD < 0 || childFD < 0 || childFD > 1<<20 {
		return fmt.Errorf("preserve fd %d as %d: bad descriptor", parentFD, childFD)
	}
	if _, err := fcntlGetfd(parentFD); err != nil {
		return fmt.Errorf("preserve fd %d: %w", parentFD, err)
	}
	j.preserved[childFD] = parentFD
	return nil
}

// SetEnv sets the target's whole environment ("NAME=value" strings). Without
// it the target inherits the caller's environment.
func (j *Jail) SetEnv(env []string) {
	j.cfg.Env = append([]string{}, env...)
	j.envSet = true
}

// Env returns the environment the target will get.
func (j *Jail) Env() []string {
	if j.envSet {
		return append([]string{}, j.cfg.Env...)
	}
	return os.Environ()
}

// SetLogging chooses where the jail's own diagnostics go: "auto", "syslog"
// or "stderr".
func (j *Jail) SetLogging(mode string) error {
	switch mode {
	case config.LogAuto, config.LogSyslog, config.LogStderr:
		j.cfg.Logging = mode
		return nil
	}
	return fmt.Errorf("logging: unknown mode %q (want auto, syslog or stderr)", mode)
}

func fcntlGetfd(fd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// ParseCaps parses a capability set as minijail0 -c takes it: libcap's text
// form ("cap_net_raw,cap_net_admin=e"; its effective set counts) or a
// hexadecimal mask ("0x3000").
func ParseCaps(text string) (uint64, error) { return caps.ParseMask(text) }
