package child

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// setgroups sets the calling thread's supplementary groups (the raw system
// call: it affects this thread only).
func setgroups(gids []uint32) error {
	var p unsafe.Pointer
	if len(gids) > 0 {
		p = unsafe.Pointer(&gids[0])
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(gids)), uintptr(p), 0); e != 0 {
		return e
	}
	return nil
}

// trampoline is the memory the helper's own execve and signal-mask restore
// use when a seccomp filter is installed: the filter allows those two calls
// only with pointers into this mapping, whose address the parent chose at
// random for this jail. The target never learns it.
type trampoline struct {
	path   uintptr // NUL-terminated target path (first page)
	msg    uintptr // struct msghdr for sending the seccomp listener (second page)
	sigset uintptr // the signal mask to restore (empty; last 8 bytes)
	mem    []byte
}

// Offsets in the second page of the trampoline.
const (
	msgOffset   = 4096       // struct msghdr (56 bytes)
	iovOffset   = 4096 + 64  // struct iovec
	byteOffset  = 4096 + 96  // the one byte of data sent
	cmsgOffset  = 4096 + 128 // control message carrying the fd
	cmsgSpace   = 24         // CMSG_SPACE(sizeof(int))
	cmsgLen     = 20         // CMSG_LEN(sizeof(int))
	pathMax     = 4096
	sigsetSlack = 8
)

const trampolineSize = 2 * 4096

// mapTrampoline maps the two pages at addr and fills them in.
func mapTrampoline(addr, sigsetAddr uint64, path string) (*trampoline, error) {
	if sigsetAddr != addr+trampolineSize-8 {
		return nil, unix.EINVAL
	}
	if len(path)+1 > pathMax {
		return nil, unix.ENAMETOOLONG
	}
	want := unsafe.Add(unsafe.Pointer(nil), uintptr(addr))
	p, err := unix.MmapPtr(-1, 0, want, trampolineSize,
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED_NOREPLACE)
	if err != nil {
		return nil, err
	}
	if p != want {
		return nil, unix.EEXIST
	}
	mem := unsafe.Slice((*byte)(p), trampolineSize)
	copy(mem, path)
	mem[len(path)] = 0
	return &trampoline{path: uintptr(p), msg: uintptr(p) + msgOffset, sigset: uintptr(sigsetAddr), mem: mem}, nil
}

// sendFD sends fd over the unix socket sock with a sendmsg whose msghdr is
// the one in the trampoline (the only sendmsg the filter lets through).
func (t *trampoline) sendFD(sock, fd int) error {
	msg := (*unix.Msghdr)(unsafe.Pointer(&t.mem[msgOffset]))
	iov := (*unix.Iovec)(unsafe.Pointer(&t.mem[iovOffset]))
	t.mem[byteOffset] = 'L'
	iov.Base = &t.mem[byteOffset]
	iov.SetLen(1)
	cmsg := (*unix.Cmsghdr)(unsafe.Pointer(&t.mem[cmsgOffset]))
	cmsg.Level = unix.SOL_SOCKET
	cmsg.Type = unix.SCM_RIGHTS
	cmsg.SetLen(cmsgLen)
	*(*int32)(unsafe.Pointer(&t.mem[cmsgOffset+16])) = int32(fd)
	msg.Iov = iov
	msg.SetIovlen(1)
	msg.Control = &t.mem[cmsgOffset]
	msg.SetControllen(cmsgSpace)
	_, _, e := unix.RawSyscall(unix.SYS_SENDMSG, uintptr(sock), t.msg, 0)
	if e != 0 {
		return e
	}
	return nil
}

// blockAllSignals blocks every signal on the calling thread.
func blockAllSignals() error {
	all := ^uint64(0)
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&all)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// installFilter loads a seccomp filter (raw sock_filter array) on the calling
// thread. With SECCOMP_FILTER_FLAG_NEW_LISTENER it returns the listener fd.
func installFilter(filter []byte, flags uintptr) (int, error) {
	prog := unix.SockFprog{
		Len:    uint16(len(filter) / 8),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0])),
	}
	r, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&prog)))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// execTrampolined restores the empty signal mask and executes the target,
// passing only pointers the seccomp filter expects. It returns only on
// failure.
func execTrampolined(t *trampoline, argv, envv []string) error {
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envvp, err := syscall.SlicePtrFromStrings(envv)
	if err != nil {
		return err
	}
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, t.sigset, 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	_, _, e = unix.RawSyscall(unix.SYS_EXECVE, t.path,
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envvp[0])))
	return e
}
