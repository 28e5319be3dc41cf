package child

import (
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/internal/mount"
	"github.com/minijail-go/minijail/internal/nsutil"
	"github.com/minijail-go/minijail/internal/pid1"
)

// setupNamespaces finishes the namespaces the parent created and builds the
// filesystem view, in DESIGN 3 order: join namespaces, propagation, mounts,
// /dev, chroot or pivot_root, /tmp, /proc, then loopback and hostname.
func setupNamespaces(c *config.Config) *config.StepError {
	if se := nsutil.Join(c); se != nil {
		return se
	}
	if c.Cloneflags&syscall.CLONE_NEWNS != 0 || c.EnterMountNS != "" || c.Chroot != "" || mount.NeedsMountNS(c) {
		if se := mount.Setup(c); se != nil {
			return se
		}
	}
	if c.Cloneflags&syscall.CLONE_NEWNET != 0 && c.EnterNetNS == "" {
		if se := nsutil.LoopbackUp(); se != nil {
			return se
		}
	}
	if c.Hostname != "" {
		if se := nsutil.SetHostname(c.Hostname); se != nil {
			return se
		}
	}
	return nil
}

// needsExecStage tells whether the target needs steps that only a process
// that execs itself can take: a seccomp filter, whose installation the fork
// would have to pass; Landlock; resource limits, which must bind the target
// alone (a low RLIMIT_AS or RLIMIT_NOFILE would stop the init, and
// RLIMIT_NPROC counts the forking thread of the target's user).
func needsExecStage(c *config.Config) bool {
	return len(c.SeccompFilter) > 0 || c.StrictSeccomp || c.Landlock || len(c.Rlimits) > 0
}

// runInit makes the helper pid 1 of the new pid namespace: it starts the
// target as pid 2 and reaps until the target exits, then exits with the
// target's status. It returns only when the target could not be started.
//
// The target is forked from a thread of its own, which first takes the
// privilege steps itself and then dies with them: the init keeps its own
// credentials, and with them the parent-death signal, which a credential
// change would clear. (This image was executed after the set-up, so its
// root, working directory and namespaces are the process's, whichever
// thread forks.) A target that needs a filter is started through a second
// helper stage that installs it and execs.
func runInit(c *config.Config, statusFD int) *config.StepError {
	var startErr *config.StepError
	status, err := pid1.Run(func() (int, error) {
		type started struct {
			pid int
			se  *config.StepError
		}
		done := make(chan started, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			var s started
			if needsExecStage(c) {
				s.pid, s.se = startExecStage(c, statusFD)
			} else {
				s.pid, s.se = forkTarget(c)
			}
			done <- s
		}()
		s := <-done
		pid, se := s.pid, s.se
		if se != nil {
			startErr = se
			return 0, se
		}
		// The target runs: end of file on the status pipe tells the
		// parent so (a second stage holds its own copy until it execs).
		unix.Close(statusFD)
		return pid, nil
	})
	if startErr != nil {
		return startErr
	}
	if err != nil {
		os.Stderr.WriteString("minijail: " + err.Error() + "\n")
	}
	os.Exit(status)
	return nil
}

// targetFiles returns the fd table the target gets: stdin, stdout, stderr
// and the preserved fds at their numbers (extra ones kept too).
func targetFiles(c *config.Config, extra ...int) []uintptr {
	max := 2
	for _, fd := range append(append([]int{}, c.PreserveFDs...), extra...) {
		if fd > max {
			max = fd
		}
	}
	files := make([]uintptr, max+1)
	for i := range files {
		files[i] = ^uintptr(0) // closed in the child
	}
	files[0], files[1], files[2] = 0, 1, 2
	for _, fd := range append(append([]int{}, c.PreserveFDs...), extra...) {
		files[fd] = uintptr(fd)
	}
	return files
}

// forkTarget takes the privilege steps on this thread and forks the target
// from it, so that the target inherits them.
func forkTarget(c *config.Config) (int, *config.StepError) {
	// First, while this thread still may (CAP_SYS_ADMIN or
	// CAP_CHECKPOINT_RESTORE in the namespace's owner).
	resetLastPid(c)
	if se := PrepareThread(c); se != nil {
		return 0, se
	}
	pid, err := syscall.ForkExec(c.Path, c.Argv, &syscall.ProcAttr{Env: c.Env, Files: targetFiles(c)})
	if err != nil {
		return 0, config.Errorf("execve", c.Path, err)
	}
	return pid, nil
}

// startExecStage starts this binary again as a second helper stage inside
// the namespaces, with only the steps left to take: the privilege drop, the
// filter and the exec. It shares the status pipe with the parent.
func startExecStage(c *config.Config, statusFD int) (int, *config.StepError) {
	stage := processStepsDone(c)
	stage.Cloneflags &= syscall.CLONE_NEWUSER
	stage.InitStage, stage.LastPidFD = false, -1
	blob, err := config.Marshal(stage)
	if err != nil {
		return 0, &config.StepError{Step: "start the exec stage", Msg: err.Error()}
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, config.Errorf("start the exec stage: pipe", "", err)
	}
	defer unix.Close(p[1])
	extra := []int{p[0], statusFD}
	if c.SeccompNotifFD >= 0 {
		extra = append(extra, c.SeccompNotifFD)
	}
	resetLastPid(c)
	pid, err := syscall.ForkExec("/proc/self/exe", []string{Argv0}, &syscall.ProcAttr{
		Env:   []string{EnvMarker + "=" + strconv.Itoa(p[0]) + "," + strconv.Itoa(statusFD)},
		Files: targetFiles(c, extra...),
	})
	unix.Close(p[0])
	if err != nil {
		return 0, config.Errorf("start the exec stage", "/proc/self/exe", err)
	}
	if _, err := unix.Write(p[1], blob); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, config.Errorf("send the jail to the exec stage", "", err)
	}
	return pid, nil
}

// processStepsDone returns a copy of c without the process-wide steps,
// which a later stage inherits instead of taking again.
func processStepsDone(c *config.Config) *config.Config {
	stage := *c
	stage.Cloneflags &= syscall.CLONE_NEWPID | syscall.CLONE_NEWUSER
	stage.EnterMountNS, stage.EnterNetNS, stage.Hostname = "", "", ""
	stage.EnterMountNSFD, stage.EnterNetNSFD = -1, -1
	stage.RemountMode = config.RemountNone
	stage.Mounts, stage.Chroot, stage.PivotRoot = nil, "", ""
	stage.MountTmp, stage.RemountProcRO, stage.MountDev = false, false, false
	stage.NewKeyring, stage.Dir = false, ""
	return &stage
}

// execInitStage re-executes the helper, now set up, as the pid-1 init. The
// fresh image matters: the Go runtime's threads of this one hold the first
// pids of the namespace, and exec frees them, so that the target can be
// pid 2. The configuration goes along in a memfd.
func execInitStage(c *config.Config, statusFD int) *config.StepError {
	stage := processStepsDone(c)
	stage.InitStage = true
	blob, err := config.Marshal(stage)
	if err != nil {
		return &config.StepError{Step: "start the init stage", Msg: err.Error()}
	}
	fd, err := unix.MemfdCreate("minijail-init", 0)
	if err != nil {
		return config.Errorf("start the init stage: memfd_create", "", err)
	}
	if _, err := unix.Write(fd, blob); err != nil {
		return config.Errorf("start the init stage: write", "", err)
	}
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		return config.Errorf("start the init stage: seek", "", err)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		return config.Errorf("start the init stage", "", err)
	}
	if _, err := unix.FcntlInt(uintptr(statusFD), unix.F_SETFD, 0); err != nil {
		return config.Errorf("start the init stage: status pipe", "", err)
	}
	// The log-mode socket goes on to the stage that installs the filter.
	if c.SeccompNotifFD >= 0 {
		if _, err := unix.FcntlInt(uintptr(c.SeccompNotifFD), unix.F_SETFD, 0); err != nil {
			return config.Errorf("start the init stage: seccomp notification socket", "", err)
		}
	}
	env := []string{EnvMarker + "=" + strconv.Itoa(fd) + "," + strconv.Itoa(statusFD)}
	err = syscall.Exec("/proc/self/exe", []string{Argv0}, env)
	unix.FcntlInt(uintptr(statusFD), unix.F_SETFD, unix.FD_CLOEXEC)
	return config.Errorf("start the init stage: execve", "/proc/self/exe", err)
}

// resetLastPid makes the next pid of the namespace 2, just before the
// target is forked: pids are handed out upwards from the last one given, and
// the runtime threads of this image took pids above those of the set-up
// image, whose threads are gone.
func resetLastPid(c *config.Config) {
	if c.LastPidFD < 0 {
		return
	}
	unix.Pwrite(c.LastPidFD, []byte("1"), 0)
	unix.Close(c.LastPidFD)
	c.LastPidFD = -1
}
