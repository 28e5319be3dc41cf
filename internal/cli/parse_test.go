package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	minijail "github.com/minijail-go/minijail"
)

var testEnv = Env{Environ: []string{"A=1", "PATH=/bin"}, UID: 1000, GID: 1001}

func parse(t *testing.T, env Env, args ...string) (*Plan, error) {
	t.Helper()
	return Parse(append([]string{"minijail0"}, args...), env)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestParseBuildsJail checks each option against the jail built with the
// package's methods directly.
func TestParseBuildsJail(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   *Env
		build func(t *testing.T, j *minijail.Jail)
	}{
		{"nothing", []string{"prog"}, nil, func(t *testing.T, j *minijail.Jail) { j.NoNewPrivs() }},
		{"user group caps nnp", []string{"-u", "nobody", "-g", "nogroup", "-c", "0", "-n", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.ChangeUser("nobody"))
			must(t, j.ChangeGroup("nogroup"))
			j.UseCaps(0)
			j.NoNewPrivs()
		}},
		{"numeric ids", []string{"-u65534", "-g", "65534", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.ChangeUID(65534))
			must(t, j.ChangeGID(65534))
			j.NoNewPrivs()
		}},
		{"-G after -u", []string{"-G", "-u", "daemon", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.ChangeUser("daemon"))
			must(t, j.InheritUsergroups())
			j.NoNewPrivs()
		}},
		{"-y", []string{"-y", "-u", "nobody", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.ChangeUser("nobody"))
			must(t, j.KeepSupplementaryGIDs())
			j.NoNewPrivs()
		}},
		{"add-suppl-group", []string{"--add-suppl-group", "nogroup", "--add-suppl-group=4", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.AddSupplementaryGroup("nogroup"))
			must(t, j.AddSupplementaryGroup("4"))
			j.NoNewPrivs()
		}},
		{"caps text ambient securebits", []string{"-c", "cap_net_raw,cap_net_admin=e", "--ambient", "-B", "0x21", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.UseCaps(0x3000)
			j.SetAmbientCaps()
			j.SkipSettingSecurebits(0x21)
			j.NoNewPrivs()
		}},
		{"no default runtime", []string{"--no-default-runtime-environment", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {}},
		{"strict", []string{"-s", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.UseSeccomp()
			j.NoNewPrivs()
		}},
		{"rlimits", []string{"-R", "RLIMIT_NOFILE,10,0x20", "-R4,unlimited,unlimited", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.Rlimit(7, 10, 32))
			must(t, j.Rlimit(4, rlimInfinity, rlimInfinity))
			j.NoNewPrivs()
		}},
		{"env reset add", []string{"--env-reset", "--env-add", "A=2", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.SetEnv([]string{"A=2"})
			j.NoNewPrivs()
		}},
		{"env add replaces", []string{"--env-add", "A=2", "--env-add=B=x=y", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.SetEnv([]string{"A=2", "PATH=/bin", "B=x=y"})
			j.NoNewPrivs()
		}},
		{"env add then reset", []string{"--env-add", "A=2", "--env-reset", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.SetEnv([]string{})
			j.NoNewPrivs()
		}},
		{"preserve fd keyring pid file logging", []string{"--preserve-fd", "2", "-w", "-f", "/run/x.pid", "--logging", "stderr", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.PreserveFD(2, 2))
			j.NewSessionKeyring()
			j.WritePIDFile("/run/x.pid")
			must(t, j.SetLogging("stderr"))
			j.NoNewPrivs()
		}},
		{"terminal gets a session", []string{"prog"}, &Env{Terminal: true}, func(t *testing.T, j *minijail.Jail) {
			j.NoNewPrivs()
			j.NewSession()
		}},
		{"no new sessions", []string{"--no-new-sessions", "prog"}, &Env{Terminal: true}, func(t *testing.T, j *minijail.Jail) {
			j.NoNewPrivs()
		}},
		{"-v", []string{"-v", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NamespaceVFS()
			must(t, j.RemountMode("slave"))
			j.NoNewPrivs()
		}},
		{"-vK", []string{"-vK", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NamespaceVFS()
			must(t, j.RemountMode("slave"))
			j.SkipRemountPrivate()
			j.NoNewPrivs()
		}},
		{"-Kprivate before -v", []string{"-Kprivate", "--ns-mount", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NamespaceVFS()
			must(t, j.RemountMode("private"))
			j.NoNewPrivs()
		}},
		{"namespaces", []string{"-plNe", "--uts=box", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NamespacePIDs()
			j.NamespaceIPC()
			j.NamespaceCgroups()
			j.NamespaceNet()
			j.NamespaceUTS()
			must(t, j.SetHostname("box"))
			j.NoNewPrivs()
		}},
		{"join namespaces", []string{"-e/run/netns/x", "-V", "/proc/1/ns/mnt", "-I", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NamespaceEnterNet("/run/netns/x")
			j.NamespaceEnterVFS("/proc/1/ns/mnt")
			j.NamespacePIDs()
			j.RunAsInit()
			j.NoNewPrivs()
		}},
		{"bare maps", []string{"-m", "-M", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NoNewPrivs()
			j.NamespaceUser()
			j.NamespacePIDs()
			j.UIDMap("0 1000 1")
			j.GIDMap("0 1001 1")
		}},
		{"bare maps with user", []string{"-u", "daemon", "-M", "-m", "-U", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.ChangeUser("daemon"))
			j.NamespaceUser()
			j.NamespacePIDs()
			j.NoNewPrivs()
			j.UIDMap("1 1000 1")
			j.GIDMap("1 1001 1")
		}},
		{"group after user for bare -M", []string{"-u", "daemon", "-g", "nogroup", "-M", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.ChangeUser("daemon"))
			must(t, j.ChangeGroup("nogroup"))
			j.NoNewPrivs()
			j.NamespaceUser()
			j.NamespacePIDs()
			j.GIDMap("65534 1001 1")
		}},
		{"explicit maps", []string{"-m0 1000 1,1 100000 100", "-M0 1001 1", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NoNewPrivs()
			j.NamespaceUser()
			j.NamespacePIDs()
			j.UIDMap("0 1000 1,1 100000 100")
			j.GIDMap("0 1001 1")
		}},
		{"mounts", []string{"-v", "-b", "/a", "--bind-mount=/b,/c,1", "-b/d,,0", "-k", "none,/tmp,tmpfs,0xe,mode=0755,uid=10", "--mount", "/x,/y,none,MS_BIND|MS_REC", "-k", "proc,/proc,proc", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.NamespaceVFS()
			must(t, j.RemountMode("slave"))
			must(t, j.Bind("/a", "/a", false))
			must(t, j.Bind("/b", "/c", true))
			must(t, j.Bind("/d", "/d", false))
			must(t, j.Mount("none", "/tmp", "tmpfs", 0xe, "mode=0755,uid=10"))
			must(t, j.Mount("/x", "/y", "none", 4096|16384, ""))
			must(t, j.Mount("proc", "/proc", "proc", 2|4|8, ""))
			j.NoNewPrivs()
		}},
		{"chroot and friends", []string{"-C", "/srv/root", "-r", "-t", "-d", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.EnterChroot("/srv/root"))
			j.RemountProcReadonly()
			j.NamespaceVFS()
			j.NamespaceVFS()
			j.MountDev()
			j.NoNewPrivs()
			j.MountTmp(64 << 20)
		}},
		{"pivot root, sized tmp kept", []string{"-P", "/srv/root", "-t1M", "-t", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			must(t, j.EnterPivotRoot("/srv/root"))
			j.NamespaceVFS()
			j.NoNewPrivs()
			j.MountTmp(1 << 20)
		}},
		{"static, no forwarding, -i", []string{"-T", "static", "-Tdynamic", "-z", "-i", "prog"}, nil, func(t *testing.T, j *minijail.Jail) {
			j.Detach()
			j.NoNewPrivs()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv
			if tc.env != nil {
				env = *tc.env
			}
			plan, err := parse(t, env, tc.args...)
			if err != nil {
				t.Fatalf("%q: %v", tc.args, err)
			}
			want := minijail.New()
			tc.build(t, want)
			if !reflect.DeepEqual(plan.Jail, want) {
				t.Errorf("%q:\n got %+v\nwant %+v", tc.args, plan.Jail, want)
			}
			if plan.Action != ActionRun || plan.Path != "prog" || len(plan.Argv) != 1 || plan.Argv[0] != "prog" {
				t.Errorf("%q: plan %+v", tc.args, plan)
			}
		})
	}
}

func TestParsePlan(t *testing.T) {
	plan, err := parse(t, testEnv, "-z", "-i", "--", "/bin/echo", "-u", "x")
	if err != nil {
		t.Fatal(err)
	}
	if plan.ForwardSignals || !plan.ExitImmediately || plan.Path != "/bin/echo" ||
		!reflect.DeepEqual(plan.Argv, []string{"/bin/echo", "-u", "x"}) {
		t.Errorf("plan %+v", plan)
	}
	plan, err = parse(t, testEnv, "/bin/echo", "-z")
	if err != nil || !plan.ForwardSignals || plan.ExitImmediately || len(plan.Argv) != 2 {
		t.Errorf("plan %+v, %v", plan, err)
	}
	for _, args := range [][]string{{"-h"}, {"--help", "-x"}, {"-n", "--he"}} {
		plan, err = parse(t, testEnv, args...)
		if err != nil || plan.Action != ActionHelp {
			t.Errorf("%q: %+v %v", args, plan, err)
		}
	}
	plan, err = parse(t, testEnv, "-H")
	if err != nil || plan.Action != ActionSyscalls {
		t.Errorf("-H: %+v %v", plan, err)
	}
}

func TestSeccompOptions(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "p.policy")
	must(t, os.WriteFile(pol, []byte("read: 1\nwrite: 1\nexit_group: 1\n"), 0o644))
	plan, err := parse(t, testEnv, "-S", pol, "-Y", "--allow-speculative-execution", "prog")
	if err != nil {
		t.Fatal(err)
	}
	if prog, err := plan.Jail.SeccompProgram(); err != nil || len(prog) == 0 {
		t.Fatalf("no filter: %v", err)
	}
	bad := filepath.Join(dir, "bad.policy")
	must(t, os.WriteFile(bad, []byte("read: 1\nnot_a_syscall: 1\n"), 0o644))
	_, err = parse(t, testEnv, "-S", bad, "prog")
	if err == nil || !strings.Contains(err.Error(), bad+":2") {
		t.Fatalf("bad policy: %v", err)
	}
	// A filter replaces the default no_new_privs: compare with a jail that
	// has the same filter but no -n.
	bin := filepath.Join(dir, "f.bpf")
	// ret ALLOW
	must(t, os.WriteFile(bin, []byte{0x06, 0, 0, 0, 0, 0, 0xff, 0x7f}, 0o644))
	plan, err = parse(t, testEnv, "--seccomp-bpf-binary", bin, "prog")
	if err != nil {
		t.Fatal(err)
	}
	want := minijail.New()
	want.UseSeccompFilter()
	must(t, want.SetSeccompBPFBinary(bin))
	if !reflect.DeepEqual(plan.Jail, want) {
		t.Errorf("--seccomp-bpf-binary: got %+v want %+v", plan.Jail, want)
	}
	must(t, os.WriteFile(bin, []byte{1, 2, 3}, 0o644))
	if _, err = parse(t, testEnv, "--seccomp-bpf-binary", bin, "prog"); err == nil || !strings.Contains(err.Error(), bin) {
		t.Errorf("short filter: %v", err)
	}
}

// TestBadInput checks that every bad command line fails with a message
// naming what is wrong.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"-x", "prog"}, "invalid option -- 'x'", true},
		{[]string{"--foo", "prog"}, "unrecognized option '--foo'", true},
		{[]string{"--no", "prog"}, "option '--no' is ambiguous", true},
		{[]string{"-u"}, "option requires an argument -- 'u'", true},
		{[]string{"--env-reset=1", "prog"}, "option '--env-reset' doesn't allow an argument", true},
		{[]string{"-n"}, "no program to run", true},
		{[]string{}, "no program to run", true},
		{[]string{"-u", "no_such_user_mj", "prog"}, "no_such_user_mj", false},
		{[]string{"-g", "no_such_group_mj", "prog"}, "no_such_group_mj", false},
		{[]string{"-u", "0", "prog"}, "-u 0: change uid: useless change to id 0", false},
		{[]string{"-g", "0", "prog"}, "-g 0: change gid: useless change to id 0", false},
		{[]string{"-u", "root", "prog"}, "useless change to id 0", false},
		{[]string{"-g", "root", "prog"}, "useless change to id 0", false},
		{[]string{"-u", "nobody", "-u", "daemon", "prog"}, "-u given more than once", false},
		{[]string{"-g", "1", "-g", "2", "prog"}, "-g given more than once", false},
		{[]string{"--add-suppl-group", "no_such_group_mj", "prog"}, "no_such_group_mj", false},
		{[]string{"-G", "prog"}, "-G: inherit user groups: needs a user name", false},
		{[]string{"-u", "65534", "-G", "prog"}, "needs a user name", false},
		{[]string{"-G", "-y", "prog"}, "-y and -G cannot be combined", false},
		{[]string{"-y", "-G", "prog"}, "-G and -y cannot be combined", false},
		{[]string{"-y", "--add-suppl-group", "nogroup", "prog"}, "--add-suppl-group cannot be combined with -G or -y", false},
		{[]string{"-c", "cap_bogus=e", "prog"}, `-c cap_bogus=e: invalid capability set "cap_bogus=e": unknown capability "cap_bogus"`, false},
		{[]string{"-c", "xyz", "prog"}, `invalid capability set "xyz"`, false},
		{[]string{"--ambient", "prog"}, "--ambient needs -c", false},
		{[]string{"-B", "0xzz", "prog"}, `invalid securebits mask "0xzz"`, false},
		{[]string{"-R", "RLIMIT_BOGUS,1,2", "prog"}, "RLIMIT_BOGUS", false},
		{[]string{"-R", "RLIMIT_NOFILE,1", "prog"}, `bad rlimit "RLIMIT_NOFILE,1"`, false},
		{[]string{"-R", "RLIMIT_NOFILE,2,1", "prog"}, "soft limit is above the hard limit", false},
		{[]string{"-R", "7,1,2", "-R", "RLIMIT_NOFILE,1,2", "prog"}, "-R RLIMIT_NOFILE,1,2: rlimit 7: set twice", false},
		{[]string{"-T", "shared", "prog"}, `ELF type must be 'static' or 'dynamic', not "shared"`, false},
		{[]string{"--logging", "journal", "prog"}, `--logging must be 'auto', 'syslog' or 'stderr', not "journal"`, false},
		{[]string{"--env-add", "FOO", "prog"}, `expected NAME=value, got "FOO"`, false},
		{[]string{"--env-add", "=x", "prog"}, `empty variable name in "=x"`, false},
		{[]string{"--preserve-fd", "three", "prog"}, `--preserve-fd wants a file descriptor number, not "three"`, false},
		{[]string{"--preserve-fd", "987", "prog"}, "preserve fd 987", false},
		{[]string{"-s", "-S", "/x.policy", "prog"}, "-s, -S and --seccomp-bpf-binary cannot be combined", false},
		{[]string{"-S", "/x.policy", "--seccomp-bpf-binary", "/x.bpf", "prog"}, "cannot be combined", false},
		{[]string{"--seccomp-bpf-binary", "/x.bpf", "-L", "prog"}, "-L does not work with --seccomp-bpf-binary", false},
		{[]string{"-L", "--seccomp-bpf-binary", "/x.bpf", "prog"}, "-L does not work with --seccomp-bpf-binary", false},
		{[]string{"-S", filepath.Join(dir, "missing.policy"), "prog"}, "missing.policy", false},
		{[]string{"-a", "android", "prog"}, "-a android: alternate syscall tables need a ChromeOS kernel patch", false},
		{[]string{"--preload-library", "/lib/x.so", "prog"}, "there is no preload library", false},
		{[]string{"--fs-path-rx", "/usr", "prog"}, "--fs-path-rx is not supported yet", false},
		{[]string{"--fs-path-ro=/usr", "prog"}, "--fs-path-ro is not supported yet", false},
		{[]string{"--fs-path-rw", "/usr", "prog"}, "--fs-path-rw is not supported yet", false},
		{[]string{"--fs-path-advanced-rw", "/usr", "prog"}, "--fs-path-advanced-rw is not supported yet", false},
		{[]string{"--fs-default-paths", "prog"}, "--fs-default-paths is not supported yet", false},
		{[]string{"--no-fs-restrictions", "prog"}, "--no-fs-restrictions is not supported yet", false},
		{[]string{"--enable-profile-fs-restrictions", "prog"}, "--enable-profile-fs-restrictions is not supported yet", false},
		{[]string{"--landlock-abi", "3", "prog"}, "--landlock-abi is not supported yet", false},
		{[]string{"--landlock-abi", "-1", "prog"}, "non-negative integer", false},
		{[]string{"-b", "/a", "prog"}, "bind mounts (-b) need -C, -P or a new mount namespace (-v)", false},
		{[]string{"-v", "-b", "a/b", "prog"}, "must be an absolute path", false},
		{[]string{"-v", "-b", "/a,/b,2", "prog"}, `WRITABLE must be 0 or 1, not "2"`, false},
		{[]string{"-v", "-b", "/a,/b,1,x", "prog"}, `bad bind mount "/a,/b,1,x"`, false},
		{[]string{"-v", "-b", ",/b", "prog"}, `bad bind mount ",/b"`, false},
		{[]string{"-k", "none,/tmp", "prog"}, `bad mount "none,/tmp"`, false},
		{[]string{"-k", "none,/tmp,tmpfs,MS_BOGUS", "prog"}, "MS_BOGUS", false},
		{[]string{"-k", "/a,/b,none,MS_BIND,x", "prog"}, "no data may follow the flags of a bind mount", false},
		{[]string{"-K", "prog"}, "-K changes how / is remounted in a new mount namespace and needs -v", false},
		{[]string{"-v", "-Kweird", "prog"}, `unknown remount mode "weird"`, false},
		{[]string{"-C", "/a", "-P", "/b", "prog"}, "-P cannot be combined with -C", false},
		{[]string{"-P", "/a", "-C", "/b", "prog"}, "-C cannot be combined with -P", false},
		{[]string{"-C", "rel", "prog"}, "must be an absolute path", false},
		{[]string{"-t1Q", "prog"}, "invalid /tmp size", false},
		{[]string{"--profile", "maximal", "prog"}, `unknown profile "maximal"`, false},
		{[]string{"--uts=", "prog"}, `--uts "": hostname`, false},
		{[]string{"--no-new-sessions", "-p", "prog"}, "--no-new-sessions cannot be used with a new pid namespace", false},
		{[]string{"--config", filepath.Join(dir, "none.conf"), "prog"}, "none.conf", false},
	}
	for _, tc := range tests {
		_, err := parse(t, testEnv, tc.args...)
		if err == nil {
			t.Errorf("%q: no error", tc.args)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %q, want it to contain %q", tc.args, err, tc.want)
		}
		var ue *UsageError
		if errors.As(err, &ue) != tc.usage {
			t.Errorf("%q: usage error = %v, want %v", tc.args, !tc.usage, tc.usage)
		}
	}
}

// FuzzParse runs whole command lines through the parser: it must return a
// plan or an error, never panic, and never touch the file system (the
// --gen-config and --config arguments the fuzzer makes up are not in a
// directory it may write to).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"-u\x00nobody\x00-g\x00nogroup\x00-c\x000\x00-n\x00--\x00/bin/true",
		"-vpr\x00-t64M\x00-m0 1000 1\x00--uts=x\x00prog",
		"--gen-config\x00/proc/none/x\x00-u\x00a\x00-b\x00/a,/b,1",
		"-R\x00RLIMIT_NOFILE,1,2\x00--env-add\x00A=B\x00prog",
		"-k\x00none,/tmp,tmpfs,0xe,mode=0755\x00-K\x00-v\x00x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := append([]string{"minijail0"}, strings.Split(joined, "\x00")...)
		for _, a := range args {
			// Keep the fuzzer away from real files and fds it could
			// change or block on.
			if strings.Contains(a, "config") || strings.Contains(a, "-f") || strings.Contains(a, "-S") ||
				strings.Contains(a, "seccomp-bpf") || strings.Contains(a, "preserve") {
				return
			}
		}
		plan, err := Parse(args, testEnv)
		if err == nil && plan == nil {
			t.Fatal("no plan and no error")
		}
		if err == nil && plan.Action == ActionRun && (plan.Jail == nil || plan.Path == "" || plan.Argv[0] != plan.Path) {
			t.Fatalf("bad plan %+v", plan)
		}
	})
}
