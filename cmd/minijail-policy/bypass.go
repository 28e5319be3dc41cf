package main

import (
	"fmt"
	"sort"

	"github.com/minijail-go/minijail/seccomp"
)

// kernel32BitArgs lists, per syscall, the arguments the kernel declares as
// 32-bit types (int, unsigned int, pid_t, uid_t, umode_t, ...). On a 64-bit
// architecture seccomp sees all 64 bits the caller put in the register,
// while the kernel uses only the low 32: a filter that compares all 64 bits
// can be steered with the high half (CVE-2019-10063: ioctl's cmd).
var kernel32BitArgs = map[string][]int{
	"ioctl": {0, 1}, "fcntl": {0, 1}, "prctl": {0}, "arch_prctl": {0},
	"socket": {0, 1, 2}, "socketpair": {0, 1, 2}, "setsockopt": {0, 1, 2, 4}, "getsockopt": {0, 1, 2},
	"bind": {0, 2}, "connect": {0, 2}, "listen": {0, 1}, "accept4": {0, 3}, "shutdown": {0, 1},
	"sendto": {0, 3}, "recvfrom": {0, 3}, "sendmsg": {0, 2}, "recvmsg": {0, 2},
	"sendmmsg": {0, 2, 3}, "recvmmsg": {0, 2, 3},
	"open": {1, 2}, "openat": {0, 2, 3}, "creat": {1}, "close": {0}, "read": {0}, "write": {0},
	"pread64": {0}, "pwrite64": {0}, "readv": {0}, "writev": {0}, "lseek": {0, 2},
	"dup": {0}, "dup2": {0, 1}, "dup3": {0, 1, 2}, "pipe2": {1}, "flock": {0, 1},
	"fadvise64": {0, 3}, "fallocate": {0, 1}, "fchmod": {0, 1}, "fchown": {0, 1, 2},
	"faccessat": {0, 2}, "faccessat2": {0, 2, 3}, "fchmodat": {0, 2}, "mkdirat": {0, 2},
	"unlinkat": {0, 2}, "renameat2": {0, 2, 4}, "newfstatat": {0, 3}, "statx": {0, 2, 3},
	"mknodat": {0, 2, 3}, "linkat": {0, 2, 4}, "symlinkat": {1}, "readlinkat": {0},
	"madvise": {2}, "futex": {1, 2}, "kill": {0, 1}, "tkill": {0, 1}, "tgkill": {0, 1, 2},
	"rt_sigaction": {0}, "rt_sigprocmask": {0}, "rt_sigqueueinfo": {0, 1}, "personality": {0},
	"eventfd2": {0, 1}, "epoll_create1": {0}, "epoll_ctl": {0, 1, 2}, "memfd_create": {1},
	"timerfd_create": {0, 1}, "timerfd_settime": {0, 1}, "clock_gettime": {0}, "clock_nanosleep": {0, 1},
	"getpriority": {0, 1}, "setpriority": {0, 1, 2}, "sched_setscheduler": {0, 1},
	"sched_getaffinity": {0}, "sched_setaffinity": {0}, "getrlimit": {0}, "setrlimit": {0},
	"prlimit64": {0, 1}, "setuid": {0}, "setgid": {0}, "setreuid": {0, 1}, "setregid": {0, 1},
	"setresuid": {0, 1, 2}, "setresgid": {0, 1, 2}, "setfsuid": {0}, "setfsgid": {0},
	"inotify_add_watch": {0, 2}, "inotify_init1": {0}, "setns": {0, 1}, "waitid": {0, 1, 3},
	"wait4": {0, 2}, "getrandom": {2}, "keyctl": {0}, "bpf": {0, 2}, "seccomp": {0, 1},
	"perf_event_open": {1, 2, 3}, "signalfd4": {0, 3}, "pidfd_open": {0, 1}, "pidfd_send_signal": {0, 1, 3},
	"mlock2": {2}, "membarrier": {0, 1, 2}, "userfaultfd": {0}, "io_uring_setup": {0},
	"io_uring_enter": {0, 1, 2, 3}, "fsync": {0}, "fdatasync": {0}, "ftruncate": {0},
	"getdents64": {0, 2}, "fstat": {0}, "fstatfs": {0}, "sync_file_range": {0, 3},
	"copy_file_range": {0, 2, 5}, "splice": {0, 2, 5}, "tee": {0, 1, 3}, "fchdir": {0},
}

// executes reports whether an action lets the syscall run.
func executes(a seccomp.Action) bool {
	return a.Kind == seccomp.ActAllow || a.Kind == seccomp.ActLog
}

// bypassWarnings finds conditions of s on arguments the kernel reads as 32
// bits that a caller can defeat with the high half: a value whose low 32
// bits the filter refuses, but which is let through once the high half is
// set. Nothing is reported on 32-bit architectures.
func bypassWarnings(p *seccomp.Policy, s *seccomp.SyscallRules) []string {
	if p.Arch.Bits != 64 || len(s.Rules) == 0 {
		return nil
	}
	narrow := kernel32BitArgs[s.Name]
	if len(narrow) == 0 {
		return nil
	}
	// Candidate low halves per argument, from the policy's constants.
	cands := map[int][]uint64{}
	for _, r := range s.Rules {
		for _, c := range r.All {
			lo := c.Value & 0xffffffff
			cands[c.Arg] = append(cands[c.Arg], lo, (lo+1)&0xffffffff, (lo-1)&0xffffffff, ^lo&0xffffffff)
		}
	}
	bases := [][6]uint64{{}}
	for _, r := range s.Rules {
		b := satisfying([6]uint64{}, r.All)
		for i := range b {
			b[i] &= 0xffffffff
		}
		bases = append(bases, b)
	}
	var out []string
	for _, argi := range narrow {
		vals := append([]uint64{0}, cands[argi]...)
		if len(cands[argi]) == 0 {
			continue
		}
		sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
		found := ""
	search:
		for _, b := range bases {
			for _, lo := range vals {
				in := b
				in[argi] = lo
				honest := p.Evaluate(seccomp.SeccompData{Nr: int32(s.Nr), Arch: p.Arch.AuditArch, Args: in})
				if executes(honest) {
					continue
				}
				for _, hi := range []uint64{1 << 32, 0xffffffff00000000, 1 << 63} {
					in[argi] = lo | hi
					forged := p.Evaluate(seccomp.SeccompData{Nr: int32(s.Nr), Arch: p.Arch.AuditArch, Args: in})
					if executes(forged) {
						found = fmt.Sprintf("arg%d is 32 bits wide in the kernel but the filter compares all 64: "+
							"with arg%d = %#x the call is refused (%s), yet with arg%d = %#x, which the kernel reads as the same %#x, it is let through (%s); "+
							"compare only the low 32 bits or state the allowed values positively",
							argi, argi, lo, actionWords(honest), argi, lo|hi, lo, actionWords(forged))
						break search
					}
				}
			}
		}
		if found != "" {
			out = append(out, found)
		}
	}
	return out
}
