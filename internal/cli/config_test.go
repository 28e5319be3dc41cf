package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	h := configHeader + "\n"
	tests := []struct {
		name string
		in   string
		want []ConfigEntry
		err  string
	}{
		{"header only", h, nil, ""},
		{"header without newline", configHeader, nil, ""},
		{"entries", h + "\n# comment\nu = nobody\n  ns-mount  \n\tbind-mount=/a,/b,1\nenv-add = A=B = C \n", []ConfigEntry{
			{Key: "u", Value: "nobody", HasValue: true, Line: 4},
			{Key: "ns-mount", Line: 5},
			{Key: "bind-mount", Value: "/a,/b,1", HasValue: true, Line: 6},
			{Key: "env-add", Value: "A=B = C", HasValue: true, Line: 7},
		}, ""},
		{"continuations", h + "mount = none,/tmp,tmpfs,\\\n  0xe,mode=0755\np\\\n\n#a\\\nb = c\nl", []ConfigEntry{
			{Key: "mount", Value: "none,/tmp,tmpfs,   0xe,mode=0755", HasValue: true, Line: 2},
			{Key: "p", Line: 4},
			{Key: "l", Line: 8},
		}, ""},
		{"no header", "u = nobody\n", nil, ":1: the first line must be"},
		{"empty file", "", nil, ":1: the first line must be"},
		{"header with blanks", configHeader + " \n", nil, ":1: the first line must be"},
		{"header v1", "% minijail-config-file v1\n", nil, ":1: the first line must be"},
		{"empty value", h + "\nu =  \n", nil, `:3: "u" has '=' but no value`},
		{"no key", h + " = x\n", nil, `:2: no option name in "= x"`},
		{"continuation at end", h + "u = a\\", nil, ":2: the last line ends with a continuation"},
	}
	for _, tc := range tests {
		got, err := ParseConfig("f.conf", []byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), "f.conf"+tc.err) {
				t.Errorf("%s: error %v, want f.conf%s", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(configHeader + "\n\nu = nobody\nns-mount\n"))
	f.Add([]byte(configHeader + "\nmount = a,\\\nb\n# x\n"))
	f.Add([]byte(configHeader + "\nu =\n"))
	f.Add([]byte("% minijail-config-file v0"))
	for _, g := range goldenNames(f) {
		b, err := os.ReadFile(filepath.Join("testdata", "genconfig", g+".golden"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseConfig("fuzz.conf", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "fuzz.conf" {
				t.Fatalf("error of the wrong kind: %v", err)
			}
			return
		}
		// What parses can be written back and parses the same.
		var b bytes.Buffer
		b.WriteString(configHeader + "\n")
		for _, e := range entries {
			if e.Key == "" || strip(e.Key) != e.Key || (e.HasValue && (e.Value == "" || strip(e.Value) != e.Value)) {
				t.Fatalf("entry not stripped: %+v", e)
			}
			if strings.ContainsAny(e.Key, "=\n") || strings.Contains(e.Value, "\n") || e.Key[0] == '#' {
				t.Fatalf("bad entry %+v", e)
			}
			if strings.HasSuffix(e.Value, "\\") || (!e.HasValue && strings.HasSuffix(e.Key, "\\")) {
				return // would continue onto the next line when written
			}
			if e.HasValue {
				b.WriteString(e.Key + " = " + e.Value + "\n")
			} else {
				b.WriteString(e.Key + "\n")
			}
		}
		again, err := ParseConfig("fuzz.conf", b.Bytes())
		if err != nil || len(again) != len(entries) {
			t.Fatalf("written back %q: %v %+v", b.String(), err, again)
		}
		for i := range again {
			if again[i].Key != entries[i].Key || again[i].Value != entries[i].Value || again[i].HasValue != entries[i].HasValue {
				t.Fatalf("entry %d: %+v became %+v", i, entries[i], again[i])
			}
		}
	})
}

type genCase struct {
	Name string   `json:"name"`
	Args []string `json:"args"`
}

func genCases(t testing.TB) []genCase {
	b, err := os.ReadFile(filepath.Join("testdata", "genconfig", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []genCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func goldenNames(t testing.TB) []string {
	var names []string
	for _, c := range genCases(t) {
		names = append(names, c.Name)
	}
	return names
}

// TestGenConfigMatchesUpstream checks --gen-config byte for byte against the
// files upstream's minijail0 wrote for the same command lines
// (testdata/genconfig/regen.py), then that reading each file back with
// --config and writing it again gives the same bytes.
func TestGenConfigMatchesUpstream(t *testing.T) {
	for _, c := range genCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "genconfig", c.Name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out.conf")
			var args []string
			for _, a := range c.Args {
				args = append(args, strings.ReplaceAll(a, "OUT", out))
			}
			plan, err := parse(t, testEnv, args...)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Action != ActionGenConfig || plan.GenConfigPath != out {
				t.Fatalf("plan %+v", plan)
			}
			if !bytes.Equal(plan.GenConfig, want) {
				t.Fatalf("got:\n%s\nupstream:\n%s", plan.GenConfig, want)
			}
			in := filepath.Join(t.TempDir(), "in.conf")
			if err := os.WriteFile(in, want, 0o644); err != nil {
				t.Fatal(err)
			}
			plan, err = parse(t, testEnv, "--gen-config", out, "--config", in, "prog")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plan.GenConfig, want) {
				t.Fatalf("read back and written again:\n%s\nwant:\n%s", plan.GenConfig, want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("parsing wrote %s: %v", out, err)
			}
		})
	}
}

// TestGenConfigRecordsOnly checks that options after --gen-config are not
// applied: unknown users and groups, missing files and unsupported options
// are written down, not looked up.
func TestGenConfigRecordsOnly(t *testing.T) {
	plan, err := parse(t, testEnv, "--gen-config", "/x.conf", "-u", "no_such_user_mj", "-g", "no_such_group_mj",
		"--add-suppl-group", "no_such_group_mj", "-G", "-S", "/no/such.policy", "--preserve-fd", "999",
		"--fs-path-rx", "/usr", "-a", "tab", "--preload-library", "/x.so", "-b", "/a", "-K")
	if err != nil {
		t.Fatal(err)
	}
	want := configHeader + "\n\nu = no_such_user_mj\ng = no_such_group_mj\nadd-suppl-group = no_such_group_mj\nG\nS = /no/such.policy\npreserve-fd = 999\nfs-path-rx = /usr\na = tab\npreload-library = /x.so\nbind-mount = /a\nK\n"
	if string(plan.GenConfig) != want {
		t.Errorf("got:\n%s\nwant:\n%s", plan.GenConfig, want)
	}
	// Syntax is still checked.
	for _, args := range [][]string{
		{"--gen-config", "/x.conf", "-R", "RLIMIT_BOGUS,1,2"},
		{"--gen-config", "/x.conf", "-c", "cap_bogus=e"},
		{"--gen-config", "/x.conf", "-u", "a", "-u", "b"},
		{"--gen-config", "/x.conf", "--uts="},
		{"--gen-config", "/x.conf", "--env-add", " A=1"},
	} {
		if _, err := parse(t, testEnv, args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestConfigEquivalence checks that a configuration file configures the
// same jail as the command line it was generated from, and that later
// command-line options still apply.
func TestConfigEquivalence(t *testing.T) {
	lines := [][]string{
		{"-u", "nobody", "-g", "nogroup", "-c", "cap_net_raw=e", "--ambient", "-B", "0x1", "-R", "RLIMIT_NOFILE,64,128", "--env-reset", "--env-add", "X=1"},
		{"-v", "-Kprivate", "-b", "/usr,/usr", "-b", "/tmp,/tmp,1", "-k", "none,/run,tmpfs,MS_NODEV,mode=0700", "-p", "-e", "-l", "--uts=box", "-N", "-r", "-t16M", "-d"},
		{"-U", "-m0 1000 1", "-M", "-u", "daemon", "-y", "-w", "-f", "/run/p.pid", "--logging", "syslog", "-e/run/netns/x", "-V", "/proc/1/ns/mnt"},
		{"--no-default-runtime-environment", "-s", "-C", "/srv", "-z", "-i", "-T", "static"},
	}
	for _, line := range lines {
		conf := filepath.Join(t.TempDir(), "j.conf")
		plan, err := parse(t, testEnv, append([]string{"--gen-config", conf}, line...)...)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if err := os.WriteFile(conf, plan.GenConfig, 0o644); err != nil {
			t.Fatal(err)
		}
		direct, err := parse(t, testEnv, append(line, "prog", "arg")...)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		viaConfig, err := parse(t, testEnv, "--config", conf, "prog", "arg")
		if err != nil {
			t.Fatalf("--config for %q: %v", line, err)
		}
		if !reflect.DeepEqual(direct, viaConfig) {
			t.Errorf("%q:\ndirect %+v\nconfig %+v", line, direct.Jail, viaConfig.Jail)
		}
	}
	// Entries apply where --config is: -n before, -R after.
	conf := filepath.Join(t.TempDir(), "j.conf")
	if err := os.WriteFile(conf, []byte(configHeader+"\nu = nobody\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := parse(t, testEnv, "-n", "--config", conf, "-R", "RLIMIT_CORE,0,0", "prog")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parse(t, testEnv, "-n", "-u", "nobody", "-R", "RLIMIT_CORE,0,0", "prog")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("config in the middle:\n%+v\n%+v", a.Jail, b.Jail)
	}
	// An option given in the file and again on the command line conflicts
	// exactly as it would on the command line.
	if _, err := parse(t, testEnv, "--config", conf, "-u", "daemon", "prog"); err == nil || !strings.Contains(err.Error(), "-u given more than once") {
		t.Errorf("-u in file and on the command line: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := write("other.conf", configHeader+"\nn\n")
	tests := []struct {
		text string
		want string // after "FILE:"
	}{
		{"u = nobody\n", `1: the first line must be "% minijail-config-file v0"`},
		{configHeader + "\nn\nconfig = " + other + "\n", "3: --config: nested configuration files are not allowed"},
		{configHeader + "\nbogus-option\n", `2: unknown option "bogus-option"`},
		{configHeader + "\nx = 1\n", `2: unknown option "x"`},
		{configHeader + "\nhelp-me\n", `2: unknown option "help-me"`},
		{configHeader + "\n\nns-mount = 1\n", `3: option "ns-mount" takes no value`},
		{configHeader + "\nu\n", `2: option "u" needs a value (u = VALUE)`},
		{configHeader + "\nu = no_such_user_mj\n", "2: -u no_such_user_mj: look up user"},
		{configHeader + "\nR = RLIMIT_NOFILE,9,1\n", "2: -R RLIMIT_NOFILE,9,1: rlimit"},
		{configHeader + "\nc = cap_bogus=e\n", `2: -c cap_bogus=e: invalid capability set`},
		{configHeader + "\ng = 0\n", "2: -g 0: change gid: useless change to id 0"},
		{configHeader + "\nfs-path-rw = /x\n", "2: --fs-path-rw is not supported yet"},
		{configHeader + "\nbind-mount = /a,\\\n/b,\\\n", "2: the last line ends with a continuation"},
		{configHeader + "\nu =\n", `2: "u" has '=' but no value`},
	}
	for i, tc := range tests {
		p := write(strings.Repeat("c", i+1)+".conf", tc.text)
		_, err := parse(t, testEnv, "--config", p, "prog")
		if err == nil || !strings.Contains(err.Error(), p+":"+tc.want) {
			t.Errorf("%q: error %v, want %s:%s", tc.text, err, p, tc.want)
		}
	}
	// Short options in files, and the help key.
	p := write("ok.conf", configHeader+"\nh\n")
	if plan, err := parse(t, testEnv, "--config", p); err != nil || plan.Action != ActionHelp {
		t.Errorf("h in a config file: %+v %v", plan, err)
	}
}
