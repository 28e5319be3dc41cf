package minijail

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// reduceCapsAllThreads is caps.Reduce applied to every thread.
func reduceCapsAllThreads(mask uint64) error {
	last := caps.LastCap()
	mask &= uint64(1)<<(uint(last)+1) - 1
	set := func(m uint64) error {
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		lo, hi := uint32(m), uint32(m>>32)
		data := [2]unix.CapUserData{{Effective: lo, Permitted: lo, Inheritable: lo}, {Effective: hi, Permitted: hi, Inheritable: hi}}
		_, _, e := syscall.AllThreadsSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
		if e != 0 {
			return config.Errorf("capset", fmt.Sprintf("%#x", m), e)
		}
		return nil
	}
	if err := set(mask | 1<<caps.SetPCap); err != nil {
		return err
	}
	for cp := 0; cp <= last; cp++ {
		if mask&(1<<uint(cp)) == 0 {
			if err := allThreadsPrctl(unix.PR_CAPBSET_DROP, uintptr(cp), 0); err != nil {
				return config.Errorf("drop from the bounding set", caps.Name(cp), err)
			}
		}
	}
	if err := set(mask); err != nil {
		return err
	}
	if err := allThreadsPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0); err != nil {
		return config.Errorf("clear the ambient set", "", err)
	}
	for cp := 0; cp <= last; cp++ {
		if mask&(1<<uint(cp)) != 0 {
			if err := allThreadsPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(cp)); err != nil {
				return config.Errorf("raise ambient", caps.Name(cp), err)
			}
		}
	}
	return nil
}

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
