// Package pid1 is the init of a jail's pid namespace: it starts the
// target, reaps every process that ends up as its child, forwards signals
// to the target, and exits with the target's status.
//
// The init lives as long as the jail, possibly for days, so it holds no
// more than the Go runtime needs: one buffered channel and a loop.
//
// The target is a child of pid 1 but, unlike under upstream's C init, not
// pid 2: the threads of the Go runtime in the init take the first pids of
// the namespace.
package pid1

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// Exit statuses (DESIGN 4).
const (
	// StatusSeccomp is the status of a target killed by SIGSYS.
	StatusSeccomp = 253
	// StatusInitFailed is the status when the init itself failed.
	StatusInitFailed = 254
)

// Forwarded are the signals the init passes on to the target: every one a
// process can catch but SIGCHLD (the init's own), SIGURG (the Go
// scheduler's) and SIGPROF (Go's profiler's) — the same set minijail0
// forwards to the init. The first numUrgent are the ones a supervisor
// sends to stop or steer a service.
var Forwarded = forwarded()

func forwarded() []os.Signal {
	sigs := []os.Signal{unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2}
	for n := 1; n <= 64; n++ {
		switch s := unix.Signal(n); s {
		case unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGURG, unix.SIGPROF,
			unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2:
		default:
			sigs = append(sigs, s)
		}
	}
	return sigs
}

const numUrgent = 6

// ExitStatus maps a wait status to the jail's exit status: exit n -> n,
// killed by SIGSYS -> 253, killed by another signal s -> 128+s.
func ExitStatus(ws unix.WaitStatus) int {
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled() && ws.Signal() == unix.SIGSYS:
		return StatusSeccomp
	case ws.Signaled():
		return 128 + int(ws.Signal())
	}
	return StatusInitFailed
}

// Run is the init. It marks the process non-dumpable (so the target cannot
// reach the init's binary or memory through /proc/1), makes it a child
// subreaper (so orphans come to it even without a pid namespace),
// installs its signal handlers, calls start to start the target, and
// then reaps every child with wait4(-1), forwarding the Forwarded signals
// to the target, until the target exits. It returns the target's status
// (ExitStatus). When the init cannot do its job it returns
// StatusInitFailed and the error.
//
// start must start the target without waiting for it (syscall.ForkExec or
// os.StartProcess, never os/exec's Wait or os.Process.Wait: the init reaps
// every child itself). Run returns as soon as the target is gone; other
// processes still in the pid namespace die with the init.
func Run(start func() (pid int, err error)) (int, error) {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return StatusInitFailed, fmt.Errorf("init: prctl(PR_SET_DUMPABLE, 0): %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return StatusInitFailed, fmt.Errorf("init: prctl(PR_SET_CHILD_SUBREAPER): %w", err)
	}
	// Catch the forwarded signals that stop or steer a service before the
	// target exists, so that none of them is lost (Go drops a signal nobody
	// asked for, or dies of it). Go enables each signal with a round trip
	// to its signal thread, about 60 µs here: the job-control and timer
	// ones follow in the background once the target runs (not before: the
	// start must not race with new runtime threads, which take pids). The
	// target's death needs no signal: the loop below blocks in wait4.
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs, Forwarded[:numUrgent]...)

	pid, err := start()
	if err != nil {
		return StatusInitFailed, fmt.Errorf("init: start target: %w", err)
	}
	if pid <= 0 {
		return StatusInitFailed, fmt.Errorf("init: start returned pid %d", pid)
	}
	go signal.Notify(sigs, Forwarded[numUrgent:]...)
	go func() {
		for sig := range sigs {
			// The target may be gone already (ESRCH).
			unix.Kill(pid, sig.(syscall.Signal))
		}
	}()
	for {
		var ws unix.WaitStatus
		wpid, err := unix.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ECHILD):
			return StatusInitFailed, fmt.Errorf("init: target %d is not a child of the init: %w", pid, err)
		case err != nil:
			return StatusInitFailed, fmt.Errorf("init: wait4: %w", err)
		case wpid == pid:
			return ExitStatus(ws), nil
		}
	}
}
