package minijail

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/child"
	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/internal/logging"
)

func init() {
	// The helper stage: this binary was re-executed by a parent to apply a
	// jail. Run it before the program's own main.
	if child.IsHelper() {
		child.Main()
	}
}

// Exit statuses of a jail (DESIGN 4), as minijail0 returns them.
const (
	StatusNoAccess         = 126 // the target exists but could not be executed
	StatusNoCommand        = 127 // the target was not found
	StatusSignalBase       = 128 // plus the signal that killed the target
	StatusMountFailed      = 251 // a mount step failed
	StatusSeccompViolation = 253 // the target was killed by SIGSYS (seccomp)
	StatusInitFailed       = 254 // the pid-namespace init itself failed
)

// SetupError is a failure of one jail set-up step: the target never ran.
// errors.Is works with the syscall.Errno it carries.
type SetupError = config.StepError

// Process is a started jail.
type Process struct {
	cmd    *exec.Cmd // started through os/exec (pipes to copy, or the helper)
	pid    int       // started with a bare fork (cmd is nil)
	helper bool      // the process is the helper (or the pid-1 init), not the target

	mu       sync.Mutex // guards reaped against Signal racing Wait
	reaped   bool
	waitOnce sync.Once
	status   int
	waitErr  error
	cancel   func() // stops the context watcher, if any
	// forker, if not nil, holds the thread that forked the process (whose
	// death would send the parent-death signal) until the process is reaped.
	forker chan struct{}
}

// Pid returns the pid of the jailed process as the caller sees it: the target,
// or with a pid namespace the jail's init.
func (p *Process) Pid() int {
	if p.cmd != nil {
		return p.cmd.Process.Pid
	}
	return p.pid
}

// Signal sends a signal to the jailed process.
func (p *Process) Signal(sig os.Signal) error {
	if p.cmd != nil {
		return p.cmd.Process.Signal(sig)
	}
	s, ok := sig.(syscall.Signal)
	if !ok {
		return fmt.Errorf("signal %v: not a syscall.Signal", sig)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reaped {
		return os.ErrProcessDone
	}
	return syscall.Kill(p.pid, s)
}

// Wait waits for the jailed process and returns its status as minijail0
// reports it: the exit code; 253 if killed by SIGSYS; 128+n if killed by
// signal n. The error is set only if waiting itself failed.
func (p *Process) Wait() (int, error) {
	p.waitOnce.Do(func() {
		defer func() {
			if p.cancel != nil {
				p.cancel()
			}
			if p.forker != nil {
				close(p.forker)
			}
		}()
		if p.cmd == nil {
			var ws syscall.WaitStatus
			for {
				// WNOWAIT first, so that Signal never hits a recycled pid.
				var info [128]byte
				_, _, e := syscall.Syscall6(syscall.SYS_WAITID, 1 /* P_PID */, uintptr(p.pid), uintptr(unsafePointer(&info)), syscall.WEXITED|unix.WNOWAIT, 0, 0)
				if e == syscall.EINTR {
					continue
				}
				p.mu.Lock()
				_, err := syscall.Wait4(p.pid, &ws, 0, nil)
				for err == syscall.EINTR {
					_, err = syscall.Wait4(p.pid, &ws, 0, nil)
				}
				p.reaped = true
				p.mu.Unlock()
				if err != nil {
					p.status, p.waitErr = 1, fmt.Errorf("wait for jail %d: %w", p.pid, err)
					return
				}
				break
			}
			p.status = statusOf(ws)
			return
		}
		err := p.cmd.Wait()
		st := p.cmd.ProcessState
		if st == nil {
			p.status, p.waitErr = 1, fmt.Errorf("wait for jail: %w", err)
			return
		}
		p.status = statusOf(st.Sys().(syscall.WaitStatus))
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			// An I/O copying error of os/exec; the status is still valid.
			p.waitErr = err
		}
	})
	return p.status, p.waitErr
}

// kill sends SIGKILL (context cancellation).
func (p *Process) kill() { p.Signal(syscall.SIGKILL) }

// Kill sends SIGTERM to the jailed process and waits for it.
func (p *Process) Kill() (int, error) {
	if err := p.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return 0, fmt.Errorf("kill jail %d: %w", p.Pid(), err)
	}
	return p.Wait()
}

func statusOf(ws syscall.WaitStatus) int {
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled():
		if ws.Signal() == syscall.SIGSYS {
			return StatusSeccompViolation
		}
		return StatusSignalBase + int(ws.Signal())
	}
	return 1
}

// StatusForStartError returns the status minijail0 exits with when starting
// a jail failed with err: 127 or 126 when the target could not be executed,
// 251 for a mount step, 1 for any other step.
func StatusForStartError(err error) int {
	var se *SetupError
	if errors.As(err, &se) {
		switch {
		case se.Mount:
			return StatusMountFailed
		case se.Step == "execve" && se.Errno == syscall.ENOENT:
			return StatusNoCommand
		case se.Step == "execve":
			return StatusNoAccess
		}
	}
	return 1
}

// stdio is what the target's standard streams are connected to.
type stdio struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Start runs path with argv in the jail, its standard streams those of the
// caller, and returns once the target was executed — or with the error of
// the set-up step that failed, in which case the target never ran.
func (j *Jail) Start(path string, argv []string) (*Process, error) {
	return j.start(context.Background(), path, argv, "", stdio{os.Stdin, os.Stdout, os.Stderr}, nil)
}

// Run starts path in the jail and waits for it; it returns the jail's
// status (see Process.Wait).
func (j *Jail) Run(path string, argv []string) (int, error) {
	p, err := j.Start(path, argv)
	if err != nil {
		return StatusForStartError(err), err
	}
	return p.Wait()
}

// Pipes are the caller's ends of the target's standard streams.
type Pipes struct {
	Stdin  io.WriteCloser
	Stdout io.ReadCloser
	Stderr io.ReadCloser
}

// StartPipes is Start with the target's stdin, stdout and stderr connected
// to pipes whose other ends are returned. The caller closes them.
func (j *Jail) StartPipes(path string, argv []string) (*Process, *Pipes, error) {
	var (
		ends  [3][2]*os.File
		pipes Pipes
	)
	closeAll := func() {
		for _, e := range ends {
			for _, f := range e {
				if f != nil {
					f.Close()
				}
			}
		}
	}
	for i := range ends {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("start jail: pipe: %w", err)
		}
		ends[i] = [2]*os.File{r, w}
	}
	p, err := j.start(context.Background(), path, argv, "", stdio{ends[0][0], ends[1][1], ends[2][1]}, nil)
	// The child's ends are the caller's no longer.
	ends[0][0].Close()
	ends[1][1].Close()
	ends[2][1].Close()
	if err != nil {
		ends[0][1].Close()
		ends[1][0].Close()
		ends[2][0].Close()
		return nil, nil, err
	}
	pipes.Stdin, pipes.Stdout, pipes.Stderr = ends[0][1], ends[1][0], ends[2][0]
	return p, &pipes, nil
}

// start builds the configuration and launches the jail, directly when the
// jail needs nothing a helper must do, else through the helper.
func (j *Jail) start(ctx context.Context, path string, argv []string, dir string, io stdio, env []string) (*Process, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := j.buildConfig(path, argv, dir, env)
	if err != nil {
		return nil, err
	}
	var p *Process
	if needsHelper(c) {
		p, err = j.startHelper(c, io)
	} else {
		p, err = j.startDirect(c, io)
	}
	if err != nil {
		return nil, err
	}
	if j.pidFile != "" {
		if err := os.WriteFile(j.pidFile, []byte(strconv.Itoa(p.Pid())+"\n"), 0o644); err != nil {
			p.Kill()
			return nil, fmt.Errorf("write pid file: %w", err)
		}
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, p.kill)
		p.cancel = func() { stop() }
	}
	return p, nil
}

// buildConfig completes the plain-data jail for one run.
func (j *Jail) buildConfig(path string, argv []string, dir string, env []string) (*config.Config, error) {
	if path == "" {
		return nil, errors.New("start jail: no program")
	}
	if len(argv) == 0 {
		argv = []string{path}
	}
	c := j.cfg
	c.Path, c.Argv, c.Dir = path, append([]string(nil), argv...), dir
	switch {
	case env != nil:
		c.Env = env
	case j.envSet:
		c.Env = append([]string{}, j.cfg.Env...)
	default:
		c.Env = os.Environ()
	}
	c.PreserveFDs = nil
	for fd := range j.preserved {
		c.PreserveFDs = append(c.PreserveFDs, fd)
	}
	sort.Ints(c.PreserveFDs)
	if c.Cloneflags&syscall.CLONE_NEWPID != 0 && !j.detached {
		// Pid 1 (the init, or the target with RunAsInit) must not outlive
		// the caller: with it the whole pid namespace goes.
		c.ParentDeath = true
	}
	if err := j.finishSeccomp(&c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("start jail: %w", err)
	}
	return &c, nil
}

// forceHelper makes every jail go through the helper (for tests that check
// that both paths give the same results).
var forceHelper bool

// needsHelper tells whether the jail needs steps that only a helper process
// can take between fork and exec. The rest — uid/gid/groups, capabilities,
// securebits, no_new_privs — a thread of the parent takes before forking,
// and the child inherits them.
func needsHelper(c *config.Config) bool {
	return forceHelper || len(c.SeccompFilter) > 0 || c.StrictSeccomp || c.Landlock ||
		c.Cloneflags&^uint64(syscall.CLONE_NEWIPC|syscall.CLONE_NEWCGROUP) != 0 ||
		c.EnterMountNS != "" || c.EnterNetNS != "" || len(c.Mounts) > 0 ||
		c.Chroot != "" || c.PivotRoot != "" || c.MountTmp || c.RemountProcRO || c.MountDev ||
		len(c.Rlimits) > 0 || c.NewKeyring || c.Hostname != "" ||
		inheritableFDs(c.PreserveFDs)
}

// inheritableFDs reports whether this process has a descriptor above 2 that
// is not close-on-exec and not preserved: only the helper can close it.
func inheritableFDs(preserved []int) bool {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return true
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return true
	}
	self := int(d.Fd())
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd <= 2 || fd == self {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			return true
		}
	}
	return false
}

// extraFiles lays out the descriptors the child gets above 2: each preserved
// fd at its own number (as a close-on-exec duplicate of the caller's), then
// the extra files given. It returns the slice for exec.Cmd.ExtraFiles, the
// fd numbers of the extras, and a function closing the duplicates.
func (j *Jail) extraFiles(extras ...*os.File) ([]*os.File, []int, func(), error) {
	next := 3
	for fd := range j.preserved {
		if fd >= next {
			next = fd + 1
		}
	}
	files := make([]*os.File, next-3+len(extras))
	var dups []*os.File
	closeDups := func() {
		for _, f := range dups {
			f.Close()
		}
	}
	for childFD, parentFD := range j.preserved {
		if childFD <= 2 {
			continue
		}
		nfd, err := unix.FcntlInt(uintptr(parentFD), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			closeDups()
			return nil, nil, nil, fmt.Errorf("preserve fd %d: %w", parentFD, err)
		}
		f := os.NewFile(uintptr(nfd), "preserved-"+strconv.Itoa(parentFD))
		dups = append(dups, f)
		files[childFD-3] = f
	}
	fds := make([]int, len(extras))
	for i, f := range extras {
		files[next-3+i] = f
		fds[i] = next + i
	}
	return files, fds, closeDups, nil
}

// startDirect starts the target without a helper: a fresh OS thread takes
// the privilege steps on itself, forks the target (which inherits them) and
// is then discarded, since its state can no longer serve other goroutines.
func (j *Jail) startDirect(c *config.Config, std stdio) (*Process, error) {
	files, _, closeDups, err := j.extraFiles()
	if err != nil {
		return nil, err
	}
	defer closeDups()
	attr := &syscall.SysProcAttr{Setsid: c.NewSession, Cloneflags: uintptr(c.Cloneflags)}
	prepare := func() error {
		if se := child.PrepareThread(c); se != nil {
			return se
		}
		return nil
	}
	p, err := spawnOnThread(prepare, false, c.Path, c.Argv, c.Env, c.Dir, std, files, attr)
	if err != nil {
		var se *SetupError
		if errors.As(err, &se) {
			return nil, se
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, config.Errorf("execve", c.Path, pe.Err)
		}
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return nil, config.Errorf("execve", c.Path, errno)
		}
		return nil, fmt.Errorf("start %s: %w", c.Path, err)
	}
	return p, nil
}

// spawnOnThread is spawn from a fresh OS thread, which is never given back
// to the Go scheduler. prepare, if not nil, first takes steps on that thread
// that the child inherits (the thread's state is then unfit for anything
// else). With hold, the thread lives until the process is reaped: the
// kernel sends the parent-death signal when the thread that forked dies,
// and the caller's thread may not live as long as the jail (a goroutine
// that locked its thread and returns takes the thread with it).
func spawnOnThread(prepare func() error, hold bool, path string, argv, env []string, dir string, std stdio, files []*os.File, attr *syscall.SysProcAttr) (*Process, error) {
	type result struct {
		p   *Process
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if prepare != nil {
			if err := prepare(); err != nil {
				done <- result{err: err}
				return
			}
		}
		p, err := spawn(path, argv, env, dir, std, files, attr)
		if err != nil || !hold {
			done <- result{p, err}
			return
		}
		p.forker = make(chan struct{})
		done <- result{p: p}
		<-p.forker
	}()
	r := <-done
	return r.p, r.err
}

// spawn starts path from the calling thread. With standard streams that
// are files it forks bare: os/exec would add its one-time pidfd probe (a
// fork of its own) to the start-up, and goroutines only pipes need.
func spawn(path string, argv, env []string, dir string, std stdio, files []*os.File, attr *syscall.SysProcAttr) (*Process, error) {
	if fds, ok := fileTable(std, files); ok {
		pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Dir: dir, Env: env, Files: fds, Sys: attr})
		runtime.KeepAlive(files)
		if err != nil {
			return nil, err
		}
		return &Process{pid: pid}, nil
	}
	cmd := &exec.Cmd{
		Path: path, Args: argv, Env: env, Dir: dir,
		Stdin: std.stdin, Stdout: std.stdout, Stderr: std.stderr,
		ExtraFiles: files, SysProcAttr: attr,
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Process{cmd: cmd}, nil
}

// fileTable returns the child's fd table for a bare fork, or false when a
// standard stream is not a file (os/exec then copies through a pipe). A nil
// stream is the null device, as in os/exec.
func fileTable(std stdio, extra []*os.File) ([]uintptr, bool) {
	fds := make([]uintptr, 3, 3+len(extra))
	for i, s := range []any{std.stdin, std.stdout, std.stderr} {
		switch f := s.(type) {
		case *os.File:
			if f == nil {
				return nil, false
			}
			fds[i] = f.Fd()
		default:
			return nil, false
		}
	}
	for _, f := range extra {
		if f == nil {
			fds = append(fds, ^uintptr(0))
		} else {
			fds = append(fds, f.Fd())
		}
	}
	return fds, true
}

// startHelper starts the helper with the namespaces the kernel creates at
// clone time, hands it the configuration and waits for its verdict: the
// status pipe closes when the target was executed, or carries the failure.
func (j *Jail) startHelper(c *config.Config, std stdio) (*Process, error) {
	var pipes []*os.File // every fd made here; the child's ends are closed after start
	closeAll := func() {
		for _, f := range pipes {
			f.Close()
		}
	}
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start jail: pipe: %w", err)
	}
	pipes = append(pipes, cfgR, cfgW)
	statusR, statusW, err := os.Pipe()
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("start jail: pipe: %w", err)
	}
	pipes = append(pipes, statusR, statusW)
	extras := []*os.File{cfgR, statusW}
	var notifyParent *os.File
	if j.sc.notify && len(c.SeccompFilter) > 0 {
		pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("start jail: socketpair: %w", err)
		}
		notifyParent = os.NewFile(uintptr(pair[0]), "seccomp-notify")
		notifyChild := os.NewFile(uintptr(pair[1]), "seccomp-notify-child")
		pipes = append(pipes, notifyParent, notifyChild)
		extras = append(extras, notifyChild)
	}
	// Namespaces to join are opened here: a bind mount of a namespace file
	// may not be visible from the helper's new mount namespace.
	nsIndex := map[string]int{}
	for _, ns := range []struct{ kind, path string }{{"mount", c.EnterMountNS}, {"net", c.EnterNetNS}} {
		if ns.path == "" {
			continue
		}
		f, err := os.OpenFile(ns.path, os.O_RDONLY, 0)
		if err != nil {
			closeAll()
			return nil, config.Errorf("join "+ns.kind+" namespace", ns.path, err)
		}
		pipes = append(pipes, f)
		nsIndex[ns.kind] = len(extras)
		extras = append(extras, f)
	}
	files, fds, closeDups, err := j.extraFiles(extras...)
	if err != nil {
		closeAll()
		return nil, err
	}
	defer closeDups()
	if notifyParent != nil {
		c.SeccompNotifFD = fds[2]
	}
	if i, ok := nsIndex["mount"]; ok {
		c.EnterMountNSFD = fds[i]
	}
	if i, ok := nsIndex["net"]; ok {
		c.EnterNetNSFD = fds[i]
	}
	blob, err := config.Marshal(c)
	if err != nil {
		closeAll()
		return nil, err
	}
	attr := &syscall.SysProcAttr{
		Cloneflags: uintptr(c.Cloneflags),
		Setsid:     c.NewSession,
	}
	if c.EnterMountNS != "" {
		// The new mount namespace is made below the joined one, by the
		// helper (see nsutil.Join).
		attr.Cloneflags &^= syscall.CLONE_NEWNS
	}
	if c.ParentDeath {
		attr.Pdeathsig = syscall.SIGKILL
	}
	if err := j.setUserNamespace(c, attr); err != nil {
		closeAll()
		return nil, err
	}
	env := []string{child.EnvMarker + "=" + strconv.Itoa(fds[0]) + "," + strconv.Itoa(fds[1])}
	var p *Process
	if attr.Pdeathsig != 0 {
		p, err = spawnOnThread(nil, true, "/proc/self/exe", []string{child.Argv0}, env, "", std, files, attr)
	} else {
		p, err = spawn("/proc/self/exe", []string{child.Argv0}, env, "", std, files, attr)
	}
	// The child's ends belong to the child now.
	for _, f := range extras {
		f.Close()
	}
	defer cfgW.Close()
	defer statusR.Close()
	if err != nil {
		if notifyParent != nil {
			notifyParent.Close()
		}
		return nil, explainStartError(c, attr, err)
	}
	if notifyParent != nil {
		go superviseNotifications(notifyParent, c.SeccompPolicy, j.logf)
	}
	p.helper = true
	fail := func(err error) (*Process, error) {
		p.Signal(syscall.SIGKILL)
		p.Wait()
		return nil, err
	}
	if _, err := cfgW.Write(blob); err != nil {
		return fail(fmt.Errorf("send the jail to its helper: %w", err))
	}
	cfgW.Close()
	se, err := readStatus(statusR)
	if err != nil {
		return fail(err)
	}
	if se != nil {
		p.Wait()
		return nil, se
	}
	return p, nil
}

// Logf writes one of the jail's own messages (a set-up failure, a system
// call refused in log mode) where SetLogging says: standard error, syslog,
// or for "auto" standard error when it is a terminal and syslog otherwise
// (standard error when syslog cannot be reached). SetLogger overrides it.
func (j *Jail) Logf(format string, args ...any) { j.logf(format, args...) }

func (j *Jail) logf(format string, args ...any) {
	j.logOnce.Do(func() {
		if j.sc.logf == nil {
			j.sc.logf = logging.New(filepath.Base(os.Args[0]), j.cfg.Logging).Printf
		}
	})
	j.sc.logf(format, args...)
}

// readStatus reads the helper's verdict: nothing (end of file) when the
// target was executed, else one length-prefixed StepError.
func readStatus(r io.Reader) (*SetupError, error) {
	var hdr [4]byte
	n, err := io.ReadFull(r, hdr[:])
	if err == io.EOF && n == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the helper's status: %w", err)
	}
	size := binary.LittleEndian.Uint32(hdr[:])
	if size > 1<<16 {
		return nil, fmt.Errorf("read the helper's status: message of %d bytes", size)
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, fmt.Errorf("read the helper's status: %w", err)
	}
	se, err := config.UnmarshalStepError(msg)
	if err != nil {
		return nil, err
	}
	return se, nil
}
