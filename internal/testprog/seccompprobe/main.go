// Command seccompprobe is a small static program the kernel-level seccomp
// tests run under real filters. It makes one kind of system call, named by
// its first argument, and reports the outcome on standard output as one line
// per step ("step: ok <value>" or "step: errno <n>"); a filter that kills it
// leaves the line unwritten.
//
// It uses raw system calls only (no os, no fmt), so that what it needs from a
// policy is the Go runtime's start-up set plus the call under test.
//
//	seccompprobe getpid          getpid through the native (x86_64) entry
//	seccompprobe x32-getpid      getpid with the x32 bit (0x40000000|39), amd64 only
//	seccompprobe int80-getpid    getpid (20) through int $0x80, the i386 entry, amd64 only
//	seccompprobe mkdir DIR       mkdirat(AT_FDCWD, DIR, 0755)
//	seccompprobe pty CMD         open /dev/ptmx, TCGETS on it, then ioctl CMD on it
//
// The environment variable SECCOMPPROBE_MODE, when set, replaces the
// command line (which the probe otherwise reads from /proc/self/cmdline).
//
// CMD is one of tcgets, tiocsti, tiocsti-high and tcgets-high (the last two
// with bit 32 set: the kernel's ioctl takes cmd as a 32-bit unsigned int, so
// it ignores the upper half). After an ioctl that injected a byte the probe
// reads it back from the master.
package main

import (
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	var argv []string
	if mode, ok := syscall.Getenv("SECCOMPPROBE_MODE"); ok {
		// The mode without reading the command line: no system call of
		// the probe's own before the mode's.
		argv = []string{"seccompprobe", mode}
	} else {
		argv = osArgs()
	}
	if len(argv) < 2 {
		say("usage", "errno", int64(unix.EINVAL))
		unix.Exit(2)
	}
	switch argv[1] {
	case "getpid":
		say("getpid", "ok", int64(unix.Getpid()))
	case "x32-getpid":
		report("x32-getpid", x32Getpid())
	case "int80-getpid":
		report("int80-getpid", int80Getpid())
	case "mkdir":
		if len(argv) < 3 {
			unix.Exit(2)
		}
		err := unix.Mkdir(argv[2], 0o755)
		result("mkdir", 0, err)
	case "pty":
		if len(argv) < 3 {
			unix.Exit(2)
		}
		pty(argv[2])
	default:
		say("mode", "errno", int64(unix.EINVAL))
		unix.Exit(2)
	}
	unix.Exit(0)
}

// pty opens a pseudo-terminal master, reads its termios with TCGETS and
// then makes the ioctl named by which.
func pty(which string) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		result("open", 0, err)
		unix.Exit(3)
	}
	say("open", "ok", int64(fd))
	var tio unix.Termios
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TCGETS, uintptr(unsafe.Pointer(&tio)))
	result("tcgets", 0, errnoErr(e))

	const high = uint64(1) << 32
	var cmd uint64
	arg := uintptr(unsafe.Pointer(&tio))
	ch := byte('Q')
	switch which {
	case "tcgets":
		cmd = unix.TCGETS
	case "tcgets-high":
		cmd = unix.TCGETS | high
	case "tiocsti":
		cmd, arg = unix.TIOCSTI, uintptr(unsafe.Pointer(&ch))
	case "tiocsti-high":
		cmd, arg = unix.TIOCSTI|high, uintptr(unsafe.Pointer(&ch))
	default:
		say("cmd", "errno", int64(unix.EINVAL))
		unix.Exit(2)
	}
	_, _, e = unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(cmd), arg)
	result("ioctl", 0, errnoErr(e))
	if e == 0 && arg == uintptr(unsafe.Pointer(&ch)) {
		// TIOCSTI queued ch as input of the master: read it back.
		var buf [8]byte
		n, err := unix.Read(fd, buf[:])
		if err != nil {
			result("read", 0, err)
		} else {
			// The value is the first byte read ('Q' is 81).
			v := int64(-1)
			if n > 0 {
				v = int64(buf[0])
			}
			say("read", "ok", v)
		}
	}
}

// osArgs reads the command line from /proc/self/cmdline (package os would
// add system calls of its own at start-up).
func osArgs() []string {
	fd, err := unix.Open("/proc/self/cmdline", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var data []byte
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			break
		}
		data = append(data, buf[:n]...)
	}
	var args []string
	for len(data) > 0 {
		i := 0
		for i < len(data) && data[i] != 0 {
			i++
		}
		args = append(args, string(data[:i]))
		if i == len(data) {
			break
		}
		data = data[i+1:]
	}
	return args
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// report prints the raw return value r of a system call made in assembly:
// -4095..-1 is an errno.
func report(step string, r int64) {
	if r < 0 && r >= -4095 {
		say(step, "errno", -r)
		return
	}
	say(step, "ok", r)
}

func result(step string, v int64, err error) {
	if err != nil {
		if e, ok := err.(unix.Errno); ok {
			say(step, "errno", int64(e))
			return
		}
		say(step, "errno", -1)
		return
	}
	say(step, "ok", v)
}

// say writes "step: word value\n" with a single write.
func say(step, word string, v int64) {
	b := []byte(step + ": " + word + " " + strconv.FormatInt(v, 10) + "\n")
	unix.Write(1, b)
}
