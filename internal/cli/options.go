// Package cli is minijail0's command line: it parses upstream's options
// (getopt_long semantics, configuration files, --gen-config) into a
// minijail.Jail, then runs the jail and turns the outcome into minijail0's
// exit status.
package cli

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	minijail "github.com/minijail-go/minijail"
	"github.com/minijail-go/minijail/internal/getopt"
	"github.com/minijail-go/minijail/internal/mount"
)

// Action is what minijail0 does once its command line is parsed.
type Action int

// The actions of a parsed command line.
const (
	ActionRun       Action = iota // run the program in the jail
	ActionHelp                    // print the usage to stdout, exit 0
	ActionSyscalls                // print the host's syscall table (-H), exit 0
	ActionGenConfig               // write GenConfig to GenConfigPath (--gen-config), exit 0
)

// Plan is a parsed command line.
type Plan struct {
	Action Action
	Jail   *minijail.Jail // ActionRun: the configured jail
	Path   string         // ActionRun: the program (as execve gets it)
	Argv   []string       // ActionRun: its argv, Argv[0] included

	ExitImmediately bool   // -i: exit 0 once the target runs
	ForwardSignals  bool   // forward signals to the jail (unless -z)
	SeccompFilter   string // the file the seccomp filter came from, if any

	GenConfigPath string // ActionGenConfig: the file to create
	GenConfig     []byte // ActionGenConfig: its contents
}

// Env is what parsing may look at besides the arguments.
type Env struct {
	Environ  []string // the environment the target inherits by default
	Terminal bool     // one of stdin, stdout, stderr is a terminal
	UID, GID int      // the caller's real ids (bare -m / -M maps)
}

// DefaultEnv describes the calling process.
func DefaultEnv() Env {
	tty := false
	for fd := 0; fd <= 2; fd++ {
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			tty = true
		}
	}
	return Env{Environ: os.Environ(), Terminal: tty, UID: os.Getuid(), GID: os.Getgid()}
}

// UsageError is a command line that does not parse: minijail0 prints the
// message and its usage to stderr and exits 1.
type UsageError struct{ Msg string }

// Error returns the message.
func (e *UsageError) Error() string { return e.Msg }

// defaultPolicyPath is the seccomp filter of upstream's default runtime
// environment, used when it exists and no other filter is given.
const defaultPolicyPath = "/etc/security/minijail/v0.bin"

// optDef is one minijail0 option.
type optDef struct {
	short byte
	long  string
	arg   getopt.ArgKind
	apply func(s *state, arg string, has bool) error
}

// key is the name the option has in a configuration file written by
// --gen-config: its long name where it has one, else its letter.
func (d *optDef) key() string {
	if d.long != "" {
		return d.long
	}
	return string(d.short)
}

// display is how messages name the option.
func (d *optDef) display() string {
	if d.short != 0 {
		return "-" + string(d.short)
	}
	return "--" + d.long
}

// errNotSupportedYet is the error of an option whose feature is not built.
func errNotSupportedYet(name string) error {
	return &selfNamedError{fmt.Sprintf("%s is not supported yet", name)}
}

// selfNamedError is an option error whose message already names the
// option, so it is not prefixed with it.
type selfNamedError struct{ msg string }

func (e *selfNamedError) Error() string { return e.msg }

// options is minijail0's option table. The long options come first, in
// upstream's order, because glibc lists ambiguous abbreviations in table
// order.
var options []optDef

var getoptTable []getopt.Option

func init() {
	unsupported := func(name string) func(*state, string, bool) error {
		return func(s *state, _ string, _ bool) error {
			if s.record {
				return nil
			}
			return errNotSupportedYet(name)
		}
	}
	options = []optDef{
		{'h', "help", getopt.NoArgument, nil}, // handled by the loop
		{'d', "mount-dev", getopt.NoArgument, (*state).optMountDev},
		{0, "ambient", getopt.NoArgument, (*state).optAmbient},
		{0, "uts", getopt.OptionalArgument, (*state).optUTS},
		{0, "logging", getopt.RequiredArgument, (*state).optLogging},
		{0, "profile", getopt.RequiredArgument, (*state).optProfile},
		{0, "preload-library", getopt.RequiredArgument, (*state).optPreload},
		{0, "seccomp-bpf-binary", getopt.RequiredArgument, (*state).optBPFBinary},
		{0, "add-suppl-group", getopt.RequiredArgument, (*state).optAddSupplGroup},
		{0, "allow-speculative-execution", getopt.NoArgument, (*state).optSpecAllow},
		{0, "config", getopt.RequiredArgument, nil},     // handled by the loop
		{0, "gen-config", getopt.RequiredArgument, nil}, // handled by the loop
		{0, "env-add", getopt.RequiredArgument, (*state).optEnvAdd},
		{0, "env-reset", getopt.NoArgument, (*state).optEnvReset},
		{'k', "mount", getopt.RequiredArgument, (*state).optMount},
		{'b', "bind-mount", getopt.RequiredArgument, (*state).optBind},
		{'v', "ns-mount", getopt.NoArgument, (*state).optNsMount},
		{0, "enable-profile-fs-restrictions", getopt.NoArgument, unsupported("--enable-profile-fs-restrictions")},
		{0, "fs-default-paths", getopt.NoArgument, unsupported("--fs-default-paths")},
		{0, "fs-path-rx", getopt.RequiredArgument, unsupported("--fs-path-rx")},
		{0, "fs-path-ro", getopt.RequiredArgument, unsupported("--fs-path-ro")},
		{0, "fs-path-rw", getopt.RequiredArgument, unsupported("--fs-path-rw")},
		{0, "fs-path-advanced-rw", getopt.RequiredArgument, unsupported("--fs-path-advanced-rw")},
		{0, "landlock-abi", getopt.RequiredArgument, (*state).optLandlockABI},
		{0, "no-default-runtime-environment", getopt.NoArgument, (*state).optNoDefaultRuntime},
		{0, "no-fs-restrictions", getopt.NoArgument, unsupported("--no-fs-restrictions")},
		{0, "no-new-sessions", getopt.NoArgument, (*state).optNoNewSessions},
		{0, "preserve-fd", getopt.RequiredArgument, (*state).optPreserveFD},

		{'a', "", getopt.RequiredArgument, (*state).optAltSyscall},
		{'c', "", getopt.RequiredArgument, (*state).optCaps},
		{'e', "", getopt.OptionalArgument, (*state).optNet},
		{'f', "", getopt.RequiredArgument, (*state).optPIDFile},
		{'g', "", getopt.RequiredArgument, (*state).optGroup},
		{'i', "", getopt.NoArgument, (*state).optExitImmediately},
		{'l', "", getopt.NoArgument, (*state).optIPC},
		{'m', "", getopt.OptionalArgument, (*state).optUIDMap},
		{'n', "", getopt.NoArgument, (*state).optNoNewPrivs},
		{'p', "", getopt.NoArgument, (*state).optPIDs},
		{'r', "", getopt.NoArgument, (*state).optRemountProc},
		{'s', "", getopt.NoArgument, (*state).optStrict},
		{'t', "", getopt.OptionalArgument, (*state).optTmp},
		{'u', "", getopt.RequiredArgument, (*state).optUser},
		{'w', "", getopt.NoArgument, (*state).optKeyring},
		{'y', "", getopt.NoArgument, (*state).optKeepGroups},
		{'z', "", getopt.NoArgument, (*state).optNoForward},
		{'B', "", getopt.RequiredArgument, (*state).optSecurebits},
		{'C', "", getopt.RequiredArgument, (*state).optChroot},
		{'G', "", getopt.NoArgument, (*state).optInheritGroups},
		{'H', "", getopt.NoArgument, nil}, // handled by the loop
		{'I', "", getopt.NoArgument, (*state).optInit},
		{'K', "", getopt.OptionalArgument, (*state).optRemountMode},
		{'L', "", getopt.NoArgument, (*state).optSeccompLog},
		{'M', "", getopt.OptionalArgument, (*state).optGIDMap},
		{'N', "", getopt.NoArgument, (*state).optCgroups},
		{'P', "", getopt.RequiredArgument, (*state).optPivotRoot},
		{'R', "", getopt.RequiredArgument, (*state).optRlimit},
		{'S', "", getopt.RequiredArgument, (*state).optSeccompFile},
		{'T', "", getopt.RequiredArgument, (*state).optELFType},
		{'U', "", getopt.NoArgument, (*state).optUserNS},
		{'V', "", getopt.RequiredArgument, (*state).optEnterVFS},
		{'Y', "", getopt.NoArgument, (*state).optTSYNC},
	}
	for _, d := range options {
		getoptTable = append(getoptTable, getopt.Option{Short: d.short, Long: d.long, Arg: d.arg})
	}
}

// lookupKey finds the option a configuration-file key names: a long option
// name, or a single option letter.
func lookupKey(key string) *optDef {
	for i := range options {
		if options[i].long != "" && options[i].long == key {
			return &options[i]
		}
	}
	if len(key) == 1 {
		for i := range options {
			if options[i].short == key[0] {
				return &options[i]
			}
		}
	}
	return nil
}

// seccompKind is which of the mutually exclusive seccomp modes was asked.
type seccompKind int

const (
	seccompNone seccompKind = iota
	seccompStrict
	seccompPolicy
	seccompBPF
)

// state is the parse in progress.
type state struct {
	j   *minijail.Jail
	env Env

	// --gen-config: record instead of apply.
	record   bool
	genPath  string
	recorded []recordedOpt
	inConfig bool
	done     *Plan // set by -h / -H: stop here

	exitImmediately bool
	forward         bool

	useUID, useGID bool
	mapUID         int // the id bare -m maps to: -u's
	mapGID         int // the id bare -M maps to: -g's, or -u NAME's primary group, whichever came last

	inheritGroups, keepGroups bool
	supplGroups               []string

	caps, ambient bool

	seccomp        seccompKind
	filterPath     string
	seccompLog     bool
	defaultRuntime bool

	bindMounts   bool
	chroot       bool
	pivotRoot    bool
	mountNS      bool
	changeRemnt  bool
	remountMode  string
	setUIDMap    bool
	uidMap       string
	hasUIDMap    bool
	setGIDMap    bool
	gidMap       string
	hasGIDMap    bool
	tmpSize      uint64
	pids         bool
	newSessions  bool
	envList      []string
	envSet       bool
	profilePivot bool // --profile asked for a pivot into the default root
}

type recordedOpt struct {
	key    string
	arg    string
	hasArg bool
}

// Parse parses minijail0's command line (argv[0] is the program name).
func Parse(argv []string, env Env) (*Plan, error) {
	s := &state{
		j:              minijail.New(),
		env:            env,
		forward:        true,
		defaultRuntime: true,
		newSessions:    true,
	}
	p := getopt.New(getoptTable, argv)
	for {
		r, err := p.Next()
		if errors.Is(err, getopt.ErrDone) {
			break
		}
		if err != nil {
			return nil, &UsageError{Msg: err.Error()}
		}
		if err := s.handle(&options[r.Index], r.Arg, r.HasArg); err != nil {
			return nil, err
		}
		if s.done != nil {
			return s.done, nil
		}
	}
	if s.record {
		return s.genConfig()
	}
	return s.finish(p.Args())
}

// handle records one option and applies it.
func (s *state) handle(d *optDef, arg string, has bool) error {
	if d.long != "config" && d.long != "gen-config" {
		s.recorded = append(s.recorded, recordedOpt{key: d.key(), arg: arg, hasArg: has})
	}
	switch {
	case d.short == 'h':
		s.done = &Plan{Action: ActionHelp}
		return nil
	case d.short == 'H':
		s.done = &Plan{Action: ActionSyscalls}
		return nil
	case d.long == "gen-config":
		if arg == "" {
			return errors.New("--gen-config needs a file name")
		}
		s.record, s.genPath = true, arg
		return nil
	case d.long == "config":
		return s.readConfig(arg)
	}
	if err := d.apply(s, arg, has); err != nil {
		var sn *selfNamedError
		if errors.As(err, &sn) {
			return err
		}
		return fmt.Errorf("%s: %w", displayWithArg(d, arg, has), err)
	}
	return nil
}

func displayWithArg(d *optDef, arg string, has bool) string {
	if !has {
		return d.display()
	}
	if arg == "" {
		arg = `""`
	}
	if d.short != 0 {
		return fmt.Sprintf("-%c %s", d.short, arg)
	}
	return fmt.Sprintf("--%s %s", d.long, arg)
}

// Option handlers. Each checks its argument, then, unless recording for
// --gen-config, applies it.

func (s *state) optUser(arg string, _ bool) error {
	if s.useUID {
		return errors.New("-u given more than once")
	}
	s.useUID = true
	if arg == "" {
		return errors.New("empty user name")
	}
	if s.record {
		return nil
	}
	if err := s.j.ChangeUser(arg); err != nil {
		return err
	}
	if n, err := strconv.ParseUint(arg, 10, 32); err == nil {
		s.mapUID = int(n)
		return nil
	}
	u, err := user.Lookup(arg)
	if err != nil {
		return fmt.Errorf("look up user %q: %w", arg, err)
	}
	s.mapUID, _ = strconv.Atoi(u.Uid)
	s.mapGID, _ = strconv.Atoi(u.Gid)
	return nil
}

func (s *state) optGroup(arg string, _ bool) error {
	if s.useGID {
		return errors.New("-g given more than once")
	}
	s.useGID = true
	if arg == "" {
		return errors.New("empty group name")
	}
	if s.record {
		return nil
	}
	if err := s.j.ChangeGroup(arg); err != nil {
		return err
	}
	if n, err := strconv.ParseUint(arg, 10, 32); err == nil {
		s.mapGID = int(n)
		return nil
	}
	g, err := user.LookupGroup(arg)
	if err != nil {
		return fmt.Errorf("look up group %q: %w", arg, err)
	}
	s.mapGID, _ = strconv.Atoi(g.Gid)
	return nil
}

func (s *state) optInheritGroups(string, bool) error {
	if s.keepGroups {
		return errors.New("-G and -y cannot be combined")
	}
	s.inheritGroups = true
	return nil
}

func (s *state) optKeepGroups(string, bool) error {
	if s.inheritGroups {
		return errors.New("-y and -G cannot be combined")
	}
	s.keepGroups = true
	return nil
}

func (s *state) optAddSupplGroup(arg string, _ bool) error {
	if arg == "" {
		return errors.New("empty group name")
	}
	s.supplGroups = append(s.supplGroups, arg)
	return nil
}

func (s *state) optCaps(arg string, _ bool) error {
	mask, err := minijail.ParseCaps(arg)
	if err != nil {
		return err
	}
	s.caps = true
	if !s.record {
		s.j.UseCaps(mask)
	}
	return nil
}

func (s *state) optAmbient(string, bool) error {
	s.ambient = true
	if !s.record {
		s.j.SetAmbientCaps()
	}
	return nil
}

func (s *state) optSecurebits(arg string, _ bool) error {
	h := strings.TrimPrefix(strings.TrimPrefix(arg, "0x"), "0X")
	m, err := strconv.ParseUint(h, 16, 64)
	if h == "" || err != nil {
		return fmt.Errorf("invalid securebits mask %q: want a hexadecimal number", arg)
	}
	if !s.record {
		s.j.SkipSettingSecurebits(m)
	}
	return nil
}

func (s *state) optNoNewPrivs(string, bool) error {
	if !s.record {
		s.j.NoNewPrivs()
	}
	return nil
}

func (s *state) setSeccomp(k seccompKind) error {
	if s.seccomp != seccompNone && s.seccomp != k {
		return errors.New("-s, -S and --seccomp-bpf-binary cannot be combined")
	}
	s.seccomp = k
	return nil
}

func (s *state) optStrict(string, bool) error {
	if err := s.setSeccomp(seccompStrict); err != nil {
		return err
	}
	if !s.record {
		s.j.UseSeccomp()
	}
	return nil
}

func (s *state) optSeccompFile(arg string, _ bool) error {
	if err := s.setSeccomp(seccompPolicy); err != nil {
		return err
	}
	if arg == "" {
		return errors.New("empty policy file name")
	}
	s.filterPath = arg
	if !s.record {
		s.j.UseSeccompFilter()
	}
	return nil
}

func (s *state) optBPFBinary(arg string, _ bool) error {
	if err := s.setSeccomp(seccompBPF); err != nil {
		return err
	}
	if s.seccompLog {
		return errors.New("-L does not work with --seccomp-bpf-binary (the filter is already compiled)")
	}
	if arg == "" {
		return errors.New("empty filter file name")
	}
	s.filterPath = arg
	if !s.record {
		s.j.UseSeccompFilter()
	}
	return nil
}

func (s *state) optSeccompLog(string, bool) error {
	if s.seccomp == seccompBPF {
		return errors.New("-L does not work with --seccomp-bpf-binary (the filter is already compiled)")
	}
	s.seccompLog = true
	if !s.record {
		s.j.LogSeccompFilterFailures()
	}
	return nil
}

func (s *state) optTSYNC(string, bool) error {
	if !s.record {
		s.j.SetSeccompFilterTSYNC()
	}
	return nil
}

func (s *state) optSpecAllow(string, bool) error {
	if !s.record {
		s.j.SetSeccompFilterAllowSpeculation()
	}
	return nil
}

func (s *state) optNoDefaultRuntime(string, bool) error {
	s.defaultRuntime = false
	return nil
}

func (s *state) optAltSyscall(string, bool) error {
	if s.record {
		return nil
	}
	return errors.New("alternate syscall tables need a ChromeOS kernel patch and are not supported; use a seccomp policy (-S) instead")
}

func (s *state) optPreload(string, bool) error {
	if s.record {
		return nil
	}
	return errors.New("there is no preload library: minijail-go applies the whole jail before execve, so nothing is injected into the program")
}

func (s *state) optLandlockABI(arg string, _ bool) error {
	if _, err := strconv.ParseUint(arg, 10, 31); err != nil {
		return fmt.Errorf("--landlock-abi wants a non-negative integer, not %q", arg)
	}
	if s.record {
		return nil
	}
	return errNotSupportedYet("--landlock-abi")
}

func (s *state) optPIDFile(arg string, _ bool) error {
	if arg == "" {
		return errors.New("empty pid file name")
	}
	if !s.record {
		s.j.WritePIDFile(arg)
	}
	return nil
}

func (s *state) optExitImmediately(string, bool) error {
	s.exitImmediately = true
	return nil
}

func (s *state) optNoForward(string, bool) error {
	s.forward = false
	return nil
}

func (s *state) optRlimit(arg string, _ bool) error {
	r, err := parseRlimit(arg)
	if err != nil {
		return err
	}
	if s.record {
		return nil
	}
	return s.j.Rlimit(r.resource, r.cur, r.max)
}

func (s *state) optELFType(arg string, _ bool) error {
	// Both mean the same here: the jail is applied before execve, the
	// program is never inspected.
	if arg != "static" && arg != "dynamic" {
		return fmt.Errorf("ELF type must be 'static' or 'dynamic', not %q", arg)
	}
	return nil
}

func (s *state) optKeyring(string, bool) error {
	if !s.record {
		s.j.NewSessionKeyring()
	}
	return nil
}

func (s *state) optLogging(arg string, _ bool) error {
	switch arg {
	case "auto", "syslog", "stderr":
	default:
		return fmt.Errorf("--logging must be 'auto', 'syslog' or 'stderr', not %q", arg)
	}
	if s.record {
		return nil
	}
	return s.j.SetLogging(arg)
}

func (s *state) optEnvReset(string, bool) error {
	s.envList, s.envSet = []string{}, true
	return nil
}

func (s *state) optEnvAdd(arg string, _ bool) error {
	name, _, ok := strings.Cut(arg, "=")
	if !ok {
		return fmt.Errorf("expected NAME=value, got %q", arg)
	}
	if name == "" {
		return fmt.Errorf("empty variable name in %q", arg)
	}
	if !s.envSet {
		s.envList, s.envSet = append([]string{}, s.env.Environ...), true
	}
	for i, kv := range s.envList {
		if n, _, _ := strings.Cut(kv, "="); n == name {
			s.envList[i] = arg
			return nil
		}
	}
	s.envList = append(s.envList, arg)
	return nil
}

func (s *state) optPreserveFD(arg string, _ bool) error {
	n, err := strconv.ParseInt(arg, 10, 32)
	if err != nil || n < 0 {
		return fmt.Errorf("--preserve-fd wants a file descriptor number, not %q", arg)
	}
	if s.record {
		return nil
	}
	return s.j.PreserveFD(int(n), int(n))
}

func (s *state) optNoNewSessions(string, bool) error {
	s.newSessions = false
	return nil
}

// Namespace and filesystem options (issue 4: the package applies them).

func (s *state) optNsMount(string, bool) error {
	s.mountNS = true
	if s.record {
		return nil
	}
	s.j.NamespaceVFS()
	// Like upstream's CLI: mounts flow into the new namespace but not out.
	return s.j.RemountMode("slave")
}

func (s *state) optRemountMode(arg string, has bool) error {
	if has {
		switch arg {
		case "shared", "private", "slave", "unbindable":
		default:
			return fmt.Errorf("unknown remount mode %q (want shared, private, slave or unbindable)", arg)
		}
	}
	s.changeRemnt, s.remountMode = true, ""
	if has {
		s.remountMode = arg
	}
	return nil
}

func (s *state) optEnterVFS(arg string, _ bool) error {
	if arg == "" {
		return errors.New("empty mount namespace path")
	}
	if !s.record {
		s.j.NamespaceEnterVFS(arg)
	}
	return nil
}

func (s *state) optPIDs(string, bool) error {
	s.pids = true
	if !s.record {
		s.j.NamespacePIDs()
	}
	return nil
}

func (s *state) optInit(string, bool) error {
	s.pids = true
	if !s.record {
		s.j.NamespacePIDs()
		s.j.RunAsInit()
	}
	return nil
}

func (s *state) optNet(arg string, has bool) error {
	if s.record {
		return nil
	}
	if has {
		s.j.NamespaceEnterNet(arg)
	} else {
		s.j.NamespaceNet()
	}
	return nil
}

func (s *state) optIPC(string, bool) error {
	if !s.record {
		s.j.NamespaceIPC()
	}
	return nil
}

func (s *state) optUTS(arg string, has bool) error {
	if s.record {
		return nil
	}
	s.j.NamespaceUTS()
	if has {
		return s.j.SetHostname(arg)
	}
	return nil
}

func (s *state) optCgroups(string, bool) error {
	if !s.record {
		s.j.NamespaceCgroups()
	}
	return nil
}

func (s *state) optUserNS(string, bool) error {
	s.pids = true
	if !s.record {
		s.j.NamespaceUser()
		s.j.NamespacePIDs()
	}
	return nil
}

func (s *state) optUIDMap(arg string, has bool) error {
	if has && arg == "" {
		return errors.New("empty uid map")
	}
	s.setUIDMap, s.uidMap, s.hasUIDMap = true, arg, has
	s.pids = true
	return nil
}

func (s *state) optGIDMap(arg string, has bool) error {
	if has && arg == "" {
		return errors.New("empty gid map")
	}
	s.setGIDMap, s.gidMap, s.hasGIDMap = true, arg, has
	s.pids = true
	return nil
}

func (s *state) optBind(arg string, _ bool) error {
	parts := strings.Split(arg, ",")
	if len(parts) > 3 || parts[0] == "" {
		return fmt.Errorf("bad bind mount %q: want SRC[,DEST[,WRITABLE]]", arg)
	}
	src, dest, writable := parts[0], "", false
	if len(parts) > 1 {
		dest = parts[1]
	}
	if dest == "" {
		dest = src
	}
	if len(parts) > 2 {
		switch parts[2] {
		case "", "0":
		case "1":
			writable = true
		default:
			return fmt.Errorf("bad bind mount %q: WRITABLE must be 0 or 1, not %q", arg, parts[2])
		}
	}
	s.bindMounts = true
	if s.record {
		return nil
	}
	return s.j.Bind(src, dest, writable)
}

func (s *state) optMount(arg string, _ bool) error {
	parts := strings.SplitN(arg, ",", 5)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return fmt.Errorf("bad mount %q: want SRC,DEST,TYPE[,FLAGS[,DATA]]", arg)
	}
	flagText, data := "", ""
	if len(parts) > 3 {
		flagText = parts[3]
	}
	flags, err := mount.ParseMountFlags(flagText)
	if err != nil {
		return err
	}
	if len(parts) > 4 {
		data = parts[4]
		if flags&unix.MS_BIND != 0 {
			return fmt.Errorf("bad mount %q: no data may follow the flags of a bind mount", arg)
		}
	}
	if s.record {
		return nil
	}
	return s.j.Mount(parts[0], parts[1], parts[2], flags, data)
}

func (s *state) optChroot(arg string, _ bool) error {
	if s.pivotRoot {
		return errors.New("-C cannot be combined with -P")
	}
	s.chroot = true
	if s.record {
		return nil
	}
	return s.j.EnterChroot(arg)
}

func (s *state) optPivotRoot(arg string, _ bool) error {
	if s.chroot {
		return errors.New("-P cannot be combined with -C")
	}
	s.pivotRoot = true
	s.profilePivot = false
	if s.record {
		return nil
	}
	if err := s.j.EnterPivotRoot(arg); err != nil {
		return err
	}
	s.j.NamespaceVFS()
	return nil
}

func (s *state) optRemountProc(string, bool) error {
	if !s.record {
		s.j.RemountProcReadonly()
	}
	return nil
}

func (s *state) optMountDev(string, bool) error {
	if !s.record {
		s.j.NamespaceVFS()
		s.j.MountDev()
	}
	return nil
}

func (s *state) optTmp(arg string, has bool) error {
	if s.tmpSize == 0 {
		s.tmpSize = mount.DefaultTmpSize
	}
	if has {
		n, err := mount.ParseSize(arg)
		if err != nil {
			return fmt.Errorf("invalid /tmp size: %w", err)
		}
		s.tmpSize = n
	}
	if !s.record {
		s.j.NamespaceVFS()
	}
	return nil
}

func (s *state) optProfile(arg string, _ bool) error {
	dev := false
	switch arg {
	case mount.ProfileMinimalisticMountNS:
		dev = true
	case mount.ProfileMinimalisticMountNSNoDev:
	default:
		return fmt.Errorf("unknown profile %q (known: %s, %s)", arg,
			mount.ProfileMinimalisticMountNS, mount.ProfileMinimalisticMountNSNoDev)
	}
	if s.chroot {
		return errors.New("--profile pivots into a new root and cannot be combined with -C")
	}
	if s.tmpSize == 0 {
		s.tmpSize = mount.DefaultTmpSize
	}
	s.pivotRoot, s.profilePivot = true, true
	if s.record {
		return nil
	}
	s.j.NamespaceVFS()
	if err := s.j.Bind("/", "/", false); err != nil {
		return err
	}
	if err := s.j.Bind("/proc", "/proc", false); err != nil {
		return err
	}
	if dev {
		// Upstream binds /dev/log unconditionally and fails on hosts
		// without a syslog socket; bind it where it exists.
		if _, err := os.Stat("/dev/log"); err == nil {
			if err := s.j.Bind("/dev/log", "/dev/log", false); err != nil {
				return err
			}
		}
		s.j.MountDev()
	}
	s.j.RemountProcReadonly()
	return s.j.EnterPivotRoot(mount.DefaultPivotRoot)
}

// finish applies what upstream applies once every option is known, and
// checks the combinations.
func (s *state) finish(rest []string) (*Plan, error) {
	j := s.j
	if s.setUIDMap || s.setGIDMap {
		j.NamespaceUser()
		j.NamespacePIDs()
	}
	if s.setUIDMap {
		m := s.uidMap
		if !s.hasUIDMap {
			m = fmt.Sprintf("%d %d 1", s.mapUID, s.env.UID)
		}
		j.UIDMap(m)
	}
	if s.setGIDMap {
		m := s.gidMap
		if !s.hasGIDMap {
			m = fmt.Sprintf("%d %d 1", s.mapGID, s.env.GID)
		}
		j.GIDMap(m)
	}
	if s.ambient && !s.caps {
		return nil, errors.New("--ambient needs -c (there are no capabilities to raise)")
	}
	if s.bindMounts && !(s.chroot || s.pivotRoot || s.mountNS) {
		return nil, errors.New("bind mounts (-b) need -C, -P or a new mount namespace (-v)")
	}
	if s.changeRemnt {
		if !s.mountNS {
			return nil, errors.New("-K changes how / is remounted in a new mount namespace and needs -v")
		}
		if s.remountMode == "" {
			j.SkipRemountPrivate()
		} else if err := j.RemountMode(s.remountMode); err != nil {
			return nil, err
		}
	}
	if len(s.supplGroups) > 0 && (s.inheritGroups || s.keepGroups) {
		return nil, errors.New("--add-suppl-group cannot be combined with -G or -y")
	}
	if s.inheritGroups {
		if err := j.InheritUsergroups(); err != nil {
			return nil, fmt.Errorf("-G: %w", err)
		}
	}
	if s.keepGroups {
		if err := j.KeepSupplementaryGIDs(); err != nil {
			return nil, fmt.Errorf("-y: %w", err)
		}
	}
	for _, g := range s.supplGroups {
		if err := j.AddSupplementaryGroup(g); err != nil {
			return nil, fmt.Errorf("--add-suppl-group %s: %w", g, err)
		}
	}
	if s.exitImmediately {
		// -i: the jail runs on after minijail0 exits, with nothing of
		// minijail0 to answer it (log mode then logs through the kernel).
		j.Detach()
	} else if !s.forward {
		// -z: a signal ends minijail0 and not the jail.
		j.LogThroughKernel()
	}
	filter := ""
	switch s.seccomp {
	case seccompPolicy:
		filter = s.filterPath
		if err := j.ParseSeccompFilters(s.filterPath); err != nil {
			return nil, fmt.Errorf("-S %s: %w", s.filterPath, err)
		}
	case seccompBPF:
		filter = s.filterPath
		if err := j.SetSeccompBPFBinary(s.filterPath); err != nil {
			return nil, fmt.Errorf("--seccomp-bpf-binary %s: %w", s.filterPath, err)
		}
	default:
		if s.defaultRuntime {
			if _, err := os.Stat(defaultPolicyPath); err == nil {
				filter = defaultPolicyPath
				j.UseSeccompFilter()
				if err := j.SetSeccompBPFBinary(defaultPolicyPath); err != nil {
					return nil, fmt.Errorf("default runtime environment: %w", err)
				}
			}
			j.NoNewPrivs()
		}
	}
	if s.tmpSize != 0 {
		j.MountTmp(s.tmpSize)
	}
	if s.profilePivot {
		if fi, err := os.Stat(mount.DefaultPivotRoot); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--profile pivots into %s, which must be an existing empty directory (create it, owned by root)", mount.DefaultPivotRoot)
		}
	}
	if s.envSet {
		j.SetEnv(s.envList)
	}
	if !s.newSessions && s.pids {
		return nil, errors.New("--no-new-sessions cannot be used with a new pid namespace (its init always starts a new session)")
	}
	if s.newSessions && s.env.Terminal {
		j.NewSession()
	}
	if len(rest) == 0 {
		return nil, &UsageError{Msg: "no program to run"}
	}
	if rest[0] == "" {
		return nil, &UsageError{Msg: "the program to run is an empty string"}
	}
	return &Plan{
		Action:          ActionRun,
		Jail:            j,
		Path:            rest[0],
		Argv:            append([]string(nil), rest...),
		ExitImmediately: s.exitImmediately,
		ForwardSignals:  s.forward,
		SeccompFilter:   filter,
	}, nil
}
