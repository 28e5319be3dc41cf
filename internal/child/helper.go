// Package child is the jail's helper stage: the re-executed binary that
// receives a configuration from the parent, applies the jail to itself in
// the order of DESIGN 3 and executes the target (or, as pid 1 of a new pid
// namespace, starts the target and reaps).
package child

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// EnvMarker is the environment variable that marks a process as the helper;
// its value is "CONFIGFD,STATUSFD".
const EnvMarker = "_MINIJAIL_HELPER"

// Argv0 is the helper's argv[0], as ps shows it.
const Argv0 = "minijail-helper"

// IsHelper reports whether this process was started as the helper.
func IsHelper() bool {
	_, ok := syscall.Getenv(EnvMarker)
	return ok
}

// Main runs the helper stage. It never returns: it execs the target, or
// exits after reporting a failure on the status pipe.
func Main() {
	runtime.LockOSThread()
	cfgFD, statusFD, err := parseMarker()
	if err != nil {
		fmt.Fprintf(os.Stderr, "minijail: helper: %v\n", err)
		os.Exit(1)
	}
	status := os.NewFile(uintptr(statusFD), "status")
	cfg, se := readConfig(cfgFD)
	if se == nil {
		se = run(cfg, statusFD)
	}
	report(status, se)
	if se.Mount {
		os.Exit(251)
	}
	os.Exit(1)
}

func parseMarker() (int, int, error) {
	v, _ := syscall.Getenv(EnvMarker)
	a, b, ok := strings.Cut(v, ",")
	cfgFD, err1 := strconv.Atoi(a)
	statusFD, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || cfgFD < 3 || statusFD < 3 {
		return 0, 0, fmt.Errorf("bad %s=%q", EnvMarker, v)
	}
	// The status pipe must not reach the target: exec closes it, and its
	// end-of-file tells the parent the target was executed.
	if _, err := unix.FcntlInt(uintptr(statusFD), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
		return 0, 0, fmt.Errorf("status pipe %d: %w", statusFD, err)
	}
	return cfgFD, statusFD, nil
}

func readConfig(fd int) (*config.Config, *config.StepError) {
	f := os.NewFile(uintptr(fd), "config")
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, config.MaxEncodedSize+1))
	if err != nil {
		return nil, config.Errorf("read jail configuration", "", err)
	}
	cfg, err := config.Unmarshal(b)
	if err == nil {
		err = cfg.Runnable()
	}
	if err != nil {
		return nil, &config.StepError{Step: "read jail configuration", Msg: err.Error()}
	}
	return cfg, nil
}

// report sends a failure to the parent. Nothing else is ever written on
// the status pipe.
func report(status *os.File, se *config.StepError) {
	msg := config.MarshalStepError(se)
	var hdr [4]byte
	hdr[0], hdr[1], hdr[2], hdr[3] = byte(len(msg)), byte(len(msg)>>8), byte(len(msg)>>16), byte(len(msg)>>24)
	if _, err := status.Write(append(hdr[:], msg...)); err != nil {
		fmt.Fprintf(os.Stderr, "minijail: %v (and reporting it failed: %v)\n", se, err)
	}
}

// run applies the jail and execs the target. It returns only on failure.
func run(c *config.Config, statusFD int) *config.StepError {
	if c.InitStage {
		if se := markFDs(c, statusFD); se != nil {
			return se
		}
		return runInit(c, statusFD)
	}
	initNext := c.Cloneflags&syscall.CLONE_NEWPID != 0 && !c.RunAsInit
	if initNext {
		// Opened now, while /proc is still the writable one, for the init
		// stage to make the target pid 2. Best effort: without it the
		// target gets the next free pid.
		if fd, err := unix.Open("/proc/sys/kernel/ns_last_pid", unix.O_WRONLY, 0); err == nil {
			c.LastPidFD = fd
		}
	}
	if se := setupProcess(c); se != nil {
		return se
	}
	if se := markFDs(c, statusFD); se != nil {
		return se
	}
	if initNext {
		if c.LastPidFD >= 0 {
			unix.FcntlInt(uintptr(c.LastPidFD), unix.F_SETFD, 0)
		}
		return execInitStage(c, statusFD)
	}
	return execJailed(c)
}

// setupProcess applies the process-wide steps: namespaces and the
// filesystem view, the keyring, rlimits and the working directory.
func setupProcess(c *config.Config) *config.StepError {
	if se := setupNamespaces(c); se != nil {
		return se
	}
	if c.NewKeyring {
		if _, err := unix.KeyctlJoinSessionKeyring(""); err != nil {
			return config.Errorf("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", "", err)
		}
	}
	for _, r := range c.Rlimits {
		// syscall.Setrlimit, so that Go forgets the RLIMIT_NOFILE it
		// would otherwise restore at exec.
		lim := syscall.Rlimit{Cur: r.Cur, Max: r.Max}
		if err := syscall.Setrlimit(r.Resource, &lim); err != nil {
			return config.Errorf("setrlimit", rlimitName(r.Resource), err)
		}
	}
	if c.Dir != "" {
		if err := unix.Chdir(c.Dir); err != nil {
			return config.Errorf("chdir", c.Dir, err)
		}
	}
	return nil
}

// markFDs makes every descriptor above 2 close-on-exec except the preserved
// ones, so the target gets exactly stdin, stdout, stderr and those.
func markFDs(c *config.Config, statusFD int) *config.StepError {
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return config.Errorf("close_range", "", err)
	}
	for _, fd := range c.PreserveFDs {
		if fd == statusFD {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			return config.Errorf("preserve fd", strconv.Itoa(fd), err)
		}
	}
	return nil
}

// execJailed applies the per-thread steps in DESIGN 3 order and execs the
// target from this (locked) thread.
func execJailed(c *config.Config) *config.StepError {
	var tramp *trampoline
	if len(c.SeccompFilter) > 0 && c.ExecveAddr != 0 {
		t, err := mapTrampoline(c.ExecveAddr, c.SigmaskAddr, c.Path)
		if err != nil {
			return config.Errorf("map execve trampoline", fmt.Sprintf("%#x", c.ExecveAddr), err)
		}
		tramp = t
		// Before the filter, which need not allow prlimit64 or reading
		// /proc: put RLIMIT_NOFILE back, and learn the last capability.
		restoreNofile()
		caps.LastCap()
	}
	filter := func(c *config.Config) *config.StepError { return installSeccomp(c, tramp) }
	if se := applyPrivileges(c, filter); se != nil {
		return se
	}
	var err error
	if tramp != nil {
		err = execTrampolined(tramp, c.Argv, c.Env)
	} else {
		err = syscall.Exec(c.Path, c.Argv, c.Env)
	}
	return config.Errorf("execve", c.Path, err)
}

// installSeccomp loads the filter. With a filter, every signal is blocked
// first so that no signal handler runs (and makes system calls the filter
// might refuse) before execTrampolined restores the mask and execs.
//
// With a notification socket (minijail0 -L), the filter gets a listener,
// which goes to the parent at once: from then on the parent answers the
// system calls the policy does not allow, logging each.
func installSeccomp(c *config.Config, tramp *trampoline) *config.StepError {
	if len(c.SeccompFilter) == 0 {
		return nil
	}
	// A precompiled program has no trampoline rules: it must allow the
	// execve (and rt_sigreturn, should a signal come in between) itself.
	if tramp != nil {
		if err := blockAllSignals(); err != nil {
			return config.Errorf("rt_sigprocmask", "", err)
		}
	}
	var flags uintptr
	if c.SpecAllow {
		flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	if c.SeccompLog {
		flags |= unix.SECCOMP_FILTER_FLAG_LOG
	}
	if c.SeccompNotifFD >= 0 {
		flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	}
	listener, err := installFilter(c.SeccompFilter, flags)
	if err != nil {
		if errors.Is(err, unix.EACCES) {
			return &config.StepError{Step: "seccomp(SECCOMP_SET_MODE_FILTER)", Path: c.SeccompPolicy, Errno: unix.EACCES,
				Msg: "installing a filter needs no_new_privs or CAP_SYS_ADMIN"}
		}
		return config.Errorf("seccomp(SECCOMP_SET_MODE_FILTER)", c.SeccompPolicy, err)
	}
	if c.SeccompNotifFD >= 0 && tramp != nil {
		if err := tramp.sendFD(c.SeccompNotifFD, listener); err != nil {
			return config.Errorf("send the seccomp listener", c.SeccompPolicy, err)
		}
	}
	return nil
}

var rlimitNames = [...]string{"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
	"RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
	"RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"}

func rlimitName(r int) string {
	if r >= 0 && r < len(rlimitNames) {
		return rlimitNames[r]
	}
	return strconv.Itoa(r)
}

// restoreNofile gives RLIMIT_NOFILE back the soft value this process started
// with: Go raises it at start-up and puts it back only in syscall.Exec and
// in forked children. The trampolined execve is neither, so it lets
// syscall.Exec put the limit back and then fail on a path that cannot be
// executed (an empty one).
func restoreNofile() {
	_ = syscall.Exec("", []string{""}, nil)
}
