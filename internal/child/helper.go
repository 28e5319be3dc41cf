// Package child is the jail's helper stage: the re-executed binary that
// receives a configuration from the parent, applies the jail to itself in
// the order of DESIGN 3 and executes the target (or, as pid 1 of a new pid
// namespace, starts the target and reaps).
package child

import (
	"encoding/binary"
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
	msg, _ := encodeReport(se)
	if _, err := status.Write(msg); err != nil {
		fmt.Fprintf(os.Stderr, "minijail: %v (and reporting it failed: %v)\n", se, err)
	}
}

// encodeReport frames a StepError for the status pipe (a 4-byte length,
// then the encoding) and returns where its errno sits.
func encodeReport(se *config.StepError) ([]byte, int) {
	body := config.MarshalStepError(se)
	msg := make([]byte, 4, 4+len(body))
	binary.LittleEndian.PutUint32(msg, uint32(len(body)))
	msg = append(msg, body...)
	// The errno follows the step and the object, each a 4-byte length and
	// the bytes.
	return msg, 4 + 4 + len(se.Step) + 4 + len(se.Path)
}

// run applies the jail and execs the target. It returns only on failure.
func run(c *config.Config, statusFD int) *config.StepError {
	if c.Cloneflags&syscall.CLONE_NEWUSER != 0 && !c.InitStage {
		if se := enterUserNamespace(c); se != nil {
			return se
		}
	}
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
	return execJailed(c, statusFD)
}

// setupProcess applies the process-wide steps: namespaces and the
// filesystem view, the keyring, rlimits and the working directory.
func setupProcess(c *config.Config) *config.StepError {
	if se := setupNamespaces(c); se != nil {
		return se
	}
	if c.NewKeyring {
		// A NULL name: a new anonymous session keyring.
		if _, _, e := unix.RawSyscall(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0); e != 0 {
			return config.Errorf("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", "", e)
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
// target from this (locked) thread. Without a filter that is Go code and
// syscall.Exec. With one, every step from the filter on is a bare system
// call (rawSeq): with no_new_privs the privilege drop comes before the
// filter, without it after (installing a filter then needs CAP_SYS_ADMIN,
// which the drop takes away), in which case the policy must allow the
// drop's own calls (setgroups, setresgid, setresuid, capset, prctl).
func execJailed(c *config.Config, statusFD int) *config.StepError {
	// First, while nothing limits this process: put back the RLIMIT_NOFILE
	// Go raised at start-up (the exec below is a bare execve, which does
	// not), learn the last capability (a filter need not allow reading
	// /proc), and prepare every call down to execve. The resource limits
	// come last before the privilege drop, so that a low RLIMIT_AS or
	// RLIMIT_NOFILE binds the target and not the helper's Go runtime.
	restoreNofile()
	caps.LastCap()
	var tramp *trampoline
	if len(c.SeccompFilter) > 0 && c.ExecveAddr != 0 {
		t, err := mapTrampoline(c.ExecveAddr, c.Path)
		if err != nil {
			return config.Errorf("map execve trampoline", fmt.Sprintf("%#x", c.ExecveAddr), err)
		}
		tramp = t
	}
	drop, se := privilegeOps(c)
	if se != nil {
		return se
	}
	exec, err := execveOp(tramp, c.Path, c.Argv, c.Env)
	if err != nil {
		return config.Errorf("execve", c.Path, err)
	}
	before := rlimitOps(c)
	if c.NoNewPrivs || len(c.SeccompFilter) == 0 {
		before = append(before, drop...)
		if c.NoNewPrivs {
			before = append(before, noNewPrivsOp())
		}
		drop = nil
	}
	if len(c.SeccompFilter) == 0 {
		before = append(before, exec)
		if se := runOps(before); se != nil {
			return se
		}
		return config.Errorf("execve", c.Path, unix.ENOEXEC) // not reached: runOps fails or execs
	}
	var flags uintptr
	if c.SpecAllow {
		flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	if c.SeccompLog {
		flags |= unix.SECCOMP_FILTER_FLAG_LOG
	}
	seq := &rawSeq{statusFD: uintptr(statusFD)}
	filter := seccompOp(c.SeccompFilter, flags, c.SeccompPolicy)
	var sendFD rawOp
	if c.SeccompNotifFD >= 0 && tramp != nil {
		filter.args[1] |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
		sendFD, filter.storeResult = tramp.sendFDOp(c.SeccompNotifFD)
	}
	seq.ops = append(seq.ops, filter)
	if sendFD.nr != 0 {
		seq.ops = append(seq.ops, sendFD)
	}
	seq.ops = append(seq.ops, drop...)
	seq.ops = append(seq.ops, exec)
	if tramp != nil {
		seq.reportAt = tramp.base + config.TrampolineReportOffset
		seq.prepareReports()
	}
	if se := runOps(before); se != nil {
		return se
	}
	// No Go signal handler may run once the filter is in: back to the
	// default action for every signal Go handles (those ignored stay so).
	// A pending signal that ignores by default is dropped; one that would
	// end the helper ends it, as it would have ended the target.
	resetSignals()
	i, errno := seq.run()
	o := &seq.ops[i]
	if i == 0 && errno == unix.EACCES {
		return &config.StepError{Step: o.step, Path: o.object, Errno: errno,
			Msg: "installing a filter needs no_new_privs or CAP_SYS_ADMIN"}
	}
	return &config.StepError{Step: o.step, Path: o.object, Errno: errno}
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

// enterUserNamespace takes, as upstream does first thing in a new user
// namespace, the jail's gid and uid there (or 0) for each id that has a
// map. The helper keeps its capabilities: the parent raised them as
// ambient, and the change is not one from the namespace's root.
func enterUserNamespace(c *config.Config) *config.StepError {
	if c.GIDMapSet {
		g := uintptr(0)
		if c.HasGID {
			g = uintptr(c.GID)
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, g, g, g); e != 0 {
			return config.Errorf("user namespace: setresgid", strconv.Itoa(int(g)), e)
		}
	}
	if c.UIDMapSet {
		u := uintptr(0)
		if c.HasUID {
			u = uintptr(c.UID)
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, u, u, u); e != 0 {
			return config.Errorf("user namespace: setresuid", strconv.Itoa(int(u)), e)
		}
	}
	return nil
}
