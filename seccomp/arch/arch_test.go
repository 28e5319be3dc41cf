package arch

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/minijail-go/minijail/seccomp/arch/internal/tablegen"
)

func mustLookup(t *testing.T, name string) *Arch {
	t.Helper()
	a, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestArchMetadata(t *testing.T) {
	tests := []struct {
		name  string
		audit uint32
		bits  int
		x32   uint32
	}{
		{"x86_64", 0xc000003e, 64, 0x40000000},
		{"i386", 0x40000003, 32, 0},
		{"aarch64", 0xc00000b7, 64, 0},
		{"arm", 0x40000028, 32, 0},
		{"riscv64", 0xc00000f3, 64, 0},
	}
	if got := len(All()); got != len(tests) {
		t.Errorf("All() has %d arches, want %d", got, len(tests))
	}
	for _, tt := range tests {
		a := mustLookup(t, tt.name)
		if a.Name != tt.name || a.AuditArch != tt.audit || a.Bits != tt.bits || a.X32Bit != tt.x32 {
			t.Errorf("%s: got %q audit %#x bits %d x32 %#x", tt.name, a.Name, a.AuditArch, a.Bits, a.X32Bit)
		}
		if a.Order != binary.LittleEndian {
			t.Errorf("%s: byte order %v, want little-endian", tt.name, a.Order)
		}
	}
	names := []string{}
	for _, a := range All() {
		names = append(names, a.Name)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("All() not sorted: %v", names)
	}
}

func TestLookupAliases(t *testing.T) {
	for alias, want := range map[string]string{
		"amd64": "x86_64", "386": "i386", "x86": "i386", "arm64": "aarch64",
		"x86_64": "x86_64", "arm": "arm", "riscv64": "riscv64",
	} {
		if a := mustLookup(t, alias); a.Name != want {
			t.Errorf("Lookup(%q) = %s, want %s", alias, a.Name, want)
		}
	}
	for _, bad := range []string{"", "mips", "X86_64", "aarch32"} {
		if _, err := Lookup(bad); err == nil {
			t.Errorf("Lookup(%q) succeeded", bad)
		}
	}
	want := map[string]string{"amd64": "x86_64", "386": "i386", "arm64": "aarch64", "arm": "arm", "riscv64": "riscv64"}[runtime.GOARCH]
	if want != "" && Host().Name != want {
		t.Errorf("Host() = %s on %s, want %s", Host().Name, runtime.GOARCH, want)
	}
}

func TestSyscallNumbers(t *testing.T) {
	tests := []struct {
		arch, name string
		nr         uint32
	}{
		{"x86_64", "read", 0},
		{"x86_64", "write", 1},
		{"x86_64", "open", 2},
		{"x86_64", "mmap", 9},
		{"x86_64", "execve", 59},
		{"x86_64", "arch_prctl", 158},
		{"x86_64", "_sysctl", 156},
		{"x86_64", "newfstatat", 262},
		{"x86_64", "clone3", 435},
		{"x86_64", "statmount", 457},
		{"x86_64", "listmount", 458},
		{"x86_64", "lsm_get_self_attr", 459},
		{"x86_64", "lsm_list_modules", 461},
		{"x86_64", "mseal", 462},
		{"x86_64", "setxattrat", 463},
		{"x86_64", "file_getattr", 468},
		{"x86_64", "file_setattr", 469},
		{"x86_64", "listns", 470},
		{"i386", "exit", 1},
		{"i386", "socketcall", 102},
		{"i386", "_llseek", 140},
		{"i386", "_newselect", 142},
		{"i386", "mmap2", 192},
		{"i386", "getuid32", 199},
		{"i386", "fstatat64", 300},
		{"i386", "arch_prctl", 384},
		{"i386", "mseal", 462},
		{"aarch64", "io_setup", 0},
		{"aarch64", "openat", 56},
		{"aarch64", "newfstatat", 79},
		{"aarch64", "fstat", 80},
		{"aarch64", "mmap", 222},
		{"aarch64", "mseal", 462},
		{"arm", "restart_syscall", 0},
		{"arm", "_llseek", 140},
		{"arm", "mmap2", 192},
		{"arm", "getuid32", 199},
		{"arm", "arm_fadvise64_64", 270},
		{"arm", "fstatat64", 327},
		{"arm", "ARM_breakpoint", 0xf0001},
		{"arm", "ARM_cacheflush", 0xf0002},
		{"arm", "ARM_usr26", 0xf0003},
		{"arm", "ARM_usr32", 0xf0004},
		{"arm", "ARM_set_tls", 0xf0005},
		{"arm", "ARM_get_tls", 0xf0006},
		{"arm", "mseal", 462},
		{"riscv64", "openat", 56},
		{"riscv64", "newfstatat", 79},
		{"riscv64", "fstat", 80},
		{"riscv64", "riscv_hwprobe", 258},
		{"riscv64", "riscv_flush_icache", 259},
		{"riscv64", "mseal", 462},
	}
	// A second name of a number resolves, but the number keeps its name.
	arm := mustLookup(t, "arm")
	if nr, ok := arm.Syscall("sync_file_range2"); !ok || nr != 341 {
		t.Errorf("arm sync_file_range2 = %d, %v; want 341", nr, ok)
	}
	if name, _ := arm.SyscallName(341); name != "arm_sync_file_range" {
		t.Errorf("arm SyscallName(341) = %q, want arm_sync_file_range", name)
	}
	if slices.Contains(arm.SyscallNames(), "sync_file_range2") {
		t.Error("arm SyscallNames lists the alias sync_file_range2")
	}
	for _, tt := range tests {
		a := mustLookup(t, tt.arch)
		nr, ok := a.Syscall(tt.name)
		if !ok || nr != tt.nr {
			t.Errorf("%s %s = %d, %v; want %d", tt.arch, tt.name, nr, ok, tt.nr)
		}
		if name, ok := a.SyscallName(tt.nr); !ok || name != tt.name {
			t.Errorf("%s SyscallName(%d) = %q, %v; want %q", tt.arch, tt.nr, name, ok, tt.name)
		}
	}
}

func TestSyscallsAbsent(t *testing.T) {
	for _, tt := range []struct{ arch, name string }{
		{"x86_64", "getuid32"}, {"x86_64", "mmap2"}, {"x86_64", "socketcall"},
		{"x86_64", "syscall_mask"}, {"x86_64", "ARM_set_tls"},
		{"i386", "newfstatat"}, {"i386", "ARM_set_tls"},
		{"aarch64", "open"}, {"aarch64", "fstatat"}, {"aarch64", "getuid32"},
		{"arm", "mmap"}, {"arm", "getrlimit"}, {"arm", "syscall_mask"}, {"arm", "fadvise64"},
		{"riscv64", "open"}, {"riscv64", "renameat"}, {"riscv64", "ARM_set_tls"},
		{"x86_64", "READ"}, {"x86_64", ""},
		{"aarch64", "arch_specific_syscall"}, {"riscv64", "arch_specific_syscall"},
	} {
		if nr, ok := mustLookup(t, tt.arch).Syscall(tt.name); ok {
			t.Errorf("%s has %q (= %d)", tt.arch, tt.name, nr)
		}
	}
}

func TestSyscallTables(t *testing.T) {
	kernelName := regexp.MustCompile(`^([a-z_][a-z0-9_]*|ARM_[a-z0-9_]+)$`)
	for _, tt := range []struct {
		arch     string
		min, max uint32
	}{
		{"x86_64", 380, 471}, {"i386", 450, 471}, {"aarch64", 320, 471},
		{"arm", 420, 0xf0006}, {"riscv64", 320, 471},
	} {
		a := mustLookup(t, tt.arch)
		names := a.SyscallNames()
		if uint32(len(names)) < tt.min {
			t.Errorf("%s: %d syscalls, want at least %d", tt.arch, len(names), tt.min)
		}
		if got := a.MaxSyscall(); got != tt.max {
			t.Errorf("%s: MaxSyscall = %d, want %d", tt.arch, got, tt.max)
		}
		var prev uint32
		for i, n := range names {
			if !kernelName.MatchString(n) {
				t.Errorf("%s: %q is not spelled like a kernel syscall name", tt.arch, n)
			}
			nr, _ := a.Syscall(n)
			if i > 0 && nr <= prev {
				t.Errorf("%s: SyscallNames not strictly ordered by number at %q", tt.arch, n)
			}
			prev = nr
			if back, ok := a.SyscallName(nr); !ok || back != n {
				t.Errorf("%s: SyscallName(%d) = %q, want %q", tt.arch, nr, back, n)
			}
		}
	}
}

func TestConstants(t *testing.T) {
	tests := []struct {
		arch, name string
		v          uint64
	}{
		{"x86_64", "O_DIRECTORY", 0x10000},
		{"i386", "O_DIRECTORY", 0x10000},
		{"riscv64", "O_DIRECTORY", 0x10000},
		{"aarch64", "O_DIRECTORY", 0x4000},
		{"arm", "O_DIRECTORY", 0x4000},
		{"x86_64", "O_NOFOLLOW", 0x20000},
		{"arm", "O_NOFOLLOW", 0x8000},
		{"aarch64", "O_NOFOLLOW", 0x8000},
		{"x86_64", "O_DIRECT", 0x4000},
		{"arm", "O_DIRECT", 0x10000},
		{"i386", "O_LARGEFILE", 0x8000},
		{"arm", "O_LARGEFILE", 0x20000},
		{"x86_64", "O_RDONLY", 0},
		{"x86_64", "O_NONBLOCK", 0x800},
		{"x86_64", "O_CLOEXEC", 0x80000},
		{"x86_64", "AT_FDCWD", 0xffffffffffffff9c},
		{"i386", "AT_FDCWD", 0xffffff9c},
		{"arm", "AT_FDCWD", 0xffffff9c},
		{"x86_64", "AT_EMPTY_PATH", 0x1000},
		{"x86_64", "PROT_READ", 1},
		{"x86_64", "PROT_EXEC", 4},
		{"x86_64", "MAP_PRIVATE", 2},
		{"x86_64", "MAP_ANONYMOUS", 0x20},
		{"x86_64", "MADV_DONTNEED", 4},
		{"aarch64", "MADV_GUARD_INSTALL", 102},
		{"aarch64", "MADV_GUARD_REMOVE", 103},
		{"x86_64", "MFD_CLOEXEC", 1},
		{"x86_64", "AF_UNIX", 1},
		{"x86_64", "PF_FILE", 1},
		{"x86_64", "AF_INET6", 10},
		{"x86_64", "AF_NETLINK", 16},
		{"arm", "AF_QIPCRTR", 42},
		{"x86_64", "SOCK_STREAM", 1},
		{"x86_64", "SOCK_CLOEXEC", 0x80000},
		{"x86_64", "SOL_SOCKET", 1},
		{"x86_64", "SO_REUSEADDR", 2},
		{"x86_64", "IPPROTO_TCP", 6},
		{"x86_64", "MSG_NOSIGNAL", 0x4000},
		{"x86_64", "F_GETFL", 3},
		{"x86_64", "F_DUPFD_CLOEXEC", 1030},
		{"x86_64", "F_ADD_SEALS", 1033},
		{"x86_64", "F_SEAL_WRITE", 8},
		{"x86_64", "FUTEX_WAIT", 0},
		{"x86_64", "FUTEX_WAKE_PRIVATE", 129},
		{"x86_64", "FUTEX_WAIT_BITSET_PRIVATE", 137},
		{"x86_64", "FUTEX_CLOCK_REALTIME", 256},
		{"x86_64", "FUTEX_CMD_MASK", 0xfffffffffffffe7f},
		{"arm", "FUTEX_CMD_MASK", 0xfffffe7f},
		{"x86_64", "CLONE_THREAD", 0x10000},
		{"x86_64", "CLONE_NEWUSER", 0x10000000},
		{"x86_64", "PR_SET_NO_NEW_PRIVS", 38},
		{"x86_64", "PR_SET_VMA", 0x53564d41},
		{"aarch64", "PR_PAC_RESET_KEYS", 54},
		{"x86_64", "PR_SET_MM_START_CODE", 1},
		{"x86_64", "ARCH_SET_FS", 0x1002},
		{"i386", "ARCH_GET_CPUID", 0x1011},
		{"x86_64", "RLIMIT_NOFILE", 7},
		{"x86_64", "MS_BIND", 0x1000},
		{"x86_64", "GRND_RANDOM", 2},
		{"x86_64", "EFD_CLOEXEC", 0x80000},
		{"x86_64", "TFD_NONBLOCK", 0x800},
		{"x86_64", "IN_CLOEXEC", 0x80000},
		{"x86_64", "EPOLL_CLOEXEC", 0x80000},
		{"x86_64", "SIGKILL", 9},
		{"x86_64", "SIGSYS", 31},
		{"x86_64", "EPERM", 1},
		{"x86_64", "ENOENT", 2},
		{"x86_64", "ENOSYS", 38},
		{"x86_64", "TCGETS", 0x5401},
		{"x86_64", "TCGETS2", 0x802c542a},
		{"arm", "TCGETS2", 0x802c542a},
		{"x86_64", "TIOCGWINSZ", 0x5413},
		{"x86_64", "FIONREAD", 0x541b},
		{"x86_64", "FIONBIO", 0x5421},
		{"x86_64", "FIOCLEX", 0x5451},
		{"x86_64", "FIOQSIZE", 0x5460},
		{"arm", "FIOQSIZE", 0x545e},
		{"x86_64", "SIOCGIFFLAGS", 0x8913},
		{"x86_64", "SIOCETHTOOL", 0x8946},
		{"x86_64", "BLKSSZGET", 0x1268},
		{"x86_64", "BLKGETSIZE64", 0x80081272},
		{"i386", "BLKGETSIZE64", 0x80041272},
		{"arm", "BLKGETSIZE64", 0x80041272},
		{"x86_64", "FS_IOC_GETFLAGS", 0x80086601},
		{"arm", "FS_IOC_GETFLAGS", 0x80046601},
		{"x86_64", "FS_IOC_FSGETXATTR", 0x801c581f},
		{"arm", "FS_IOC_FSSETXATTR", 0x401c5820},
		// The values rmad's policies note next to their numeric rules.
		{"x86_64", "FDGETFDCSTAT", 0x80280215},
		{"aarch64", "FDGETFDCSTAT", 0x80280215},
		{"arm", "FDGETFDCSTAT", 0x80200215},
		{"x86_64", "LOOP_CONFIGURE", 0x4c0a},
		{"x86_64", "LOOP_CTL_GET_FREE", 0x4c82},
		{"i386", "SYS_SOCKET", 1},
		{"i386", "SYS_SENDMMSG", 20},
		{"x86_64", "MREMAP_MAYMOVE", 1},
		{"x86_64", "R_OK", 4},
		{"arm", "FASYNC", 0x2000},
		{"x86_64", "POSIX_FADV_DONTNEED", 4},
		{"x86_64", "CLONE_CLEAR_SIGHAND", 0x100000000},
		// Too wide for a 32-bit target: left unreduced for the compiler to
		// reject, not truncated to 0.
		{"arm", "CLONE_CLEAR_SIGHAND", 0x100000000},
		{"i386", "SI_QUEUE", 0xffffffff},
		{"x86_64", "SI_QUEUE", 0xffffffffffffffff},
		{"arm", "FUTEX_BITSET_MATCH_ANY", 0xffffffff},
	}
	for _, tt := range tests {
		v, ok := mustLookup(t, tt.arch).Constant(tt.name)
		if !ok || v != tt.v {
			t.Errorf("%s %s = %#x, %v; want %#x", tt.arch, tt.name, v, ok, tt.v)
		}
	}
}

func TestConstantsAbsent(t *testing.T) {
	for _, tt := range []struct{ arch, name string }{
		{"aarch64", "ARCH_SET_FS"}, {"arm", "ARCH_SET_FS"}, {"riscv64", "ARCH_SET_GS"},
		{"x86_64", "SizeofPtr"}, {"x86_64", "FADV_NORMAL"}, {"x86_64", "ImplementsGetwd"},
		{"x86_64", "o_rdonly"}, {"x86_64", ""}, {"x86_64", "SYS_READ"},
	} {
		if v, ok := mustLookup(t, tt.arch).Constant(tt.name); ok {
			t.Errorf("%s has constant %q (= %#x)", tt.arch, tt.name, v)
		}
	}
}

func TestConstantsIterator(t *testing.T) {
	cname := regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	for _, a := range All() {
		n := 0
		prev := ""
		for name, v := range a.Constants() {
			n++
			if name <= prev {
				t.Errorf("%s: %q after %q: not sorted or duplicated", a.Name, name, prev)
			}
			prev = name
			if !cname.MatchString(name) {
				t.Errorf("%s: %q is not a C-style name", a.Name, name)
			}
			if w, ok := a.Constant(name); !ok || w != v {
				t.Errorf("%s: Constants gives %s = %#x, Constant gives %#x, %v", a.Name, name, v, w, ok)
			}
			if a.Bits == 32 && v > 0xffffffff && v >= 0xffffffff80000000 {
				t.Errorf("%s: negative %s = %#x not reduced to 32 bits", a.Name, name, v)
			}
		}
		if n < 9000 {
			t.Errorf("%s: only %d constants", a.Name, n)
		}
		// Stopping early must work.
		for range a.Constants() {
			break
		}
	}
}

// TestGeneratedFilesUpToDate regenerates the tables from the x/sys version
// go.mod requires and compares them with the checked-in files byte for byte.
func TestGeneratedFilesUpToDate(t *testing.T) {
	src, err := tablegen.Locate(".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := tablegen.Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("generated file %s is not checked in: %v", name, err)
			continue
		}
		if !bytes.Equal(have, data) {
			t.Errorf("%s differs from the generator's output (run go generate ./seccomp/arch)", name)
		}
		if !strings.Contains(string(data), "golang.org/x/sys "+src.Version) || !strings.Contains(string(data), "DO NOT EDIT.") {
			t.Errorf("%s: header does not name x/sys %s", name, src.Version)
		}
	}
	checkedIn, _ := filepath.Glob("z*.go")
	for _, name := range checkedIn {
		if _, ok := files[name]; !ok {
			t.Errorf("%s is checked in but no longer generated", name)
		}
	}
	if len(files) != 6 {
		t.Errorf("generator wrote %d files, want 6", len(files))
	}
	// The generator is deterministic.
	again, err := tablegen.Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if !bytes.Equal(again[name], data) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}
