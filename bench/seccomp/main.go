// Command seccomp-bench measures what a seccomp filter costs per system
// call: an argument-checked call (getppid, allowed only when arg0 == 0), an
// ioctl(TCGETS) on a pty allowed by its command, and a call the kernel's
// action cache serves (getpid), each with no filter, with the optimized
// filter and with the straightforward linear program compiled from the same
// policy. Each configuration runs in a re-executed child that installs the
// filter on a locked OS thread and measures on that thread.
//
// Usage: seccomp-bench [-n iterations] [-rounds r]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/seccomp"
	"github.com/minijail-go/minijail/seccomp/arch"
)

const childMarker = "__seccomp_bench_child"

// allowed are the syscalls the benchmark policy allows unconditionally: a
// typical service allowlist plus what the Go runtime needs.
var allowed = []string{
	"read", "write", "close", "fstat", "lseek", "mmap", "mprotect", "munmap", "brk",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "pread64", "pwrite64", "readv", "writev",
	"access", "pipe", "select", "sched_yield", "mremap", "madvise", "dup", "dup2", "nanosleep",
	"getpid", "sendfile", "socket", "connect", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg",
	"shutdown", "bind", "listen", "getsockname", "getpeername", "socketpair", "setsockopt",
	"getsockopt", "clone", "exit", "wait4", "kill", "uname", "fcntl", "flock", "fsync",
	"getdents64", "getcwd", "chdir", "rename", "mkdir", "rmdir", "unlink", "readlink", "umask",
	"gettimeofday", "getrlimit", "getuid", "getgid", "geteuid", "getegid", "getpgrp", "setsid",
	"sigaltstack", "statfs", "fstatfs", "prctl", "arch_prctl", "gettid", "futex",
	"sched_getaffinity", "epoll_create1", "epoll_ctl", "epoll_pwait", "clock_gettime",
	"clock_nanosleep", "exit_group", "tgkill", "openat", "newfstatat", "pipe2", "eventfd2",
	"prlimit64", "getrandom", "memfd_create", "statx", "rseq", "clone3", "set_robust_list",
	"restart_syscall", "mincore",
}

// buildPolicy returns the benchmark policy for the host architecture.
func buildPolicy() (*seccomp.Policy, error) {
	a := arch.Host()
	allow := seccomp.Action{Kind: seccomp.ActAllow}
	byNr := map[uint32]seccomp.SyscallRules{}
	for _, name := range allowed {
		nr, ok := a.Syscall(name)
		if !ok {
			continue // not on this architecture
		}
		byNr[nr] = seccomp.SyscallRules{Name: name, Nr: nr, Else: allow}
	}
	eperm := seccomp.Action{Kind: seccomp.ActErrno, Value: uint16(unix.EPERM)}
	if nr, ok := a.Syscall("getppid"); ok {
		byNr[nr] = seccomp.SyscallRules{Name: "getppid", Nr: nr, Else: eperm,
			Rules: []seccomp.Rule{{All: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEq, Value: 0}}, Action: allow}}}
	} else {
		return nil, fmt.Errorf("no getppid on %s", a.Name)
	}
	nr, ok := a.Syscall("ioctl")
	if !ok {
		return nil, fmt.Errorf("no ioctl on %s", a.Name)
	}
	var rules []seccomp.Rule
	for _, cmd := range []uint64{unix.TIOCINQ, unix.TIOCGWINSZ, unix.TCGETS} {
		rules = append(rules, seccomp.Rule{All: []seccomp.Cond{{Arg: 1, Op: seccomp.OpEq, Value: cmd}}, Action: allow})
	}
	byNr[nr] = seccomp.SyscallRules{Name: "ioctl", Nr: nr, Rules: rules, Else: eperm}
	p := &seccomp.Policy{Arch: a, Default: eperm, BadArch: seccomp.Action{Kind: seccomp.ActKillProcess}}
	for _, sc := range byNr {
		p.Syscalls = append(p.Syscalls, sc)
	}
	sort.Slice(p.Syscalls, func(i, j int) bool { return p.Syscalls[i].Nr < p.Syscalls[j].Nr })
	return p, nil
}

func compile(mode string) (seccomp.Program, *seccomp.Policy, error) {
	p, err := buildPolicy()
	if err != nil {
		return nil, nil, err
	}
	switch mode {
	case "none":
		return nil, p, nil
	case "optimized":
		prog, err := seccomp.Compile(p, seccomp.DefaultCompileOptions())
		return prog, p, err
	case "linear":
		prog, err := seccomp.Compile(p, seccomp.CompileOptions{})
		return prog, p, err
	case "ret-allow":
		// The cheapest possible filter, served entirely by the kernel's
		// action cache: the cost of having seccomp on at all.
		return seccomp.Program{{Code: 0x06, K: seccomp.RetAllow}}, p, nil
	case "minimal":
		// The cheapest filter the cache cannot serve (it loads arg0): the
		// cost of running any BPF program at all.
		return seccomp.Program{{Code: 0x20, K: 16}, {Code: 0x06, K: seccomp.RetAllow}}, p, nil
	}
	return nil, nil, fmt.Errorf("unknown mode %q", mode)
}

// install loads prog as a seccomp filter on the calling thread; with
// specAllow the kernel is asked not to force speculative-store-bypass
// mitigation on the thread (SECCOMP_FILTER_FLAG_SPEC_ALLOW), which otherwise
// slows every system call whatever the filter.
func install(prog seccomp.Program, specAllow bool) error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		filter[i] = unix.SockFilter{Code: ins.Code, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	var flags uintptr
	if specAllow {
		flags = unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	if errno != 0 {
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", errno)
	}
	return nil
}

// measure returns the fastest of rounds timings of n calls of f, in ns per call.
func measure(n, rounds int, f func() unix.Errno) (float64, error) {
	best := 0.0
	for r := 0; r < rounds; r++ {
		start := time.Now()
		for i := 0; i < n; i++ {
			if e := f(); e != 0 {
				return 0, fmt.Errorf("call failed: %w", e)
			}
		}
		ns := float64(time.Since(start).Nanoseconds()) / float64(n)
		if r == 0 || ns < best {
			best = ns
		}
	}
	return best, nil
}

func child(mode string, n, rounds int, specAllow bool) error {
	runtime.LockOSThread()
	prog, _, err := compile(mode)
	if err != nil {
		return err
	}
	pty, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if prog != nil {
		if err := install(prog, specAllow); err != nil {
			return err
		}
	}
	var term unix.Termios
	calls := []struct {
		name string
		f    func() unix.Errno
	}{
		{"getppid(0)", func() unix.Errno { _, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); return e }},
		{"ioctl(TCGETS)", func() unix.Errno {
			_, _, e := unix.RawSyscall(unix.SYS_IOCTL, uintptr(pty), unix.TCGETS, uintptr(unsafe.Pointer(&term)))
			return e
		}},
		{"getpid", func() unix.Errno { _, _, e := unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0); return e }},
	}
	// The filter really is in force: getppid(1) is refused.
	if prog != nil && mode != "ret-allow" && mode != "minimal" {
		if _, _, e := unix.RawSyscall(unix.SYS_GETPPID, 1, 0, 0); e != unix.EPERM {
			return fmt.Errorf("filter not in force: getppid(1) gave %v", e)
		}
	}
	for _, c := range calls {
		ns, err := measure(n, rounds, c.f)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Printf("%s\t%.2f\n", c.name, ns)
	}
	return nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == childMarker {
		if len(os.Args) != 6 {
			fmt.Fprintln(os.Stderr, "seccomp-bench: bad child arguments")
			os.Exit(2)
		}
		n, _ := strconv.Atoi(os.Args[3])
		rounds, _ := strconv.Atoi(os.Args[4])
		if err := child(os.Args[2], n, rounds, os.Args[5] == "1"); err != nil {
			fmt.Fprintln(os.Stderr, "seccomp-bench child:", err)
			os.Exit(1)
		}
		return
	}
	n := flag.Int("n", 1000000, "calls per timing")
	rounds := flag.Int("rounds", 5, "timings per child (the fastest is kept)")
	repeat := flag.Int("repeat", 3, "children per configuration (the fastest is reported)")
	specAllow := flag.Bool("spec-allow", true, "install filters with SECCOMP_FILTER_FLAG_SPEC_ALLOW")
	flag.Parse()
	if err := run(*n, *rounds, *repeat, *specAllow); err != nil {
		fmt.Fprintln(os.Stderr, "seccomp-bench:", err)
		os.Exit(1)
	}
}

func run(n, rounds, repeat int, specAllow bool) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	modes := []string{"none", "ret-allow", "minimal", "optimized", "linear"}
	spec := "0"
	if specAllow {
		spec = "1"
	}
	results := map[string]map[string][]float64{}
	var callOrder []string
	for rep := 0; rep < repeat; rep++ {
		for _, mode := range modes {
			cmd := exec.Command(self, childMarker, mode, strconv.Itoa(n), strconv.Itoa(rounds), spec)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				return fmt.Errorf("child %s: %w", mode, err)
			}
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			for sc.Scan() {
				f := strings.Split(sc.Text(), "\t")
				if len(f) != 2 {
					return fmt.Errorf("child %s: bad line %q", mode, sc.Text())
				}
				v, err := strconv.ParseFloat(f[1], 64)
				if err != nil {
					return fmt.Errorf("child %s: %w", mode, err)
				}
				if results[f[0]] == nil {
					results[f[0]] = map[string][]float64{}
					callOrder = append(callOrder, f[0])
				}
				results[f[0]][mode] = append(results[f[0]][mode], v)
			}
		}
	}
	// Instructions each program executes for each call.
	p, err := buildPolicy()
	if err != nil {
		return err
	}
	insns := map[string]map[string]int{}
	lengths := map[string]int{}
	for _, mode := range modes[3:] {
		prog, _, err := compile(mode)
		if err != nil {
			return err
		}
		lengths[mode] = len(prog)
		a := p.Arch
		nr := func(name string) int32 { v, _ := a.Syscall(name); return int32(v) }
		inputs := map[string]seccomp.SeccompData{
			"getppid(0)":    {Nr: nr("getppid"), Arch: a.AuditArch},
			"ioctl(TCGETS)": {Nr: nr("ioctl"), Arch: a.AuditArch, Args: [6]uint64{3, unix.TCGETS}},
			"getpid":        {Nr: nr("getpid"), Arch: a.AuditArch},
		}
		for call, d := range inputs {
			_, k, err := seccomp.Run(prog, d)
			if err != nil {
				return err
			}
			if insns[call] == nil {
				insns[call] = map[string]int{}
			}
			insns[call][mode] = k
		}
	}
	fmt.Printf("policy: %d syscalls; program length: optimized %d, linear %d instructions\n",
		len(p.Syscalls), lengths["optimized"], lengths["linear"])
	fmt.Printf("%d calls x %d rounds (fastest) x %d children (fastest); spec-allow %v\n", n, rounds, repeat, specAllow)
	fmt.Printf("ns per call, [BPF instructions executed]. ret-allow: a 1-instruction filter the action cache\n")
	fmt.Printf("serves; minimal: a 2-instruction filter it cannot (the cost of running any filter); the last two\n")
	fmt.Printf("columns subtract minimal from optimized and linear: what the program's length costs\n\n")
	fmt.Printf("%-14s %9s %9s %9s %15s %15s %8s %8s\n", "call", "none", "ret-allow", "minimal", "optimized", "linear", "opt-min", "lin-min")
	for _, call := range callOrder {
		none := fastest(results[call]["none"])
		cached := fastest(results[call]["ret-allow"])
		base := fastest(results[call]["minimal"])
		opt := fastest(results[call]["optimized"])
		lin := fastest(results[call]["linear"])
		fmt.Printf("%-14s %9.1f %9.1f %9.1f %9.1f [%3d] %9.1f [%3d] %8.1f %8.1f\n", call, none, cached, base,
			opt, insns[call]["optimized"], lin, insns[call]["linear"], opt-base, lin-base)
	}
	return nil
}

func fastest(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[0]
}
