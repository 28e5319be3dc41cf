package cli

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// defaultSignals gives the asynchronous signals minijail0 would forward back
// their default action (minijail0 -z): the Go runtime otherwise keeps its
// own handlers, which ignore most of them or, for SIGQUIT, dump goroutines.
// The runtime's own signals (SIGURG), the synchronous faults and SIGPIPE
// keep Go's handling.
func defaultSignals() {
	var dfl [4]uint64 // a zero struct sigaction is SIG_DFL on every arch
	for n := 1; n <= 64; n++ {
		switch syscall.Signal(n) {
		case unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGURG, unix.SIGPIPE, unix.SIGPROF,
			unix.SIGSEGV, unix.SIGBUS, unix.SIGFPE, unix.SIGILL, unix.SIGTRAP, unix.SIGSYS:
			continue
		}
		if n == 32 || n == 33 { // reserved for threading libraries
			continue
		}
		syscall.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(n), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	}
}
