package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	minijail "github.com/minijail-go/minijail"
)

// Main is minijail0: it parses argv (argv[0] is the program name), runs the
// jail and returns the exit status (DESIGN 4). Usage and -H go to stdout,
// diagnostics to stderr.
func Main(argv []string, stdout, stderr io.Writer) int {
	plan, err := Parse(argv, DefaultEnv())
	if err != nil {
		fmt.Fprintf(stderr, "minijail0: %v\n", err)
		var ue *UsageError
		if errors.As(err, &ue) {
			WriteUsage(stderr)
		}
		return 1
	}
	switch plan.Action {
	case ActionHelp:
		WriteUsage(stdout)
		return 0
	case ActionSyscalls:
		if err := WriteSyscalls(stdout); err != nil {
			fmt.Fprintf(stderr, "minijail0: %v\n", err)
			return 1
		}
		return 0
	case ActionGenConfig:
		if err := writeNewFile(plan.GenConfigPath, plan.GenConfig); err != nil {
			fmt.Fprintf(stderr, "minijail0: --gen-config: %v\n", err)
			return 1
		}
		return 0
	}
	return Run(plan)
}

// writeNewFile creates path, which must not exist yet, with data.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists; give a new file name", path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// forwardedSignals are the signals minijail0 passes on to the jail: every
// catchable one but SIGCHLD (its own children's), and SIGURG, which the Go
// runtime sends to its own threads to preempt goroutines. The ones a
// supervisor sends to stop or steer a service come first.
func forwardedSignals() (urgent, rest []os.Signal) {
	urgent = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}
	for n := 1; n <= 64; n++ {
		switch syscall.Signal(n) {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGURG,
			syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2:
			continue
		}
		rest = append(rest, syscall.Signal(n))
	}
	return urgent, rest
}

// catchSignals starts catching the forwarded signals into sigs and returns
// once the urgent ones are caught; the rest follow in the background. Go
// enables each signal with a round trip to its signal thread, which for
// some sixty signals costs milliseconds: the jail need not wait for all.
func catchSignals(sigs chan os.Signal) {
	urgent, rest := forwardedSignals()
	ready := make(chan struct{})
	go func() {
		signal.Notify(sigs, urgent...)
		close(ready)
		signal.Notify(sigs, rest...)
	}()
	<-ready
}

// Run starts a parsed plan and waits for it (unless -i), forwarding signals
// (unless -z), and returns minijail0's exit status. Its own messages go
// where --logging says (see minijail.Jail.Logf).
func Run(plan *Plan) int {
	// Like upstream: be a process group leader, so that the caller can
	// signal minijail0 and the jail together. EPERM means we already lead
	// a session.
	if err := syscall.Setpgid(0, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		plan.Jail.Logf("setpgid: %v", err)
		return 1
	}
	// Every fd minijail0 inherited above 2 is the jail's to close: mark them
	// close-on-exec here (--preserve-fd ones are handed over as copies), so
	// a jail that needs no helper can skip it.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		plan.Jail.Logf("close_range: %v", err)
		return 1
	}
	if !plan.ForwardSignals {
		// -z: signals to minijail0 act as they would on upstream's.
		defaultSignals()
	}
	var sigs chan os.Signal
	if plan.ForwardSignals && !plan.ExitImmediately {
		// Catch them before the jail starts so none is lost in between.
		sigs = make(chan os.Signal, 64)
		catchSignals(sigs)
	}
	p, err := plan.Jail.Start(plan.Path, plan.Argv)
	if err != nil {
		plan.Jail.Logf("%v", err)
		return minijail.StatusForStartError(err)
	}
	if plan.ExitImmediately {
		return 0
	}
	if sigs != nil {
		go func() {
			for sig := range sigs {
				// The jail may be gone already; nothing to forward to.
				_ = p.Signal(sig)
			}
		}()
	}
	status, err := p.Wait()
	if err != nil {
		plan.Jail.Logf("%v", err)
	}
	if status == minijail.StatusSeccompViolation && plan.SeccompFilter != "" {
		plan.Jail.Logf("%s was killed for a system call its seccomp filter %s does not allow (SIGSYS)", plan.Path, plan.SeccompFilter)
	}
	return status
}
