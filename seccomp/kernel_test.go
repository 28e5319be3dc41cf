package seccomp

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// The kernel is the final judge of what a filter is: these tests load
// programs into the running kernel, in a re-executed child (a filter cannot
// be removed), on one locked thread of it (a filter binds only the thread
// that installs it, so the rest of the Go runtime runs free and reports).

const kernelHelperEnv = "SECCOMP_BACKEND_KERNEL_HELPER"

// kernelInstall loads p on the calling thread.
func kernelInstall(p Program) unix.Errno {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err.(unix.Errno)
	}
	filter := make([]unix.SockFilter, len(p))
	for i, ins := range p {
		filter[i] = unix.SockFilter{Code: ins.Code, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter))}
	if len(filter) > 0 {
		fprog.Filter = &filter[0]
	}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	return e
}

// TestKernelHelper is the child's side; it does nothing in a normal run.
func TestKernelHelper(t *testing.T) {
	mode := os.Getenv(kernelHelperEnv)
	if mode == "" {
		return
	}
	raw, err := hex.DecodeString(os.Getenv(kernelHelperEnv + "_PROG"))
	if err != nil {
		fmt.Println("bad program:", err)
		os.Exit(3)
	}
	var calls [][4]uintptr // nr, arg0, arg1, arg2
	if s := os.Getenv(kernelHelperEnv + "_CALLS"); s != "" {
		for _, c := range strings.Split(s, ";") {
			var v [4]uintptr
			for i, f := range strings.Split(c, ",") {
				x, _ := strconv.ParseUint(f, 16, 64)
				v[i] = uintptr(x)
			}
			calls = append(calls, v)
		}
	}
	// The filtered thread makes no system call after its own: it publishes
	// its results with an atomic store and spins (asynchronous preemption
	// is off in the helper), and the main thread reports and exits.
	var done atomic.Int32
	res := make([]unix.Errno, len(calls)+1)
	go func() {
		runtime.LockOSThread()
		var p Program
		if len(raw) > 0 {
			p = make(Program, len(raw)/8)
			for i := range p {
				o := raw[8*i:]
				p[i] = Instruction{Code: binary.LittleEndian.Uint16(o), Jt: o[2], Jf: o[3], K: binary.LittleEndian.Uint32(o[4:])}
			}
		}
		res[0] = kernelInstall(p)
		if res[0] == 0 {
			for i, c := range calls {
				_, _, res[i+1] = unix.RawSyscall6(c[0], c[1], c[2], c[3], 0, 0, 0)
			}
		}
		done.Store(1)
		for {
		}
	}()
	for done.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	var out []string
	for _, e := range res {
		out = append(out, strconv.Itoa(int(e)))
	}
	fmt.Println("RESULT " + strings.Join(out, " "))
	os.Exit(0)
}

// kernelRun loads p in a child and makes the calls on the filtered thread;
// it returns the errno of seccomp(2) and of each call.
func kernelRun(t *testing.T, p Program, calls [][4]uint64) []int {
	t.Helper()
	var cs []string
	for _, c := range calls {
		cs = append(cs, fmt.Sprintf("%x,%x,%x,%x", c[0], c[1], c[2], c[3]))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKernelHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), kernelHelperEnv+"=1", kernelHelperEnv+"_PROG="+hex.EncodeToString(p.Bytes(binary.LittleEndian)),
		kernelHelperEnv+"_CALLS="+strings.Join(cs, ";"), "GODEBUG=asyncpreemptoff=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f, ok := strings.CutPrefix(line, "RESULT "); ok {
			var res []int
			for _, x := range strings.Fields(f) {
				n, _ := strconv.Atoi(x)
				res = append(res, n)
			}
			return res
		}
	}
	t.Fatalf("helper gave no result:\n%s", out)
	return nil
}

func TestKernelAgreesWithValidate(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Fatalf("seccomp needs Linux")
	}
	progs := []Program{
		{{Code: bpfALU | bpfMOD | bpfK, K: 3}, {Code: opRetK, K: RetAllow}},
		{{Code: opLdAbs, K: 2}, {Code: opRetK, K: RetAllow}},
		{{Code: opLdAbs, K: 64}, {Code: opRetK, K: RetAllow}},
		{{Code: bpfLD | bpfMEM, K: 1}, {Code: opRetK, K: RetAllow}},
		{{Code: opLdAbs, K: 0}, {Code: opJEQ, K: 1, Jf: 1}, {Code: bpfST, K: 0}, {Code: bpfLD | bpfMEM, K: 0}, {Code: opRetK, K: RetAllow}},
		{{Code: opJEQ, Jt: 1}, {Code: opRetK, K: RetAllow}},
		{{Code: opLdAbs, K: 0}},
		{{Code: bpfLD | bpfB | bpfABS, K: 0}, {Code: opRetK, K: RetAllow}},
		{{Code: bpfALU | bpfDIV | bpfK, K: 0}, {Code: opRetK, K: RetAllow}},
		{},
	}
	r := rand.New(rand.NewSource(21))
	valid := 0
	for len(progs) < 70 {
		p := randProgram(r)
		if valid >= 25 {
			// Break one instruction: any opcode, operand or offset.
			i := r.Intn(len(p))
			switch r.Intn(4) {
			case 0:
				p[i].Code = uint16(r.Intn(256))
			case 1:
				p[i].K = []uint32{r.Uint32(), uint32(r.Intn(70)), 0, 16}[r.Intn(4)]
			case 2:
				p[i].Jt, p[i].Jf = uint8(r.Intn(40)), uint8(r.Intn(40))
			default:
				p[i] = Instruction{Code: []uint16{bpfLD | bpfMEM, bpfLDX | bpfMEM}[r.Intn(2)], K: uint32(r.Intn(16))}
			}
		} else if Validate(p) == nil {
			valid++
		}
		progs = append(progs, p)
	}
	var nAccepted, nRejected int
	for _, p := range progs {
		verr := Validate(p)
		res := kernelRun(t, p, nil)
		accepted := res[0] == 0
		if accepted {
			nAccepted++
		} else {
			nRejected++
		}
		if accepted != (verr == nil) {
			t.Errorf("kernel accepted=%v (errno %d), Validate: %v\n%s", accepted, res[0], verr, p.Disassemble())
		}
	}
	if nAccepted < 10 || nRejected < 10 {
		t.Fatalf("kernel accepted %d and rejected %d programs; the test needs both", nAccepted, nRejected)
	}
}

// TestKernelRunsCompiledPolicies loads compiled random policies whose
// verdicts are allow or errno into the kernel and checks every call's
// outcome against the policy.
func TestKernelRunsCompiledPolicies(t *testing.T) {
	host := arch.Host()
	nrOf := func(name string) uint32 {
		nr, ok := host.Syscall(name)
		if !ok {
			t.Fatalf("no %s on %s", name, host.Name)
		}
		return nr
	}
	// Calls that ignore their arguments, so only the filter decides.
	targets := []uint32{nrOf("getppid"), nrOf("getpgrp"), nrOf("getuid")}
	// What the Go runtime may need on the filtered thread.
	runtimeCalls := []string{"futex", "rt_sigreturn", "rt_sigprocmask", "sigaltstack", "sched_yield", "nanosleep",
		"mmap", "munmap", "madvise", "write", "exit", "exit_group", "gettid", "tgkill", "getpid", "clock_gettime", "clone", "clone3"}
	r := rand.New(rand.NewSource(33))
	outcomes := map[bool]int{}
	for iter := 0; iter < 12; iter++ {
		p := &Policy{Arch: host, Default: Action{Kind: ActErrno, Value: 1}, BadArch: Action{Kind: ActKillProcess}}
		byNr := map[uint32]SyscallRules{}
		for _, name := range runtimeCalls {
			if nr, ok := host.Syscall(name); ok {
				byNr[nr] = SyscallRules{Name: name, Nr: nr, Else: Action{Kind: ActAllow}}
			}
		}
		errnoOrAllow := func() Action {
			if r.Intn(2) == 0 {
				return Action{Kind: ActAllow}
			}
			return Action{Kind: ActErrno, Value: uint16(2 + r.Intn(30))}
		}
		for _, nr := range targets {
			sc := SyscallRules{Nr: nr, Else: errnoOrAllow()}
			for k := r.Intn(4); k > 0; k-- {
				rule := Rule{Action: errnoOrAllow()}
				for c := 1 + r.Intn(2); c > 0; c-- {
					rule.All = append(rule.All, Cond{Arg: r.Intn(3), Op: Op(r.Intn(int(OpMaskIn) + 1)), Value: randValue(r, host.Bits)})
				}
				sc.Rules = append(sc.Rules, rule)
			}
			byNr[nr] = sc
		}
		for _, sc := range byNr {
			p.Syscalls = append(p.Syscalls, sc)
		}
		sortSyscalls(p)
		for _, opts := range []CompileOptions{{}, DefaultCompileOptions()} {
			prog, err := Compile(p, opts)
			if err != nil {
				t.Fatal(err)
			}
			var calls [][4]uint64
			var want []int
			for _, d := range inputsFor(r, p, 80) {
				nr := targets[r.Intn(len(targets))]
				d.Nr, d.Arch = int32(nr), host.AuditArch
				calls = append(calls, [4]uint64{uint64(nr), d.Args[0], d.Args[1], d.Args[2]})
				d.Args[3], d.Args[4], d.Args[5] = 0, 0, 0
				act := p.Evaluate(d)
				if act.Kind == ActErrno {
					want = append(want, int(act.Value))
				} else {
					want = append(want, 0)
				}
			}
			res := kernelRun(t, prog, calls)
			if res[0] != 0 {
				t.Fatalf("kernel refused the program: errno %d\n%s", res[0], prog.Disassemble())
			}
			for i, c := range calls {
				outcomes[want[i] == 0]++
				if res[i+1] != want[i] {
					t.Fatalf("optimize=%v call nr %d args %#x %#x %#x: kernel errno %d, policy %d\n%s",
						opts.Optimize, c[0], c[1], c[2], c[3], res[i+1], want[i], prog.Disassemble())
				}
			}
		}
	}
	if outcomes[true] < 100 || outcomes[false] < 100 {
		t.Fatalf("allowed %d, refused %d calls; the test needs both", outcomes[true], outcomes[false])
	}
}
