package tablegen

// This file holds the names that golang.org/x/sys does not provide. Each
// group cites the uapi header it comes from; ioctl numbers are computed with
// the header's _IOC macro arguments so that the per-architecture sizes come
// out right.

// syscallEntry is a syscall x/sys does not list.
type syscallEntry struct {
	name string
	nr   uint32
}

// notSyscall lists, per architecture, the SYS_ names of x/sys that are not
// syscalls: arm's __NR_SYSCALL_MASK is a mask macro of
// arch/arm/include/uapi/asm/unistd.h that x/sys's generator picks up.
var notSyscall = map[string]map[string]bool{
	"arm": {"syscall_mask": true},
	// asm-generic/unistd.h: __NR_arch_specific_syscall is the base of the
	// per-architecture range, not a syscall.
	"aarch64": {"arch_specific_syscall": true},
	"riscv64": {"arch_specific_syscall": true},
}

// syscallAliases lists, per architecture, __NR_ names defined as another
// syscall's number, as {alias, target}. They resolve by name, but the
// number's name stays the target's.
var syscallAliases = map[string][][2]string{
	// arch/arm/include/uapi/asm/unistd.h:
	// #define __NR_sync_file_range2 __NR_arm_sync_file_range
	"arm": {{"sync_file_range2", "arm_sync_file_range"}},
}

// extraSyscalls returns the syscalls of spec that x/sys does not list.
func extraSyscalls(spec archSpec) []syscallEntry {
	if spec.name != "arm" {
		return nil
	}
	// arch/arm/include/uapi/asm/unistd.h: the ARM private syscalls,
	// __ARM_NR_BASE (__NR_SYSCALL_BASE + 0x0f0000, EABI base 0) + 1..6.
	// Policies spell them as minijail does: ARM_ followed by the name after
	// __ARM_NR_.
	const base = 0x0f0000
	return []syscallEntry{
		{"ARM_breakpoint", base + 1},
		{"ARM_cacheflush", base + 2},
		{"ARM_usr26", base + 3},
		{"ARM_usr32", base + 4},
		{"ARM_set_tls", base + 5},
		{"ARM_get_tls", base + 6},
	}
}

// asm-generic/ioctl.h encoding, which x86, arm, arm64 and riscv all use:
// nr in bits 0-7, type in 8-15, size in 16-29, direction in 30-31.
const (
	iocNone  = 0
	iocWrite = 1
	iocRead  = 2
)

func ioc(dir, typ, nr, size uint64) uint64 {
	return dir<<30 | size<<16 | typ<<8 | nr
}

func io(typ, nr uint64) uint64         { return ioc(iocNone, typ, nr, 0) }
func ior(typ, nr, size uint64) uint64  { return ioc(iocRead, typ, nr, size) }
func iow(typ, nr, size uint64) uint64  { return ioc(iocWrite, typ, nr, size) }
func iowr(typ, nr, size uint64) uint64 { return ioc(iocRead|iocWrite, typ, nr, size) }

// supplement returns the constants of spec that x/sys does not define.
// Generate fails if x/sys defines one of them with a different value.
func supplement(spec archSpec) []entry {
	long := uint64(spec.bits / 8) // sizeof(long) and sizeof(void *)
	x86 := spec.name == "x86_64" || spec.name == "i386"
	var out []entry
	add := func(name string, v uint64) { out = append(out, entry{name, v}) }

	// asm-generic/ioctls.h (arch/arm/include/uapi/asm/ioctls.h overrides
	// FIOQSIZE).
	add("FIONREAD", 0x541B)
	add("FIONBIO", 0x5421)
	add("FIONCLEX", 0x5450)
	add("FIOCLEX", 0x5451)
	add("FIOASYNC", 0x5452)
	if spec.name == "arm" {
		add("FIOQSIZE", 0x545E)
	} else {
		add("FIOQSIZE", 0x5460)
	}
	// asm-generic/sockios.h.
	add("FIOSETOWN", 0x8901)
	add("FIOGETOWN", 0x8903)

	// linux/fs.h: struct fsxattr is 28 bytes (five __u32 and 8 bytes of
	// padding); the FS_IOC32_* variants use a 4-byte int.
	add("FS_IOC_FSGETXATTR", ior('X', 31, 28))
	add("FS_IOC_FSSETXATTR", iow('X', 32, 28))
	add("FS_IOC_GETVERSION", ior('v', 1, long))
	add("FS_IOC_SETVERSION", iow('v', 2, long))
	add("FS_IOC32_GETFLAGS", ior('f', 1, 4))
	add("FS_IOC32_SETFLAGS", iow('f', 2, 4))
	add("FS_IOC32_GETVERSION", ior('v', 1, 4))
	add("FS_IOC32_SETVERSION", iow('v', 2, 4))
	// struct fiemap is 32 bytes (two __u64, four __u32) before its
	// flexible array.
	add("FS_IOC_FIEMAP", iowr('f', 11, 32))
	// FS_IOC_GETFSLABEL/SETFSLABEL: char[FSLABEL_MAX = 256].
	add("FS_IOC_GETFSLABEL", ior(0x94, 49, 256))
	add("FS_IOC_SETFSLABEL", iow(0x94, 50, 256))
	// struct fsuuid2 is 1 + 16 bytes; struct fs_sysfs_path is 1 + 128.
	add("FS_IOC_GETFSUUID", ior(0x15, 0, 17))
	add("FS_IOC_GETFSSYSFSPATH", ior(0x15, 1, 129))

	// linux/fs.h block device ioctls that x/sys lacks.
	add("BLKROSET", io(0x12, 93))
	add("BLKROGET", io(0x12, 94))
	add("BLKRRPART", io(0x12, 95))
	add("BLKGETSIZE", io(0x12, 96))
	add("BLKFLSBUF", io(0x12, 97))
	add("BLKRASET", io(0x12, 98))
	add("BLKRAGET", io(0x12, 99))
	add("BLKFRASET", io(0x12, 100))
	add("BLKFRAGET", io(0x12, 101))
	add("BLKSECTSET", io(0x12, 102))
	add("BLKSECTGET", io(0x12, 103))
	add("BLKSSZGET", io(0x12, 104))
	add("BLKBSZGET", ior(0x12, 112, long))
	add("BLKBSZSET", iow(0x12, 113, long))
	add("BLKGETSIZE64", ior(0x12, 114, long))
	add("BLKDISCARD", io(0x12, 119))
	add("BLKIOMIN", io(0x12, 120))
	add("BLKIOOPT", io(0x12, 121))
	add("BLKALIGNOFF", io(0x12, 122))
	add("BLKPBSZGET", io(0x12, 123))
	add("BLKDISCARDZEROES", io(0x12, 124))
	add("BLKSECDISCARD", io(0x12, 125))
	add("BLKROTATIONAL", io(0x12, 126))
	add("BLKZEROOUT", io(0x12, 127))
	add("BLKGETDISKSEQ", ior(0x12, 128, 8))

	// linux/fs.h: more block, file and flag ioctls. struct fstrim_range is
	// three __u64 (24 bytes).
	add("BLKTRACESTART", io(0x12, 116))
	add("BLKTRACESTOP", io(0x12, 117))
	add("BLKTRACETEARDOWN", io(0x12, 118))
	add("FIBMAP", io(0x00, 1))
	add("FIGETBSZ", io(0x00, 2))
	add("FIFREEZE", iowr('X', 119, 4))
	add("FITHAW", iowr('X', 120, 4))
	add("FITRIM", iowr('X', 121, 24))
	add("BMAP_IOCTL", 1)
	add("BLOCK_SIZE_BITS", 10)
	add("FSLABEL_MAX", 256)
	add("NR_FILE", 8192)
	add("INR_OPEN_CUR", 1024)
	add("INR_OPEN_MAX", 4096)
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"SECRM", 0x1}, {"UNRM", 0x2}, {"COMPR", 0x4}, {"SYNC", 0x8},
		{"IMMUTABLE", 0x10}, {"APPEND", 0x20}, {"NODUMP", 0x40},
		{"NOATIME", 0x80}, {"DIRTY", 0x100}, {"COMPRBLK", 0x200},
		{"NOCOMP", 0x400}, {"ENCRYPT", 0x800}, {"BTREE", 0x1000},
		{"INDEX", 0x1000}, {"IMAGIC", 0x2000}, {"JOURNAL_DATA", 0x4000},
		{"NOTAIL", 0x8000}, {"DIRSYNC", 0x10000}, {"TOPDIR", 0x20000},
		{"HUGE_FILE", 0x40000}, {"EXTENT", 0x80000}, {"VERITY", 0x100000},
		{"EA_INODE", 0x200000}, {"EOFBLOCKS", 0x400000},
		{"NOCOW", 0x800000}, {"DAX", 0x2000000},
		{"INLINE_DATA", 0x10000000}, {"PROJINHERIT", 0x20000000},
		{"CASEFOLD", 0x40000000}, {"RESERVED", 0x80000000},
	} {
		add("FS_"+f.name+"_FL", f.v)
	}
	add("FS_FL_USER_VISIBLE", 0x0003DFFF)
	add("FS_FL_USER_MODIFIABLE", 0x000380FF)
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"REALTIME", 0x1}, {"PREALLOC", 0x2}, {"IMMUTABLE", 0x8},
		{"APPEND", 0x10}, {"SYNC", 0x20}, {"NOATIME", 0x40},
		{"NODUMP", 0x80}, {"RTINHERIT", 0x100}, {"PROJINHERIT", 0x200},
		{"NOSYMLINKS", 0x400}, {"EXTSIZE", 0x800},
		{"EXTSZINHERIT", 0x1000}, {"NODEFRAG", 0x2000},
		{"FILESTREAM", 0x4000}, {"DAX", 0x8000}, {"COWEXTSIZE", 0x10000},
		{"HASATTR", 0x80000000},
	} {
		add("FS_XFLAG_"+f.name, f.v)
	}

	// linux/fd.h floppy ioctls. Structure sizes: floppy_struct 32 (LP64)
	// / 28 (ILP32), format_descr 12, floppy_max_errors 20,
	// floppy_drive_name 16, floppy_drive_params 128 / 88,
	// floppy_drive_struct 80 / 52, floppy_fdc_state 40 / 32,
	// floppy_write_errors 40 / 24 (the structures hold longs and pointers
	// and no 64-bit fields, so i386 and arm agree).
	lp64 := func(s64, s32 uint64) uint64 {
		if spec.bits == 64 {
			return s64
		}
		return s32
	}
	add("FDCLRPRM", io(2, 0x41))
	add("FDSETPRM", iow(2, 0x42, lp64(32, 28)))
	add("FDDEFPRM", iow(2, 0x43, lp64(32, 28)))
	add("FDGETPRM", ior(2, 0x04, lp64(32, 28)))
	add("FDMSGON", io(2, 0x45))
	add("FDMSGOFF", io(2, 0x46))
	add("FDFMTBEG", io(2, 0x47))
	add("FDFMTTRK", iow(2, 0x48, 12))
	add("FDFMTEND", io(2, 0x49))
	add("FDSETEMSGTRESH", io(2, 0x4a))
	add("FDFLUSH", io(2, 0x4b))
	add("FDSETMAXERRS", iow(2, 0x4c, 20))
	add("FDGETMAXERRS", ior(2, 0x0e, 20))
	add("FDGETDRVTYP", ior(2, 0x0f, 16))
	add("FDSETDRVPRM", iow(2, 0x90, lp64(128, 88)))
	add("FDGETDRVPRM", ior(2, 0x11, lp64(128, 88)))
	add("FDGETDRVSTAT", ior(2, 0x12, lp64(80, 52)))
	add("FDPOLLDRVSTAT", ior(2, 0x13, lp64(80, 52)))
	add("FDRESET", io(2, 0x54))
	add("FDGETFDCSTAT", ior(2, 0x15, lp64(40, 32)))
	add("FDWERRORCLR", io(2, 0x56))
	add("FDWERRORGET", ior(2, 0x17, lp64(40, 24)))
	add("FDRAWCMD", io(2, 0x58))
	add("FDTWADDLE", io(2, 0x59))
	add("FDEJECT", io(2, 0x5a))

	// linux/net.h: socketcall(2) call numbers.
	for i, n := range []string{
		"SOCKET", "BIND", "CONNECT", "LISTEN", "ACCEPT", "GETSOCKNAME",
		"GETPEERNAME", "SOCKETPAIR", "SEND", "RECV", "SENDTO", "RECVFROM",
		"SHUTDOWN", "SETSOCKOPT", "GETSOCKOPT", "SENDMSG", "RECVMSG",
		"ACCEPT4", "RECVMMSG", "SENDMMSG",
	} {
		add("SYS_"+n, uint64(i+1))
	}

	// unistd.h: access(2) modes.
	add("R_OK", 4)
	add("W_OK", 2)
	add("X_OK", 1)

	// asm-generic/signal-defs.h (x86 and arm agree) and the C library's
	// aliases; sigaltstack flags.
	add("SA_NOCLDSTOP", 0x1)
	add("SA_NOCLDWAIT", 0x2)
	add("SA_SIGINFO", 0x4)
	add("SA_ONSTACK", 0x08000000)
	add("SA_RESTART", 0x10000000)
	add("SA_NODEFER", 0x40000000)
	add("SA_RESETHAND", 0x80000000)
	add("SA_NOMASK", 0x40000000)
	add("SA_ONESHOT", 0x80000000)
	add("SA_STACK", 0x08000000)
	add("SA_INTERRUPT", 0x20000000)
	add("SS_ONSTACK", 1)
	add("SS_DISABLE", 2)

	// termios: tcsetattr actions; asm-generic/termios.h modem lines.
	add("TCSANOW", 0)
	add("TCSADRAIN", 1)
	add("TIOCM_OUT1", 0x2000)
	add("TIOCM_OUT2", 0x4000)
	add("TIOCM_LOOP", 0x8000)

	// asm-generic/mman-common.h, linux/mman.h and the C library's
	// posix_madvise advice.
	add("PROT_SEM", 0x8)
	add("MAP_UNINITIALIZED", 0x4000000)
	add("MADV_SOFT_OFFLINE", 101)
	add("PKEY_DISABLE_ACCESS", 0x1)
	add("PKEY_DISABLE_WRITE", 0x2)
	add("HUGETLB_FLAG_ENCODE_SHIFT", 26)
	add("HUGETLB_FLAG_ENCODE_MASK", 0x3f)
	add("OVERCOMMIT_GUESS", 0)
	add("OVERCOMMIT_ALWAYS", 1)
	add("OVERCOMMIT_NEVER", 2)
	for i, n := range []string{"NORMAL", "RANDOM", "SEQUENTIAL", "WILLNEED", "DONTNEED"} {
		add("POSIX_MADV_"+n, uint64(i))
	}

	// linux/loop.h.
	add("LOOP_CHANGE_FD", 0x4C06)
	for _, l := range []struct {
		name string
		v    uint64
	}{
		{"NONE", 0}, {"XOR", 1}, {"DES", 2}, {"FISH2", 3}, {"BLOW", 4},
		{"CAST128", 5}, {"IDEA", 6}, {"DUMMY", 9}, {"SKIPJACK", 10},
		{"CRYPTOAPI", 18},
	} {
		add("LO_CRYPT_"+l.name, l.v)
	}
	add("MAX_LO_CRYPT", 20)

	// linux/sockios.h old spelling; the C library's bits/socket.h.
	add("SIOGIFINDEX", 0x8933)
	add("SOL_BLUETOOTH", 274)

	// linux/limits.h.
	add("NGROUPS_MAX", 65536)
	add("ARG_MAX", 131072)
	add("LINK_MAX", 127)
	add("MAX_CANON", 255)
	add("MAX_INPUT", 255)
	add("PIPE_BUF", 4096)
	add("XATTR_NAME_MAX", 255)
	add("XATTR_SIZE_MAX", 65536)
	add("XATTR_LIST_MAX", 65536)

	// linux/prctl.h: PR_SET_SYSCALL_USER_DISPATCH selector values.
	add("SYSCALL_DISPATCH_FILTER_ALLOW", 0)
	add("SYSCALL_DISPATCH_FILTER_BLOCK", 1)

	// asm-generic/siginfo.h (and the C library's bits/siginfo-consts.h):
	// si_code values, the same on all five targets. The SI_ codes below
	// zero are negative ints.
	neg := func(v int64) uint64 { return uint64(v) }
	add("SI_USER", 0)
	add("SI_KERNEL", 0x80)
	add("SI_QUEUE", neg(-1))
	add("SI_TIMER", neg(-2))
	add("SI_MESGQ", neg(-3))
	add("SI_ASYNCIO", neg(-4))
	add("SI_SIGIO", neg(-5))
	add("SI_TKILL", neg(-6))
	add("SI_DETHREAD", neg(-7))
	add("SI_ASYNCNL", neg(-60))
	codes := func(prefix string, names ...string) {
		for i, n := range names {
			if n != "" {
				add(prefix+n, uint64(i+1))
			}
		}
	}
	codes("ILL_", "ILLOPC", "ILLOPN", "ILLADR", "ILLTRP", "PRVOPC", "PRVREG", "COPROC", "BADSTK", "BADIADDR")
	codes("FPE_", "INTDIV", "INTOVF", "FLTDIV", "FLTOVF", "FLTUND", "FLTRES", "FLTINV", "FLTSUB", "", "", "", "", "", "FLTUNK", "CONDTRAP")
	codes("SEGV_", "MAPERR", "ACCERR", "BNDERR", "PKUERR", "ACCADI", "ADIDERR", "ADIPERR", "MTEAERR", "MTESERR", "CPERR")
	codes("BUS_", "ADRALN", "ADRERR", "OBJERR", "MCEERR_AR", "MCEERR_AO")
	codes("CLD_", "EXITED", "KILLED", "DUMPED", "TRAPPED", "STOPPED", "CONTINUED")
	codes("POLL_", "IN", "OUT", "MSG", "ERR", "PRI", "HUP")
	add("SIGEV_SIGNAL", 0)
	add("SIGEV_NONE", 1)
	add("SIGEV_THREAD", 2)
	add("SIGEV_THREAD_ID", 4)
	// The C library's signal.h and sys/resource.h.
	add("NSIG", 65)
	add("PRIO_MAX", 20)
	add("RLIMIT_NLIMITS", 16)
	add("RLIM_NLIMITS", 16)

	// linux/kcmp.h.
	for i, n := range []string{"FILE", "VM", "FILES", "FS", "SIGHAND", "IO", "SYSVSEM", "EPOLL_TFD", "TYPES"} {
		add("KCMP_"+n, uint64(i))
	}

	// linux/ioprio.h.
	for i, n := range []string{"NONE", "RT", "BE", "IDLE"} {
		add("IOPRIO_CLASS_"+n, uint64(i))
	}
	add("IOPRIO_CLASS_INVALID", 7)
	add("IOPRIO_CLASS_SHIFT", 13)
	add("IOPRIO_CLASS_MASK", 0x07)
	add("IOPRIO_PRIO_MASK", 1<<13-1)
	add("IOPRIO_NR_LEVELS", 8)
	add("IOPRIO_BE_NR", 8)
	add("IOPRIO_NORM", 4)
	add("IOPRIO_BE_NORM", 4)
	add("IOPRIO_WHO_PROCESS", 1)
	add("IOPRIO_WHO_PGRP", 2)
	add("IOPRIO_WHO_USER", 3)

	// linux/membarrier.h.
	for _, m := range []struct {
		name string
		v    uint64
	}{
		{"QUERY", 0}, {"GLOBAL", 1}, {"SHARED", 1}, {"GLOBAL_EXPEDITED", 2},
		{"REGISTER_GLOBAL_EXPEDITED", 4}, {"PRIVATE_EXPEDITED", 8},
		{"REGISTER_PRIVATE_EXPEDITED", 16},
		{"PRIVATE_EXPEDITED_SYNC_CORE", 32},
		{"REGISTER_PRIVATE_EXPEDITED_SYNC_CORE", 64},
		{"PRIVATE_EXPEDITED_RSEQ", 128},
		{"REGISTER_PRIVATE_EXPEDITED_RSEQ", 256},
		{"GET_REGISTRATIONS", 512},
	} {
		add("MEMBARRIER_CMD_"+m.name, m.v)
	}
	add("MEMBARRIER_CMD_FLAG_CPU", 1)

	// linux/userfaultfd.h: the uffdio structures hold only __u64/__s64
	// fields, so their sizes are the same on every target: uffdio_range
	// 16, uffdio_api 24, uffdio_register 32, uffdio_copy 40,
	// uffdio_zeropage 32, uffdio_writeprotect 24, uffdio_continue 32,
	// uffdio_poison 32, uffdio_move 40.
	const uffd = 0xAA
	add("UFFDIO", uffd)
	add("USERFAULTFD_IOC", uffd)
	add("USERFAULTFD_IOC_NEW", io(uffd, 0x00))
	add("UFFD_USER_MODE_ONLY", 1)
	add("UFFDIO_REGISTER", iowr(uffd, 0x00, 32))
	add("UFFDIO_UNREGISTER", ior(uffd, 0x01, 16))
	add("UFFDIO_WAKE", ior(uffd, 0x02, 16))
	add("UFFDIO_COPY", iowr(uffd, 0x03, 40))
	add("UFFDIO_ZEROPAGE", iowr(uffd, 0x04, 32))
	add("UFFDIO_MOVE", iowr(uffd, 0x05, 40))
	add("UFFDIO_WRITEPROTECT", iowr(uffd, 0x06, 24))
	add("UFFDIO_CONTINUE", iowr(uffd, 0x07, 32))
	add("UFFDIO_POISON", iowr(uffd, 0x08, 32))
	add("UFFDIO_API", iowr(uffd, 0x3F, 24))

	// linux/futex.h.
	const private, clockRT = 128, 256
	futexOps := []struct {
		name string
		op   uint64
	}{
		{"WAIT", 0}, {"WAKE", 1}, {"FD", 2}, {"REQUEUE", 3},
		{"CMP_REQUEUE", 4}, {"WAKE_OP", 5}, {"LOCK_PI", 6},
		{"UNLOCK_PI", 7}, {"TRYLOCK_PI", 8}, {"WAIT_BITSET", 9},
		{"WAKE_BITSET", 10}, {"WAIT_REQUEUE_PI", 11},
		{"CMP_REQUEUE_PI", 12}, {"LOCK_PI2", 13},
	}
	for _, f := range futexOps {
		add("FUTEX_"+f.name, f.op)
		if f.name != "FD" { // the header has no FUTEX_FD_PRIVATE
			add("FUTEX_"+f.name+"_PRIVATE", f.op|private)
		}
	}
	add("FUTEX_PRIVATE_FLAG", private)
	add("FUTEX_CLOCK_REALTIME", clockRT)
	add("FUTEX_CMD_MASK", ^uint64(private|clockRT)) // ~(...) of an int
	add("FUTEX_32", 2)
	add("FUTEX_WAITV_MAX", 128)
	add("FUTEX_WAITERS", 0x80000000)
	add("FUTEX_OWNER_DIED", 0x40000000)
	add("FUTEX_TID_MASK", 0x3fffffff)
	add("FUTEX_BITSET_MATCH_ANY", 0xffffffff)
	for i, n := range []string{"SET", "ADD", "OR", "ANDN", "XOR"} {
		add("FUTEX_OP_"+n, uint64(i))
	}
	add("FUTEX_OP_OPARG_SHIFT", 8)
	for i, n := range []string{"EQ", "NE", "LT", "LE", "GT", "GE"} {
		add("FUTEX_OP_CMP_"+n, uint64(i))
	}

	// asm/prctl.h (x86 only): arch_prctl codes.
	if x86 {
		add("ARCH_SET_GS", 0x1001)
		add("ARCH_SET_FS", 0x1002)
		add("ARCH_GET_FS", 0x1003)
		add("ARCH_GET_GS", 0x1004)
		add("ARCH_GET_CPUID", 0x1011)
		add("ARCH_SET_CPUID", 0x1012)
		add("ARCH_GET_XCOMP_SUPP", 0x1021)
		add("ARCH_GET_XCOMP_PERM", 0x1022)
		add("ARCH_REQ_XCOMP_PERM", 0x1023)
		add("ARCH_GET_XCOMP_GUEST_PERM", 0x1024)
		add("ARCH_REQ_XCOMP_GUEST_PERM", 0x1025)
		add("ARCH_XCOMP_TILECFG", 17)
		add("ARCH_XCOMP_TILEDATA", 18)
		add("ARCH_MAP_VDSO_X32", 0x2001)
		add("ARCH_MAP_VDSO_32", 0x2002)
		add("ARCH_MAP_VDSO_64", 0x2003)
		add("ARCH_GET_UNTAG_MASK", 0x4001)
		add("ARCH_ENABLE_TAGGED_ADDR", 0x4002)
		add("ARCH_GET_MAX_TAG_BITS", 0x4003)
		add("ARCH_FORCE_TAGGED_SVA", 0x4004)
		add("ARCH_SHSTK_ENABLE", 0x5001)
		add("ARCH_SHSTK_DISABLE", 0x5002)
		add("ARCH_SHSTK_LOCK", 0x5003)
		add("ARCH_SHSTK_UNLOCK", 0x5004)
		add("ARCH_SHSTK_STATUS", 0x5005)
		add("ARCH_SHSTK_SHSTK", 1<<0)
		add("ARCH_SHSTK_WRSS", 1<<1)
	}
	return out
}

// aliases lists C names defined as another name, as {alias, target}; the
// target's value on the architecture is used.
var aliases = [][2]string{
	// The C library's fcntl.h (BSD names of the O_ flags).
	{"FAPPEND", "O_APPEND"},
	{"FASYNC", "O_ASYNC"},
	{"FFSYNC", "O_FSYNC"},
	{"FNONBLOCK", "O_NONBLOCK"},
	{"FNDELAY", "O_NDELAY"},
	// The C library's sys/resource.h.
	{"RLIMIT_OFILE", "RLIMIT_NOFILE"},
	{"RLIM_SAVED_CUR", "RLIM_INFINITY"},
	{"RLIM_SAVED_MAX", "RLIM_INFINITY"},
}
