// Code generated from glibc 2.36 (Debian 12) by testdata/regen.py, which runs
// testdata/glibc_getopt.c (getopt_long with minijail0's option table) on
// each line of testdata/cases.txt. DO NOT EDIT.

package getopt

var glibcCases = []glibcCase{
	{[]string{"-vpr", "-ufoo", "-u", "foo", "-e/run/netns/x", "-t64M", "-m0 1000 1", "--uts=NAME", "--uts", "x", "--", "prog"}, `  -v
  -p
  -r
  -u [foo]
  -u [foo]
  -e [/run/netns/x]
  -t [64M]
  -m [0 1000 1]
  --uts [NAME]
  --uts
  rest: [x] [--] [prog]
`},
	{[]string{"--no"}, `minijail0: option '--no' is ambiguous; possibilities: '--no-default-runtime-environment' '--no-fs-restrictions' '--no-new-sessions'
  ERR
  rest:
`},
	{[]string{"--no=x"}, `minijail0: option '--no=x' is ambiguous; possibilities: '--no-default-runtime-environment' '--no-fs-restrictions' '--no-new-sessions'
  ERR
  rest:
`},
	{[]string{"--foo=bar"}, `minijail0: unrecognized option '--foo=bar'
  ERR
  rest:
`},
	{[]string{"--help=x"}, `minijail0: option '--help' doesn't allow an argument
  ERR
  rest:
`},
	{[]string{"--config"}, `minijail0: option '--config' requires an argument
  ERR
  rest:
`},
	{[]string{"-x"}, `minijail0: invalid option -- 'x'
  ERR
  rest:
`},
	{[]string{"-u"}, `minijail0: option requires an argument -- 'u'
  ERR
  rest:
`},
	{[]string{"--fs-path-r=x"}, `minijail0: option '--fs-path-r=x' is ambiguous; possibilities: '--fs-path-rx' '--fs-path-ro' '--fs-path-rw'
  ERR
  rest:
`},
	{[]string{"--mount", "x"}, `  -k [x]
  rest:
`},
	{[]string{"--mount-d"}, `  -d
  rest:
`},
	{[]string{"--he"}, `  -h
  rest:
`},
	{[]string{"-:"}, `minijail0: invalid option -- ':'
  ERR
  rest:
`},
	{[]string{"--uts="}, `  --uts []
  rest:
`},
	{[]string{"--", "-v"}, `  rest: [-v]
`},
	{[]string{"-", "-v"}, `  rest: [-] [-v]
`},
	{[]string{"-e", "x"}, `  -e
  rest: [x]
`},
	{[]string{"--conf", "a", "b"}, `  --config [a]
  rest: [b]
`},
	{[]string{"--ambient=1"}, `minijail0: option '--ambient' doesn't allow an argument
  ERR
  rest:
`},
	{[]string{"-vx", "-p"}, `  -v
minijail0: invalid option -- 'x'
  ERR
  -p
  rest:
`},
	{[]string{"--gen-config="}, `  --gen-config []
  rest:
`},
	{[]string{"-u", "--"}, `  -u [--]
  rest:
`},
	{[]string{"-vu", "nobody", "-g", "nogroup", "/bin/id", "-u"}, `  -v
  -u [nobody]
  -g [nogroup]
  rest: [/bin/id] [-u]
`},
	{[]string{"-vunobody"}, `  -v
  -u [nobody]
  rest:
`},
	{[]string{"--bind-mount=/a,/b,1", "--bind-mount", "/c"}, `  -b [/a,/b,1]
  -b [/c]
  rest:
`},
	{[]string{"-b/a", "-k", "/x,/y,tmpfs"}, `  -b [/a]
  -k [/x,/y,tmpfs]
  rest:
`},
	{[]string{"-K", "-Kslave", "-t", "-M", "-m"}, `  -K
  -K [slave]
  -t
  -M
  -m
  rest:
`},
	{[]string{"-S", "/p", "-L", "-Y", "-H"}, `  -S [/p]
  -L
  -Y
  -H
  rest:
`},
	{[]string{"--env-add", "A=1", "--env-reset", "--env-add=B=2"}, `  --env-add [A=1]
  --env-reset
  --env-add [B=2]
  rest:
`},
	{[]string{"--preserve-fd", "3", "--preserve-fd=4"}, `  --preserve-fd [3]
  --preserve-fd [4]
  rest:
`},
	{[]string{"--logging", "stderr", "--logging=syslog"}, `  --logging [stderr]
  --logging [syslog]
  rest:
`},
	{[]string{"--no-new", "-ns", "-nsv"}, `  --no-new-sessions
  -n
  -s
  -n
  -s
  -v
  rest:
`},
	{[]string{"--seccomp", "-z", "prog", "-z"}, `  --seccomp-bpf-binary [-z]
  rest: [prog] [-z]
`},
	{[]string{"-c", "cap_net_raw,cap_net_admin=e", "-B", "0x1", "-R", "NOFILE,1,2"}, `  -c [cap_net_raw,cap_net_admin=e]
  -B [0x1]
  -R [NOFILE,1,2]
  rest:
`},
	{[]string{"--prof", "minimalistic-mountns", "--pre"}, `  --profile [minimalistic-mountns]
minijail0: option '--pre' is ambiguous; possibilities: '--preload-library' '--preserve-fd'
  ERR
  rest:
`},
	{[]string{"prog", "-v"}, `  rest: [prog] [-v]
`},
	{[]string{"-T", "static", "-Tdynamic", "-w", "-y", "-G", "-I", "-U", "-N", "-l", "-i", "-h"}, `  -T [static]
  -T [dynamic]
  -w
  -y
  -G
  -I
  -U
  -N
  -l
  -i
  -h
  rest:
`},
	{[]string{"-a", "tab", "-C", "/c", "-P", "/p", "-V", "/v", "-f", "/pid", "-d", "-s"}, `  -a [tab]
  -C [/c]
  -P [/p]
  -V [/v]
  -f [/pid]
  -d
  -s
  rest:
`},
	{[]string{"--fs-default-paths", "--fs-path-rx=/a", "--landlock-abi", "3", "--no-fs", "--no-d", "--e", "--en", "--env"}, `  --fs-default-paths
  --fs-path-rx [/a]
  --landlock-abi [3]
  --no-fs-restrictions
  --no-default-runtime-environment
minijail0: option '--e' is ambiguous; possibilities: '--env-add' '--env-reset' '--enable-profile-fs-restrictions'
  ERR
minijail0: option '--en' is ambiguous; possibilities: '--env-add' '--env-reset' '--enable-profile-fs-restrictions'
  ERR
minijail0: option '--env' is ambiguous; possibilities: '--env-add' '--env-reset'
  ERR
  rest:
`},
	{[]string{"--add", "-p"}, `  --add-suppl-group [-p]
  rest:
`},
	{[]string{"--allow-s", "--al"}, `  --allow-speculative-execution
  --allow-speculative-execution
  rest:
`},
	{[]string{"--u=host"}, `  --uts [host]
  rest:
`},
	{[]string{"--ns-mount", "--mount=/a"}, `  -v
  -k [/a]
  rest:
`},
	{[]string{"---x"}, `minijail0: unrecognized option '---x'
  ERR
  rest:
`},
	{[]string{"-"}, `  rest: [-]
`},
	{[]string{"--"}, `  rest:
`},
	{[]string{"-m0 1000 1,1 1001 1", "-M"}, `  -m [0 1000 1,1 1001 1]
  -M
  rest:
`},
	{[]string{"--uts x"}, `minijail0: unrecognized option '--uts x'
  ERR
  rest:
`},
	{[]string{"- v"}, `minijail0: invalid option -- ' '
  ERR
  -v
  rest:
`},
	{[]string{"-e", "-v"}, `  -e
  -v
  rest:
`},
	{[]string{"-t 64M"}, `  -t [ 64M]
  rest:
`},
}
