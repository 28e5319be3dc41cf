package minijail

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/config"
)

// installFilterAllThreads loads the filter on this thread and, with TSYNC,
// on every other thread of the process.
func installFilterAllThreads(filter []byte, c *config.Config) error {
	if len(filter) == 0 {
		return nil
	}
	flags := uintptr(unix.SECCOMP_FILTER_FLAG_TSYNC)
	if c.SpecAllow {
		flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	prog := struct {
		n      uint16
		filter unsafe.Pointer
	}{uint16(len(filter) / 8), unsafe.Pointer(&filter[0])}
	r, _, e := syscall.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&prog)))
	if e != 0 {
		return config.Errorf("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)", c.SeccompPolicy, e)
	}
	if r != 0 {
		return &config.StepError{Step: "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)", Path: c.SeccompPolicy,
			Msg: fmt.Sprintf("thread %d could not be synchronized", r)}
	}
	return nil
}
