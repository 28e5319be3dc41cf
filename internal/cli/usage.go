package cli

import (
	"fmt"
	"io"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// usageText lists minijail0's options. Options marked "(not supported)" are
// recognised and refused with an explanation.
const usageText = `Usage: minijail0 [options] [--] PROGRAM [ARGS...]

Runs PROGRAM in a jail. Options stop at the first argument that is not an
option (or after "--"); everything after belongs to PROGRAM.

Users and groups:
  -u USER              run as USER (name or number; not 0)
  -g GROUP             run with GROUP as primary group (name or number; not 0)
  -G                   supplementary groups of USER (-u must name a user)
  -y                   keep the caller's supplementary groups
  --add-suppl-group GROUP
                       add GROUP to the supplementary groups (repeatable);
                       -G, -y and --add-suppl-group exclude each other

Privileges:
  -c CAPS              keep only CAPS: a hexadecimal mask or capability text
                       such as cap_net_raw,cap_net_admin=e; the bounding set
                       is reduced to them and they survive execve (ambient)
  --ambient            raise the -c capabilities as ambient (needs -c)
  -B MASK              securebits (hexadecimal mask) not to set with -c
  -n                   set no_new_privs
  --no-default-runtime-environment
                       do not set no_new_privs by default (it is set unless
                       a seccomp filter is given)

Seccomp:
  -S FILE              seccomp policy file, compiled before anything starts
  --seccomp-bpf-binary FILE
                       precompiled filter (struct sock_filter array)
  -L                   log blocked syscalls instead of killing
  -Y                   synchronise the filter across threads (TSYNC)
  --allow-speculative-execution
                       do not ask the kernel for speculation mitigations
  -s                   strict seccomp mode (read, write, exit, sigreturn)
  -H                   print the syscall names of this architecture

Namespaces and mounts:
  -v, --ns-mount       new mount namespace (/ remounted slave)
  -K[MODE]             remount / as MODE (shared, private, slave,
                       unbindable) in the new mount namespace, or leave it
                       as it is with a bare -K; needs -v
  -V FILE              join the mount namespace FILE
  -p                   new pid namespace (implies a read-only /proc)
  -I                   PROGRAM is pid 1 of the new pid namespace
  -e[FILE]             new network namespace (loopback only), or join FILE
  -l                   new IPC namespace
  --uts[=NAME]         new UTS namespace, with hostname NAME
  -N                   new cgroup namespace
  -U                   new user namespace (implies -p)
  -m[MAP], -M[MAP]     uid / gid map "INSIDE OUTSIDE COUNT[,...]"
                       (imply -U); bare: map the -u / -g id to the caller's
  -b, --bind-mount SRC[,DEST[,WRITABLE]]
                       bind SRC at DEST (read-only unless WRITABLE is 1)
  -k, --mount SRC,DEST,TYPE[,FLAGS[,DATA]]
                       mount(2) SRC on DEST; FLAGS as MS_* names or numbers
                       joined by '|'
  -C DIR               chroot into DIR
  -P DIR               pivot_root into DIR (implies -v)
  -r                   fresh read-only /proc
  -t[SIZE]             tmpfs on /tmp (default size 64M)
  -d, --mount-dev      minimal /dev
  --profile NAME       minimalistic-mountns or minimalistic-mountns-nodev

Process:
  -f FILE              write the jailed process's pid to FILE
  -i                   exit 0 as soon as the jail runs; leave it running
  -z                   do not forward signals to the jailed process
  -R TYPE,CUR,MAX      resource limit (RLIMIT_* name or number; numbers in
                       decimal, 0x hex or 0 octal, or "unlimited")
  -T static|dynamic    accepted for compatibility: the jail is always
                       applied before execve
  -w                   join a new session keyring
  --env-reset          start PROGRAM with an empty environment
  --env-add NAME=VALUE add or replace a variable in PROGRAM's environment
  --preserve-fd N      keep descriptor N open (others above 2 are closed)
  --no-new-sessions    do not start a new session when on a terminal
  --logging auto|syslog|stderr
                       where the jail's own messages go

Configuration files:
  --config FILE        read options from FILE (minijail0(5) format); they
                       take effect where --config appears
  --gen-config FILE    write the options to FILE (which must not exist)
                       instead of running anything
  -h, --help           this help

Not supported: -a (alternate syscall tables need a ChromeOS kernel),
--preload-library (nothing is preloaded); not yet: --fs-default-paths,
--fs-path-rx, --fs-path-ro, --fs-path-rw, --fs-path-advanced-rw,
--landlock-abi, --no-fs-restrictions, --enable-profile-fs-restrictions.
`

// WriteUsage writes minijail0's usage.
func WriteUsage(w io.Writer) {
	io.WriteString(w, usageText)
}

// WriteSyscalls writes the syscall table of the host architecture (-H).
func WriteSyscalls(w io.Writer) error {
	a := arch.Host()
	if a == nil {
		return fmt.Errorf("-H: no syscall table for this architecture")
	}
	fmt.Fprintf(w, "Usage: minijail0 -S POLICY_FILE PROGRAM [ARGS...]\n\nSyscall names of %s a policy may use:\n", a.Name)
	for _, name := range a.SyscallNames() {
		nr, _ := a.Syscall(name)
		fmt.Fprintf(w, "  %s [%d]\n", name, nr)
	}
	fmt.Fprintf(w, "\nSee minijail0(5) for the policy language.\n")
	return nil
}
