package child

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
)

// rawOp is one planned system call: its number and arguments, what it
// does (for a failure report), and the memory its pointer arguments use
// (kept alive here, since the arguments are bare uintptrs).
type rawOp struct {
	nr     uintptr
	args   [6]uintptr
	step   string
	object string
	keep   any
	// storeResult, if not 0, is where the call's result goes as an int32
	// (the seccomp listener fd, into the control message that sends it).
	storeResult uintptr
	// report is the encoded failure report (see report), filled in by
	// prepareReports; the errno goes at report[errnoAt:].
	report  []byte
	errnoAt int
}

func op(step, object string, nr uintptr, args ...uintptr) rawOp {
	o := rawOp{nr: nr, step: step, object: object}
	copy(o.args[:], args)
	return o
}

// call makes the system call from Go.
func (o *rawOp) call() syscall.Errno {
	r, _, e := syscall.RawSyscall6(o.nr, o.args[0], o.args[1], o.args[2], o.args[3], o.args[4], o.args[5])
	runtime.KeepAlive(o.keep)
	if e == 0 && o.storeResult != 0 {
		*(*int32)(unsafe.Add(unsafe.Pointer(nil), o.storeResult)) = int32(r)
	}
	return e
}

// RunAllThreads makes the step's system call on every thread of the
// process (syscall.AllThreadsSyscall6, which needs a CGO_ENABLED=0 build).
func (s Step) RunAllThreads() *config.StepError {
	o := &s.op
	_, _, e := syscall.AllThreadsSyscall6(o.nr, o.args[0], o.args[1], o.args[2], o.args[3], o.args[4], o.args[5])
	runtime.KeepAlive(o.keep)
	if e != 0 {
		return &config.StepError{Step: o.step, Path: o.object, Errno: e}
	}
	return nil
}

func rlimitOp(resource int, cur, max uint64) rawOp {
	lim := &unix.Rlimit{Cur: cur, Max: max}
	o := op("setrlimit", rlimitName(resource), unix.SYS_PRLIMIT64, 0, uintptr(resource), uintptr(unsafe.Pointer(lim)), 0)
	o.keep = lim
	return o
}

func setgroupsOp(gids []uint32) rawOp {
	o := op("setgroups", fmt.Sprint(gids), unix.SYS_SETGROUPS, uintptr(len(gids)))
	if len(gids) > 0 {
		g := append([]uint32(nil), gids...)
		o.args[1] = uintptr(unsafe.Pointer(&g[0]))
		o.keep = g
	}
	return o
}

// capset sets the three capability sets of this thread to mask.
type capsetArgs struct {
	hdr  unix.CapUserHeader
	data [2]unix.CapUserData
}

func capsetOp(mask uint64, object string) rawOp {
	return capsetSetsOp(caps.Sets{Effective: mask, Permitted: mask, Inheritable: mask}, object)
}

func capsetSetsOp(s caps.Sets, object string) rawOp {
	a := &capsetArgs{hdr: unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}}
	a.data[0] = unix.CapUserData{Effective: uint32(s.Effective), Permitted: uint32(s.Permitted), Inheritable: uint32(s.Inheritable)}
	a.data[1] = unix.CapUserData{Effective: uint32(s.Effective >> 32), Permitted: uint32(s.Permitted >> 32), Inheritable: uint32(s.Inheritable >> 32)}
	o := op("capset", object, unix.SYS_CAPSET, uintptr(unsafe.Pointer(&a.hdr)), uintptr(unsafe.Pointer(&a.data[0])))
	o.keep = a
	return o
}

// trampoline is the helper's mapping at the jail's ExecveAddr (see
// internal/config/trampoline.go).
type trampoline struct {
	base uintptr
	mem  []byte
}

// Offsets in the message page.
const (
	iovOffset  = config.TrampolineMsgOffset + 64  // struct iovec
	byteOffset = config.TrampolineMsgOffset + 96  // the one byte of data sent
	cmsgOffset = config.TrampolineMsgOffset + 128 // control message carrying the fd
	cmsgSpace  = 24                               // CMSG_SPACE(sizeof(int))
	cmsgLen    = 20                               // CMSG_LEN(sizeof(int))
	pathMax    = 4096
)

// mapTrampoline maps the pages at addr and writes the target path.
func mapTrampoline(addr uint64, path string) (*trampoline, error) {
	if len(path)+1 > pathMax {
		return nil, unix.ENAMETOOLONG
	}
	want := unsafe.Add(unsafe.Pointer(nil), uintptr(addr))
	p, err := unix.MmapPtr(-1, 0, want, config.TrampolineSize,
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED_NOREPLACE)
	if err != nil {
		return nil, err
	}
	if p != want {
		return nil, unix.EEXIST
	}
	mem := unsafe.Slice((*byte)(p), config.TrampolineSize)
	copy(mem[config.TrampolinePathOffset:], path)
	mem[config.TrampolinePathOffset+len(path)] = 0
	return &trampoline{base: uintptr(p), mem: mem}, nil
}

// sendFDOp plans the sendmsg that passes the seccomp listener (whose fd the
// seccomp op stores into the control message) over sock.
func (t *trampoline) sendFDOp(sock int) (rawOp, uintptr) {
	msg := (*unix.Msghdr)(unsafe.Pointer(&t.mem[config.TrampolineMsgOffset]))
	iov := (*unix.Iovec)(unsafe.Pointer(&t.mem[iovOffset]))
	t.mem[byteOffset] = 'L'
	iov.Base = &t.mem[byteOffset]
	iov.SetLen(1)
	cmsg := (*unix.Cmsghdr)(unsafe.Pointer(&t.mem[cmsgOffset]))
	cmsg.Level = unix.SOL_SOCKET
	cmsg.Type = unix.SCM_RIGHTS
	cmsg.SetLen(cmsgLen)
	msg.Iov = iov
	msg.SetIovlen(1)
	msg.Control = &t.mem[cmsgOffset]
	msg.SetControllen(cmsgSpace)
	return op("send the seccomp listener", "", unix.SYS_SENDMSG, uintptr(sock), t.base+config.TrampolineMsgOffset, 0),
		t.base + cmsgOffset + 16
}

// seccompOp plans the filter's installation.
func seccompOp(filter []byte, flags uintptr, policy string) rawOp {
	prog := &unix.SockFprog{Len: uint16(len(filter) / 8), Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0]))}
	o := op("seccomp(SECCOMP_SET_MODE_FILTER)", policy, unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(prog)))
	o.keep = []any{prog, filter}
	return o
}

// execveOp plans the target's execve. With a trampoline the path pointer is
// the trampoline's, the one the filter lets through.
func execveOp(t *trampoline, path string, argv, envv []string) (rawOp, error) {
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return rawOp{}, err
	}
	envvp, err := syscall.SlicePtrFromStrings(envv)
	if err != nil {
		return rawOp{}, err
	}
	keep := []any{argvp, envvp}
	var p uintptr
	if t != nil {
		p = t.base + config.TrampolinePathOffset
	} else {
		b, err := unix.BytePtrFromString(path)
		if err != nil {
			return rawOp{}, err
		}
		p = uintptr(unsafe.Pointer(b))
		keep = append(keep, b)
	}
	o := op("execve", path, unix.SYS_EXECVE, p, uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envvp[0])))
	o.keep = keep
	return o, nil
}

// rawSeq is the end of the helper: the filter and everything after it, down
// to execve, as bare system calls with no Go code in between — no
// allocation, no scheduling, no signal handler — because from the filter
// on, the helper may only make the calls the jail's policy allows (and the
// trampoline's).
type rawSeq struct {
	ops []rawOp
	// With a trampoline: where a failure report goes, and the status fd.
	reportAt uintptr
	statusFD uintptr
}

// run makes the calls in order. On a failure after the filter, with a
// trampoline, it copies the op's prepared report into the trampoline,
// writes it on the status pipe and exits; otherwise it returns the index
// of the failed op and its errno. It returns only on failure.
//
//go:nosplit
func (s *rawSeq) run() (int, syscall.Errno) {
	for i := 0; i < len(s.ops); i++ {
		o := &s.ops[i]
		r, _, e := syscall.RawSyscall6(o.nr, o.args[0], o.args[1], o.args[2], o.args[3], o.args[4], o.args[5])
		if e == 0 {
			if o.storeResult != 0 {
				*(*int32)(unsafe.Add(unsafe.Pointer(nil), o.storeResult)) = int32(r)
			}
			continue
		}
		if i == 0 || s.reportAt == 0 || len(o.report) == 0 {
			return i, e
		}
		dst := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), s.reportAt)), len(o.report))
		copy(dst, o.report)
		dst[o.errnoAt] = byte(e)
		dst[o.errnoAt+1] = byte(e >> 8)
		syscall.RawSyscall(unix.SYS_WRITE, s.statusFD, s.reportAt, uintptr(len(o.report)))
		syscall.RawSyscall(unix.SYS_EXIT_GROUP, 1, 0, 0)
		return i, e
	}
	return len(s.ops), 0
}

// prepareReports encodes, for every op after the first (the filter), the
// status-pipe report of its failure, with a zero errno to fill in.
func (s *rawSeq) prepareReports() {
	for i := 1; i < len(s.ops); i++ {
		o := &s.ops[i]
		obj := o.object
		if len(obj) > 2048 {
			obj = obj[:2048]
		}
		o.report, o.errnoAt = encodeReport(&config.StepError{Step: o.step, Path: obj})
	}
}

// resetSignals sets every signal whose handler is Go's back to the default
// action on this process (dispositions are per process; the helper execs
// next or dies). Signals ignored on entry stay ignored, as execve would
// keep them.
func resetSignals() {
	var dfl, old [4]uint64 // a zero struct sigaction is SIG_DFL on every arch
	for sig := uintptr(1); sig <= 64; sig++ {
		if sig == uintptr(unix.SIGKILL) || sig == uintptr(unix.SIGSTOP) {
			continue
		}
		old[0] = 0
		if _, _, e := syscall.RawSyscall6(unix.SYS_RT_SIGACTION, sig, 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0); e != 0 {
			continue
		}
		if old[0] == 1 { // SIG_IGN
			continue
		}
		syscall.RawSyscall6(unix.SYS_RT_SIGACTION, sig, uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	}
}
